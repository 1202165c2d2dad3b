package seeds_test

import (
	"math"
	"time"

	"github.com/peiyu/peiyu/registry"
)

// The checkers below are a compact, test-only reading of the quantitative
// criteria in policy/criteria.md, as of asOf. They are not the rule engine:
// qualitative criteria (which the engine reports as "review") are left out,
// and where the text leaves room the reading is noted. They exist to show
// that the generated population has, for every program, firms that pass,
// firms exactly one criterion short, and firms far off.

var asOf = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// checker returns the ids of the criteria a firm fails.
type checker func(f *registry.Firm) []string

var checkers = map[string]checker{
	"tech-sme@2017":        techSME,
	"innovative-sme@2022":  innovativeSME,
	"specialized-sme@2022": specialized2022,
	"specialized-sme@2026": specialized2026,
	"little-giant@2022":    littleGiant2022,
	"little-giant@2026":    littleGiant2026,
	"champion@2023":        champion,
	"hnte@2016":            hnte,
	"above-size@2011":      aboveSize,
}

type fails []string

func (fs *fails) need(id string, ok bool) {
	if !ok {
		*fs = append(*fs, id)
	}
}

const wan = 10_000 // 万元 in yuan

func v(p *int64) float64 {
	if p == nil {
		return math.NaN()
	}
	return float64(*p)
}

func years(f *registry.Firm) (y23, y24, y25 *registry.Year) {
	return f.Year(2023), f.Year(2024), f.Year(2025)
}

func ratio(num, den *int64) float64 { return v(num) / v(den) }

func growth(cur, prev *int64) float64 { return v(cur)/v(prev) - 1 }

// sme applies 工信部联企业〔2011〕300号 by sector.
func sme(f *registry.Firm) bool {
	_, _, y := years(f)
	emp, rev := v(y.Employees), v(y.Revenue)
	switch c := f.IndustryCode; {
	case c[0] == 'A':
		return rev < 20000*wan
	case c[0] >= 'B' && c[0] <= 'E':
		return emp < 1000 || rev < 40000*wan
	case len(c) >= 3 && c[:3] == "I65":
		return emp < 300 || rev < 10000*wan
	default:
		return emp < 300
	}
}

func listed(f *registry.Firm) bool {
	c := f.Compliance
	return c != nil && (c.AbnormalList != nil && *c.AbnormalList || c.SeriousDishonesty != nil && *c.SeriousDishonesty)
}

// majorSince reports a major incident dated after from (and not after asOf).
func majorSince(f *registry.Firm, from time.Time) bool {
	if f.Compliance == nil {
		return false
	}
	for _, in := range f.Compliance.Incidents {
		d, err := registry.ParseDate(in.Date)
		if err == nil && in.Major && d.After(from) && !d.After(asOf) {
			return true
		}
	}
	return false
}

// issuedWithin finds an honor of kind at minLevel or higher issued within the
// last n years, ranked maxRank or better when maxRank > 0.
func issuedWithin(f *registry.Firm, kind, minLevel string, n, maxRank int) bool {
	for _, h := range f.Honors {
		if h.Kind != kind || !registry.LevelAtLeast(h.Level, minLevel) || !h.IssuedWithin(asOf, n) {
			continue
		}
		if maxRank > 0 && (h.Rank == nil || *h.Rank > maxRank) {
			continue
		}
		return true
	}
	return false
}

// has finds an honor of kind issued by asOf (awards with no expiry).
func has(f *registry.Firm, kind, minLevel string) bool {
	for _, h := range f.Honors {
		if h.Kind == kind && (minLevel == "" || registry.LevelAtLeast(h.Level, minLevel)) && h.ValidAt(asOf) {
			return true
		}
	}
	return false
}

func class1(f *registry.Firm) int {
	if f.IP == nil || f.IP.Class1 == nil {
		return 0
	}
	return *f.IP.Class1
}

func nicheYears(f *registry.Firm) int {
	n, _ := f.YearsInNiche(asOf)
	return n
}

func band(x float64, bounds []float64, points []int) int {
	for k, b := range bounds {
		if x >= b {
			return points[k]
		}
	}
	return 0
}

