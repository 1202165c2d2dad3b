package rules

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Finance outputs (the pack section outputs:, finance.md §5): a grade, tier
// or band read off a band table, and numbers such as an indicative credit
// line, computed after the criteria from the score, the firm's metrics and
// the parameters. They are compiled with the pack and evaluated only for a
// result that qualifies (eligible or needs_review).

// labelOutputs and numberOutputs are the outputs a pack may declare, each
// a field of Result.
var (
	labelOutputs  = map[string]bool{"grade": true, "tier": true, "band": true}
	numberOutputs = map[string]bool{"points": true, "credit_line": true}
)

// slotName is the hidden variable output expressions read scores and band
// amounts from; a pack cannot name it.
const slotName = "__slot"

// outEnv is what output expressions run against: the firm's view plus the
// slots of this evaluation (slot 0 the total score, then the subtotals in
// Program.groups order, then the band amounts in use).
type outEnv struct {
	Env
	Slots []float64 `expr:"__slot"`
}

type outSpec struct {
	name       string
	def        *OutputSpec
	from       *outExpr // label outputs: the number banded
	bands      []outBand
	value      *outExpr // numeric outputs
	amountSlot int      // slot of <name>_amount, -1 when nothing reads it
}

type outBand struct {
	min       float64
	hasMin    bool
	minParam  string
	value     string
	amount    float64
	hasAmount bool
}

// outExpr is a compiled output expression and what it reads.
type outExpr struct {
	prog    *vm.Program
	needs   []*Metric
	scores  []int      // score slots it reads
	amounts []*outSpec // label outputs whose band amount it reads
	params  []string   // parameters it uses, in order of appearance
	unit    string
}

func outputConfig() *conf.Config {
	cfg := conf.CreateNew()
	for _, op := range []expr.Option{expr.Env(outEnv{}), expr.MaxNodes(maxExprNodes)} {
		op(cfg)
	}
	cfg.Check()
	return cfg
}

// compileOutputs checks and compiles the outputs: label outputs first, so
// numeric ones can read their band amounts.
func (c *packCompiler) compileOutputs() {
	p := c.p
	if len(p.Outputs) == 0 {
		return
	}
	cfg := outputConfig()
	nslots := 1 + len(c.prog.groups)
	labels := map[string]*outSpec{}
	var numbers []*outSpec
	for _, name := range sortedKeys(p.Outputs) {
		def := p.Outputs[name]
		o := &outSpec{name: name, def: &def, amountSlot: -1}
		id := "outputs." + name
		src := &def.Expr
		if def.From.Text != "" {
			src = &def.From
		}
		switch {
		case !labelOutputs[name] && !numberOutputs[name]:
			c.errorf(id, src, "unknown output %q (one of grade, tier, band, points, credit_line)", name)
			continue
		case def.Title == "" || strings.TrimSpace(def.Basis) == "":
			c.errorf(id, src, "an output needs a title and its basis")
		case def.Source != "official" && def.Source != "engine-default":
			c.errorf(id, src, "output source must be official or engine-default, not %q", def.Source)
		case def.Unit != "" && !knownUnits[def.Unit]:
			c.errorf(id, src, "unit %q is not one of the known units", def.Unit)
		}
		if labelOutputs[name] {
			if def.From.Text == "" || len(def.Bands) == 0 || def.Expr.Text != "" {
				c.errorf(id, src, "a label output (%s) takes from: and bands:, not expr:", name)
				continue
			}
			o.bands = c.outputBands(id, src, def.Bands)
			o.from = c.outExpr(id, def.From, cfg, nil, &nslots)
			if o.from != nil && def.Unit != "" {
				o.from.unit = def.Unit
			}
			if o.bands != nil && o.from != nil {
				c.prog.outputs = append(c.prog.outputs, o)
				labels[name] = o
			}
			continue
		}
		if def.Expr.Text == "" || def.From.Text != "" || len(def.Bands) > 0 {
			c.errorf(id, src, "a numeric output (%s) takes expr:, not from: or bands:", name)
			continue
		}
		if def.Unit == "" {
			c.errorf(id, src, "a numeric output needs its unit")
		}
		numbers = append(numbers, o)
	}
	for _, o := range numbers {
		if o.value = c.outExpr("outputs."+o.name, o.def.Expr, cfg, labels, &nslots); o.value != nil {
			o.value.unit = o.def.Unit
			c.prog.outputs = append(c.prog.outputs, o)
		}
	}
	c.prog.nslots = nslots
	for _, o := range labels {
		if o.amountSlot < 0 {
			continue
		}
		for i, b := range o.bands {
			if b.value != "" && !b.hasAmount {
				c.errorf("outputs."+o.name, &o.def.From, "band %d (%s) has no amount, but %s_amount is read", i+1, b.value, o.name)
			}
		}
	}
}

