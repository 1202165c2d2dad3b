package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/peiyu/peiyu/registry"
)

// Limits on what one pack expression may cost.
const (
	maxExprNodes   = 400  // AST nodes per expression (expr.MaxNodes)
	memoryBudget   = 1000 // vm.VM memory budget per run
	maxDeriveDepth = 8    // derived metrics that use derived metrics
)

// Program is a compiled pack: every expression parsed, type-checked and
// compiled at load. A Program is immutable and safe for concurrent use.
type Program struct {
	pack     *Pack
	criteria []*crit
	routes   []string // route names in first-use order; empty: one route
	groups   []string // score subtotals
	scored   bool
	leaves   int // comparison and boolean leaves, for evaluation scratch
	review   *ReviewMode
	outputs  []*outSpec // label outputs first, then numeric ones
	nslots   int        // slots output expressions read (scores, band amounts)
	hash     string
}

// Hash identifies the pack's content (its rules, not its cases): stored
// results carry it, so a result computed under other rules shows.
func (p *Program) Hash() string { return p.hash }

// Pack returns the source the program was compiled from.
func (p *Program) Pack() *Pack { return p.pack }

// Key is "id@edition".
func (p *Program) Key() string { return p.pack.Key() }

type crit struct {
	def      *Criterion
	decisive bool
	logic    *node // nil for a pure review criterion or a scored one
	rlogic   *node // review-mode variant (nil: same as logic)
	score    *scorer
	unit     string
}

// node is one step of a criterion's logic, evaluated in three values.
type node struct {
	op       nodeOp
	kids     []*node
	leaf     int    // index into the evaluation's leaf scratch
	cmp      string // comparison operator of opCmp
	left     *side
	right    *side
	group    string // score subtotal of opScore ("" = total)
	boolv    *side  // opBool: a boolean side
	call     func(*Env) tri
	callText string // a honor call in words
	field    string // the profile field a place call reads, named when missing
	text     string // the leaf as written (after expansion), for traces
}

type nodeOp uint8

const (
	opAnd nodeOp = iota
	opOr
	opNot
	opCmp
	opBool
	opCall
	opScore
)

// side is one operand of a comparison: a constant, a plain metric read
// directly, or a compiled expr program over Env.
type side struct {
	isConst bool
	value   float64
	metric  *Metric
	prog    *vm.Program
	isBool  bool
	needs   []*Metric // metrics the side reads, in order of appearance
	unit    string
	title   string
	param   string // the parameter a constant came from
	text    string
	// sumOf lists the terms when the side is a plain sum of amounts or
	// counts (never negative): the known terms then bound it from below.
	sumOf []*Metric
}

type tri int8

const (
	triFalse tri = iota
	triTrue
	triMissing
	triReview // rests on a judgement staff must make
)

// CompileError is a load error with its position in the pack file.
type CompileError struct {
	Pack      string // file name
	Criterion string // criterion, metric or parameter id
	Line, Col int    // position in the pack file (0 when unknown)
	Msg       string
	Snippet   string
}

func (e *CompileError) Error() string {
	var b strings.Builder
	b.WriteString(e.Pack)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	if e.Criterion != "" {
		fmt.Fprintf(&b, ": %s", e.Criterion)
	}
	fmt.Fprintf(&b, ": %s", e.Msg)
	b.WriteString(e.Snippet)
	return b.String()
}

var (
	idRE      = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	nameRE    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	routeRE   = regexp.MustCompile(`^(score|standard|direct:[a-z0-9_-]+)$`)
	editionRE = regexp.MustCompile(`^[a-z0-9-]+$`)
)

var knownUnits = map[string]bool{unitYuan: true, unitPeople: true, unitCount: true, unitRatio: true,
	unitYears: true, unitDays: true, unitScore: true, unitLevel: true, unitRank: true, unitBool: true, unitPoints: true}

// compiler state for one pack.
type packCompiler struct {
	p       *Pack
	prog    *Program
	cfg     *conf.Config
	params  map[ast.Node]string
	derived map[ast.Node]string
	scores  map[ast.Node]string
	errs    []error
}

