package rules

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/peiyu/peiyu/registry"
)

// Options tune one evaluation.
type Options struct {
	// Review selects re-review (复核) mode: criteria marked review_skip are
	// dropped and review_expr replaces expr.
	Review bool
	// Explain solves gaps for the inputs behind derived ratios and writes
	// next_steps. Screening many firms can leave it off.
	Explain bool
}

// defaultValidity is how long a title lasts when the profile gives no
// expiry date (criteria.md §9.6): 科技型 until the end of its calendar
// year, the ladder titles and HNTE three years.
func defaultExpiry(h *registry.Honor, issued time.Time) time.Time {
	switch h.Kind {
	case registry.HonorTechSME:
		return time.Date(issued.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
	case registry.HonorInnovativeSME, registry.HonorSpecializedSME, registry.HonorLittleGiant,
		registry.HonorChampion, registry.HonorHNTE:
		return issued.AddDate(3, 0, -1)
	}
	return time.Time{}
}

func honorValid(h *registry.Honor, d time.Time) bool {
	if !h.ValidAt(d) {
		return false
	}
	if h.Expires == "" && h.Issued != "" {
		issued, _ := registry.ParseDate(h.Issued)
		if exp := defaultExpiry(h, issued); !exp.IsZero() && d.After(exp) {
			return false
		}
	}
	return true
}

// holds: a title of kind at level or above, valid at as_of.
func (e *Env) holds(kind, level string) tri {
	for i := range e.firm.Honors {
		h := &e.firm.Honors[i]
		if h.Kind == kind && (level == "" || registry.LevelAtLeast(h.Level, level)) && honorValid(h, e.asOf) {
			return triTrue
		}
	}
	return triFalse
}

// won: an award of kind at level or above, issued within years before
// as_of, ranked maxRank or better (0: any rank). An award whose rank the
// profile lacks leaves the answer missing unless another settles it.
func (e *Env) won(kind, level string, years, maxRank int) tri {
	out := triFalse
	for i := range e.firm.Honors {
		h := &e.firm.Honors[i]
		if h.Kind != kind || (level != "" && !registry.LevelAtLeast(h.Level, level)) || !h.IssuedWithin(e.asOf, years) {
			continue
		}
		switch {
		case maxRank == 0:
			return triTrue
		case h.Rank == nil:
			out = triMissing
		case *h.Rank >= 1 && *h.Rank <= maxRank:
			return triTrue
		}
	}
	return out
}

// inRegion: the profile's region_code starts with prefix; missing when the
// profile has none.
func (e *Env) inRegion(prefix string) tri {
	code := e.firm.RegionCode
	switch {
	case code == "":
		return triMissing
	case strings.HasPrefix(code, prefix):
		return triTrue
	}
	return triFalse
}

// inChain: the profile's chain is one of keys (any chain when keys is
// empty). A profile without a chain is not in one: the chain is the
// bureau's classification, authoritative like the honors list.
func (e *Env) inChain(keys []string) tri {
	ch := strings.TrimSpace(e.firm.Chain)
	if ch != "" && (len(keys) == 0 || slices.Contains(keys, ch)) {
		return triTrue
	}
	return triFalse
}

// leafOut is one leaf's outcome in an evaluation.
type leafOut struct {
	v         tri
	undefined bool // inputs known, value not computable (divided by zero)
	numeric   bool
	actual    float64
	threshold float64
	missing   []*Metric
}

// state is the scratch of one evaluation.
type state struct {
	p       *Program
	env     *Env
	opt     Options
	leaves  []leafOut
	pts     []pointsOut // per criterion index
	score   bounds
	groups  []bounds
	machine vm.VM
}

// bounds are a score's possible range: min counts only points known now;
// missing and review are the points still open for lack of data and for
// staff judgement.
type bounds struct{ min, max, missing, review float64 }

type pointsOut struct {
	known    bool
	partial  bool // some best_of options lacked data and were not counted
	review   bool // a manual item: staff decide the points
	points   float64
	lo, hi   float64
	option   int // the option that gave the points (best known)
	actual   float64
	hasValue bool
	missing  []*Metric
	items    []tri // an items score: each condition's outcome
}

func (b *bounds) add(po pointsOut) {
	b.min += po.lo
	b.max += po.hi
	switch {
	case po.review:
		b.review += po.hi - po.lo
	case !po.known:
		b.missing += po.hi - po.lo
	}
}

const eps = 1e-12

// compare applies op with a tolerance that absorbs float rounding in
// derived ratios (amounts are whole yuan, far above it).
func compare(op string, a, b float64) bool {
	// Relative for small values, at most a millionth absolute: averages of
	// yuan amounts must not round a shortfall of a fraction of a yuan away.
	tol := min(eps*max(1, math.Abs(a), math.Abs(b)), 1e-6)
	switch op {
	case ">=":
		return a >= b-tol
	case ">":
		return a > b+tol
	case "<=":
		return a <= b+tol
	case "<":
		return a < b-tol
	case "==":
		return math.Abs(a-b) <= tol
	case "!=":
		return math.Abs(a-b) > tol
	}
	return false
}

// value evaluates a side; ok is false when a metric it reads is unknown or
// the result is not a finite number (a ratio over zero).
func (s *state) value(sd *side) (float64, bool) {
	switch {
	case sd.isConst:
		return sd.value, true
	case sd.metric != nil:
		if !s.env.known.has(sd.metric.index) {
			return 0, false
		}
		return s.env.value(sd.metric), true
	}
	for _, m := range sd.needs {
		if !s.env.known.has(m.index) {
			return 0, false
		}
	}
	return s.run(sd, s.env)
}

func (s *state) run(sd *side, env *Env) (float64, bool) {
	s.machine.MemoryBudget = memoryBudget
	out, err := s.machine.Run(sd.prog, env)
	if err != nil {
		return 0, false
	}
	f, ok := toFloat(out)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func (s *state) missingOf(sd *side) []*Metric {
	var out []*Metric
	for _, m := range sd.needs {
		if !s.env.known.has(m.index) {
			out = append(out, m)
		}
	}
	return out
}

// eval evaluates every leaf of a condition (all of them: the trace
// explains each part, so there is no short-circuit) and combines them.
func (s *state) eval(n *node) tri {
	s.evalLeaves(n)
	return s.outcome(n)
}

func (s *state) evalLeaves(n *node) {
	if len(n.kids) > 0 {
		for _, k := range n.kids {
			s.evalLeaves(k)
		}
		return
	}
	s.evalLeaf(n)
}

func (s *state) evalLeaf(n *node) tri {
	lo := &s.leaves[n.leaf]
	*lo = leafOut{}
	switch n.op {
	case opCall:
		lo.v = n.call(s.env)
	case opBool:
		v, ok := s.value(n.boolv)
		switch {
		case !ok:
			lo.missing = s.missingOf(n.boolv)
			if len(lo.missing) > 0 {
				lo.v = triMissing
			} else {
				lo.undefined = true
			}
		case v != 0:
			lo.v = triTrue
		}
	case opScore:
		b := s.score
		if n.group != "" {
			b = s.groups[slices.Index(s.p.groups, n.group)]
		}
		t := n.right.value
		lo.numeric, lo.actual, lo.threshold = true, b.min, t
		switch {
		case compare(n.cmp, b.min, t):
			lo.v = triTrue
		case !compare(n.cmp, b.max, t):
			lo.v = triFalse
		case b.missing > 0:
			lo.v = triMissing
		default:
			lo.v = triReview
		}
	case opCmp:
		a, okA := s.value(n.left)
		b, okB := s.value(n.right)
		if !okA && okB && n.left.sumOf != nil && (n.cmp == ">=" || n.cmp == ">") {
			// Terms never go below zero: the known ones may already suffice.
			lb := 0.0
			for _, m := range n.left.sumOf {
				if s.env.known.has(m.index) {
					lb += s.env.value(m)
				}
			}
			if compare(n.cmp, lb, b) {
				lo.v, lo.numeric, lo.actual, lo.threshold = triTrue, true, lb, b
				return lo.v
			}
		}
		if !okA || !okB {
			lo.missing = append(s.missingOf(n.left), s.missingOf(n.right)...)
			if len(lo.missing) > 0 {
				lo.v = triMissing
				return lo.v
			}
			// Every input is known but the value is not a number (a ratio
			// over zero, a growth from nothing): the condition cannot hold.
			lo.undefined = true
			return lo.v
		}
		lo.numeric, lo.actual, lo.threshold = !n.left.isBool, a, b
		if compare(n.cmp, a, b) {
			lo.v = triTrue
		}
	}
	return lo.v
}

// lowestBand is what a value below every band earns: the catch-all band's
// points, else 0.
func lowestBand(bands []Band) float64 {
	if last := bands[len(bands)-1]; last.Min == nil && last.Max == nil {
		return last.Points
	}
	return 0
}

// scoreBands returns the points of value v in bands.
func scoreBands(bands []Band, v float64) float64 {
	for _, b := range bands {
		switch {
		case b.Min != nil:
			if compare(">=", v, *b.Min) {
				return b.Points
			}
		case b.Max != nil:
			if compare("<=", v, *b.Max) {
				return b.Points
			}
		default:
			return b.Points
		}
	}
	return 0
}

func (s *state) scoreCrit(c *crit) pointsOut {
	if c.score.manual {
		return pointsOut{review: true, option: -1, lo: 0, hi: c.score.top}
	}
	if len(c.score.items) > 0 {
		return s.scoreItems(c.score.items)
	}
	out := pointsOut{known: true, option: -1, lo: math.Inf(-1)}
	anyMissing := false
	for i, o := range c.score.options {
		v, ok := s.value(o.value)
		p := 0.0
		switch {
		case ok:
			p = scoreBands(o.bands, v)
		case len(s.missingOf(o.value)) > 0:
			anyMissing = true
			out.missing = append(out.missing, s.missingOf(o.value)...)
			continue
		default:
			// Known inputs, no value (a ratio over zero): the catch-all band.
			p, v = lowestBand(o.bands), math.NaN()
		}
		if out.option < 0 || p > out.points {
			out.points, out.option, out.actual, out.hasValue = p, i, v, !math.IsNaN(v)
		}
	}
	if out.option < 0 {
		out.known, out.lo, out.hi = false, c.score.floor, c.score.top
		return out
	}
	// Of "take the higher of" options, the firm claims those it gives data
	// for (115号: the enterprise picks the ratio): a missing option is not
	// chosen, not unknown.
	out.lo, out.hi = out.points, out.points
	out.partial = anyMissing
	return out
}

// scoreItems sums the points of the conditions that hold. Points whose
// condition lacks data are open (missing), those awaiting a judgement open
// for review.
func (s *state) scoreItems(items []scoreItem) pointsOut {
	out := pointsOut{known: true, option: -1, items: make([]tri, len(items))}
	var open, review float64
	for i, it := range items {
		t := s.eval(it.logic)
		out.items[i] = t
		switch t {
		case triTrue:
			out.points += it.points
		case triMissing:
			open += it.points
			out.missing = append(out.missing, s.missingLeaves(it.logic)...)
		case triReview:
			review += it.points
		}
	}
	out.lo, out.hi = out.points, out.points+open+review
	switch {
	case open > 0:
		out.known = false
	case review > 0:
		out.review = true
	}
	return out
}

// status4 orders the four outcomes for AND (worst wins) and OR (best wins).
var (
	andRank = map[Status]int{Pass: 0, Review: 1, Missing: 2, Fail: 3}
	orRank  = map[Status]int{Fail: 0, Missing: 1, Review: 2, Pass: 3}
)

func and4(a, b Status) Status {
	if andRank[b] > andRank[a] {
		return b
	}
	return a
}

func or4(a, b Status) Status {
	if orRank[b] > orRank[a] {
		return b
	}
	return a
}

// Three-valued logic, extended by "review": for AND a failure outweighs
// missing data, which outweighs a pending judgement; for OR the reverse.
var (
	andTriRank = [...]int{triTrue: 0, triReview: 1, triMissing: 2, triFalse: 3}
	orTriRank  = [...]int{triFalse: 0, triMissing: 1, triReview: 2, triTrue: 3}
)

func andTri(a, b tri) tri {
	if andTriRank[b] > andTriRank[a] {
		return b
	}
	return a
}

func orTri(a, b tri) tri {
	if orTriRank[b] > orTriRank[a] {
		return b
	}
	return a
}

func notTri(a tri) tri {
	switch a {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return a
}

func fromTri(t tri) Status {
	switch t {
	case triTrue:
		return Pass
	case triFalse:
		return Fail
	case triReview:
		return Review
	}
	return Missing
}

// Evaluate runs the program on one firm's view. It never fails: missing
// data shows as "missing" criteria and insufficient_data.
func (p *Program) Evaluate(env *Env, opt Options) Result {
	s := &state{p: p, env: env, opt: opt, leaves: make([]leafOut, p.leaves), pts: make([]pointsOut, len(p.criteria)),
		groups: make([]bounds, len(p.groups))}
	review := opt.Review
	for i, c := range p.criteria {
		if c.score == nil || (review && c.def.ReviewSkip) {
			continue
		}
		po := s.scoreCrit(c)
		s.pts[i] = po
		s.score.add(po)
		if c.def.Group != "" {
			s.groups[slices.Index(p.groups, c.def.Group)].add(po)
		}
	}
	pk := p.pack
	r := Result{Program: pk.ID, Edition: pk.Edition, Revision: pk.Revision, Name: pk.Name.ZH, NameEN: pk.Name.EN, Review: review,
		Basis: pk.Basis, Criteria: make([]CriterionResult, 0, len(p.criteria))}
	if p.scored {
		sc := s.score.min
		r.Score = &sc
		if len(p.groups) > 0 {
			r.Subscores = make(map[string]float64, len(p.groups))
			for i, g := range p.groups {
				r.Subscores[g] = s.groups[i].min
			}
		}
	}
	base := Pass
	routes := make([]Status, len(p.routes))
	for i := range routes {
		routes[i] = Pass
	}
	for i, c := range p.criteria {
		if review && c.def.ReviewSkip {
			continue
		}
		cr := s.criterion(i, c)
		if c.decisive {
			if c.def.Route == "" {
				base = and4(base, cr.Status)
			} else {
				j := slices.Index(p.routes, c.def.Route)
				routes[j] = and4(routes[j], cr.Status)
			}
		}
		r.Criteria = append(r.Criteria, cr)
	}
	overall := base
	if len(routes) > 0 {
		best := Fail
		for i, st := range routes {
			if orRank[st] > orRank[best] {
				best = st
				if st == Pass || st == Review {
					name := p.routes[i]
					r.Route = &name
				}
			}
		}
		overall = and4(base, best)
	} else {
		name := "standard"
		r.Route = &name
	}
	if len(p.outputs) > 0 && (overall == Pass || overall == Review) {
		// The outputs are part of the answer: one that missing data could
		// still change leaves the result insufficient, one awaiting a
		// judgement leaves it for review.
		overall = and4(overall, s.outputs(&r))
	}
	r.Status = map[Status]Status{Pass: Eligible, Fail: Ineligible, Missing: InsufficientData, Review: NeedsReview}[overall]
	for i := range r.Criteria {
		r.Criteria[i].scrub()
	}
	if r.Status == Ineligible || r.Status == InsufficientData {
		r.Route = nil
	}
	if r.Status == Ineligible {
		s.distance(&r, routes)
	}
	if opt.Explain {
		s.explain(&r, base, routes)
	}
	return r
}

// scrub drops numbers JSON cannot carry (NaN, ±Inf): an answer must never
// fail to encode.
func (cr *CriterionResult) scrub() {
	for _, p := range []**float64{&cr.Actual, &cr.Threshold, &cr.Points, &cr.Gap} {
		if *p != nil && (math.IsNaN(**p) || math.IsInf(**p, 0)) {
			*p = nil
		}
	}
}

// criterion evaluates one criterion into its trace.
func (s *state) criterion(i int, c *crit) CriterionResult {
	d := c.def
	cr := CriterionResult{ID: d.ID, Title: d.Title, Kind: d.Kind, Route: d.Route, Basis: d.Basis, Note: d.Note, step: d.Step}
	if c.score != nil {
		s.scoredTrace(&cr, c, s.pts[i])
		return cr
	}
	logic := c.logic
	if s.opt.Review && c.rlogic != nil {
		logic = c.rlogic
	}
	if logic == nil {
		cr.Status = Review
		return cr
	}
	t := s.eval(logic)
	cr.Status = fromTri(t)
	rep := s.pick(logic)
	if rep != nil {
		lo := &s.leaves[rep.leaf]
		if lo.numeric && (rep.op == opCmp || rep.op == opScore) {
			a, th := lo.actual, lo.threshold
			cr.Actual, cr.Threshold, cr.Op = &a, &th, rep.cmp
			cr.Unit = c.unit
			if cr.Unit == "" && rep.left != nil {
				cr.Unit = rep.left.unit
			}
			if rep.op == opScore {
				cr.Unit = unitPoints
			}
		}
		cr.Detail = s.detail(rep)
		if t == triMissing {
			cr.Missing = append(fieldsOf(s.missingLeaves(logic), s.env.asOf), s.missingCalls(logic)...)
		}
		if t == triFalse && lo.numeric && rep.op != opScore || t == triFalse && rep.op == opScore {
			if rep.cmp != "==" && rep.cmp != "!=" {
				g := lo.threshold - lo.actual
				// A strict bound on a whole-unit metric needs one unit more.
				if integral(cr.Unit) && rep.cmp == ">" {
					g = math.Floor(lo.threshold) + 1 - lo.actual
				} else if integral(cr.Unit) && rep.cmp == "<" {
					g = math.Ceil(lo.threshold) - 1 - lo.actual
				}
				cr.Gap = &g
				cr.effort = relGap(lo.actual, lo.threshold)
				if s.opt.Explain {
					cr.GapText = s.gapText(rep, lo)
				}
			}
		}
	}
	switch {
	case cr.Status == Missing && d.IfMissing == "review":
		cr.Status = Review
	case cr.Status == Missing && d.IfMissing == "assume":
		cr.Status = Pass
		cr.Detail = "未提供" + strings.Join(cr.Missing, "、") + "，按满足评估"
		cr.Missing = nil
	case cr.Status == Fail && d.IfFalse == "review":
		cr.Status, cr.Gap, cr.GapText = Review, nil, ""
	case d.Kind == KindReview && cr.Status == Fail:
		cr.Status = Review
	}
	return cr
}

func relGap(actual, threshold float64) float64 {
	den := math.Abs(threshold)
	if den < eps {
		den = max(math.Abs(actual), 1)
	}
	return math.Min(math.Abs(threshold-actual)/den, 10)
}

// pick chooses the leaf that best explains a node's outcome: for a failed
// AND its first failing part, for a failed OR the part closest to passing.
func (s *state) pick(n *node) *node {
	switch n.op {
	case opAnd, opOr:
		want := s.outcome(n)
		var best *node
		bestGap := math.Inf(1)
		for _, k := range n.kids {
			if s.outcome(k) != want {
				continue
			}
			leaf := s.pick(k)
			switch {
			case want == triTrue && n.op == opAnd:
				// All parts hold: show the one with the least room.
				if g := s.slack(leaf); g < bestGap || best == nil {
					best, bestGap = leaf, g
				}
				continue
			case n.op == opAnd || want != triFalse:
				return leaf
			}
			if g := s.cost(k); g < bestGap {
				best, bestGap = leaf, g
			}
		}
		return best
	case opNot:
		return s.pick(n.kids[0])
	}
	return n
}

// slack is how much room a passing leaf has, relative to its threshold;
// a leaf without numbers has all the room there is.
func (s *state) slack(n *node) float64 {
	if n == nil || n.leaf >= len(s.leaves) || len(n.kids) > 0 {
		return math.Inf(1)
	}
	lo := &s.leaves[n.leaf]
	if !lo.numeric {
		return math.Inf(1)
	}
	return relGap(lo.actual, lo.threshold)
}

// cost estimates how far a node is from passing: the relative gaps of its
// failing comparisons, summed over an AND, the cheapest part of an OR.
func (s *state) cost(n *node) float64 {
	switch n.op {
	case opAnd:
		c := 0.0
		for _, k := range n.kids {
			c += s.cost(k)
		}
		return c
	case opOr:
		c := math.Inf(1)
		for _, k := range n.kids {
			c = min(c, s.cost(k))
		}
		return c
	case opNot:
		if s.outcome(n) == triFalse {
			return 1
		}
		return 0
	}
	lo := &s.leaves[n.leaf]
	switch {
	case lo.v == triFalse && lo.numeric:
		return max(relGap(lo.actual, lo.threshold), 1e-6)
	case lo.v == triFalse:
		return 1
	case lo.v == triMissing:
		return 0.1
	}
	return 0
}

// outcome re-reads a node's value from its leaves (no re-evaluation).
func (s *state) outcome(n *node) tri {
	switch n.op {
	case opAnd:
		out := triTrue
		for _, k := range n.kids {
			out = andTri(out, s.outcome(k))
		}
		return out
	case opOr:
		out := triFalse
		for _, k := range n.kids {
			out = orTri(out, s.outcome(k))
		}
		return out
	case opNot:
		return notTri(s.outcome(n.kids[0]))
	}
	return s.leaves[n.leaf].v
}

func (s *state) missingLeaves(n *node) []*Metric {
	var out []*Metric
	var walk func(*node)
	walk = func(n *node) {
		if len(n.kids) > 0 {
			for _, k := range n.kids {
				walk(k)
			}
			return
		}
		lo := &s.leaves[n.leaf]
		if lo.v == triMissing {
			for _, m := range lo.missing {
				if !slices.Contains(out, m) {
					out = append(out, m)
				}
			}
		}
	}
	walk(n)
	return out
}

// missingCalls names the profile fields that in_region() and in_chain()
// leaves lacked.
func (s *state) missingCalls(n *node) []string {
	var out []string
	walkNodes(n, func(k *node) {
		if len(k.kids) == 0 && k.op == opCall && k.field != "" && s.leaves[k.leaf].v == triMissing &&
			!slices.Contains(out, k.field) {
			out = append(out, k.field)
		}
	})
	return out
}

// itemsTrace explains an items score: the conditions met, unmet and open.
func (s *state) itemsTrace(cr *CriterionResult, c *crit, po pointsOut) {
	var met, unmet, open []string
	for i, it := range c.score.items {
		switch po.items[i] {
		case triTrue:
			met = append(met, fmt.Sprintf("%s（+%s分）", it.title, formatNum(it.points)))
		case triFalse:
			unmet = append(unmet, it.title)
		default:
			open = append(open, it.title)
		}
	}
	var parts []string
	for _, p := range []struct {
		label string
		list  []string
	}{{"满足", met}, {"不满足", unmet}, {"待定", open}} {
		if len(p.list) > 0 {
			parts = append(parts, p.label+"："+strings.Join(p.list, "、"))
		}
	}
	parts = append(parts, "得"+formatNum(po.points)+"分")
	cr.Detail = strings.Join(parts, "；")
	cr.Unit = unitPoints
	pts := po.points
	cr.Points = &pts
	switch {
	case !po.known:
		cr.Status = Missing
		cr.Missing = fieldsOf(po.missing, s.env.asOf)
	case po.review:
		cr.Status = Review
	default:
		cr.Status = Pass
	}
	if need := c.def.MinPoints; need > 0 {
		a := po.points
		cr.Actual, cr.Threshold, cr.Op = &a, &need, ">="
		if po.known && !po.review && po.points < need {
			cr.Status = Fail
			g := need - po.points
			cr.Gap = &g
			cr.effort = relGap(po.points, need)
		}
	}
}

func (s *state) scoredTrace(cr *CriterionResult, c *crit, po pointsOut) {
	d := c.def
	if len(c.score.items) > 0 {
		s.itemsTrace(cr, c, po)
		return
	}
	cr.Unit = unitPoints
	if po.option >= 0 {
		o := c.score.options[po.option]
		cr.Unit = o.value.unit
		if po.hasValue {
			a := po.actual
			cr.Actual = &a
			cr.Detail = fmt.Sprintf("%s = %s，得%s分", s.titleOf(o.value), formatValue(a, o.value.unit), formatNum(po.points))
		} else {
			cr.Detail = fmt.Sprintf("%s：无法计算（分母为0），得%s分", s.titleOf(o.value), formatNum(po.points))
		}
	}
	if po.review {
		cr.Status = Review
		cr.Detail = fmt.Sprintf("由主管部门评分（最高%s分）", formatNum(c.score.top))
		return
	}
	if po.known {
		pts := po.points
		cr.Points = &pts
		cr.Status = Pass
		if po.partial {
			cr.Note = strings.TrimPrefix(cr.Note+"；未计入缺少数据的选项："+strings.Join(fieldsOf(po.missing, s.env.asOf), "、"), "；")
		}
	} else {
		cr.Status = Missing
		cr.Missing = fieldsOf(po.missing, s.env.asOf)
		if po.option >= 0 {
			pts := po.points
			cr.Points = &pts
		}
	}
	if d.MinPoints <= 0 {
		return
	}
	// A decisive scored criterion: the threshold is the bound of the
	// lowest band that earns the minimum.
	opt := po.option
	if opt < 0 {
		opt = 0
	}
	o := c.score.options[opt]
	if th, ok := minBound(o.bands, d.MinPoints); ok {
		cr.Threshold = &th
		cr.Op = ">="
		if o.bands[0].Max != nil {
			cr.Op = "<="
		}
	}
	if po.known && po.points < d.MinPoints {
		cr.Status = Fail
		if cr.Threshold != nil && cr.Actual != nil {
			g := *cr.Threshold - *cr.Actual
			cr.Gap = &g
			cr.effort = relGap(*cr.Actual, *cr.Threshold)
			if s.opt.Explain {
				cr.GapText = s.sideGapText(o.value, *cr.Actual, *cr.Threshold, cr.Op)
			}
		}
	}
}

// minBound finds the bound of the last band (in table order) still giving
// at least min points: the lowest value that earns the minimum.
func minBound(bands []Band, min float64) (float64, bool) {
	var out float64
	ok := false
	for _, b := range bands {
		if b.Points < min {
			break
		}
		switch {
		case b.Min != nil:
			out, ok = *b.Min, true
		case b.Max != nil:
			out, ok = *b.Max, true
		}
	}
	return out, ok
}