// outputBands resolves a band table's parameter names.
func (c *packCompiler) outputBands(id string, src *Source, bands []OutputBand) []outBand {
	out := make([]outBand, 0, len(bands))
	ok := true
	param := func(name, what string, i int) (float64, bool) {
		prm, isParam := c.p.Parameters[name]
		if !isParam || prm.Source == "" {
			c.errorf(id, src, "band %d: %s %q must name a parameter (a number goes under parameters: with its source)", i+1, what, name)
			ok = false
			return 0, false
		}
		return prm.Value, true
	}
	for i, b := range bands {
		ob := outBand{value: b.Value, minParam: b.Min}
		if b.Min != "" {
			ob.min, ob.hasMin = param(b.Min, "min", i)
		}
		if b.Amount != "" {
			ob.amount, ob.hasAmount = param(b.Amount, "amount", i)
		}
		if b.Value == "" && b.Min != "" {
			c.errorf(id, src, "band %d: only the catch-all band (no min) may have an empty value", i+1)
			ok = false
		}
		out = append(out, ob)
	}
	if !ok {
		return nil
	}
	return out
}

// outExpr compiles one output expression: parameters, derived metrics and
// scores expand as in criteria; <label>_amount reads a band amount of a
// label output in labels.
func (c *packCompiler) outExpr(id string, src Source, cfg *conf.Config, labels map[string]*outSpec, nslots *int) *outExpr {
	n, ok := c.parse(id, src)
	if !ok {
		return nil
	}
	e := &outExpr{}
	ast.Walk(&n, visitFunc(func(m *ast.Node) {
		if name, isParam := c.params[*m]; isParam {
			if !slices.Contains(e.params, name) {
				e.params = append(e.params, name)
			}
			return
		}
		switch t := (*m).(type) {
		case *ast.FloatNode:
			g, isScore := c.scores[t]
			if !isScore {
				return
			}
			if !c.prog.scored {
				c.errorf(id, &src, "reads a score, but no criterion of the pack is scored")
				ok = false
				return
			}
			slot := 0
			if g != "" {
				slot = 1 + slices.Index(c.prog.groups, g)
			}
			if !slices.Contains(e.scores, slot) {
				e.scores = append(e.scores, slot)
			}
			ast.Patch(m, slotNode(slot))
		case *ast.IdentifierNode:
			if t.Value == slotName {
				c.errorf(id, &src, "unknown name %s", slotName)
				ok = false
				return
			}
			if mt := metricByName[t.Value]; mt != nil && !slices.Contains(e.needs, mt) {
				e.needs = append(e.needs, mt)
			}
			label, isAmount := strings.CutSuffix(t.Value, "_amount")
			if o := labels[label]; isAmount && o != nil {
				if o.amountSlot < 0 {
					o.amountSlot = *nslots
					*nslots++
				}
				if !slices.Contains(e.amounts, o) {
					e.amounts = append(e.amounts, o)
				}
				ast.Patch(m, slotNode(o.amountSlot))
			}
		}
	}))
	if !ok {
		return nil
	}
	tree := &parser.Tree{Node: n, Source: file.NewSource(src.Text)}
	t, err := checker.Check(tree, cfg)
	if err != nil {
		c.exprError(id, src, err)
		return nil
	}
	if k := t.Kind().String(); !isNumberKind(k) && k != "interface" {
		c.errorf(id, &src, "an output expression must be a number, not %s", t)
		return nil
	}
	prog, err := compiler.Compile(tree, cfg)
	if err != nil {
		c.exprError(id, src, err)
		return nil
	}
	e.prog = prog
	e.unit = inferUnit(n, e.needs)
	if len(e.scores) > 0 && len(e.needs) == 0 && len(e.amounts) == 0 {
		e.unit = unitPoints
	}
	return e
}