func (c *packCompiler) errorf(id string, src *Source, format string, args ...any) {
	e := &CompileError{Pack: c.p.file, Criterion: id, Msg: fmt.Sprintf(format, args...)}
	if src != nil {
		e.Line, e.Col = src.Line, src.Col
	}
	c.errs = append(c.errs, e)
}

func exprConfig() *conf.Config {
	cfg := conf.CreateNew()
	stub := func(...any) (any, error) {
		return nil, errors.New("holds(), won(), in_region() and in_chain() must stand alone as a condition")
	}
	for _, op := range []expr.Option{
		expr.Env(Env{}),
		expr.MaxNodes(maxExprNodes),
		expr.Function("holds", stub, new(func(string) bool), new(func(string, string) bool)),
		expr.Function("won", stub, new(func(string, string, int) bool), new(func(string, string, int, int) bool)),
		expr.Function("in_region", stub, new(func(string) bool), new(func(string, string) bool)),
		expr.Function("in_chain", stub, new(func(...string) bool)),
	} {
		op(cfg)
	}
	cfg.Check()
	return cfg
}

// Compile checks a pack and compiles every expression in it. The error
// joins every problem found, each a *CompileError naming the pack,
// criterion, line and column.
func Compile(p *Pack) (*Program, error) {
	c := &packCompiler{p: p, cfg: exprConfig(), params: map[ast.Node]string{},
		derived: map[ast.Node]string{}, scores: map[ast.Node]string{}}
	c.prog = &Program{pack: p, review: p.Review}
	c.checkHeader()
	c.checkParameters()
	for name, d := range p.Metrics {
		if !nameRE.MatchString(name) || metricByName[name] != nil || p.Parameters[name].Source != "" {
			c.errorf(name, &d.Expr, "derived metric name must be a new lower_snake_case name")
			continue
		}
		if !knownUnits[d.Unit] {
			c.errorf(name, &d.Expr, "unit %q is not one of the known units", d.Unit)
		}
		if d.Title == "" {
			c.errorf(name, &d.Expr, "derived metric needs a title")
		}
		if n, ok := c.parse(name, d.Expr); ok {
			c.check(name, d.Expr, n, false)
		}
	}
	seen := map[string]bool{}
	groups := map[string]bool{}
	for i := range p.Criteria {
		cr := &p.Criteria[i]
		if !idRE.MatchString(cr.ID) || seen[cr.ID] {
			c.errorf(cr.ID, &cr.Expr, "criterion id %q must be unique lower-kebab-case", cr.ID)
		}
		seen[cr.ID] = true
		if cr.Kind == KindScored && cr.Group != "" {
			groups[cr.Group] = true
		}
	}
	for g := range groups {
		c.prog.groups = append(c.prog.groups, g)
	}
	sort.Strings(c.prog.groups)
	for i := range p.Criteria {
		if cc := c.criterion(&p.Criteria[i]); cc != nil {
			c.prog.criteria = append(c.prog.criteria, cc)
		}
	}
	c.compileOutputs()
	c.checkCases()
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	c.prog.hash = hex.EncodeToString(sum[:8])
	return c.prog, nil
}

func (c *packCompiler) checkHeader() {
	p := c.p
	if !idRE.MatchString(p.ID) {
		c.errorf("id", nil, "id %q must be lower-kebab-case", p.ID)
	}
	if !editionRE.MatchString(p.Edition) {
		c.errorf("edition", nil, "edition %q must be lower-case letters, digits and dashes", p.Edition)
	}
	if p.Name.ZH == "" || p.Name.EN == "" {
		c.errorf("name", nil, "name needs zh and en")
	}
	if err := p.Effective.check(); err != nil {
		c.errorf("effective", nil, "%v", err)
	}
	if len(p.Basis) == 0 {
		c.errorf("basis", nil, "a pack needs its legal basis")
	}
	if p.Honor != "" && !nameRE.MatchString(p.Honor) {
		c.errorf("honor", nil, "honor %q must be an honor kind", p.Honor)
	}
	if r := p.Review; r != nil {
		if err := r.Period.check(); err != nil {
			c.errorf("review", nil, "period: %v", err)
		}
		if r.Basis == "" {
			c.errorf("review", nil, "review mode needs its basis")
		}
	}
	if len(p.Criteria) == 0 {
		c.errorf("criteria", nil, "a pack needs criteria")
	}
}

