package rules

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// fieldFor names the profile field (SPEC §3) a metric comes from, so a
// "missing" criterion says what to fill in.
func fieldFor(m *Metric, asOf time.Time) string {
	if m.Offset > 0 {
		return fmt.Sprintf("years[%d].%s", asOf.Year()-m.Offset, strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m.Name, "_prev3"), "_prev2"), "_prev"))
	}
	switch m.Name {
	case "srdi_score_latest", "srdi_score_best2":
		return fmt.Sprintf("years[%d].srdi_score", asOf.Year()-1)
	case "days_established", "years_established":
		return "established"
	case "years_in_niche":
		return "niche.since"
	case "years_in_field":
		return "niche.years_in_field"
	case "niche_share":
		return "niche.share"
	case "domestic_rank", "global_rank", "key_field", "strategic_emerging", "gap_filling":
		return "niche." + m.Name
	case "ip_class1", "ip_class1_high_value", "ip_class1_self_developed", "ip_class2":
		return "ip." + strings.TrimPrefix(m.Name, "ip_")
	case "abnormal_list", "serious_dishonesty", "prohibited_industry":
		return "compliance." + m.Name
	case "major_incidents_1y", "major_incidents_2y", "major_incidents_3y":
		return "compliance.incidents"
	case "manufacturing", "industrial", "superdeduction_excluded":
		return "industry_code"
	case "mainland_enterprise":
		return "uscc"
	case "sme":
		y := asOf.Year() - 1
		return fmt.Sprintf("industry_code, years[%d].employees, years[%d].revenue", y, y)
	}
	return m.Name
}