func slotNode(i int) ast.Node {
	return &ast.MemberNode{Node: &ast.IdentifierNode{Value: slotName}, Property: &ast.IntegerNode{Value: i}}
}

// outputs computes the program's outputs into r and returns how settled
// they are: Pass when every output is determined, Missing when data the
// profile lacks could still change one, Review when a judgement could.
// An output is evaluated at the score's known minimum and at its maximum;
// where the two differ it is open, and a label then shows the lower one.
func (s *state) outputs(r *Result) Status {
	p := s.p
	lo, hi := make([]float64, p.nslots), make([]float64, p.nslots)
	bs := append([]bounds{s.score}, s.groups...)
	for i, b := range bs {
		lo[i], hi[i] = b.min, b.max
	}
	env := &outEnv{Env: *s.env}
	status := Pass
	r.Outputs = make(map[string]Output, len(p.outputs))
	for _, o := range p.outputs {
		st, note := s.output(o, r, env, lo, hi, bs)
		r.Outputs[o.name] = Output{Source: o.def.Source, Basis: o.def.Basis,
			Note: strings.TrimPrefix(o.def.Note+"；"+note, "；")}
		status = and4(status, st)
	}
	return status
}

func (s *state) output(o *outSpec, r *Result, env *outEnv, lo, hi []float64, bs []bounds) (Status, string) {
	e := o.from
	if e == nil {
		e = o.value
	}
	vlo, okLo, miss := s.runOut(e, env, lo)
	vhi, okHi, _ := s.runOut(e, env, hi)
	if len(miss) > 0 {
		fields := fieldsOf(miss, s.env.asOf)
		if s.opt.Explain {
			r.NextSteps = append(r.NextSteps, fmt.Sprintf("补充数据：%s（%s）", strings.Join(fields, "、"), o.def.Title))
		}
		return Missing, "缺少数据：" + strings.Join(fields, "、")
	}
	if !okLo || !okHi {
		return Pass, "无法计算（分母为0或所在档次无额度）"
	}
	// Open: missing data or a pending judgement could still change it.
	open := func(differ bool) Status {
		if !differ {
			return Pass
		}
		for _, slot := range s.scoresRead(e) {
			if bs[slot].missing > 0 {
				return Missing
			}
		}
		return Review
	}
	if o.from != nil {
		bl, bh := pickOutBand(o.bands, vlo), pickOutBand(o.bands, vhi)
		if o.amountSlot >= 0 {
			lo[o.amountSlot], hi[o.amountSlot] = o.amountAt(bl), o.amountAt(bh)
		}
		st := open(bl != bh)
		if bl < 0 {
			return st, fmt.Sprintf("%s低于各档下限", formatValue(vlo, e.unit))
		}
		b := o.bands[bl]
		note := fmt.Sprintf("%s → %s", formatValue(vlo, e.unit), s.p.bandWords(o, bl))
		if b.hasAmount {
			note += "，额度上限" + formatValue(b.amount, unitYuan)
		}
		switch {
		case st == Missing:
			s.scoreDataStep(r, o)
			return st, note + "；另有得分缺少数据，档次尚未确定"
		case st == Review:
			note += "；另有得分待主管部门确认，档次可能更高"
		}
		if b.value != "" {
			setLabel(r, o.name, b.value)
		}
		return st, note
	}
	if integral(e.unit) {
		vlo, vhi = math.Floor(vlo+1e-9), math.Floor(vhi+1e-9)
	}
	st := open(!compare("==", vlo, vhi))
	note := s.outInputs(e, lo) + " → " + formatValue(vlo, e.unit)
	switch st {
	case Missing:
		s.scoreDataStep(r, o)
		return st, note + "；另有得分缺少数据，尚未确定"
	case Review:
		note += "；另有得分待主管部门确认，可能更高"
	}
	v := vlo
	switch o.name {
	case "points":
		r.Points = &v
	case "credit_line":
		r.CreditLine = &v
	}
	return st, note
}