func techSME(f *registry.Firm) []string {
	var fs fails
	_, _, y := years(f)
	fs.need("employees", v(y.Employees) <= 500)
	fs.need("revenue", v(y.Revenue) <= 20000*wan)
	fs.need("assets", v(y.TotalAssets) <= 20000*wan)
	fs.need("lists", !listed(f))
	fs.need("incidents", !majorSince(f, time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)))
	direct := f.Holds(registry.HonorHNTE, "", asOf) ||
		issuedWithin(f, registry.HonorSciAward, registry.LevelNational, 5, 3) ||
		has(f, registry.HonorRDInstitution, registry.LevelProvincial) ||
		issuedWithin(f, registry.HonorStandardLed, registry.LevelIndustry, 5, 0)
	if direct {
		return fs
	}
	staff := ratio(y.TechStaff, y.Employees)
	score := band(staff, []float64{0.30, 0.25, 0.20, 0.15, 0.10}, []int{20, 16, 12, 8, 4})
	score += max(
		band(ratio(y.RDExpense, y.Revenue), []float64{0.06, 0.05, 0.04, 0.03, 0.02}, []int{50, 40, 30, 20, 10}),
		band(ratio(y.RDExpense, y.TotalCost), []float64{0.30, 0.25, 0.20, 0.15, 0.10}, []int{50, 40, 30, 20, 10}))
	c2 := 0
	if f.IP.Class2 != nil {
		c2 = *f.IP.Class2
	}
	switch {
	case class1(f) >= 1:
		score += 30
	default:
		score += []int{0, 6, 12, 18, 24}[min(c2, 4)]
	}
	fs.need("tech-staff", staff >= 0.10)
	fs.need("score", score >= 60)
	return fs
}

func ipPoints(f *registry.Firm, high, self, c1, c2 int) int {
	ip := f.IP
	switch {
	case ip.Class1HighValue != nil && *ip.Class1HighValue >= 1:
		return high
	case ip.Class1SelfDeveloped != nil && *ip.Class1SelfDeveloped >= 1:
		return self
	case class1(f) >= 1:
		return c1
	case ip.Class2 != nil && *ip.Class2 >= 1:
		return c2
	}
	return 0
}

func debtPoints(d float64, limits []float64, points []int) int {
	for k, l := range limits {
		if d <= l {
			return points[k]
		}
	}
	return 0
}

func equity(ys ...*registry.Year) float64 {
	s := 0.0
	for _, y := range ys {
		s += v(y.EquityFinancing)
	}
	return s
}

func base(fs *fails, f *registry.Firm) {
	fs.need("sme", sme(f))
	fs.need("lists", !listed(f))
	fs.need("incidents", !majorSince(f, asOf.AddDate(-3, 0, 0)))
}

func innovativeSME(f *registry.Firm) []string {
	var fs fails
	base(&fs, f)
	y23, y24, y25 := years(f)
	direct := issuedWithin(f, registry.HonorSciAward, registry.LevelProvincial, 3, 0) ||
		f.Holds(registry.HonorHNTE, "", asOf) || f.Holds(registry.HonorIPDemo, "", asOf) ||
		has(f, registry.HonorRDInstitution, registry.LevelProvincial) ||
		equity(y23, y24, y25) >= 500*wan
	if direct {
		return fs
	}
	innov := ipPoints(f, 20, 15, 10, 5) +
		band(ratio(y25.RDExpense, y25.Revenue), []float64{0.05, 0.03, 0.02, 0.01}, []int{20, 15, 10, 5})
	grow := band(growth(y25.MainRevenue, y24.MainRevenue), []float64{0.15, 0.10, 0.05, 0}, []int{20, 15, 10, 5}) +
		debtPoints(ratio(y25.TotalLiabilities, y25.TotalAssets), []float64{0.55, 0.75}, []int{10, 5})
	spec := band(ratio(y25.MainRevenue, y25.Revenue), []float64{0.70, 0.60, 0.55, 0.50}, []int{20, 15, 10, 5})
	if n := f.Niche; n != nil && n.StrategicEmerging != nil && *n.StrategicEmerging {
		spec += 10
	} else {
		spec += 5
	}
	fs.need("innovation", innov >= 20)
	fs.need("growth", grow >= 15)
	fs.need("specialisation", spec >= 15)
	fs.need("score", innov+grow+spec >= 60)
	return fs
}

