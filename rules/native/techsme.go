// Package native holds programs written by hand in plain Go, producing the
// same trace as the rule engine: the yardstick the engine's speed is
// measured against (go test -bench in package rules, and peiyu bench) and
// its results are checked against (TestHandwrittenAgrees).
package native

import (
	"fmt"
	"strings"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// This file is tech-sme@2017 by hand: the same trace as the engine (status,
// actual, threshold, points, detail, basis per criterion).

type trace struct {
	r    rules.Result
	base rules.Status
}

func num(v float64) *float64 { return &v }

func i64(p *int64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return float64(*p), true
}

var andRank = map[rules.Status]int{rules.Pass: 0, rules.Review: 1, rules.Missing: 2, rules.Fail: 3}

func worst(a, b rules.Status) rules.Status {
	if andRank[b] > andRank[a] {
		return b
	}
	return a
}

func (t *trace) add(id, title, kind, route, basis string, st rules.Status, actual, threshold *float64, op, detail string) {
	t.r.Criteria = append(t.r.Criteria, rules.CriterionResult{ID: id, Title: title, Kind: kind, Route: route,
		Status: st, Actual: actual, Threshold: threshold, Op: op, Basis: basis, Detail: detail})
}

// cmpLE is a hand-written "value ≤ limit" criterion.
func (t *trace) cmp(id, title, basis string, v *int64, limit float64, le bool) rules.Status {
	x, ok := i64(v)
	if !ok {
		t.add(id, title, "hard", "", basis, rules.Missing, nil, nil, "", "缺少数据")
		return rules.Missing
	}
	pass := x <= limit
	op := "<="
	if !le {
		pass, op = x >= limit, ">="
	}
	st := rules.Fail
	if pass {
		st = rules.Pass
	}
	t.add(id, title, "hard", "", basis, st, num(x), num(limit), op, fmt.Sprintf("%v，要求 %s %v", x, op, limit))
	return st
}

func flag(p *bool, fail bool) rules.Status {
	switch {
	case p == nil:
		return rules.Missing
	case *p == fail:
		return rules.Fail
	}
	return rules.Pass
}

func holdsValid(f *registry.Firm, kind, level string, d time.Time) bool {
	for i := range f.Honors {
		h := &f.Honors[i]
		if h.Kind != kind || (level != "" && !registry.LevelAtLeast(h.Level, level)) || !h.ValidAt(d) {
			continue
		}
		if h.Expires == "" && h.Issued != "" {
			iss, _ := registry.ParseDate(h.Issued)
			exp := iss.AddDate(3, 0, -1)
			if kind == registry.HonorTechSME {
				exp = time.Date(iss.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
			}
			if kind == registry.HonorRDInstitution || kind == registry.HonorStandardLed || kind == registry.HonorSciAward {
				exp = d
			}
			if d.After(exp) {
				continue
			}
		}
		return true
	}
	return false
}

func wonWithin(f *registry.Firm, kind, level string, years, maxRank int, d time.Time) rules.Status {
	out := rules.Fail
	for i := range f.Honors {
		h := &f.Honors[i]
		if h.Kind != kind || !registry.LevelAtLeast(h.Level, level) || !h.IssuedWithin(d, years) {
			continue
		}
		switch {
		case maxRank == 0:
			return rules.Pass
		case h.Rank == nil:
			out = rules.Missing
		case *h.Rank >= 1 && *h.Rank <= maxRank:
			return rules.Pass
		}
	}
	return out
}

func band(v float64, bounds []float64, points []float64) float64 {
	for i, b := range bounds {
		if v >= b-1e-9*max(1, v, b) {
			return points[i]
		}
	}
	return 0
}

// TechSME is tech-sme@2017 by hand.
func TechSME(f *registry.Firm, asOf time.Time) rules.Result {
	t := &trace{r: rules.Result{Program: "tech-sme", Edition: "2017", Name: "科技型中小企业",
		Criteria: make([]rules.CriterionResult, 0, 17)}, base: rules.Pass}
	y := f.Year(asOf.Year() - 1)
	if y == nil {
		y = &registry.Year{}
	}
	base := rules.Pass
	reg := rules.Pass
	if len(f.USCC) == 18 && !strings.HasPrefix(f.USCC, "91") {
		reg = rules.Fail
	}
	t.add("registered", "在中国境内注册的居民企业", "hard", "", "115号 第六条(一)", reg, nil, nil, "", "")
	base = worst(base, reg)
	t.add("declarations", "会计核算健全、实行查账征收、能够合理归集研发费用", "review", "", "67号", rules.Review, nil, nil, "", "")
	base = worst(base, rules.Review)
	base = worst(base, t.cmp("employees", "职工总数不超过500人", "115号 第六条(二)", y.Employees, 500, true))
	base = worst(base, t.cmp("revenue", "年销售收入不超过2亿元", "115号 第六条(二)", y.Revenue, 2e8, true))
	base = worst(base, t.cmp("assets", "资产总额不超过2亿元", "115号 第六条(二)", y.TotalAssets, 2e8, true))
	c := f.Compliance
	var prohibited, abnormal, dishonest *bool
	if c != nil {
		prohibited, abnormal, dishonest = c.ProhibitedIndustry, c.AbnormalList, c.SeriousDishonesty
	}
	st := flag(prohibited, true)
	t.add("products-allowed", "产品和服务不属于禁止、限制和淘汰类", "veto", "", "115号 第六条(三)", st, nil, nil, "", "")
	base = worst(base, st)
	st = rules.Review
	if code := f.IndustryCode; code != "" {
		st = rules.Pass
		for _, p := range []string{"C16", "H", "F", "K", "L", "R90"} {
			if strings.HasPrefix(code, p) {
				st = rules.Fail
			}
		}
	}
	t.add("superdeduction", "不属于不适用研发费用税前加计扣除政策的行业", "veto", "", "67号", st, nil, nil, "", "")
	base = worst(base, st)
	st = rules.Missing
	if c != nil {
		n := 0
		start := time.Date(asOf.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, inc := range c.Incidents {
			d, err := registry.ParseDate(inc.Date)
			if err == nil && inc.Major && !d.After(asOf) && !d.Before(start) {
				n++
			}
		}
		st = rules.Pass
		if n > 0 {
			st = rules.Fail
		}
		t.add("no-major-incidents", "未发生重大事故", "veto", "", "115号 第六条(四)", st, num(float64(n)), num(0), "==", "")
	} else {
		t.add("no-major-incidents", "未发生重大事故", "veto", "", "115号 第六条(四)", st, nil, nil, "", "")
	}
	base = worst(base, st)
	st = worst(flag(abnormal, true), flag(dishonest, true))
	if flag(abnormal, true) == rules.Fail || flag(dishonest, true) == rules.Fail {
		st = rules.Fail
	}
	t.add("not-listed", "未列入经营异常名录和严重违法失信企业名单", "veto", "", "115号 第六条(四)", st, nil, nil, "", "")
	base = worst(base, st)

	// Scores, with bounds while data is missing.
	var lo, hi float64
	score := rules.Pass
	ts, okT := i64(y.TechStaff)
	emp, okE := i64(y.Employees)
	if okT && okE && emp > 0 {
		ratio := ts / emp
		p := band(ratio, []float64{0.30, 0.25, 0.20, 0.15, 0.10}, []float64{20, 16, 12, 8, 4})
		st := rules.Pass
		if p < 4 {
			st = rules.Fail
		}
		t.add("tech-staff-score", "科技人员指标", "scored", "score", "115号 第七条", st, num(ratio), num(0.10), ">=",
			fmt.Sprintf("科技人员占比 = %.1f%%，得%v分", ratio*100, p))
		t.r.Criteria[len(t.r.Criteria)-1].Points = num(p)
		lo, hi = lo+p, hi+p
		score = worst(score, st)
	} else {
		t.add("tech-staff-score", "科技人员指标", "scored", "score", "115号 第七条", rules.Missing, nil, num(0.10), ">=", "")
		hi += 20
		score = worst(score, rules.Missing)
	}
	rd, okR := i64(y.RDExpense)
	rev, okV := i64(y.Revenue)
	cost, okC := i64(y.TotalCost)
	best := -1.0
	var actual float64
	if okR && okV && rev > 0 {
		best, actual = band(rd/rev, []float64{0.06, 0.05, 0.04, 0.03, 0.02}, []float64{50, 40, 30, 20, 10}), rd/rev
	}
	if okR && okC && cost > 0 {
		if p := band(rd/cost, []float64{0.30, 0.25, 0.20, 0.15, 0.10}, []float64{50, 40, 30, 20, 10}); p > best {
			best, actual = p, rd/cost
		}
	}
	// A ratio the firm gives no data for is not the one it picks.
	known := best >= 0
	scoredItem := func(id, title string, best float64, known bool, top float64, actual float64) {
		st := rules.Pass
		if !known {
			st = rules.Missing
		}
		var pts *float64
		if best >= 0 && known {
			pts = num(best)
		}
		t.add(id, title, "scored", "score", "115号 第七条", st, num(actual), nil, "", fmt.Sprintf("%v，得%v分", actual, best))
		t.r.Criteria[len(t.r.Criteria)-1].Points = pts
		switch {
		case known:
			lo, hi = lo+best, hi+best
		case best >= 0:
			lo, hi = lo+best, hi+top
		default:
			hi += top
		}
	}
	scoredItem("rd-score", "研发投入指标（两项择高）", best, known, 50, actual)
	c1, ok1 := 0, false
	c2, ok2 := 0, false
	if f.IP != nil && f.IP.Class1 != nil {
		c1, ok1 = *f.IP.Class1, true
	}
	if f.IP != nil && f.IP.Class2 != nil {
		c2, ok2 = *f.IP.Class2, true
	}
	best, known = -1, true
	if ok1 {
		best = 0
		if c1 >= 1 {
			best = 30
		}
	}
	if ok2 {
		if p := band(float64(c2), []float64{4, 3, 2, 1}, []float64{24, 18, 12, 6}); p > best {
			best = p
		}
	}
	known = best >= 0
	scoredItem("ip-score", "科技成果指标", best, known, 30, float64(c1))
	st = rules.Fail
	switch {
	case lo >= 60:
		st = rules.Pass
	case hi >= 60:
		st = rules.Missing
	}
	t.add("total-score", "综合评价得分不低于60分", "hard", "score", "115号 第六条(五)", st, num(lo), num(60), ">=", "")
	score = worst(score, st)
	t.r.Score = num(lo)

	direct := []struct {
		id, route string
		st        rules.Status
	}{
		{"direct-hnte", "direct:hnte", passIf(holdsValid(f, "hnte", "", asOf))},
		{"direct-award", "direct:award", wonWithin(f, "sci_award", "national", 5, 3, asOf)},
		{"direct-rd-institution", "direct:rd_institution", passIf(holdsValid(f, "rd_institution", "provincial", asOf))},
		{"direct-standard", "direct:standard", wonWithin(f, "standard_led", "industry", 5, 0, asOf)},
	}
	routeBest, route := score, "score"
	for _, d := range direct {
		t.add(d.id, d.id, "direct", d.route, "115号 第八条", d.st, nil, nil, "", "")
		if orRank(d.st) > orRank(routeBest) {
			routeBest, route = d.st, d.route
		}
	}
	overall := worst(base, routeBest)
	t.r.Status = map[rules.Status]rules.Status{rules.Pass: rules.Eligible, rules.Fail: rules.Ineligible,
		rules.Missing: rules.InsufficientData, rules.Review: rules.NeedsReview}[overall]
	if overall == rules.Pass || overall == rules.Review {
		t.r.Route = &route
	}
	return t.r
}

func passIf(b bool) rules.Status {
	if b {
		return rules.Pass
	}
	return rules.Fail
}

func orRank(s rules.Status) int {
	return map[rules.Status]int{rules.Fail: 0, rules.Missing: 1, rules.Review: 2, rules.Pass: 3}[s]
}