func (c *packCompiler) checkParameters() {
	for name, prm := range c.p.Parameters {
		switch {
		case !nameRE.MatchString(name) || metricByName[name] != nil:
			c.errorf(name, nil, "parameter name must be lower_snake_case and not a metric name")
		case prm.Source != "official" && prm.Source != "engine-default":
			c.errorf(name, nil, "parameter source must be official or engine-default, not %q", prm.Source)
		case strings.TrimSpace(prm.Basis) == "":
			c.errorf(name, nil, "parameter has no citation (basis)")
		case !knownUnits[prm.Unit]:
			c.errorf(name, nil, "parameter unit %q is not one of the known units", prm.Unit)
		case math.IsNaN(prm.Value) || math.IsInf(prm.Value, 0):
			c.errorf(name, nil, "parameter value is not a number")
		}
	}
}

// parse parses src and expands parameters (to constants), derived metrics
// (to their expressions) and score names (to placeholders).
func (c *packCompiler) parse(id string, src Source) (ast.Node, bool) {
	budget := maxExprNodes
	return c.expand(id, src, nil, &budget)
}

// expand parses src and expands it; stack holds the derived metrics being
// expanded (a cycle is an error) and budget the AST nodes still allowed, so
// metrics that use metrics cannot blow up.
func (c *packCompiler) expand(id string, src Source, stack []string, budget *int) (ast.Node, bool) {
	tree, err := parser.ParseWithConfig(src.Text, c.cfg)
	if err != nil {
		c.exprError(id, src, err)
		return nil, false
	}
	ok := true
	ast.Walk(&tree.Node, visitFunc(func(n *ast.Node) {
		*budget--
		if *budget == 0 {
			c.errorf(id, &src, "expression too large once derived metrics are expanded (over %d nodes)", maxExprNodes)
			ok = false
		}
		ident, isIdent := (*n).(*ast.IdentifierNode)
		if !isIdent || !ok {
			return
		}
		name := ident.Value
		if prm, isParam := c.p.Parameters[name]; isParam && prm.Source != "" {
			var k ast.Node = &ast.FloatNode{Value: prm.Value}
			if prm.Value == math.Trunc(prm.Value) && math.Abs(prm.Value) < 1<<53 {
				k = &ast.IntegerNode{Value: int(prm.Value)}
			}
			ast.Patch(n, k)
			c.params[k] = name
			return
		}
		if d, isDerived := c.p.Metrics[name]; isDerived {
			if slices.Contains(stack, name) || len(stack) >= maxDeriveDepth {
				c.errorf(id, &src, "derived metric %s refers to itself (%s)", name, strings.Join(append(stack, name), " → "))
				ok = false
				return
			}
			sub, subOK := c.expand(name, d.Expr, append(slices.Clone(stack), name), budget)
			if !subOK {
				ok = false
				return
			}
			loc := ident.Location()
			ast.Walk(&sub, visitFunc(func(m *ast.Node) { (*m).SetLocation(loc) }))
			*n = sub
			c.derived[sub] = name
			return
		}
		if name == "score" || strings.HasPrefix(name, "score_") {
			g := strings.TrimPrefix(strings.TrimPrefix(name, "score"), "_")
			if g != "" && !slices.Contains(c.prog.groups, g) {
				c.errorf(id, &src, "unknown score group %q (no scored criterion has group %s)", g, g)
				ok = false
				return
			}
			k := &ast.FloatNode{Value: 0}
			ast.Patch(n, k)
			c.scores[k] = g
		}
	}))
	return tree.Node, ok
}

type visitFunc func(*ast.Node)

func (f visitFunc) Visit(n *ast.Node) { f(n) }

