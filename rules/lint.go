package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// MinCases is how many embedded cases lint asks of every pack.
const MinCases = 8

// Finding is one lint problem.
type Finding struct {
	Pack  string `json:"pack"` // file name
	Where string `json:"where,omitempty"`
	Msg   string `json:"message"`
}

func (f Finding) String() string {
	if f.Where == "" {
		return f.Pack + ": " + f.Msg
	}
	return f.Pack + ": " + f.Where + ": " + f.Msg
}

// Lint checks packs beyond what compiling requires: band tables that
// overlap, leave gaps or run out of order; criteria and routes that can
// never matter; parameters and metrics nobody uses; too few cases, and
// direct routes no case exercises. Compile errors (unknown metrics,
// parameters without citations, …) are findings too.
func Lint(packs []*Pack) []Finding {
	var out []Finding
	for _, p := range packs {
		prog, err := Compile(p)
		if err != nil {
			for _, e := range flatten(err) {
				out = append(out, Finding{Pack: p.file, Msg: strings.TrimPrefix(e.Error(), p.file+":")})
			}
			continue
		}
		out = append(out, lintProgram(prog)...)
	}
	return out
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

func lintProgram(prog *Program) []Finding {
	p := prog.pack
	var out []Finding
	add := func(where, format string, args ...any) {
		out = append(out, Finding{Pack: p.file, Where: where, Msg: fmt.Sprintf(format, args...)})
	}
	// Which names do expressions use?
	used := map[string]bool{}
	var sources []string
	for _, d := range p.Metrics {
		sources = append(sources, d.Expr.Text)
	}
	for _, c := range p.Criteria {
		sources = append(sources, c.Expr.Text, c.ReviewExpr.Text)
		if c.Score != nil {
			sources = append(sources, c.Score.Metric.Text)
			for _, o := range c.Score.BestOf {
				sources = append(sources, o.Metric.Text)
			}
			for _, it := range c.Score.Items {
				sources = append(sources, it.When.Text)
			}
		}
	}
	for _, o := range p.Outputs {
		sources = append(sources, o.From.Text, o.Expr.Text)
		for _, b := range o.Bands {
			sources = append(sources, b.Min, b.Amount)
		}
	}
	for _, s := range sources {
		for _, id := range identRE.FindAllString(s, -1) {
			used[id] = true
		}
	}
	for _, name := range sortedKeys(p.Parameters) {
		if !used[name] {
			add("parameters."+name, "parameter is never used")
		}
	}
	// Score subtotals are shown by their titles ("创新能力得分").
	for _, g := range prog.groups {
		if p.Groups[g] == "" {
			add("groups."+g, "score group has no Chinese title in groups:")
		}
	}
	for _, name := range sortedKeys(p.Metrics) {
		if !used[name] {
			add("metrics."+name, "derived metric is never used")
		}
	}
	scoreRoutes := map[string]bool{}
	for _, c := range prog.criteria {
		if c.logic != nil && strings.Contains(c.def.Expr.Text, "score") && identRE.MatchString(c.def.Expr.Text) {
			for _, id := range identRE.FindAllString(c.def.Expr.Text, -1) {
				if id == "score" || strings.HasPrefix(id, "score_") {
					scoreRoutes[c.def.Route] = true
				}
			}
		}
	}
	// An output that reads a score reads every scored criterion's points.
	for _, o := range prog.outputs {
		if e := o.from; e != nil && len(e.scores) > 0 || o.value != nil && len(o.value.scores) > 0 {
			for _, c := range prog.criteria {
				scoreRoutes[c.def.Route] = true
			}
		}
	}
	decisiveRoutes := map[string]bool{}
	for _, c := range prog.criteria {
		d := c.def
		where := "criteria." + d.ID
		if c.decisive {
			decisiveRoutes[d.Route] = true
		}
		if c.score != nil && !c.score.manual {
			for i, o := range c.score.options {
				for _, m := range lintBands(o.bands) {
					w := where
					if len(c.score.options) > 1 {
						w = fmt.Sprintf("%s best_of[%d]", where, i)
					}
					add(w, "%s", m)
				}
			}
		}
		if c.score != nil && !scoreRoutes[d.Route] && !c.decisive && prog.scored {
			add(where, "scored criterion whose points no score check reads (route %q): unreachable", d.Route)
		}
		if c.logic != nil && constantLogic(c.logic) {
			add(where, "condition reads no metric and no honor: it is always the same")
		}
		if c.score != nil && d.MinPoints > c.score.top {
			add(where, "min_points %v is more than the table's top %v: it can never pass", d.MinPoints, c.score.top)
		}
	}
	for _, r := range prog.routes {
		if !decisiveRoutes[r] {
			add("route "+r, "route has no decisive criterion: it always passes")
		}
	}
	// Subtotal thresholds above what the group can reach.
	groupTop := map[string]float64{}
	total := 0.0
	for _, c := range prog.criteria {
		if c.score != nil {
			groupTop[c.def.Group] += c.score.top
			total += c.score.top
		}
	}
	for _, c := range prog.criteria {
		if c.logic == nil {
			continue
		}
		walkNodes(c.logic, func(n *node) {
			if n.op != opScore {
				return
			}
			top := total
			if n.group != "" {
				top = groupTop[n.group]
			}
			if n.right.value > top {
				add("criteria."+c.def.ID, "needs %v points but at most %v can be scored: unreachable", n.right.value, top)
			}
		})
	}
	for _, o := range prog.outputs {
		if o.from == nil {
			continue
		}
		for _, m := range lintOutputBands(o.bands) {
			add("outputs."+o.name, "%s", m)
		}
		// A band above any reachable score.
		if g, isScore := strings.CutPrefix(o.def.From.Text, "score"); isScore && (g == "" || strings.HasPrefix(g, "_")) {
			top := groupTop[strings.TrimPrefix(g, "_")]
			if g == "" {
				top = total
			}
			for _, b := range o.bands {
				if b.hasMin && b.min > top {
					add("outputs."+o.name, "band %s needs %v but at most %v can be scored: unreachable", b.value, b.min, top)
				}
			}
		}
	}
	// Cases.
	if len(p.Cases) < MinCases {
		add("cases", "%d cases; every pack needs at least %d", len(p.Cases), MinCases)
	}
	covered := map[string]bool{}
	statuses := map[string]bool{}
	for _, cs := range p.Cases {
		covered[cs.Route] = true
		statuses[cs.Status] = true
	}
	for _, r := range prog.routes {
		if strings.HasPrefix(r, "direct:") && !covered[r] {
			add("cases", "no case passes by route %s", r)
		}
	}
	if !statuses[string(InsufficientData)] {
		add("cases", "no case has missing data (insufficient_data)")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Where < out[j].Where })
	return out
}