// scoreDataStep asks, in next_steps, for the data the open score points
// need: the output depends on them.
func (s *state) scoreDataStep(r *Result, o *outSpec) {
	if !s.opt.Explain {
		return
	}
	var fields []string
	for i, c := range s.p.criteria {
		if po := s.pts[i]; c.score != nil && !po.known && !po.review {
			for _, f := range fieldsOf(po.missing, s.env.asOf) {
				if !slices.Contains(fields, f) {
					fields = append(fields, f)
				}
			}
		}
	}
	if len(fields) > 0 {
		r.NextSteps = append(r.NextSteps, fmt.Sprintf("补充数据：%s（%s）", strings.Join(fields, "、"), o.def.Title))
	}
}

// scoresRead lists the score slots an expression reads, directly or through
// the band amounts of label outputs.
func (s *state) scoresRead(e *outExpr) []int {
	out := slices.Clone(e.scores)
	for _, o := range e.amounts {
		out = append(out, o.from.scores...)
	}
	return out
}

func (o *outSpec) amountAt(i int) float64 {
	if i < 0 || !o.bands[i].hasAmount {
		return math.NaN()
	}
	return o.bands[i].amount
}

func setLabel(r *Result, name, v string) {
	switch name {
	case "grade":
		r.Grade = v
	case "tier":
		r.Tier = v
	case "band":
		r.Band = v
	}
}

// pickOutBand returns the first band v reaches, -1 for none.
func pickOutBand(bands []outBand, v float64) int {
	for i, b := range bands {
		if !b.hasMin || compare(">=", v, b.min) {
			return i
		}
	}
	return -1
}

// bandWords describes band i: "B（≥75分）", "C（<65分）".
func (p *Program) bandWords(o *outSpec, i int) string {
	b := o.bands[i]
	v := b.value
	if v == "" {
		v = "无" + o.def.Title
	}
	unit := o.from.unit
	switch {
	case b.hasMin:
		return fmt.Sprintf("%s（≥%s）", v, formatValue(b.min, unit))
	case i > 0 && o.bands[i-1].hasMin:
		return fmt.Sprintf("%s（<%s）", v, formatValue(o.bands[i-1].min, unit))
	}
	return v
}

// runOut evaluates an output expression with the given slots; ok is false
// when the value is not a finite number. miss lists the unknown metrics it
// needs.
func (s *state) runOut(e *outExpr, env *outEnv, slots []float64) (v float64, ok bool, miss []*Metric) {
	for _, m := range e.needs {
		if !s.env.known.has(m.index) {
			miss = append(miss, m)
		}
	}
	if len(miss) > 0 {
		return 0, false, miss
	}
	env.Slots = slots
	s.machine.MemoryBudget = memoryBudget
	out, err := s.machine.Run(e.prog, env)
	if err != nil {
		return 0, false, nil
	}
	f, isNum := toFloat(out)
	if !isNum || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, nil
	}
	return f, true, nil
}

// outInputs words the inputs of a numeric output: the band amounts, the
// parameters with their source and the firm's values.
func (s *state) outInputs(e *outExpr, slots []float64) string {
	var parts []string
	for _, o := range e.amounts {
		parts = append(parts, fmt.Sprintf("%s额度上限%s", o.def.Title, formatValue(slots[o.amountSlot], unitYuan)))
	}
	for _, name := range e.params {
		prm := s.p.pack.Parameters[name]
		title := prm.Title
		if title == "" {
			title = name
		}
		parts = append(parts, fmt.Sprintf("%s%s（%s）", title, formatValue(prm.Value, prm.Unit), prm.Source))
	}
	for _, m := range e.needs {
		parts = append(parts, m.TitleAt(s.env.asOf)+formatValue(s.env.value(m), m.Unit))
	}
	return strings.Join(parts, "；")
}