func (c *packCompiler) exprError(id string, src Source, err error) {
	e := &CompileError{Pack: c.p.file, Criterion: id, Line: src.Line, Col: src.Col, Msg: err.Error()}
	var fe *file.Error
	if errors.As(err, &fe) {
		e.Msg = fe.Message
		e.Snippet = fe.Snippet
		// Block scalars start on the line after the key.
		e.Line += fe.Line - 1
		if fe.Line > 1 {
			e.Col = fe.Column + 1
		} else {
			e.Col += fe.Column
		}
	}
	c.errs = append(c.errs, e)
}

// check type-checks an expanded tree: bool for conditions, number for
// metrics and scored values.
func (c *packCompiler) check(id string, src Source, n ast.Node, wantBool bool) bool {
	tree := &parser.Tree{Node: n, Source: file.NewSource(src.Text)}
	t, err := checker.Check(tree, c.cfg)
	if err != nil {
		c.exprError(id, src, err)
		return false
	}
	if t == nil {
		return true
	}
	switch {
	case wantBool && t.Kind().String() != "bool" && t.Kind().String() != "interface":
		c.errorf(id, &src, "expression must be a condition (bool), not %s", t)
		return false
	case !wantBool && !isNumberKind(t.Kind().String()) && t.Kind().String() != "bool":
		c.errorf(id, &src, "expression must be a number, not %s", t)
		return false
	}
	return true
}

func isNumberKind(k string) bool {
	return strings.HasPrefix(k, "int") || strings.HasPrefix(k, "uint") || strings.HasPrefix(k, "float")
}

var validKinds = map[string]bool{KindHard: true, KindVeto: true, KindPrerequisite: true, KindScored: true,
	KindReview: true, KindDirect: true, KindInfo: true}

func (c *packCompiler) criterion(cr *Criterion) *crit {
	if !validKinds[cr.Kind] {
		c.errorf(cr.ID, &cr.Expr, "kind %q is not one of hard, veto, prerequisite, scored, review, direct, info", cr.Kind)
		return nil
	}
	if cr.Title == "" || strings.TrimSpace(cr.Basis) == "" {
		c.errorf(cr.ID, &cr.Expr, "criterion needs a title and its basis (the policy clause)")
	}
	if cr.Route != "" && !routeRE.MatchString(cr.Route) {
		c.errorf(cr.ID, &cr.Expr, "route %q must be score, standard or direct:<name>", cr.Route)
	}
	if cr.Kind == KindDirect && !strings.HasPrefix(cr.Route, "direct:") {
		c.errorf(cr.ID, &cr.Expr, "a direct criterion needs a direct:<name> route")
	}
	if cr.IfMissing != "" && cr.IfMissing != "review" && cr.IfMissing != "assume" {
		c.errorf(cr.ID, &cr.Expr, "if_missing may only be \"review\" or \"assume\"")
	}
	if cr.IfFalse != "" && cr.IfFalse != "review" {
		c.errorf(cr.ID, &cr.Expr, "if_false may only be \"review\"")
	}
	if cr.Unit != "" && !knownUnits[cr.Unit] {
		c.errorf(cr.ID, &cr.Expr, "unit %q is not one of the known units", cr.Unit)
	}
	cc := &crit{def: cr, unit: cr.Unit}
	if cr.Route != "" && !slices.Contains(c.prog.routes, cr.Route) {
		c.prog.routes = append(c.prog.routes, cr.Route)
	}
	switch cr.Kind {
	case KindScored:
		if cr.Score == nil {
			c.errorf(cr.ID, &cr.Expr, "a scored criterion needs a score table")
			return nil
		}
		cc.score = c.scorer(cr.ID, cr.Score)
		if cc.score == nil {
			return nil
		}
		c.prog.scored = true
		cc.decisive = cr.MinPoints > 0
		if cr.Expr.Text != "" {
			c.errorf(cr.ID, &cr.Expr, "a scored criterion takes score:, not expr:")
		}
		return cc
	case KindReview:
		cc.decisive = true
		if cr.Expr.Text == "" {
			return cc
		}
	case KindInfo:
	default:
		cc.decisive = true
	}
	if cr.Score != nil {
		c.errorf(cr.ID, &cr.Expr, "only scored criteria take a score table")
	}
	if cr.Expr.Text == "" {
		c.errorf(cr.ID, &cr.Expr, "criterion needs an expression (expr)")
		return nil
	}
	cc.logic = c.logic(cr.ID, cr.Expr)
	if cr.ReviewExpr.Text != "" {
		cc.rlogic = c.logic(cr.ID, cr.ReviewExpr)
	}
	if cc.logic == nil {
		return nil
	}
	return cc
}

