package native

import (
	"fmt"
	"math"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// LittleGiant2026 is little-giant@2026 by hand, with the same trace.
func LittleGiant2026(f *registry.Firm, asOf time.Time) rules.Result {
	t := &trace{r: rules.Result{Program: "little-giant", Edition: "2026", Name: "专精特新“小巨人”企业",
		Criteria: make([]rules.CriterionResult, 0, 20)}}
	y1, y2, y3 := f.Year(asOf.Year()-1), f.Year(asOf.Year()-2), f.Year(asOf.Year()-3)
	if y1 == nil {
		y1 = &registry.Year{}
	}
	if y2 == nil {
		y2 = &registry.Year{}
	}
	if y3 == nil {
		y3 = &registry.Year{}
	}
	overall := rules.Pass
	put := func(id, kind string, st rules.Status, actual, threshold *float64, op string) {
		detail := ""
		if actual != nil && threshold != nil {
			detail = fmt.Sprintf("%v，要求 %s %v", *actual, op, *threshold)
		}
		t.add(id, id, kind, "", "2号 附件2", st, actual, threshold, op, detail)
		overall = worst(overall, st)
	}
	ge := func(id string, v float64, ok bool, min float64) {
		switch {
		case !ok:
			put(id, "hard", rules.Missing, nil, nil, "")
		case v >= min-1e-12*max(1, math.Abs(v), min):
			put(id, "hard", rules.Pass, num(v), num(min), ">=")
		default:
			put(id, "hard", rules.Fail, num(v), num(min), ">=")
		}
	}
	ratio := func(a, b *int64) (float64, bool) {
		x, okA := i64(a)
		z, okB := i64(b)
		if !okA || !okB || z == 0 {
			return 0, false
		}
		return x / z, true
	}
	reg := rules.Pass
	if len(f.USCC) == 18 && f.USCC[:2] != "91" {
		reg = rules.Fail
	}
	put("registered", "hard", reg, nil, nil, "")
	// 300号: industry (B, C, D) <1000 people or <4亿; software (I65) <300
	// or <1亿. The seeds use only these two sectors.
	sme := rules.Missing
	empLimit, revLimit := 1000.0, 4e8
	if len(f.IndustryCode) >= 3 && f.IndustryCode[:3] == "I65" {
		empLimit, revLimit = 300, 1e8
	}
	emp, okE := i64(y1.Employees)
	rv, okR := i64(y1.Revenue)
	switch {
	case f.IndustryCode == "":
	case okE && emp < empLimit, okR && rv < revLimit:
		sme = rules.Pass
	case okE && okR:
		sme = rules.Fail
	}
	put("sme", "hard", sme, nil, nil, "")
	put("specialized-sme", "prerequisite", passIf(holdsValid(f, "specialized_sme", "provincial", asOf)), nil, nil, "")
	c := f.Compliance
	if c == nil {
		put("not-listed", "veto", rules.Missing, nil, nil, "")
		put("products-allowed", "veto", rules.Missing, nil, nil, "")
		put("no-major-incidents", "veto", rules.Missing, nil, nil, "")
	} else {
		st := worst(flag(c.AbnormalList, true), flag(c.SeriousDishonesty, true))
		if flag(c.AbnormalList, true) == rules.Fail || flag(c.SeriousDishonesty, true) == rules.Fail {
			st = rules.Fail
		}
		put("not-listed", "veto", st, nil, nil, "")
		put("products-allowed", "veto", flag(c.ProhibitedIndustry, true), nil, nil, "")
		n := 0
		for _, inc := range c.Incidents {
			d, err := registry.ParseDate(inc.Date)
			if err == nil && inc.Major && !d.After(asOf) && d.After(asOf.AddDate(-3, 0, 0)) {
				n++
			}
		}
		put("no-major-incidents", "veto", passIf(n == 0), num(float64(n)), num(0), "==")
	}
	put("not-champion", "veto", passIf(!holdsValid(f, "champion", "", asOf)), nil, nil, "")
	yrs, ok := f.YearsInNiche(asOf)
	ge("years-in-niche", float64(yrs), ok, 3)
	rev, okRev := i64(y1.Revenue)
	ge("revenue-floor", rev, okRev, 5e7)
	share, ok := ratio(y1.MainRevenue, y1.Revenue)
	ge("main-share", share, ok, 0.9)
	r3, ok3 := i64(y3.Revenue)
	g := 0.0
	okG := okRev && ok3 && r3 > 0
	if okG {
		g = math.Pow(rev/r3, 0.5) - 1
	}
	ge("revenue-growth", g, okG, 0.05)
	debt, ok := ratio(y1.TotalLiabilities, y1.TotalAssets)
	switch {
	case !ok:
		put("debt-ratio", "hard", rules.Missing, nil, nil, "")
	default:
		put("debt-ratio", "hard", passIf(debt <= 0.75+1e-12), num(debt), num(0.75), "<=")
	}
	rd1, ok1 := i64(y1.RDExpense)
	rd2, ok2 := i64(y2.RDExpense)
	q1, okQ1 := ratio(y1.RDExpense, y1.Revenue)
	q2, okQ2 := ratio(y2.RDExpense, y2.Revenue)
	parts := []rules.Status{rules.Missing, rules.Missing, rules.Missing}
	if ok1 && ok2 {
		parts[0] = passIf(rd1+rd2 >= 12e6)
	}
	if okQ1 {
		parts[1] = passIf(q1 >= 0.03-1e-12)
	}
	if okQ2 {
		parts[2] = passIf(q2 >= 0.03-1e-12)
	}
	st := rules.Pass
	for _, p := range parts {
		st = worst(st, p)
	}
	put("rd-input", "hard", st, nil, nil, "")
	ipSt := wonWithin(f, "sci_award", "national", 3, 3, asOf)
	if f.IP != nil && f.IP.Class1 != nil {
		if *f.IP.Class1 >= 4 {
			ipSt = rules.Pass
		} else if ipSt != rules.Pass {
			ipSt = worst(rules.Pass, ipSt)
			if ipSt == rules.Pass {
				ipSt = rules.Fail
			}
		}
	} else if ipSt != rules.Pass {
		ipSt = rules.Missing
	}
	put("ip-class1", "hard", ipSt, nil, nil, "")
	mp := rules.Missing
	known := false
	if n := f.Niche; n != nil {
		if n.Share != nil {
			known = true
			if *n.Share >= 0.1-1e-12 {
				mp = rules.Pass
			}
		}
		if n.DomesticRank != nil {
			known = true
			if *n.DomesticRank >= 1 && *n.DomesticRank <= 3 {
				mp = rules.Pass
			}
		}
		if mp != rules.Pass && known && n.Share != nil && n.DomesticRank != nil {
			mp = rules.Fail
		}
	}
	put("market-position", "hard", mp, nil, nil, "")
	put("reputation", "review", rules.Review, nil, nil, "")
	kf := rules.Review
	if n := f.Niche; n != nil {
		for _, b := range []*bool{n.KeyField, n.StrategicEmerging, n.GapFilling} {
			if b != nil && *b {
				kf = rules.Pass
			}
		}
	}
	put("key-field", "hard", kf, nil, nil, "")
	srdi := rules.Missing
	for _, yy := range []int{asOf.Year(), asOf.Year() - 1} {
		if y := f.Year(yy); y != nil && y.SRDIScore != nil {
			srdi = passIf(*y.SRDIScore >= 60)
			break
		}
	}
	put("srdi-score", "hard", srdi, nil, nil, "")
	t.r.Status = map[rules.Status]rules.Status{rules.Pass: rules.Eligible, rules.Fail: rules.Ineligible,
		rules.Missing: rules.InsufficientData, rules.Review: rules.NeedsReview}[overall]
	if overall == rules.Pass || overall == rules.Review {
		route := "standard"
		t.r.Route = &route
	}
	return t.r
}