// score2022 is the 13-indicator 专精特新 score of 63号 附件2 without the
// provincial 特色化 points (indicator 9), which are not computable here.
func score2022(f *registry.Firm) int {
	y23, y24, y25 := years(f)
	s := band(ratio(y25.MainRevenue, y25.Revenue), []float64{0.80, 0.70, 0.60}, []int{5, 3, 1})
	avg := (growth(y24.MainRevenue, y23.MainRevenue) + growth(y25.MainRevenue, y24.MainRevenue)) / 2
	s += band(avg, []float64{0.10, 0.08, 0.06, 0.04, 0}, []int{10, 8, 6, 4, 2})
	s += min(nicheYears(f)/2, 5)
	if n := f.Niche; n.GapFilling != nil && *n.GapFilling {
		s += 5
	} else if n.KeyField != nil && *n.KeyField {
		s += 3
	}
	s += band(float64(*y25.DigitalLevel), []float64{3, 2}, []int{5, 3})
	q := 0
	for _, ok := range []bool{
		has(f, registry.HonorQualityAward, registry.LevelProvincial), f.Holds(registry.HonorQMSCert, "", asOf),
		has(f, registry.HonorOwnBrand, ""), has(f, registry.HonorStandardLed, ""),
	} {
		if ok {
			q += 3
		}
	}
	s += min(q, 5)
	s += band(ratio(y25.NetProfit, y25.Revenue), []float64{0.10, 0.08, 0.06, 0.04, 0.02}, []int{10, 8, 6, 4, 2})
	s += debtPoints(ratio(y25.TotalLiabilities, y25.TotalAssets), []float64{0.50, 0.60, 0.70}, []int{5, 3, 1})
	s += ipPoints(f, 10, 8, 6, 2)
	s += max(band(v(y25.RDExpense), []float64{500 * wan, 400 * wan, 300 * wan, 200 * wan, 100 * wan}, []int{10, 8, 6, 4, 2}),
		band(ratio(y25.RDExpense, y25.Revenue), []float64{0.10, 0.08, 0.06, 0.04, 0.03}, []int{10, 8, 6, 4, 2}))
	s += band(ratio(y25.RDStaff, y25.Employees), []float64{0.20, 0.10, 0.05}, []int{5, 3, 1})
	switch {
	case has(f, registry.HonorRDInstitution, registry.LevelNational):
		s += 10
	case has(f, registry.HonorRDInstitution, registry.LevelProvincial):
		s += 8
	case has(f, registry.HonorRDInstitution, registry.LevelCity):
		s += 4
	case has(f, registry.HonorRDInstitution, ""):
		s += 2
	}
	return s
}

func specialized2022(f *registry.Firm) []string {
	var fs fails
	base(&fs, f)
	_, y24, y25 := years(f)
	fs.need("niche-years", nicheYears(f) >= 2)
	fs.need("rd-amount", v(y25.RDExpense) >= 100*wan)
	fs.need("rd-ratio", ratio(y25.RDExpense, y25.Revenue) >= 0.03)
	fs.need("revenue", v(y25.Revenue) >= 1000*wan || equity(y24, y25) >= 2000*wan)
	direct := issuedWithin(f, registry.HonorSciAward, registry.LevelProvincial, 3, 3) ||
		issuedWithin(f, registry.HonorSciAward, registry.LevelNational, 3, 5) ||
		(v(y24.RDExpense)+v(y25.RDExpense))/2 >= 1000*wan ||
		equity(y24, y25) >= 6000*wan ||
		issuedWithin(f, registry.HonorChuangkeTop500, "", 3, 0)
	if !direct {
		fs.need("score", score2022(f) >= 60)
	}
	return fs
}

func specialized2026(f *registry.Firm) []string {
	var fs fails
	base(&fs, f)
	_, y24, y25 := years(f)
	fs.need("prerequisite", f.Holds(registry.HonorInnovativeSME, "", asOf) || f.Holds(registry.HonorTechSME, "", asOf))
	fs.need("niche-years", nicheYears(f) >= 3)
	fs.need("revenue", v(y25.Revenue) >= 1500*wan || equity(y24, y25) >= 2000*wan)
	fs.need("main-share", ratio(y25.MainRevenue, y25.Revenue) >= 0.80)
	fs.need("debt", ratio(y25.TotalLiabilities, y25.TotalAssets) <= 0.80)
	fs.need("rd-amount", v(y24.RDExpense) >= 100*wan && v(y25.RDExpense) >= 100*wan)
	fs.need("rd-ratio", ratio(y24.RDExpense, y24.Revenue) >= 0.03 && ratio(y25.RDExpense, y25.Revenue) >= 0.03)
	exempt := issuedWithin(f, registry.HonorSciAward, registry.LevelProvincial, 3, 3) ||
		has(f, registry.HonorRDInstitution, registry.LevelProvincial)
	fs.need("class1", class1(f) >= 1 || exempt)
	fs.need("srdi", y25.SRDIScore != nil && *y25.SRDIScore >= 50)
	return fs
}

func share(f *registry.Firm) float64 {
	if f.Niche == nil || f.Niche.Share == nil {
		return 0
	}
	return *f.Niche.Share
}