// logic compiles a condition into its three-valued logic tree.
func (c *packCompiler) logic(id string, src Source) *node {
	n, ok := c.parse(id, src)
	if !ok || !c.check(id, src, n, true) {
		return nil
	}
	return c.decompose(id, src, n)
}

func (c *packCompiler) decompose(id string, src Source, n ast.Node) *node {
	switch t := n.(type) {
	case *ast.BinaryNode:
		switch t.Operator {
		case "&&", "and", "||", "or":
			l, r := c.decompose(id, src, t.Left), c.decompose(id, src, t.Right)
			if l == nil || r == nil {
				return nil
			}
			op := opAnd
			if t.Operator == "||" || t.Operator == "or" {
				op = opOr
			}
			// Flatten chains of the same operator.
			var kids []*node
			for _, k := range []*node{l, r} {
				if k.op == op {
					kids = append(kids, k.kids...)
				} else {
					kids = append(kids, k)
				}
			}
			return &node{op: op, kids: kids}
		case "<", "<=", ">", ">=", "==", "!=":
			if g, isScore := c.scores[t.Left]; isScore {
				right := c.side(id, src, t.Right)
				if right == nil {
					return nil
				}
				if !right.isConst || (t.Operator != ">=" && t.Operator != ">") {
					c.errorf(id, &src, "a score may only be compared as score >= constant")
					return nil
				}
				return c.leaf(&node{op: opScore, cmp: t.Operator, group: g, right: right, text: t.String()})
			}
			left, right := c.side(id, src, t.Left), c.side(id, src, t.Right)
			if left == nil || right == nil {
				return nil
			}
			if left.isBool != right.isBool {
				c.errorf(id, &src, "cannot compare a condition with a number")
				return nil
			}
			return c.leaf(&node{op: opCmp, cmp: t.Operator, left: left, right: right, text: t.String()})
		}
	case *ast.UnaryNode:
		if t.Operator == "!" || t.Operator == "not" {
			k := c.decompose(id, src, t.Node)
			if k == nil {
				return nil
			}
			return &node{op: opNot, kids: []*node{k}}
		}
	case *ast.CallNode:
		if callee, isIdent := t.Callee.(*ast.IdentifierNode); isIdent && (callee.Value == "holds" || callee.Value == "won") {
			f, words := c.honorCall(id, src, callee.Value, t.Arguments)
			if f == nil {
				return nil
			}
			return c.leaf(&node{op: opCall, call: f, callText: words, text: t.String()})
		}
		if callee, isIdent := t.Callee.(*ast.IdentifierNode); isIdent && (callee.Value == "in_region" || callee.Value == "in_chain") {
			f, words, field := c.placeCall(id, src, callee.Value, t.Arguments)
			if f == nil {
				return nil
			}
			return c.leaf(&node{op: opCall, call: f, callText: words, field: field, text: t.String()})
		}
	}
	s := c.side(id, src, n)
	if s == nil {
		return nil
	}
	return c.leaf(&node{op: opBool, boolv: s, text: n.String()})
}

func (c *packCompiler) leaf(n *node) *node {
	n.leaf = c.prog.leaves
	c.prog.leaves++
	return n
}