func fieldsOf(ms []*Metric, asOf time.Time) []string {
	var out []string
	for _, m := range ms {
		f := fieldFor(m, asOf)
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func (s *state) titleOf(sd *side) string {
	switch {
	case sd.metric != nil:
		return sd.metric.TitleAt(s.env.asOf)
	case sd.title != "":
		return sd.title
	}
	return sd.text
}

var opZH = map[string]string{">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}

// detail words a leaf's outcome: "2025年研发费用 = ¥800,000，要求 ≥ ¥1,000,000".
func (s *state) detail(n *node) string {
	lo := &s.leaves[n.leaf]
	switch n.op {
	case opCall, opBool:
		ans := map[tri]string{triTrue: "是", triFalse: "否", triMissing: "缺少数据", triReview: "待确认"}[lo.v]
		switch {
		case n.op == opBool && n.boolv.metric != nil:
			return s.titleOf(n.boolv) + "：" + ans
		case n.op == opCall && n.callText != "":
			return n.callText + "：" + ans
		}
		return n.text + "：" + ans
	case opScore:
		return fmt.Sprintf("%s %s，要求 %s %s", s.p.groupTitle(n.group), formatNum(lo.actual), opZH[n.cmp], formatNum(lo.threshold))
	}
	if lo.v == triMissing {
		return s.titleOf(n.left) + "：缺少数据"
	}
	if lo.undefined {
		return s.titleOf(n.left) + "：无法计算（分母为0或无基期数据）"
	}
	unit := n.left.unit
	if n.left.isBool {
		unit = unitBool
	}
	a, b := formatPair(lo.actual, lo.threshold, unit)
	return fmt.Sprintf("%s = %s，要求 %s %s", s.titleOf(n.left), a, opZH[n.cmp], b)
}

// formatPair formats two values of a unit with enough precision that
// different values do not print the same ("2.9999%" vs "3%", not "3.0%"
// twice).
func formatPair(a, b float64, unit string) (string, string) {
	if unit != unitRatio {
		return formatValue(a, unit), formatValue(b, unit)
	}
	for prec := 1; prec <= 6; prec++ {
		x, y := formatPercent(a, prec), formatPercent(b, prec)
		if x != y || a == b || prec == 6 {
			return x, y
		}
	}
	return formatValue(a, unit), formatValue(b, unit)
}

func formatPercent(v float64, prec int) string {
	return strconv.FormatFloat(v*100, 'f', prec, 64) + "%"
}

// groupTitle names a score subtotal ("" is the total).
func (p *Program) groupTitle(g string) string {
	if g == "" {
		return "总分"
	}
	if t := p.pack.Groups[g]; t != "" {
		return t + "得分"
	}
	return g + "得分"
}

// gapText words what must change for a failed comparison, and for a
// derived value which input to move by how much.
func (s *state) gapText(n *node, lo *leafOut) string {
	if n.op == opScore {
		return fmt.Sprintf("%s还差%s分", s.p.groupTitle(n.group), formatNum(lo.threshold-lo.actual))
	}
	return s.sideGapText(n.left, lo.actual, lo.threshold, n.cmp, n.right)
}

func (s *state) sideGapText(left *side, actual, threshold float64, op string, right ...*side) string {
	d := threshold - actual
	if left.unit == unitRank && left.metric != nil {
		return fmt.Sprintf("%s需进入前%s位", s.titleOf(left), formatNum(threshold))
	}
	if left.metric != nil {
		return fmt.Sprintf("%s需%s%s", s.titleOf(left), verb(d), formatDelta(math.Abs(d), left.unit))
	}
	text := fmt.Sprintf("%s差%s", s.titleOf(left), formatDelta(math.Abs(d), left.unit))
	if !s.opt.Explain || left.prog == nil {
		return text
	}
	var rs *side
	if len(right) > 0 {
		rs = right[0]
	}
	// Move the most recent year first: "raise 2025 R&D", not "lower 2024
	// revenue".
	cands := slices.Clone(left.needs)
	slices.SortStableFunc(cands, func(a, b *Metric) int { return a.Offset - b.Offset })
	for _, m := range cands {
		if nv, ok := s.solve(left, rs, m, threshold, op); ok {
			cur := s.env.value(m)
			return fmt.Sprintf("%s；即%s需%s%s（%s → %s）", text, m.TitleAt(s.env.asOf), verb(nv-cur),
				formatDelta(math.Abs(nv-cur), m.Unit), formatValue(cur, m.Unit), formatValue(nv, m.Unit))
		}
	}
	return text
}

func verb(d float64) string {
	if d < 0 {
		return "减少"
	}
	return "增加"
}

// solve finds the value of metric m, all else equal, closest to its current
// value that makes "left op right" hold: an expanding search for a bracket,
// then bisection, rounded to whole units where the unit counts things.
func (s *state) solve(left, right *side, m *Metric, threshold float64, op string) (float64, bool) {
	env := *s.env
	holds := func(x float64) bool {
		env.setValue(m, x)
		a, ok := s.run(left, &env)
		if !ok {
			return false
		}
		b := threshold
		if right != nil && !right.isConst {
			if right.metric != nil {
				b = env.value(right.metric)
			} else if b, ok = s.run(right, &env); !ok {
				return false
			}
		}
		return compare(op, a, b)
	}
	x0 := s.env.value(m)
	scale := max(math.Abs(x0), 1)
	for k := -10; k <= 40; k++ {
		step := scale * math.Ldexp(1, k)
		for _, dir := range []float64{1, -1} {
			x := x0 + dir*step
			if x < 0 || !holds(x) {
				continue
			}
			lo, hi := x0, x
			for i := 0; i < 80 && math.Abs(hi-lo) > 1e-9*scale; i++ {
				mid := (lo + hi) / 2
				if holds(mid) {
					hi = mid
				} else {
					lo = mid
				}
			}
			if integral(m.Unit) {
				// The whole unit nearest the current value that still holds.
				near, far := math.Floor(hi), math.Ceil(hi)
				if dir < 0 {
					near, far = far, near
				}
				switch {
				case holds(near):
					hi = near
				case holds(far):
					hi = far
				case holds(far + dir):
					hi = far + dir
				}
			}
			return hi, true
		}
	}
	return 0, false
}

func formatNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// GroupDigits writes v, rounded to an integer, with thousands separators
// ("1,234,567"), as amounts in yuan are shown.
func GroupDigits(v float64) string {
	n := int64(math.Round(math.Abs(v)))
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	if v < 0 && n != 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func formatValue(v float64, unit string) string {
	switch unit {
	case unitYuan:
		return "¥" + GroupDigits(v)
	case unitRatio:
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	case unitPeople:
		return formatNum(v) + "人"
	case unitCount:
		return formatNum(v) + "项"
	case unitYears:
		return formatNum(v) + "年"
	case unitDays:
		return formatNum(v) + "天"
	case unitScore, unitPoints:
		return formatNum(math.Round(v*100)/100) + "分"
	case unitLevel:
		return formatNum(v) + "级"
	case unitRank:
		return "第" + formatNum(v) + "位"
	case unitBool:
		if v != 0 {
			return "是"
		}
		return "否"
	}
	return formatNum(math.Round(v*10000) / 10000)
}

func formatDelta(d float64, unit string) string {
	switch unit {
	case unitRatio:
		prec := 1
		for prec < 6 && d > 0 && math.Abs(d*100) < 0.5*math.Pow(10, -float64(prec)) {
			prec++
		}
		return strconv.FormatFloat(d*100, 'f', prec, 64) + "个百分点"
	case unitYuan:
		return "¥" + GroupDigits(math.Ceil(d-1e-9))
	case unitPeople, unitCount, unitYears, unitDays, unitLevel, unitRank:
		return formatValue(math.Ceil(d-1e-9), unit)
	}
	return formatValue(d, unit)
}

// explain writes next_steps: the smallest set of changes that would make the
// firm eligible, cheapest first. Base conditions must all be met; of the
// routes, the one closest to passing is taken.
func (s *state) explain(r *Result, base Status, routes []Status) {
	if r.Status == Eligible {
		return
	}
	type step struct {
		text   string
		effort float64
	}
	var steps []step
	add := func(cr *CriterionResult) {
		switch cr.Status {
		case Missing:
			steps = append(steps, step{fmt.Sprintf("补充数据：%s（%s）", strings.Join(cr.Missing, "、"), cr.Title), 0})
		case Review:
			steps = append(steps, step{fmt.Sprintf("待主管部门确认：%s（%s）", cr.Title, cr.Basis), 0.05})
		case Fail:
			text := cr.GapText
			if text == "" {
				text = cr.step
			}
			if text == "" {
				text = "需满足：" + cr.Title
			} else {
				text = cr.Title + "：" + text
			}
			e := cr.effort
			if cr.Gap == nil {
				e = 1
			}
			steps = append(steps, step{text, e})
		}
	}
	prereqOnly := base == Fail
	for i := range r.Criteria {
		cr := &r.Criteria[i]
		if cr.Route == "" && s.decisive(cr.ID) {
			add(cr)
			if cr.Status == Fail && cr.Kind != KindPrerequisite {
				prereqOnly = false
			}
		}
	}
	// The cheapest route, unless one already passes.
	best, passing := s.cheapestRoute(r, routes)
	if len(routes) > 0 && !passing && best != "" {
		if routes[indexOf(s.p.routes, best)] == Fail {
			prereqOnly = false
		}
		for j := range r.Criteria {
			cr := &r.Criteria[j]
			if cr.Route == best && s.decisive(cr.ID) {
				add(cr)
			}
		}
		if best == "score" {
			for _, t := range s.scoreSteps(r) {
				steps = append(steps, step{t, 0.5})
			}
		}
	}
	if prereqOnly {
		for _, cr := range r.Criteria {
			if cr.Kind == KindPrerequisite && cr.Status == Fail {
				r.Note = "其余条件均已满足，取得前置认定后即可申报：" + cr.Title
			}
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].effort < steps[j].effort })
	for _, st := range steps {
		if !slices.Contains(r.NextSteps, st.text) {
			r.NextSteps = append(r.NextSteps, st.text)
		}
	}
}

// critCost is how much a criterion still needs: its relative gap (capped
// at 1) when it fails on numbers, 1 when it fails otherwise, a little for
// missing data, nothing when it holds or awaits review.
func critCost(cr *CriterionResult) float64 {
	switch cr.Status {
	case Fail:
		if cr.Gap != nil {
			return min(cr.effort, 1)
		}
		return 1
	case Missing:
		return 0.1
	}
	return 0
}

// cheapestRoute returns the route closest to passing and whether some
// route already passes.
func (s *state) cheapestRoute(r *Result, routes []Status) (best string, passing bool) {
	bestCost := math.Inf(1)
	for i, st := range routes {
		if st == Pass {
			passing = true
		}
		cost := 0.0
		for j := range r.Criteria {
			cr := &r.Criteria[j]
			if cr.Route == s.p.routes[i] && s.decisive(cr.ID) {
				cost += critCost(cr)
			}
		}
		if cost < bestCost {
			best, bestCost = s.p.routes[i], cost
		}
	}
	return best, passing
}

// distance sets an ineligible result's Distance and Blocking: the failing
// base criteria and, unless a route passes, the failing criteria of the
// cheapest route.
func (s *state) distance(r *Result, routes []Status) {
	d := 0.0
	add := func(cr *CriterionResult) {
		if cr.Status == Fail {
			d += critCost(cr)
			r.Blocking = append(r.Blocking, cr.ID)
		}
	}
	for i := range r.Criteria {
		if cr := &r.Criteria[i]; cr.Route == "" && s.decisive(cr.ID) {
			add(cr)
		}
	}
	if best, passing := s.cheapestRoute(r, routes); len(routes) > 0 && !passing && best != "" {
		for i := range r.Criteria {
			if cr := &r.Criteria[i]; cr.Route == best && s.decisive(cr.ID) {
				add(cr)
			}
		}
	}
	r.Distance = &d
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

func (s *state) decisive(id string) bool {
	for _, c := range s.p.criteria {
		if c.def.ID == id {
			return c.decisive
		}
	}
	return false
}

// scoreSteps proposes the band upgrades that close the score deficit,
// cheapest relative change per point first.
func (s *state) scoreSteps(r *Result) []string {
	if r.Score == nil {
		return nil
	}
	deficit := 0.0
	for _, cr := range r.Criteria {
		if cr.Route == "score" && cr.Unit == unitPoints && cr.Status == Fail && cr.Gap != nil {
			deficit = max(deficit, *cr.Gap)
		}
	}
	if deficit <= 0 {
		return nil
	}
	type up struct {
		text   string
		gain   float64
		effort float64
	}
	var ups []up
	for i, c := range s.p.criteria {
		if c.score == nil || !s.pts[i].known {
			continue
		}
		for _, o := range c.score.options {
			v, ok := s.value(o.value)
			if !ok {
				continue
			}
			have := s.pts[i].points
			// The nearest band above what the criterion earns now.
			for j := len(o.bands) - 1; j >= 0; j-- {
				b := o.bands[j]
				if b.Points <= have || (b.Min == nil && b.Max == nil) {
					continue
				}
				target, move := 0.0, "提高"
				if b.Min != nil {
					target = *b.Min
				} else {
					target, move = *b.Max, "降低"
				}
				ups = append(ups, up{
					text: fmt.Sprintf("%s由%s%s到%s（+%s分）", s.titleOf(o.value), formatValue(v, o.value.unit), move,
						formatValue(target, o.value.unit), formatNum(b.Points-have)),
					gain:   b.Points - have,
					effort: relGap(v, target) + 0.01,
				})
				break
			}
		}
	}
	sort.Slice(ups, func(i, j int) bool { return ups[i].effort/ups[i].gain < ups[j].effort/ups[j].gain })
	var out []string
	got := 0.0
	for _, u := range ups {
		if got >= deficit {
			break
		}
		out = append(out, u.text)
		got += u.gain
	}
	return out
}