func littleGiant2022(f *registry.Firm) []string {
	var fs fails
	base(&fs, f)
	y23, y24, y25 := years(f)
	fs.need("prerequisite", f.Holds(registry.HonorSpecializedSME, "", asOf))
	fs.need("niche-years", nicheYears(f) >= 3)
	fs.need("main-share", ratio(y25.MainRevenue, y25.Revenue) >= 0.70)
	fs.need("growth", (growth(y24.MainRevenue, y23.MainRevenue)+growth(y25.MainRevenue, y24.MainRevenue))/2 >= 0.05)
	fs.need("certification", f.Holds(registry.HonorQMSCert, "", asOf))
	fs.need("debt", ratio(y25.TotalLiabilities, y25.TotalAssets) <= 0.70)
	fs.need("share", share(f) >= 0.10)
	fs.need("own-brand", has(f, registry.HonorOwnBrand, ""))
	direct := issuedWithin(f, registry.HonorSciAward, registry.LevelNational, 3, 3) ||
		issuedWithin(f, registry.HonorChuangkeTop50, "", 3, 0)
	if direct {
		return fs
	}
	r24, r25, rev := ratio(y24.RDExpense, y24.Revenue), ratio(y25.RDExpense, y25.Revenue), v(y25.Revenue)
	switch {
	case rev >= 10000*wan:
		fs.need("rd-ratio", r24 >= 0.03 && r25 >= 0.03)
	case rev >= 5000*wan:
		fs.need("rd-ratio", r24 >= 0.06 && r25 >= 0.06)
	default:
		fs.need("rd-ratio", equity(y24, y25) >= 8000*wan && v(y24.RDExpense)+v(y25.RDExpense) >= 3000*wan &&
			ratio(y25.RDStaff, y25.Employees) >= 0.5)
	}
	fs.need("rd-institution", has(f, registry.HonorRDInstitution, ""))
	fs.need("class1", class1(f) >= 2)
	return fs
}

func littleGiant2026(f *registry.Firm) []string {
	var fs fails
	base(&fs, f)
	y23, y24, y25 := years(f)
	fs.need("prerequisite", f.Holds(registry.HonorSpecializedSME, "", asOf))
	fs.need("niche-years", nicheYears(f) >= 3)
	fs.need("revenue", v(y25.Revenue) >= 5000*wan)
	fs.need("main-share", ratio(y25.MainRevenue, y25.Revenue) >= 0.90)
	fs.need("growth", math.Sqrt(v(y25.Revenue)/v(y23.Revenue))-1 >= 0.05)
	fs.need("debt", ratio(y25.TotalLiabilities, y25.TotalAssets) <= 0.75)
	fs.need("rd-sum", v(y24.RDExpense)+v(y25.RDExpense) >= 1200*wan)
	fs.need("rd-ratio", ratio(y24.RDExpense, y24.Revenue) >= 0.03 && ratio(y25.RDExpense, y25.Revenue) >= 0.03)
	fs.need("class1", class1(f) >= 4 || issuedWithin(f, registry.HonorSciAward, registry.LevelNational, 3, 3))
	rank := f.Niche.DomesticRank
	fs.need("share", share(f) >= 0.10 || rank != nil && *rank >= 1 && *rank <= 3)
	fs.need("srdi", y25.SRDIScore != nil && *y25.SRDIScore >= 60)
	return fs
}

func champion(f *registry.Firm) []string {
	var fs fails
	y23, y24, y25 := years(f)
	fs.need("years", nicheYears(f) >= 10)
	fs.need("revenue", (v(y23.MainRevenue)+v(y24.MainRevenue)+v(y25.MainRevenue))/3 >= 40000*wan)
	r := f.Niche.GlobalRank
	fs.need("global-rank", r != nil && *r >= 1 && *r <= 3)
	fs.need("lists", !listed(f))
	fs.need("incidents", !majorSince(f, asOf.AddDate(-3, 0, 0)))
	return fs
}

func hnte(f *registry.Firm) []string {
	var fs fails
	y23, y24, y25 := years(f)
	est, _ := registry.ParseDate(f.Established)
	fs.need("age", !est.After(asOf.AddDate(0, 0, -365)))
	c2 := 0
	if f.IP.Class2 != nil {
		c2 = *f.IP.Class2
	}
	fs.need("ip", class1(f)+c2 >= 1)
	fs.need("tech-staff", ratio(y25.TechStaff, y25.Employees) >= 0.10)
	rd := v(y23.RDExpense) + v(y24.RDExpense) + v(y25.RDExpense)
	rev := v(y23.Revenue) + v(y24.Revenue) + v(y25.Revenue)
	tier := 0.03
	switch latest := v(y25.Revenue); {
	case latest <= 5000*wan:
		tier = 0.05
	case latest <= 20000*wan:
		tier = 0.04
	}
	fs.need("rd-ratio", rd/rev >= tier)
	dom := v(y23.DomesticRDExpense) + v(y24.DomesticRDExpense) + v(y25.DomesticRDExpense)
	fs.need("domestic-rd", rd > 0 && dom/rd >= 0.60)
	fs.need("high-tech", ratio(y25.HighTechRevenue, y25.Revenue) >= 0.60)
	fs.need("incidents", !majorSince(f, time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)))
	return fs
}

func aboveSize(f *registry.Firm) []string {
	var fs fails
	_, _, y25 := years(f)
	c := f.IndustryCode[0]
	fs.need("industrial", c == 'B' || c == 'C' || c == 'D')
	fs.need("main-revenue", v(y25.MainRevenue) >= 2000*wan)
	return fs
}