// side compiles one operand.
func (c *packCompiler) side(id string, src Source, n ast.Node) *side {
	s := &side{text: n.String()}
	if name, ok := c.params[n]; ok {
		prm := c.p.Parameters[name]
		s.isConst, s.value, s.param, s.unit, s.title = true, prm.Value, name, prm.Unit, prm.Title
		return s
	}
	seen := map[*Metric]bool{}
	bad := false
	ast.Walk(&n, visitFunc(func(m *ast.Node) {
		switch t := (*m).(type) {
		case *ast.IdentifierNode:
			if mt := metricByName[t.Value]; mt != nil && !seen[mt] {
				seen[mt] = true
				s.needs = append(s.needs, mt)
			}
		case *ast.CallNode:
			bad = true
		case *ast.FloatNode:
			if _, isScore := c.scores[t]; isScore {
				bad = true
			}
		}
	}))
	if bad {
		c.errorf(id, &src, "holds(), won(), in_region(), in_chain() and score may only stand alone in a condition: %s", s.text)
		return nil
	}
	tree := &parser.Tree{Node: n, Source: file.NewSource(src.Text)}
	t, err := checker.Check(tree, c.cfg)
	if err != nil {
		c.exprError(id, src, err)
		return nil
	}
	s.isBool = t != nil && t.Kind().String() == "bool"
	if name, ok := c.derived[n]; ok {
		d := c.p.Metrics[name]
		s.unit, s.title = d.Unit, d.Title
	}
	if ident, ok := n.(*ast.IdentifierNode); ok {
		if mt := metricByName[ident.Value]; mt != nil {
			s.metric = mt
			s.unit, s.title = mt.Unit, mt.Title
			return s
		}
	}
	if len(s.needs) == 0 {
		// A constant expression: fold it now.
		prog, err := compiler.Compile(tree, c.cfg)
		if err == nil {
			var out any
			if out, err = vm.Run(prog, Env{}); err == nil {
				if f, ok := toFloat(out); ok {
					s.isConst, s.value = true, f
					return s
				}
			}
		}
	}
	if s.unit == "" {
		s.unit = inferUnit(n, s.needs)
	}
	s.sumOf = sumTerms(n)
	prog, err := compiler.Compile(tree, c.cfg)
	if err != nil {
		c.exprError(id, src, err)
		return nil
	}
	s.prog = prog
	return s
}

// sumTerms returns the metrics of a sum "a + b + c" whose terms are all
// non-negative amounts or counts, nil for anything else.
func sumTerms(n ast.Node) []*Metric {
	switch t := n.(type) {
	case *ast.BinaryNode:
		if t.Operator != "+" {
			return nil
		}
		l, r := sumTerms(t.Left), sumTerms(t.Right)
		if l == nil || r == nil {
			return nil
		}
		return append(l, r...)
	case *ast.IdentifierNode:
		m := metricByName[t.Value]
		if m != nil && (m.Unit == unitYuan || m.Unit == unitPeople || m.Unit == unitCount) && m.Name != "net_profit_prev" &&
			!strings.HasPrefix(m.Name, "net_profit") {
			return []*Metric{m}
		}
	}
	return nil
}