func walkNodes(n *node, fn func(*node)) {
	fn(n)
	for _, k := range n.kids {
		walkNodes(k, fn)
	}
}

func constantLogic(n *node) bool {
	constant := true
	walkNodes(n, func(n *node) {
		switch n.op {
		case opCall, opScore:
			constant = false
		case opCmp:
			if len(n.left.needs) > 0 || len(n.right.needs) > 0 || n.left.metric != nil || n.right.metric != nil {
				constant = false
			}
		case opBool:
			if len(n.boolv.needs) > 0 || n.boolv.metric != nil {
				constant = false
			}
		}
	})
	return constant
}

// lintOutputBands checks a label output's table: bounds strictly falling,
// amounts not rising as bands get worse, labels not repeated, and a
// catch-all last.
func lintOutputBands(bands []outBand) []string {
	var out []string
	seen := map[string]bool{}
	for i, b := range bands {
		if !b.hasMin && i != len(bands)-1 {
			out = append(out, fmt.Sprintf("band %d catches everything, so the bands after it are unreachable", i+1))
		}
		if b.value != "" && seen[b.value] {
			out = append(out, fmt.Sprintf("band %d repeats the label %s", i+1, b.value))
		}
		seen[b.value] = true
		if i == 0 {
			continue
		}
		a := bands[i-1]
		if a.hasMin && b.hasMin && b.min >= a.min {
			out = append(out, fmt.Sprintf("band %d (min %v) overlaps band %d (min %v): it is unreachable", i+1, b.min, i, a.min))
		}
		if a.hasAmount && b.hasAmount && b.amount > a.amount {
			out = append(out, fmt.Sprintf("band %d has a larger amount (%v) than the better band %d (%v)", i+1, b.amount, i, a.amount))
		}
	}
	if bands[len(bands)-1].hasMin {
		out = append(out, `no catch-all band: numbers below the last bound get no label (add {value: ""})`)
	}
	return out
}

// lintBands checks one band table: one direction (all min or all max),
// bounds strictly moving away from the best band, points not rising as
// bands get worse, and a catch-all last.
func lintBands(bands []Band) []string {
	var out []string
	hasMin, hasMax := false, false
	for i, b := range bands {
		if b.Min == nil && b.Max == nil && i != len(bands)-1 {
			out = append(out, fmt.Sprintf("band %d catches everything, so the bands after it are unreachable", i+1))
		}
		hasMin = hasMin || b.Min != nil
		hasMax = hasMax || b.Max != nil
	}
	if hasMin && hasMax {
		out = append(out, "bands mix min and max bounds")
		return out
	}
	for i := 1; i < len(bands); i++ {
		a, b := bands[i-1], bands[i]
		switch {
		case a.Min != nil && b.Min != nil && *b.Min >= *a.Min:
			out = append(out, fmt.Sprintf("band %d (min %v) overlaps band %d (min %v): it is unreachable", i+1, *b.Min, i, *a.Min))
		case a.Max != nil && b.Max != nil && *b.Max <= *a.Max:
			out = append(out, fmt.Sprintf("band %d (max %v) overlaps band %d (max %v): it is unreachable", i+1, *b.Max, i, *a.Max))
		}
		if b.Points > a.Points {
			out = append(out, fmt.Sprintf("band %d gives more points (%v) than the better band %d (%v)", i+1, b.Points, i, a.Points))
		}
	}
	if last := bands[len(bands)-1]; last.Min != nil || last.Max != nil {
		out = append(out, "no catch-all band: values beyond the last bound fall in a gap (add {points: 0})")
	}
	return out
}