// inferUnit guesses the unit of an operand: a quotient is a ratio, anything
// else has the unit of the first metric it reads.
func inferUnit(n ast.Node, needs []*Metric) string {
	if b, ok := n.(*ast.BinaryNode); ok && b.Operator == "/" {
		return unitRatio
	}
	if len(needs) > 0 {
		return needs[0].Unit
	}
	return ""
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// honorCall binds holds(kind[, level]) or won(kind, level, years[,
// max_rank]) to a Go predicate. Arguments must be literals.
func (c *packCompiler) honorCall(id string, src Source, fn string, args []ast.Node) (func(*Env) tri, string) {
	var strs []string
	var ints []int
	for _, a := range args {
		switch t := a.(type) {
		case *ast.StringNode:
			strs = append(strs, t.Value)
		case *ast.IntegerNode:
			ints = append(ints, t.Value)
		default:
			c.errorf(id, &src, "%s() takes literal arguments", fn)
			return nil, ""
		}
	}
	kind := strs[0]
	if !nameRE.MatchString(kind) {
		c.errorf(id, &src, "%s(): %q is not an honor kind", fn, kind)
		return nil, ""
	}
	level := ""
	if len(strs) > 1 {
		level = strs[1]
		if level != "" && !registry.LevelAtLeast(level, registry.LevelCounty) {
			c.errorf(id, &src, "%s(): unknown level %q", fn, level)
			return nil, ""
		}
	}
	name := registry.KnownHonorKinds[kind]
	if name == "" {
		name = kind
	}
	lv := ""
	if level != "" {
		lv = levelZH[level] + "及以上"
	}
	if fn == "holds" {
		return func(e *Env) tri { return e.holds(kind, level) }, "持有有效的" + lv + name
	}
	years, maxRank := ints[0], 0
	if len(ints) > 1 {
		maxRank = ints[1]
	}
	if years <= 0 || maxRank < 0 {
		c.errorf(id, &src, "won(): years must be positive and max_rank not negative")
		return nil, ""
	}
	words := fmt.Sprintf("近%d年内获得%s%s", years, lv, name)
	if maxRank > 0 {
		words += fmt.Sprintf("（排名前%d）", maxRank)
	}
	return func(e *Env) tri { return e.won(kind, level, years, maxRank) }, words
}

// placeCall binds in_region(prefix[, name]) or in_chain(key, …) to a Go
// predicate over the profile's region_code or chain. Arguments must be
// string literals.
func (c *packCompiler) placeCall(id string, src Source, fn string, args []ast.Node) (func(*Env) tri, string, string) {
	var strs []string
	for _, a := range args {
		s, ok := a.(*ast.StringNode)
		if !ok || strings.TrimSpace(s.Value) == "" {
			c.errorf(id, &src, "%s() takes non-empty string literals", fn)
			return nil, "", ""
		}
		strs = append(strs, s.Value)
	}
	if fn == "in_region" {
		prefix := strs[0]
		if !regionPrefixRE.MatchString(prefix) {
			c.errorf(id, &src, "in_region(): %q is not the first 2 to 6 digits of a division code", prefix)
			return nil, "", ""
		}
		words := "注册地行政区划代码以" + prefix + "开头"
		if len(strs) > 1 {
			words = fmt.Sprintf("注册地在%s（行政区划代码%s开头）", strs[1], prefix)
		}
		return func(e *Env) tri { return e.inRegion(prefix) }, words, "region_code"
	}
	keys := strs
	words := "属于重点产业链"
	switch {
	case len(keys) > 3:
		words = fmt.Sprintf("属于重点产业链（%s等%d条）", strings.Join(keys[:3], "、"), len(keys))
	case len(keys) > 0:
		words = "属于重点产业链（" + strings.Join(keys, "、") + "）"
	}
	return func(e *Env) tri { return e.inChain(keys) }, words, "chain"
}

var regionPrefixRE = regexp.MustCompile(`^[0-9]{2,6}$`)

var levelZH = map[string]string{registry.LevelInternational: "国际", registry.LevelNational: "国家级",
	registry.LevelIndustry: "行业/省部级", registry.LevelProvincial: "省级", registry.LevelCity: "市级", registry.LevelCounty: "县级"}

// scorer is a compiled band table: the best of its options.
type scorer struct {
	manual  bool // points assessed by staff, up to top
	options []scoreOption
	items   []scoreItem // points per condition that holds, summed
	top     float64     // highest points any option can give
	floor   float64     // points every firm gets at least (the lowest band)
}

type scoreOption struct {
	title string
	value *side
	bands []Band
}

type scoreItem struct {
	title  string
	logic  *node
	points float64
}

func (c *packCompiler) scorer(id string, s *Scoring) *scorer {
	var opts []*Scoring
	if len(s.BestOf) > 0 {
		if s.Metric.Text != "" || len(s.Bands) > 0 {
			c.errorf(id, &s.Metric, "a score table has either metric and bands or best_of")
			return nil
		}
		for i := range s.BestOf {
			opts = append(opts, &s.BestOf[i])
		}
	} else {
		opts = []*Scoring{s}
	}
	if len(s.Items) > 0 {
		if s.Metric.Text != "" || len(s.Bands) > 0 || len(s.BestOf) > 0 || s.Manual > 0 {
			c.errorf(id, &s.Metric, "a score table has either items, metric and bands, best_of or manual")
			return nil
		}
		sc := &scorer{}
		for i := range s.Items {
			it := &s.Items[i]
			if it.Title == "" || it.When.Text == "" || !(it.Points > 0) || math.IsInf(it.Points, 0) {
				c.errorf(id, &it.When, "a score item needs a title, a condition (when) and positive points")
				return nil
			}
			n := c.logic(id, it.When)
			if n == nil {
				return nil
			}
			sc.items = append(sc.items, scoreItem{title: it.Title, logic: n, points: it.Points})
			sc.top += it.Points
		}
		return sc
	}
	if s.Manual > 0 {
		if s.Metric.Text != "" || len(s.Bands) > 0 || len(s.BestOf) > 0 {
			c.errorf(id, &s.Metric, "a manual score takes no metric, bands or best_of")
			return nil
		}
		return &scorer{manual: true, top: s.Manual}
	}
	sc := &scorer{floor: math.Inf(1)}
	for _, o := range opts {
		if len(o.BestOf) > 0 {
			c.errorf(id, &o.Metric, "best_of does not nest")
			return nil
		}
		if o.Metric.Text == "" || len(o.Bands) == 0 {
			c.errorf(id, &o.Metric, "a score option needs a metric and bands")
			return nil
		}
		n, ok := c.parse(id, o.Metric)
		if !ok || !c.check(id, o.Metric, n, false) {
			return nil
		}
		v := c.side(id, o.Metric, n)
		if v == nil {
			return nil
		}
		low := math.Inf(1)
		for _, b := range o.Bands {
			sc.top = max(sc.top, b.Points)
			low = min(low, b.Points)
			if b.Min != nil && b.Max != nil {
				c.errorf(id, &o.Metric, "a band has min or max, not both")
			}
		}
		if last := o.Bands[len(o.Bands)-1]; last.Min != nil || last.Max != nil {
			low = 0 // below every band
		}
		sc.floor = min(sc.floor, low)
		title := o.Title
		if title == "" {
			title = v.title
		}
		sc.options = append(sc.options, scoreOption{title: title, value: v, bands: o.Bands})
	}
	return sc
}

// checkCases checks the embedded cases' expectations name real criteria.
func (c *packCompiler) checkCases() {
	ids := map[string]bool{}
	for _, cr := range c.p.Criteria {
		ids[cr.ID] = true
	}
	for i, cs := range c.p.Cases {
		name := fmt.Sprintf("cases[%d] %s", i, cs.Name)
		if cs.Name == "" {
			c.errorf(name, nil, "a case needs a name")
		}
		if _, err := registry.ParseDate(cs.AsOf); err != nil {
			c.errorf(name, nil, "as_of %q is not a date", cs.AsOf)
		}
		if !validStatus[Status(cs.Status)] {
			c.errorf(name, nil, "expected status %q is not a program status", cs.Status)
		}
		for id, st := range cs.Criteria {
			if !ids[id] {
				c.errorf(name, nil, "expects unknown criterion %q", id)
			}
			if !validCritStatus[Status(st)] {
				c.errorf(name, nil, "criterion %s: %q is not a criterion status", id, st)
			}
		}
		for id := range cs.Points {
			if !ids[id] {
				c.errorf(name, nil, "expects points of unknown criterion %q", id)
			}
		}
		for out, v := range cs.Outputs {
			o, ok := c.p.Outputs[out]
			switch {
			case !ok:
				c.errorf(name, nil, "expects unknown output %q", out)
			case v == nil:
			case labelOutputs[out]:
				if _, isStr := v.(string); !isStr {
					c.errorf(name, nil, "output %s: expect a label or null, not %v", out, v)
				}
			default:
				if _, isNum := toFloat(v); !isNum || o.Expr.Text == "" {
					c.errorf(name, nil, "output %s: expect a number or null, not %v", out, v)
				}
			}
		}
	}
}
