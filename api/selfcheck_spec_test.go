package api_test

// Independent "grader" profiles for POST /api/v1/self-check. Every expected
// value below was computed by hand from SPEC.md §2–§4 and
// policy/criteria.md only (not from the rule packs). Comments give the
// arithmetic and the clause.

import (
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

type jm = map[string]any

// clone deep-copies a profile.
func clone(p jm) jm {
	b, _ := json.Marshal(p)
	var out jm
	_ = json.Unmarshal(b, &out)
	return out
}

// parse reads a JSON profile literal.
func parse(s string) jm {
	var out jm
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		panic(err.Error() + ": " + s)
	}
	return out
}

type mut func(jm)

// build clones base and applies the mutations.
func build(base string, muts ...mut) jm {
	p := parse(base)
	for _, m := range muts {
		m(p)
	}
	return p
}

// setY sets key=value in the fiscal-year entry `year` (nil deletes).
func setY(year int, kv ...any) mut {
	return func(p jm) {
		ys, _ := p["years"].([]any)
		for _, y := range ys {
			ym := y.(jm)
			if int(ym["year"].(float64)) == year {
				for i := 0; i < len(kv); i += 2 {
					if kv[i+1] == nil {
						delete(ym, kv[i].(string))
					} else {
						ym[kv[i].(string)] = kv[i+1]
					}
				}
				return
			}
		}
		panic("no year " + strconv.Itoa(year))
	}
}

// dropY removes a fiscal year.
func dropY(year int) mut {
	return func(p jm) {
		ys, _ := p["years"].([]any)
		var out []any
		for _, y := range ys {
			if int(y.(jm)["year"].(float64)) != year {
				out = append(out, y)
			}
		}
		p["years"] = out
	}
}

// set sets a dotted path ("niche.share"); nil deletes.
func set(path string, v any) mut {
	return func(p jm) {
		parts := strings.Split(path, ".")
		cur := p
		for _, k := range parts[:len(parts)-1] {
			nx, ok := cur[k].(jm)
			if !ok {
				nx = jm{}
				cur[k] = nx
			}
			cur = nx
		}
		if v == nil {
			delete(cur, parts[len(parts)-1])
		} else {
			cur[parts[len(parts)-1]] = v
		}
	}
}

// honors replaces the honors list with JSON objects.
func honors(hs ...string) mut {
	return func(p jm) {
		var out []any
		for _, h := range hs {
			out = append(out, parse(h))
		}
		p["honors"] = out
	}
}

// addHonor appends one honor.
func addHonor(h string) mut {
	return func(p jm) {
		hs, _ := p["honors"].([]any)
		p["honors"] = append(hs, parse(h))
	}
}

const clean = `{"abnormal_list":false,"serious_dishonesty":false,"prohibited_industry":false}`

// want is the expected result of one program.
type want struct {
	edition string             // "" = not checked
	status  string             // program status
	score   float64            // NaN = not checked
	route   string             // "" = not checked; "null" = must be null; "direct*" = prefix
	crit    map[string]string  // criterion id → status
	gaps    []string           // criterion ids whose gap must be a number
	pts     map[string]float64 // criterion id → points
	thr     map[string]float64 // criterion id → threshold
}

var noScore = math.NaN()

type specCase struct {
	name     string
	profile  jm
	asOf     string
	programs []string
	review   bool
	want     map[string]want // key: program id
}

// ---------------------------------------------------------------- profiles

// tech-sme base, as_of 2026-06-30 → 上年度 FY2025.
// 12/50 = 24% → 12; R&D 1.1M/20M = 5.5% → 40 (1.1M/18M cost = 6.1% → 0);
// 4 class II → 24. Score 76.
const techBase = `{"industry_code":"C3562","established":"2016-03-01",
 "years":[{"year":2025,"employees":50,"tech_staff":12,"rd_staff":8,"revenue":20000000,"main_revenue":18000000,
   "total_cost":18000000,"rd_expense":1100000,"domestic_rd_expense":1100000,"total_assets":30000000,
   "total_liabilities":12000000,"net_profit":1000000}],
 "ip":{"class1":0,"class1_high_value":0,"class1_self_developed":0,"class2":4},
 "compliance":` + clean + `}`

// low-score tech-sme: 6/50 = 12% → 4; R&D 0.1M/20M = 0.5% → 0; no IP → 0. Score 4.
var techLow = []mut{setY(2025, "tech_staff", 6, "rd_expense", 100000, "domestic_rd_expense", 100000),
	set("ip.class2", 0)}

// innovative-sme base, as_of 2026-06-30 (FY2025, growth 2024→2025).
// IP: class I 2 (not self-developed, not high-value) → 10; R&D 1.2M/30M = 4% → 15;
// growth 25.5/22 − 1 = 15.9% → 20; debt 20/40 = 50% → 10; strategic emerging → 10;
// main 25.5/30 = 85% → 20. Total 85; sub-scores 25/30/30.
const innovBase = `{"industry_code":"C3562","established":"2014-03-01",
 "niche":{"market":"传感器","since":"2016-01-01","strategic_emerging":true,"key_field":false,"gap_filling":false},
 "years":[
  {"year":2023,"employees":70,"revenue":22000000,"main_revenue":19000000,"rd_expense":800000,"total_assets":36000000,"total_liabilities":18000000,"equity_financing":0},
  {"year":2024,"employees":75,"revenue":26000000,"main_revenue":22000000,"rd_expense":1000000,"total_assets":38000000,"total_liabilities":19000000,"equity_financing":0},
  {"year":2025,"employees":80,"tech_staff":20,"revenue":30000000,"main_revenue":25500000,"rd_expense":1200000,"equity_financing":0,
   "total_assets":40000000,"total_liabilities":20000000,"net_profit":2000000}],
 "ip":{"class1":2,"class1_high_value":0,"class1_self_developed":0,"class2":5},
 "compliance":` + clean + `}`

// low innovative score: IP 0; R&D 0.1M/30M → 0; growth 2025 main 20M < 22M → 0;
// debt 32/40 = 80% → 0; not strategic → 5; main 20/30 = 66.7% → 15. Total 20.
var innovLow = []mut{set("ip.class1", 0), set("ip.class2", 0), set("niche.strategic_emerging", false),
	setY(2025, "rd_expense", 100000, "main_revenue", 20000000, "total_liabilities", 32000000)}

// specialized-sme 2022 base, as_of 2025-06-30 → FY2024; last 2 years 2023/2024.
// (1) main 34/40 = 85% → 5; (2) growth 30/25 = 20%, 34/30 = 13.3%, avg 16.7% → 10;
// (3) niche since 2019-03-01 → 5.8 y at 2024-12-31 → floor(5.8/2) = 2; (4) gap filling → 5;
// (5) digital 3 → 5; (6) qms + own brand = 6 → cap 5; (7) 4.4/40 = 11% → 10; (8) 20/50 = 40% → 5;
// (10) self-developed class I → 8; (11) 4.2M (400–500万 → 8) or 10.5% (≥10% → 10) → 10;
// (12) 30/150 = 20% → 5; (13) provincial R&D institution → 8. (9) provincial: 0.
// Score 78. A1 5.8 ≥ 2; A2 4.2M ≥ 100万 and 10.5% ≥ 3%; A3 40M ≥ 1000万.
const ss22Base = `{"industry_code":"C3562","established":"2012-01-01",
 "niche":{"market":"精密轴承","since":"2019-03-01","share":0.08,"domestic_rank":5,"key_field":true,"gap_filling":true,"strategic_emerging":true,"years_in_field":5},
 "years":[
  {"year":2022,"employees":130,"revenue":30000000,"main_revenue":25000000,"rd_expense":3000000},
  {"year":2023,"employees":140,"revenue":35000000,"main_revenue":30000000,"rd_expense":3500000,"total_assets":45000000,"total_liabilities":19000000,"equity_financing":0},
  {"year":2024,"employees":150,"equity_financing":0,"tech_staff":40,"rd_staff":30,"revenue":40000000,"main_revenue":34000000,"rd_expense":4200000,
   "domestic_rd_expense":4200000,"total_assets":50000000,"total_liabilities":20000000,"net_profit":4400000,"digital_level":3}],
 "ip":{"class1":2,"class1_high_value":0,"class1_self_developed":2,"class2":6},
 "honors":[{"kind":"qms_cert","level":"national","issued":"2023-01-01","expires":"2026-01-01"},
           {"kind":"own_brand","level":"national","issued":"2020-01-01"},
           {"kind":"rd_institution","level":"provincial","issued":"2021-01-01"}],
 "compliance":` + clean + `}`

// specialized-sme 2026 base, as_of 2026-06-30 → FY2025, last 2 years 2024/2025.
// S1 innovative_sme valid; S2 since 2020-01-01 → 6 y; S3 20M ≥ 1500万; S4 17/20 = 85%;
// S5 15/30 = 50%; S6 2024 1.0M & 5.88%, 2025 1.2M & 6%; S7 class I 1; S8 review; S9 55 ≥ 50.
const ss26Base = `{"industry_code":"C3562","established":"2014-01-01",
 "niche":{"market":"特种阀门","since":"2020-01-01","share":0.05,"domestic_rank":6,"key_field":true,"gap_filling":false,"strategic_emerging":true,"years_in_field":6},
 "years":[
  {"year":2023,"employees":55,"revenue":15000000,"main_revenue":12500000,"rd_expense":800000,"total_assets":26000000,"total_liabilities":13000000},
  {"year":2024,"employees":60,"revenue":17000000,"main_revenue":14000000,"rd_expense":1000000,"total_assets":28000000,"total_liabilities":14000000,"srdi_score":52,"equity_financing":0},
  {"year":2025,"employees":65,"equity_financing":0,"tech_staff":15,"rd_staff":10,"revenue":20000000,"main_revenue":17000000,"rd_expense":1200000,
   "domestic_rd_expense":1200000,"total_assets":30000000,"total_liabilities":15000000,"net_profit":1500000,"srdi_score":55,"digital_level":2}],
 "ip":{"class1":1,"class1_high_value":0,"class1_self_developed":1,"class2":3},
 "honors":[{"kind":"innovative_sme","level":"provincial","issued":"2024-01-01","expires":"2026-12-31"}],
 "compliance":` + clean + `}`

// little-giant 2022 base, as_of 2025-06-30 → FY2024, last 2 years 2023/2024.
// 专: since 2015 → 10 y ≥ 3; main 104/130 = 80% ≥ 70%; growth 92/80 = 15%, 104/92 = 13% → avg 14% ≥ 5%.
// 精: digital 3 (info system); qms_cert; debt 90/150 = 60% ≤ 70%.
// 特: share 15% ≥ 10%; own brand. 新: revenue 1.3亿 ≥ 1亿 → 4.6/115 = 4%, 5.2/130 = 4% ≥ 3%;
// R&D institution; class I 3 ≥ 2. 链/品: key_field & gap_filling declared true.
const lg22Base = `{"industry_code":"C3562","established":"2010-01-01",
 "niche":{"market":"液压件","since":"2015-01-01","share":0.15,"domestic_rank":2,"global_rank":8,"key_field":true,"gap_filling":true,"strategic_emerging":true,"years_in_field":10},
 "years":[
  {"year":2022,"employees":300,"revenue":100000000,"main_revenue":80000000,"rd_expense":3500000,"total_assets":110000000,"total_liabilities":60000000},
  {"year":2023,"employees":320,"revenue":115000000,"main_revenue":92000000,"rd_expense":4600000,"total_assets":120000000,"total_liabilities":70000000},
  {"year":2024,"employees":340,"tech_staff":80,"rd_staff":60,"revenue":130000000,"main_revenue":104000000,"rd_expense":5200000,
   "domestic_rd_expense":5200000,"total_assets":150000000,"total_liabilities":90000000,"net_profit":10000000,"digital_level":3}],
 "ip":{"class1":3,"class1_high_value":0,"class1_self_developed":3,"class2":10},
 "honors":[{"kind":"specialized_sme","level":"provincial","issued":"2023-07-01","expires":"2026-06-30"},
           {"kind":"qms_cert","level":"national","issued":"2022-01-01","expires":"2027-01-01"},
           {"kind":"own_brand","level":"national","issued":"2019-01-01"},
           {"kind":"rd_institution","level":"provincial","issued":"2020-01-01"}],
 "compliance":` + clean + `}`

// 5000万–1亿 tier: 2023 4.2/70 = 6%, 2024 4.6/80 = 5.75% < 6% → 新 general conditions fail.
var lgMidTier = []mut{
	setY(2022, "revenue", 60000000, "main_revenue", 50000000),
	setY(2023, "revenue", 70000000, "main_revenue", 57000000, "rd_expense", 4200000),
	setY(2024, "revenue", 80000000, "main_revenue", 64000000, "rd_expense", 4600000, "domestic_rd_expense", 4600000,
		"total_assets", 100000000, "total_liabilities", 60000000, "net_profit", 6000000)}

// little-giant 2026 base, as_of 2026-06-30 → FY2025, 2024; 2023 for growth.
// G1 specialized_sme valid, since 2018 → 8 y; G2a 72.6M ≥ 5000万; G2b 66/72.6 = 90.9%;
// G2c (72.6/60)^½ − 1 = 10% (year-on-year 10%, 10%); G2d 63/90 = 70%;
// G3 6.0 + 6.5 = 12.5M ≥ 1200万, 6/66 = 9.1%, 6.5/72.6 = 9.0%; G4 class I 4;
// G5 domestic rank 2 (share 8%) + reputation → review; G6 key_field; G7 65 ≥ 60.
const lg26Base = `{"industry_code":"C3562","established":"2010-01-01",
 "niche":{"market":"数控刀具","since":"2018-01-01","share":0.08,"domestic_rank":2,"global_rank":9,"key_field":true,"gap_filling":true,"strategic_emerging":true,"years_in_field":8},
 "years":[
  {"year":2023,"employees":250,"revenue":60000000,"main_revenue":56000000,"rd_expense":5000000,"total_assets":80000000,"total_liabilities":52000000,"srdi_score":58},
  {"year":2024,"employees":260,"revenue":66000000,"main_revenue":62000000,"rd_expense":6000000,"total_assets":85000000,"total_liabilities":58000000,"srdi_score":61},
  {"year":2025,"employees":280,"tech_staff":70,"rd_staff":50,"revenue":72600000,"main_revenue":66000000,"rd_expense":6500000,
   "domestic_rd_expense":6500000,"total_assets":90000000,"total_liabilities":63000000,"net_profit":6000000,"srdi_score":65,"digital_level":3}],
 "ip":{"class1":4,"class1_high_value":0,"class1_self_developed":4,"class2":12},
 "honors":[{"kind":"specialized_sme","level":"provincial","issued":"2024-01-01","expires":"2026-12-31"},
           {"kind":"innovative_sme","level":"provincial","issued":"2023-01-01","expires":"2025-12-31"}],
 "compliance":` + clean + `}`

// champion base, as_of 2026-06-30 → last 3 FY 2023–2025: main 380/420/460M → avg 420M ≥ 4亿;
// years_in_field 12 ≥ 10; global rank 2 ≤ 3; M4/M5 qualitative → review.
const champBase = `{"industry_code":"C3562","established":"2005-01-01",
 "niche":{"market":"盾构机主轴承","since":"2012-01-01","share":0.3,"domestic_rank":1,"global_rank":2,"key_field":true,"gap_filling":true,"strategic_emerging":true,"years_in_field":12},
 "years":[
  {"year":2023,"employees":1500,"revenue":400000000,"main_revenue":380000000,"rd_expense":16000000,"total_assets":700000000,"total_liabilities":350000000},
  {"year":2024,"employees":1550,"revenue":440000000,"main_revenue":420000000,"rd_expense":18000000,"total_assets":750000000,"total_liabilities":380000000},
  {"year":2025,"employees":1600,"tech_staff":300,"rd_staff":200,"revenue":480000000,"main_revenue":460000000,"rd_expense":20000000,
   "domestic_rd_expense":20000000,"total_assets":800000000,"total_liabilities":400000000,"net_profit":40000000}],
 "ip":{"class1":40,"class1_high_value":5,"class1_self_developed":35,"class2":100},
 "compliance":` + clean + `}`

// hnte base, as_of 2026-06-30 → last 3 FY 2023–2025.
// H1 since 2018; H4 15/100 = 15%; H5 6.1/115 = 5.30% ≥ 5% (latest revenue 45M ≤ 5000万);
// H6 100%; H7 30/45 = 66.7%; H8 expert → review.
const hnteBase = `{"industry_code":"C3562","established":"2018-03-01",
 "niche":{"market":"工业传感器","since":"2018-03-01","key_field":true,"strategic_emerging":true},
 "years":[
  {"year":2023,"employees":90,"tech_staff":14,"revenue":30000000,"main_revenue":28000000,"high_tech_revenue":20000000,"rd_expense":1600000,"domestic_rd_expense":1600000,"total_assets":40000000,"total_liabilities":15000000},
  {"year":2024,"employees":95,"tech_staff":15,"revenue":40000000,"main_revenue":37000000,"high_tech_revenue":26000000,"rd_expense":2100000,"domestic_rd_expense":2100000,"total_assets":50000000,"total_liabilities":18000000},
  {"year":2025,"employees":100,"tech_staff":15,"rd_staff":12,"revenue":45000000,"main_revenue":40000000,"high_tech_revenue":30000000,"rd_expense":2400000,
   "domestic_rd_expense":2400000,"total_assets":60000000,"total_liabilities":20000000,"net_profit":4000000}],
 "ip":{"class1":2,"class1_high_value":0,"class1_self_developed":2,"class2":5},
 "compliance":` + clean + `}`

// above-size base: FY2025 main revenue 2000万 exactly; no compliance block (statistical scope).
const aboveBase = `{"industry_code":"C3562","established":"2016-03-01",
 "years":[{"year":2025,"employees":80,"revenue":21000000,"main_revenue":20000000}]}`

func p(status string, score float64, route string) want {
	return want{status: status, score: score, route: route}
}

func (w want) ed(e string) want { w.edition = e; return w }
func (w want) c(kv ...string) want {
	if w.crit == nil {
		w.crit = map[string]string{}
	}
	for i := 0; i < len(kv); i += 2 {
		w.crit[kv[i]] = kv[i+1]
	}
	return w
}
func (w want) g(ids ...string) want { w.gaps = append(w.gaps, ids...); return w }
func (w want) pt(kv ...any) want {
	m := map[string]float64{}
	for k, v := range w.pts {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = float64(kv[i+1].(int))
	}
	w.pts = m
	return w
}
func (w want) th(id string, v float64) want {
	m := map[string]float64{id: v}
	for k, x := range w.thr {
		m[k] = x
	}
	w.thr = m
	return w
}

func one(id string, w want) map[string]want { return map[string]want{id: w} }

func specCases() []specCase {
	const as26 = "2026-06-30"
	const as25 = "2025-06-30"
	N := noScore
	hnteValid := `{"kind":"hnte","level":"national","issued":"2024-12-01","expires":"2027-11-30","number":"GR2024001"}`
	hnteExpired := `{"kind":"hnte","level":"national","issued":"2023-06-01","expires":"2026-05-31"}`

	return []specCase{
		// ------------------------------------------------------------ tech-sme
		{name: "tech/score-76", profile: build(techBase), asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("needs_review", 76, "score").ed("2017").c("declarations", "review", "employees", "pass", "revenue", "pass", "assets", "pass", "superdeduction", "pass", "no-major-incidents", "pass", "not-listed", "pass", "total-score", "pass", "direct-hnte", "fail").pt("tech-staff-score", 12, "rd-score", 40, "ip-score", 24))},
		// 10/40 = 25% → 16 (inclusive); 0.3M/10M = 3% → 20; 4 class II → 24: exactly 60.
		{name: "tech/boundary-60", profile: build(techBase, setY(2025, "employees", 40, "tech_staff", 10,
			"revenue", 10000000, "main_revenue", 9000000, "total_cost", 9000000, "rd_expense", 300000,
			"domestic_rd_expense", 300000, "total_assets", 15000000)), asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("needs_review", 60, "score").c("total-score", "pass").pt("tech-staff-score", 16, "rd-score", 20, "ip-score", 24))},
		// 10/101 = 9.9% → personnel 0 → fails although 0+50+30 = 80.
		{name: "tech/personnel-zero", profile: build(techBase, setY(2025, "employees", 101, "tech_staff", 10,
			"rd_expense", 1300000, "domestic_rd_expense", 1300000), set("ip.class1", 1)), asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("ineligible", 80, "null").c("tech-staff-score", "fail", "total-score", "pass").pt("tech-staff-score", 0, "rd-score", 50, "ip-score", 30).g("tech-staff-score"))},
		// employees 500, revenue 2亿 exactly pass; assets 2亿+1 fails B4.
		// 120/500 = 24% → 12; 11M/200M = 5.5% → 40; 24 → 76.
		{name: "tech/assets-cap", profile: build(techBase, setY(2025, "employees", 500, "tech_staff", 120,
			"revenue", 200000000, "main_revenue", 190000000, "total_cost", 190000000, "rd_expense", 11000000,
			"domestic_rd_expense", 11000000, "total_assets", 200000001, "total_liabilities", 100000000)),
			asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("ineligible", 76, "null").c("employees", "pass", "revenue", "pass", "assets", "fail").g("assets"))},
		{name: "tech/direct-hnte", profile: build(techBase, append(techLow, honors(hnteValid))...), asOf: as26,
			programs: []string{"tech-sme"}, want: one("tech-sme", p("needs_review", 4, "direct*").c("direct-hnte", "pass", "total-score", "fail"))},
		// national award rank 2 issued 2022-05-01: within 5 years of 2026-06-30. HNTE expired.
		{name: "tech/direct-national-award", profile: build(techBase, append(techLow, honors(hnteExpired,
			`{"kind":"sci_award","level":"national","issued":"2022-05-01","rank":2}`))...), asOf: as26,
			programs: []string{"tech-sme"}, want: one("tech-sme", p("needs_review", 4, "direct*").c("direct-award", "pass", "direct-hnte", "fail"))},
		// provincial award (not national), national award rank 4 (not top 3), HNTE expired → no 直通.
		{name: "tech/no-direct-awards", profile: build(techBase, append(techLow, honors(hnteExpired,
			`{"kind":"sci_award","level":"provincial","issued":"2025-05-01","rank":1}`,
			`{"kind":"sci_award","level":"national","issued":"2024-05-01","rank":4}`))...), asOf: as26,
			programs: []string{"tech-sme"}, want: one("tech-sme", p("ineligible", 4, "null").c("direct-award", "fail", "direct-hnte", "fail", "total-score", "fail"))},
		// provincial R&D institution, no time limit (115号 第八条).
		{name: "tech/direct-rd-institution", profile: build(techBase, append(techLow, honors(
			`{"kind":"rd_institution","level":"provincial","issued":"2010-01-01"}`))...), asOf: as26,
			programs: []string{"tech-sme"}, want: one("tech-sme", p("needs_review", 4, "direct*").c("direct-rd-institution", "pass"))},
		// industry standard led 2021-05-01 (> 5 years before 2026-06-30), city R&D institution → no 直通.
		{name: "tech/no-direct-old-standard", profile: build(techBase, append(techLow, honors(
			`{"kind":"standard_led","level":"industry","issued":"2021-05-01"}`,
			`{"kind":"rd_institution","level":"city","issued":"2020-01-01"}`))...), asOf: as26,
			programs: []string{"tech-sme"}, want: one("tech-sme", p("ineligible", 4, "null").c("direct-standard", "fail", "direct-rd-institution", "fail"))},
		// industry standard led 2023-03-01 → within 5 years → 直通.
		{name: "tech/direct-standard", profile: build(techBase, append(techLow, honors(
			`{"kind":"standard_led","level":"industry","issued":"2023-03-01"}`))...), asOf: as26,
			programs: []string{"tech-sme"}, want: one("tech-sme", p("needs_review", 4, "direct*").c("direct-standard", "pass"))},
		// major environmental incident 2025-08 (year before the filing year) → B6 fail.
		{name: "tech/incident-recent", profile: build(techBase, set("compliance.incidents",
			[]any{jm{"date": "2025-08-01", "kind": "environment", "major": true}})), asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("ineligible", 76, "").c("no-major-incidents", "fail"))},
		// major incident 2024-07 is outside "filing year and the year before" (2026, 2025).
		{name: "tech/incident-old", profile: build(techBase, set("compliance.incidents",
			[]any{jm{"date": "2024-07-01", "kind": "environment", "major": true}})), asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("needs_review", 76, "score").c("no-major-incidents", "pass"))},
		{name: "tech/no-compliance", profile: build(techBase, set("compliance", nil)), asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("insufficient_data", N, "").c("no-major-incidents", "missing", "not-listed", "missing", "products-allowed", "missing"))},
		{name: "tech/abnormal-list", profile: build(techBase, set("compliance.abnormal_list", true)), asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("ineligible", 76, "").c("not-listed", "fail"))},
		// only FY2023 in the profile; 上年度 for 2026-06-30 is 2025 → missing.
		{name: "tech/year-missing", profile: build(techBase, setY(2025, "year", 2023)), asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("insufficient_data", N, "").c("employees", "missing", "revenue", "missing", "assets", "missing", "tech-staff-score", "missing", "rd-score", "missing"))},
		// as_of 2025-03-01 → 上年度 = 2024.
		{name: "tech/as-of-2025", profile: build(techBase, setY(2025, "year", 2024)), asOf: "2025-03-01", programs: []string{"tech-sme"},
			want: one("tech-sme", p("needs_review", 76, "score").ed("2017"))},
		// wholesale (F) is excluded from the R&D super-deduction (67号 guide, B5').
		{name: "tech/excluded-industry", profile: build(techBase, set("industry_code", "F5179")), asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("ineligible", 76, "").c("superdeduction", "fail"))},
		// R&D via option 2: 1.0M/20M = 5% → 40 vs 1.0M/3.2M cost = 31% → 50 → score 12+50+24 = 86.
		{name: "tech/rd-cost-option", profile: build(techBase, setY(2025, "rd_expense", 1000000, "domestic_rd_expense", 1000000,
			"total_cost", 3200000)), asOf: as26, programs: []string{"tech-sme"},
			want: one("tech-sme", p("needs_review", 86, "score").pt("rd-score", 50))},

		// an HNTE certificate issued after as_of is not valid yet (issued ≤ as_of ≤ expires).
		{name: "tech/hnte-not-yet-valid", profile: build(techBase, append(techLow, honors(
			`{"kind":"hnte","level":"national","issued":"2026-07-01","expires":"2029-06-30"}`))...), asOf: as26,
			programs: []string{"tech-sme"}, want: one("tech-sme", p("ineligible", 4, "null").c("direct-hnte", "fail"))},

		// ------------------------------------------------------- innovative-sme
		{name: "innov/score-85", profile: build(innovBase), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("eligible", 85, "score").ed("2022").c("sme", "pass", "no-major-incidents", "pass", "innovation-subtotal", "pass", "growth-subtotal", "pass", "specialization-subtotal", "pass", "direct-financing", "fail").pt("ip-score", 10, "rd-score", 15, "growth-score", 20, "debt-score", 10, "field-score", 10, "main-share-score", 20))},
		// IP 0 + R&D 0.9M/30M = 3% → 15: 创新能力 15 < 20 although total 75.
		{name: "innov/submin-fail", profile: build(innovBase, set("ip.class1", 0), set("ip.class2", 0),
			setY(2025, "rd_expense", 900000)), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("ineligible", 75, "null").c("innovation-subtotal", "fail", "total-score", "pass", "direct-financing", "fail").g("innovation-subtotal"))},
		// all boundaries: class II → 5; 1.38M/46M = 3% → 15; 25.3/22 = +15% → 20; 30/40 = 75% → 5;
		// not strategic → 5; 25.3/46 = 55% → 10. Total 60, sub-scores 20/25/15.
		{name: "innov/boundary-60", profile: build(innovBase, set("ip.class1", 0), set("ip.class2", 1), set("niche.strategic_emerging", false),
			setY(2024, "employees", 60, "revenue", 26000000, "main_revenue", 22000000),
			setY(2025, "employees", 60, "revenue", 46000000, "main_revenue", 25300000, "rd_expense", 1380000,
				"total_assets", 40000000, "total_liabilities", 30000000)), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("eligible", 60, "score").c("innovation-subtotal", "pass", "growth-subtotal", "pass", "specialization-subtotal", "pass", "total-score", "pass").pt("ip-score", 5, "rd-score", 15, "growth-score", 20, "debt-score", 5, "field-score", 5, "main-share-score", 10))},
		// 直通 4: 2.0M (2023) + 3.0M (2025) = 500万 within 3 years.
		{name: "innov/direct-equity", profile: build(innovBase, append(innovLow, setY(2023, "equity_financing", 2000000),
			setY(2025, "equity_financing", 3000000))...), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("eligible", 20, "direct*").c("direct-financing", "pass", "total-score", "fail"))},
		{name: "innov/equity-short", profile: build(innovBase, append(innovLow, setY(2023, "equity_financing", 2000000),
			setY(2025, "equity_financing", 2999999))...), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("ineligible", 20, "null").c("direct-financing", "fail").g("direct-financing"))},
		{name: "innov/direct-provincial-award", profile: build(innovBase, append(innovLow, honors(
			`{"kind":"sci_award","level":"provincial","issued":"2023-09-01","rank":5}`))...), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("eligible", 20, "direct*").c("direct-award", "pass"))},
		// award 2023-05-01 is more than 3 years before 2026-06-30.
		{name: "innov/award-too-old", profile: build(innovBase, append(innovLow, honors(
			`{"kind":"sci_award","level":"provincial","issued":"2023-05-01","rank":1}`))...), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("ineligible", 20, "null").c("direct-award", "fail"))},
		{name: "innov/direct-hnte", profile: build(innovBase, append(innovLow, honors(hnteValid))...), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("eligible", 20, "direct*").c("direct-title", "pass"))},
		// major safety incident 2024-03 is within the last 3 years.
		{name: "innov/incident-3y", profile: build(innovBase, set("compliance.incidents",
			[]any{jm{"date": "2024-03-01", "kind": "safety", "major": true}})), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("ineligible", 85, "").c("no-major-incidents", "fail"))},
		// employees 1000 and revenue 4亿 exactly: not an industrial SME (<1000 or <4亿).
		{name: "innov/not-sme", profile: build(innovBase,
			setY(2024, "employees", 950, "revenue", 350000000, "main_revenue", 299000000),
			setY(2025, "employees", 1000, "revenue", 400000000, "main_revenue", 345000000, "rd_expense", 16000000,
				"total_assets", 500000000, "total_liabilities", 250000000)), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("ineligible", 85, "").c("sme", "fail"))},

		// 直通 4 with FY2024 equity unknown: the known years already sum to 500万
		// (amounts are non-negative), so the condition is decided → pass.
		{name: "innov/direct-equity-partial-years", profile: build(innovBase, append(innovLow, setY(2023, "equity_financing", 2000000),
			setY(2024, "equity_financing", nil), setY(2025, "equity_financing", 3000000))...), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("eligible", 20, "direct*").c("direct-financing", "pass"))},
		// score route fails, equity financing not given at all → the only open route rests on
		// absent data → insufficient_data (SPEC §3: absent is unknown, never a silent fail).
		{name: "innov/no-equity-data", profile: build(innovBase, append(innovLow, setY(2023, "equity_financing", nil),
			setY(2024, "equity_financing", nil), setY(2025, "equity_financing", nil))...), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("insufficient_data", 20, "null").c("direct-financing", "missing"))},
		// software (I65): SME only if < 300 people or < 1亿 revenue; 300 and 1亿 → not an SME.
		{name: "innov/software-not-sme", profile: build(innovBase, set("industry_code", "I6513"),
			setY(2024, "employees", 280, "revenue", 90000000, "main_revenue", 70000000),
			setY(2025, "employees", 300, "revenue", 100000000, "main_revenue", 85000000, "rd_expense", 5000000,
				"total_assets", 120000000, "total_liabilities", 50000000)), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("ineligible", N, "").c("sme", "fail"))},
		{name: "innov/software-sme", profile: build(innovBase, set("industry_code", "I6513"),
			setY(2024, "employees", 280, "revenue", 90000000, "main_revenue", 70000000),
			setY(2025, "employees", 299, "revenue", 100000000, "main_revenue", 85000000, "rd_expense", 5000000,
				"total_assets", 120000000, "total_liabilities", 50000000)), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("eligible", N, "").c("sme", "pass"))},

		// IP tiers: self-developed class I → 15 (score 90); high-value → 20 (score 95).
		{name: "innov/ip-self-developed", profile: build(innovBase, set("ip.class1_self_developed", 1)), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("eligible", 90, "score").pt("ip-score", 15))},
		{name: "innov/ip-high-value", profile: build(innovBase, set("ip.class1_self_developed", 1), set("ip.class1_high_value", 1)), asOf: as26, programs: []string{"innovative-sme"},
			want: one("innovative-sme", p("eligible", 95, "score").pt("ip-score", 20))},

		// ------------------------------------------------------ specialized-sme 2022
		{name: "ss22/score-78", profile: build(ss22Base), asOf: as25, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("eligible", 78, "score").ed("2022").c("years-in-niche", "pass", "rd-expense", "pass", "rd-ratio", "pass", "revenue-threshold", "pass", "total-score", "pass", "direct-rd-expense", "fail").pt("main-share-score", 5, "growth-score", 10, "niche-score", 2, "field-score", 5, "digital-score", 5, "quality-score", 5, "profit-score", 10, "debt-score", 5, "ip-score", 8, "rd-score", 10, "rd-staff-score", 5, "rd-institution-score", 8))},
		// 直通 2: avg R&D (9M + 11M)/2 = 1000万. Score: niche 2.6 y → 1; R&D 11% → 10; rest 0 → 11.
		{name: "ss22/direct-rd-avg", profile: build(ss22Base,
			set("niche.since", "2022-06-01"), set("niche.years_in_field", 2), set("niche.key_field", false), set("niche.gap_filling", false),
			set("ip.class1", 0), set("ip.class1_self_developed", 0), set("ip.class2", 0), honors(),
			setY(2022, "revenue", 95000000, "main_revenue", 50000000),
			setY(2023, "revenue", 98000000, "main_revenue", 49000000, "rd_expense", 9000000),
			setY(2024, "employees", 200, "tech_staff", 30, "rd_staff", 8, "revenue", 100000000, "main_revenue", 48000000,
				"rd_expense", 11000000, "domestic_rd_expense", 11000000, "total_assets", 100000000, "total_liabilities", 75000000,
				"net_profit", 1000000, "digital_level", 1)), asOf: as25, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("eligible", 11, "direct*").c("direct-rd-expense", "pass", "total-score", "fail", "years-in-niche", "pass"))},
		// A2: R&D 99万 < 100万 (and 2.5% < 3%); score drops to 68 (R&D indicator 0).
		{name: "ss22/rd-below-1m", profile: build(ss22Base, setY(2024, "rd_expense", 990000, "domestic_rd_expense", 990000)),
			asOf: as25, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", 68, "").c("rd-expense", "fail", "rd-ratio", "fail").g("rd-expense", "rd-ratio"))},
		// A3 via financing: revenue 800万 < 1000万, equity 12M (2023) + 8M (2024) = 2000万.
		// Score: 90% → 5; growth 20%/20% → 10; niche 8.99 y → 4; key_field → 3; digital 2 → 3; qms → 3;
		// 0.5/8 = 6.25% → 6; 9/20 = 45% → 5; self-dev class I → 8; R&D 12.5% → 10; 8/40 = 20% → 5; city inst. → 4 = 66.
		{name: "ss22/financing-route", profile: build(ss22Base,
			set("niche.since", "2016-01-01"), set("niche.years_in_field", 9), set("niche.gap_filling", false),
			set("ip.class1", 1), set("ip.class1_self_developed", 1), set("ip.class2", 2),
			honors(`{"kind":"qms_cert","level":"national","issued":"2022-01-01","expires":"2027-01-01"}`,
				`{"kind":"rd_institution","level":"city","issued":"2020-01-01"}`),
			setY(2022, "employees", 30, "revenue", 6000000, "main_revenue", 5000000, "rd_expense", 600000),
			setY(2023, "employees", 35, "revenue", 7000000, "main_revenue", 6000000, "rd_expense", 800000, "equity_financing", 12000000),
			setY(2024, "employees", 40, "tech_staff", 12, "rd_staff", 8, "revenue", 8000000, "main_revenue", 7200000,
				"rd_expense", 1000000, "domestic_rd_expense", 1000000, "total_assets", 20000000, "total_liabilities", 9000000,
				"net_profit", 500000, "equity_financing", 8000000, "digital_level", 2)), asOf: as25, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("eligible", 66, "score").c("revenue-threshold", "pass", "rd-expense", "pass").pt("main-share-score", 5, "growth-score", 10, "niche-score", 4, "field-score", 3, "digital-score", 3, "quality-score", 3, "profit-score", 6, "debt-score", 5, "ip-score", 8, "rd-score", 10, "rd-staff-score", 5, "rd-institution-score", 4))},
		// revenue 800万, no financing → A3 fails.
		{name: "ss22/revenue-below-10m", profile: build(ss22Base,
			setY(2024, "revenue", 8000000, "main_revenue", 7200000, "rd_expense", 1000000, "domestic_rd_expense", 1000000, "net_profit", 900000)),
			asOf: as25, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").c("revenue-threshold", "fail").g("revenue-threshold"))},
		// as_of 2026-03-31 → still the 2022 edition.
		{name: "ss22/edition-before-switch", profile: build(ss26Base), asOf: "2026-03-31", programs: []string{"specialized-sme"},
			want: one("specialized-sme", want{edition: "2022", score: N})},
		{name: "ss22/explicit-edition", profile: build(ss26Base), asOf: as26, programs: []string{"specialized-sme@2022"},
			want: one("specialized-sme", want{edition: "2022", score: N})},

		// national-table score 52 < 60, but the provincial 特色化 item (≤15) is not computable:
		// 52 + 15 ≥ 60, so the score condition cannot be decided → review (not fail).
		{name: "ss22/score-52-needs-province", profile: build(ss26Base), asOf: "2026-03-31", programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("needs_review", 52, "").ed("2022").c("total-score", "review", "distinct-score", "review"))},
		// 复核 before 2026-04-01 → 2022 edition.
		{name: "ss22/review-before-switch", profile: build(ss22Base), asOf: as25, programs: []string{"specialized-sme"}, review: true,
			want: one("specialized-sme", want{edition: "2022", score: N})},

		// 直通 1: provincial award rank 3 (2023-01) within 3 years of 2025-06-30; score alone 11.
		{name: "ss22/direct-provincial-award-rank3", profile: build(ss22Base,
			set("niche.since", "2022-06-01"), set("niche.years_in_field", 2), set("niche.key_field", false), set("niche.gap_filling", false),
			set("ip.class1", 0), set("ip.class1_self_developed", 0), set("ip.class2", 0),
			honors(`{"kind":"sci_award","level":"provincial","issued":"2023-01-01","rank":3}`),
			setY(2022, "revenue", 95000000, "main_revenue", 50000000),
			setY(2023, "revenue", 98000000, "main_revenue", 49000000, "rd_expense", 5000000),
			setY(2024, "employees", 200, "tech_staff", 30, "rd_staff", 8, "revenue", 100000000, "main_revenue", 48000000,
				"rd_expense", 11000000, "domestic_rd_expense", 11000000, "total_assets", 100000000, "total_liabilities", 75000000,
				"net_profit", 1000000, "digital_level", 1)), asOf: as25, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("eligible", 11, "direct*").c("direct-award", "pass", "direct-rd-expense", "fail"))},
		// provincial award rank 4 → not top 3 → no 直通 (avg R&D 8M < 1000万).
		{name: "ss22/provincial-award-rank4", profile: build(ss22Base,
			set("niche.since", "2022-06-01"), set("niche.years_in_field", 2), set("niche.key_field", false), set("niche.gap_filling", false),
			set("ip.class1", 0), set("ip.class1_self_developed", 0), set("ip.class2", 0),
			honors(`{"kind":"sci_award","level":"provincial","issued":"2023-01-01","rank":4}`),
			setY(2022, "revenue", 95000000, "main_revenue", 50000000),
			setY(2023, "revenue", 98000000, "main_revenue", 49000000, "rd_expense", 5000000),
			setY(2024, "employees", 200, "tech_staff", 30, "rd_staff", 8, "revenue", 100000000, "main_revenue", 48000000,
				"rd_expense", 11000000, "domestic_rd_expense", 11000000, "total_assets", 100000000, "total_liabilities", 75000000,
				"net_profit", 1000000, "digital_level", 1)), asOf: as25, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", 11, "null").c("direct-award", "fail"))},

		// ------------------------------------------------------ specialized-sme 2026
		{name: "ss26/all-pass", profile: build(ss26Base), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("needs_review", N, "").ed("2026").c("tech-or-innovative", "pass", "years-in-niche", "pass", "revenue-threshold", "pass", "main-share", "pass", "debt-ratio", "pass", "rd-input-prev", "pass", "rd-input-prev2", "pass", "class1-ip", "pass", "market-position", "review", "srdi-score", "pass"))},
		{name: "ss26/edition-on-switch-day", profile: build(ss26Base), asOf: "2026-04-01", programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("needs_review", N, "").ed("2026"))},
		{name: "ss26/no-prerequisite", profile: build(ss26Base, honors()), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").ed("2026").c("tech-or-innovative", "fail"))},
		{name: "ss26/tech-sme-title", profile: build(ss26Base, honors(
			`{"kind":"tech_sme","level":"national","issued":"2026-05-01","expires":"2026-12-31"}`)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("needs_review", N, "").c("tech-or-innovative", "pass"))},
		{name: "ss26/tech-sme-expired", profile: build(ss26Base, honors(
			`{"kind":"tech_sme","level":"national","issued":"2025-05-01","expires":"2025-12-31"}`)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").c("tech-or-innovative", "fail"))},
		// 科技型 registration is valid for its calendar year only (criteria §1.4, §9.6).
		{name: "ss26/tech-sme-no-expiry-last-year", profile: build(ss26Base, honors(
			`{"kind":"tech_sme","level":"national","issued":"2025-05-01"}`)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").c("tech-or-innovative", "fail"))},
		// S4: 15.98/20 = 79.9% < 80%.
		{name: "ss26/main-share-79.9", profile: build(ss26Base, setY(2025, "main_revenue", 15980000)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").c("main-share", "fail").g("main-share"))},
		// S6 per year: 2024 0.493M / 17M = 2.9% and < 100万.
		{name: "ss26/rd-2024-short", profile: build(ss26Base, setY(2024, "rd_expense", 493000)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").c("rd-input-prev", "pass", "rd-input-prev2", "fail").g("rd-input-prev2"))},
		// S7 exemption (b): provincial R&D institution.
		{name: "ss26/ip-exempt-institution", profile: build(ss26Base, set("ip.class1", 0), set("ip.class1_self_developed", 0),
			addHonor(`{"kind":"rd_institution","level":"provincial","issued":"2019-01-01"}`)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("needs_review", N, "").c("class1-ip", "pass"))},
		{name: "ss26/ip-none-city-institution", profile: build(ss26Base, set("ip.class1", 0), set("ip.class1_self_developed", 0),
			addHonor(`{"kind":"rd_institution","level":"city","issued":"2019-01-01"}`)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").c("class1-ip", "fail").g("class1-ip"))},
		// S7 exemption (a): provincial award, rank 2, 2024.
		{name: "ss26/ip-exempt-award", profile: build(ss26Base, set("ip.class1", 0), set("ip.class1_self_developed", 0),
			addHonor(`{"kind":"sci_award","level":"provincial","issued":"2024-05-01","rank":2}`)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("needs_review", N, "").c("class1-ip", "pass"))},
		{name: "ss26/srdi-49.9", profile: build(ss26Base, setY(2025, "srdi_score", 49.9)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").c("srdi-score", "fail").g("srdi-score"))},
		{name: "ss26/srdi-missing", profile: build(ss26Base, setY(2025, "srdi_score", nil)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("insufficient_data", N, "").c("srdi-score", "missing"))},
		// S5: 24.03/30 = 80.1% > 80%.
		{name: "ss26/debt-80.1", profile: build(ss26Base, setY(2025, "total_liabilities", 24030000)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").c("debt-ratio", "fail").g("debt-ratio"))},
		// S3: 1499万 < 1500万, no financing (main 85%, R&D 8%).
		{name: "ss26/revenue-14.99m", profile: build(ss26Base, setY(2025, "revenue", 14990000, "main_revenue", 12741500)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").c("revenue-threshold", "fail").g("revenue-threshold"))},
		// S3 via financing: revenue 1499万 but 2000万 paid in over 2024–2025.
		{name: "ss26/revenue-low-financed", profile: build(ss26Base, setY(2025, "revenue", 14990000, "main_revenue", 12741500, "equity_financing", 15000000),
			setY(2024, "equity_financing", 5000000)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("needs_review", N, "").c("revenue-threshold", "pass"))},
		// 复核: 2025 score 45 < 50 but 2024 score 52 ≥ 50 → passes; without 复核 fails.
		{name: "ss26/review-either-year", profile: build(ss26Base, setY(2025, "srdi_score", 45),
			addHonor(`{"kind":"specialized_sme","level":"provincial","issued":"2023-07-01","expires":"2026-06-30"}`)),
			asOf: as26, programs: []string{"specialized-sme"}, review: true,
			want: one("specialized-sme", p("needs_review", N, "").ed("2026").c("srdi-score", "pass"))},
		{name: "ss26/no-review-latest-year", profile: build(ss26Base, setY(2025, "srdi_score", 45),
			addHonor(`{"kind":"specialized_sme","level":"provincial","issued":"2023-07-01","expires":"2026-06-30"}`)),
			asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").ed("2026").c("srdi-score", "fail"))},

		{name: "ss26/no-compliance", profile: build(ss26Base, set("compliance", nil)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("insufficient_data", N, "").c("no-major-incidents", "missing", "not-listed", "missing"))},
		// S2: niche since 2023-06-01 → 2.6 years at 2025-12-31 < 3.
		{name: "ss26/niche-2.6y", profile: build(ss26Base, set("niche.since", "2023-06-01"), set("niche.years_in_field", 2)), asOf: as26, programs: []string{"specialized-sme"},
			want: one("specialized-sme", p("ineligible", N, "").c("years-in-niche", "fail").g("years-in-niche"))},

		// ------------------------------------------------------ little-giant 2022
		{name: "lg22/all-pass", profile: build(lg22Base), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("needs_review", N, "").ed("2022").c("specialized-sme", "pass", "years-in-niche", "pass", "main-share", "pass", "main-growth", "pass", "debt-ratio", "pass", "niche-share", "pass", "reputation", "review", "own-brand", "pass", "mgmt-cert", "pass", "rd-ratio", "pass", "rd-institution", "pass", "ip-class1", "pass"))},
		{name: "lg22/no-specialized-title", profile: build(lg22Base, honors(
			`{"kind":"qms_cert","level":"national","issued":"2022-01-01","expires":"2027-01-01"}`,
			`{"kind":"own_brand","level":"national","issued":"2019-01-01"}`,
			`{"kind":"rd_institution","level":"provincial","issued":"2020-01-01"}`)), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("specialized-sme", "fail"))},
		{name: "lg22/mid-tier-rd-short", profile: build(lg22Base, lgMidTier...), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("rd-ratio", "fail").g("rd-ratio"))},
		{name: "lg22/mid-tier-national-award", profile: build(lg22Base, append(lgMidTier,
			addHonor(`{"kind":"sci_award","level":"national","issued":"2023-01-01","rank":2}`))...), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("needs_review", N, "").c("rd-ratio", "fail", "direct-sci-award", "pass"))},
		{name: "lg22/mid-tier-chuangke50", profile: build(lg22Base, append(lgMidTier,
			addHonor(`{"kind":"chuangke_top50","level":"national","issued":"2022-09-01"}`))...), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("needs_review", N, "").c("direct-chuangke", "pass"))},
		// 2023 R&D 4.1M/70M = 5.86% < 6%, 2024 4.8M/80M = 6% → "each of the last 2 years" fails.
		{name: "lg22/mid-tier-one-year-short", profile: build(lg22Base, append(lgMidTier,
			setY(2023, "rd_expense", 4100000), setY(2024, "rd_expense", 4800000, "domestic_rd_expense", 4800000))...), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("rd-ratio", "fail"))},
		// 2022 requires national share ≥ 10%; domestic rank 2 does not substitute.
		{name: "lg22/share-9pct", profile: build(lg22Base, set("niche.share", 0.09)), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("niche-share", "fail").g("niche-share"))},
		{name: "lg22/debt-70.1", profile: build(lg22Base, setY(2024, "total_liabilities", 105150000)), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("debt-ratio", "fail").g("debt-ratio"))},
		{name: "lg22/debt-70.0", profile: build(lg22Base, setY(2024, "total_liabilities", 105000000)), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("needs_review", N, "").c("debt-ratio", "pass"))},
		// class I 1 < 2.
		{name: "lg22/class1-one", profile: build(lg22Base, set("ip.class1", 1), set("ip.class1_self_developed", 1)), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("ip-class1", "fail").g("ip-class1"))},
		// avg main growth: 82/80 = 2.5%, 84/82 = 2.4% → 2.45% < 5%.
		{name: "lg22/growth-low", profile: build(lg22Base, setY(2023, "main_revenue", 82000000), setY(2024, "main_revenue", 84000000, "revenue", 110000000)),
			asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("main-growth", "fail").g("main-growth"))},

		// no qms_cert: the product may be certified abroad instead (not in the profile) → review;
		// no own_brand honor → 品牌 fails.
		{name: "lg22/no-cert-no-brand", profile: build(lg22Base, honors(
			`{"kind":"specialized_sme","level":"provincial","issued":"2023-07-01","expires":"2026-06-30"}`,
			`{"kind":"rd_institution","level":"provincial","issued":"2020-01-01"}`)), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("mgmt-cert", "review", "own-brand", "fail"))},
		// 复核 before the switch date: still the 2022 edition.
		{name: "lg22/review-2025", profile: build(lg22Base), asOf: as25, programs: []string{"little-giant"}, review: true,
			want: one("little-giant", p("needs_review", N, "").ed("2022"))},

		// revenue < 5000万 tier: equity 50M + 30M = 8000万, R&D 14M + 16M = 3000万, R&D staff 170/340 = 50%.
		{name: "lg22/small-tier-financed", profile: build(lg22Base,
			setY(2022, "revenue", 36000000, "main_revenue", 30000000),
			setY(2023, "revenue", 40000000, "main_revenue", 34000000, "rd_expense", 14000000, "equity_financing", 50000000),
			setY(2024, "revenue", 45000000, "main_revenue", 38000000, "rd_expense", 16000000, "domestic_rd_expense", 16000000,
				"rd_staff", 170, "equity_financing", 30000000, "net_profit", 2000000)), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("needs_review", N, ""))},
		// same, R&D staff 169/340 = 49.7% < 50%.
		{name: "lg22/small-tier-staff-short", profile: build(lg22Base,
			setY(2022, "revenue", 36000000, "main_revenue", 30000000),
			setY(2023, "revenue", 40000000, "main_revenue", 34000000, "rd_expense", 14000000, "equity_financing", 50000000),
			setY(2024, "revenue", 45000000, "main_revenue", 38000000, "rd_expense", 16000000, "domestic_rd_expense", 16000000,
				"rd_staff", 169, "equity_financing", 30000000, "net_profit", 2000000)), asOf: as25, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, ""))},

		// ------------------------------------------------------ little-giant 2026
		{name: "lg26/all-pass", profile: build(lg26Base), asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("needs_review", N, "").ed("2026").c("specialized-sme", "pass", "years-in-niche", "pass", "revenue-floor", "pass", "main-share", "pass", "revenue-growth", "pass", "debt-ratio", "pass", "rd-input", "pass", "ip-class1", "pass", "market-position", "pass", "reputation", "review", "srdi-score", "pass").th("market-position", 3))},
		{name: "lg26/no-specialized-title", profile: build(lg26Base, honors()), asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("specialized-sme", "fail"))},
		// G3: 5.49 + 6.5 = 11.99M < 1200万.
		{name: "lg26/rd-sum-short", profile: build(lg26Base, setY(2024, "rd_expense", 5490000)), asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("rd-input", "fail").g("rd-input"))},
		// G4: class I 2, exempt by national award rank 3 (2024).
		{name: "lg26/ip-exempt-national-award", profile: build(lg26Base, set("ip.class1", 2), set("ip.class1_self_developed", 2),
			addHonor(`{"kind":"sci_award","level":"national","issued":"2024-01-01","rank":3}`)), asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("needs_review", N, "").c("ip-class1", "pass"))},
		{name: "lg26/ip-provincial-award-no-exempt", profile: build(lg26Base, set("ip.class1", 2), set("ip.class1_self_developed", 2),
			addHonor(`{"kind":"sci_award","level":"provincial","issued":"2024-01-01","rank":1}`)), asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("ip-class1", "fail").g("ip-class1"))},
		// G2b: 65.27/72.6 = 89.9%.
		{name: "lg26/main-share-89.9", profile: build(lg26Base, setY(2025, "main_revenue", 65270000)), asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("main-share", "fail").g("main-share"))},
		// G2a: 4999万 < 5000万.
		{name: "lg26/revenue-49.99m", profile: build(lg26Base, setY(2025, "revenue", 49990000, "main_revenue", 45000000)), asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("revenue-floor", "fail").g("revenue-floor"))},
		// G5: share 8%, domestic rank 4 → neither ≥10% nor top 3.
		{name: "lg26/market-position-fail", profile: build(lg26Base, set("niche.domestic_rank", 4)), asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("market-position", "fail").g("market-position"))},
		// G2c: 2023 revenue 80M → (72.6/80)^½ − 1 = −4.7% → fail; G7 2025 58 < 60.
		{name: "lg26/growth-negative", profile: build(lg26Base, setY(2023, "revenue", 80000000), setY(2025, "srdi_score", 58)),
			asOf: as26, programs: []string{"little-giant@2026"},
			want: one("little-giant", p("ineligible", N, "").ed("2026").c("revenue-growth", "fail", "srdi-score", "fail").g("revenue-growth", "srdi-score"))},
		// 复核 on the 2026 edition: G2c not tested, G7 either year (61 in 2024).
		{name: "lg26/review-skips-growth", profile: build(lg26Base, setY(2023, "revenue", 80000000), setY(2025, "srdi_score", 58)),
			asOf: as26, programs: []string{"little-giant@2026"}, review: true,
			want: one("little-giant", p("needs_review", N, "").ed("2026").c("srdi-score", "pass"))},
		// 2026 复核 of 小巨人 uses the 63号 standard (117号 notice).
		{name: "lg26/review-uses-2022", profile: build(lg26Base), asOf: as26, programs: []string{"little-giant"}, review: true,
			want: one("little-giant", want{edition: "2022", score: N})},
		{name: "lg26/srdi-missing", profile: build(lg26Base, setY(2025, "srdi_score", nil)), asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("insufficient_data", N, "").c("srdi-score", "missing"))},

		// G3: sum 1.9 + 10.2 = 12.1M ≥ 1200万 but 2024 ratio 1.9/66 = 2.9% < 3%.
		{name: "lg26/rd-year-ratio-short", profile: build(lg26Base, setY(2024, "rd_expense", 1900000),
			setY(2025, "rd_expense", 10200000, "domestic_rd_expense", 10200000)), asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, ""))},
		// holding a valid 单项冠军 title → not recommended (117号).
		{name: "lg26/already-champion", profile: build(lg26Base, addHonor(`{"kind":"champion","level":"national","issued":"2024-01-01","expires":"2026-12-31"}`)),
			asOf: as26, programs: []string{"little-giant"},
			want: one("little-giant", p("ineligible", N, "").c("not-champion", "fail"))},

		// ------------------------------------------------------ champion
		{name: "champ/pass", profile: build(champBase), asOf: as26, programs: []string{"champion"},
			want: one("champion", p("needs_review", N, "").ed("2023").c("years-in-field", "pass", "main-revenue", "pass", "global-rank", "pass").th("global-rank", 3))},
		{name: "champ/global-rank-4", profile: build(champBase, set("niche.global_rank", 4)), asOf: as26, programs: []string{"champion"},
			want: one("champion", p("ineligible", N, "").c("global-rank", "fail").g("global-rank").th("global-rank", 3))},
		// avg main 3.5亿, no 专精特新 title → M2 fails.
		{name: "champ/revenue-350m", profile: build(champBase, setY(2023, "main_revenue", 330000000), setY(2024, "main_revenue", 350000000),
			setY(2025, "main_revenue", 370000000)), asOf: as26, programs: []string{"champion"},
			want: one("champion", p("ineligible", N, "").c("main-revenue-floor", "fail").g("main-revenue-floor"))},
		// avg 3.5亿 with a provincial 专精特新 title → M2' unverified relaxation → manual review.
		{name: "champ/revenue-350m-specialized", profile: build(champBase, setY(2023, "main_revenue", 330000000), setY(2024, "main_revenue", 350000000),
			setY(2025, "main_revenue", 370000000), honors(`{"kind":"specialized_sme","level":"provincial","issued":"2024-01-01","expires":"2026-12-31"}`)),
			asOf: as26, programs: []string{"champion"},
			want: one("champion", p("needs_review", N, "").c("main-revenue", "review"))},
		{name: "champ/years-4", profile: build(champBase, set("niche.years_in_field", 4), set("niche.since", "2021-06-01")), asOf: as26, programs: []string{"champion"},
			want: one("champion", p("ineligible", N, "").c("years-in-field-min", "fail").g("years-in-field-min"))},
		// 7 years: enough only for a new product (≥5), which the profile cannot say → review.
		{name: "champ/years-7", profile: build(champBase, set("niche.years_in_field", 7), set("niche.since", "2018-06-01")), asOf: as26, programs: []string{"champion"},
			want: one("champion", p("needs_review", N, "").c("years-in-field", "review"))},
		{name: "champ/two-years-only", profile: build(champBase, dropY(2023)), asOf: as26, programs: []string{"champion"},
			want: one("champion", p("insufficient_data", N, "").c("main-revenue", "missing"))},
		{name: "champ/global-rank-absent", profile: build(champBase, set("niche.global_rank", nil)), asOf: as26, programs: []string{"champion"},
			want: one("champion", p("insufficient_data", N, "").c("global-rank", "missing"))},
		{name: "champ/no-compliance", profile: build(champBase, set("compliance", nil)), asOf: as26, programs: []string{"champion"},
			want: one("champion", p("insufficient_data", N, "").c("no-major-incidents", "missing", "not-listed", "missing"))},

		// ------------------------------------------------------ hnte
		{name: "hnte/pass", profile: build(hnteBase), asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("needs_review", N, "").ed("2016").c("established", "pass", "ip", "pass", "tech-staff", "pass", "rd-ratio", "pass", "domestic-rd", "pass", "high-tech-revenue", "pass", "innovation", "review").th("rd-ratio", 0.05))},
		// latest revenue 5000万 exactly → 5% tier; 5.88/135 = 4.36% → fail.
		{name: "hnte/rd-tier-50m", profile: build(hnteBase,
			setY(2023, "revenue", 40000000, "rd_expense", 1700000, "domestic_rd_expense", 1700000),
			setY(2024, "revenue", 45000000, "rd_expense", 1900000, "domestic_rd_expense", 1900000),
			setY(2025, "revenue", 50000000, "high_tech_revenue", 35000000, "rd_expense", 2280000, "domestic_rd_expense", 2280000)),
			asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("ineligible", N, "").c("rd-ratio", "fail").g("rd-ratio").th("rd-ratio", 0.05))},
		// latest revenue 5000万+1 → 4% tier → 4.36% passes.
		{name: "hnte/rd-tier-50m-plus-1", profile: build(hnteBase,
			setY(2023, "revenue", 40000000, "rd_expense", 1700000, "domestic_rd_expense", 1700000),
			setY(2024, "revenue", 45000000, "rd_expense", 1900000, "domestic_rd_expense", 1900000),
			setY(2025, "revenue", 50000001, "high_tech_revenue", 35000000, "rd_expense", 2280000, "domestic_rd_expense", 2280000)),
			asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("needs_review", N, "").c("rd-ratio", "pass").th("rd-ratio", 0.04))},
		{name: "hnte/too-young", profile: build(hnteBase, set("established", "2025-12-01"), dropY(2023), dropY(2024)), asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("ineligible", N, "").c("established", "fail").g("established"))},
		// exactly 365 days registered; only one fiscal year (use actual years).
		{name: "hnte/365-days", profile: build(hnteBase, set("established", "2025-06-30"), dropY(2023), dropY(2024),
			setY(2025, "employees", 20, "tech_staff", 4, "revenue", 10000000, "main_revenue", 9000000, "high_tech_revenue", 7000000,
				"rd_expense", 600000, "domestic_rd_expense", 600000)), asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("needs_review", N, "").c("established", "pass", "rd-ratio", "pass"))},
		// domestic 3.4/6.1 = 55.7% < 60%.
		{name: "hnte/domestic-rd-low", profile: build(hnteBase, setY(2023, "domestic_rd_expense", 900000),
			setY(2024, "domestic_rd_expense", 1200000), setY(2025, "domestic_rd_expense", 1300000)), asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("ineligible", N, "").c("domestic-rd", "fail").g("domestic-rd"))},
		// high-tech 26.55/45 = 59%.
		{name: "hnte/high-tech-59", profile: build(hnteBase, setY(2025, "high_tech_revenue", 26550000)), asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("ineligible", N, "").c("high-tech-revenue", "fail").g("high-tech-revenue"))},
		{name: "hnte/tech-staff-9", profile: build(hnteBase, setY(2025, "tech_staff", 9)), asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("ineligible", N, "").c("tech-staff", "fail").g("tech-staff"))},
		// established 2024-01-15: only FY2024 and FY2025 exist → the 3-year ratio uses 2 years: 3.0/50 = 6%.
		{name: "hnte/two-years-operating", profile: build(hnteBase, set("established", "2024-01-15"), dropY(2023),
			setY(2024, "revenue", 20000000, "main_revenue", 18000000, "high_tech_revenue", 14000000, "rd_expense", 1200000, "domestic_rd_expense", 1200000),
			setY(2025, "revenue", 30000000, "main_revenue", 27000000, "high_tech_revenue", 21000000, "rd_expense", 1800000, "domestic_rd_expense", 1800000)),
			asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("needs_review", N, "").c("rd-ratio", "pass", "domestic-rd", "pass"))},
		// established 2018 but FY2023 absent → needed year missing.
		{name: "hnte/year-missing", profile: build(hnteBase, dropY(2023)), asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("insufficient_data", N, "").c("rd-ratio", "missing"))},
		// no IP at all → H2 cannot hold.
		{name: "hnte/no-ip", profile: build(hnteBase, set("ip.class1", 0), set("ip.class1_self_developed", 0), set("ip.class2", 0)), asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("ineligible", N, "").c("ip", "fail"))},
		// major quality accident in 2025 (the year before application).
		{name: "hnte/incident", profile: build(hnteBase, set("compliance.incidents",
			[]any{jm{"date": "2025-09-01", "kind": "quality", "major": true}})), asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("ineligible", N, "").c("no-major-incidents", "fail"))},

		{name: "hnte/established-absent", profile: build(hnteBase, set("established", nil)), asOf: as26, programs: []string{"hnte"},
			want: one("hnte", p("insufficient_data", N, "").c("established", "missing"))},
		// valid HNTE certificate is not required to be absent; re-recognition is evaluated the same way.
		{name: "hnte/default-edition", profile: build(hnteBase), asOf: "2025-06-30", programs: []string{"hnte"},
			want: one("hnte", want{edition: "2016", score: N})},

		// ------------------------------------------------------ above-size
		{name: "above/20m-exact", profile: build(aboveBase), asOf: as26, programs: []string{"above-size"},
			want: one("above-size", p("eligible", N, "").ed("2011").c("industrial", "pass", "main-revenue", "pass"))},
		{name: "above/20m-minus-1", profile: build(aboveBase, setY(2025, "main_revenue", 19999999)), asOf: as26, programs: []string{"above-size"},
			want: one("above-size", p("ineligible", N, "").c("main-revenue", "fail").g("main-revenue"))},
		{name: "above/wholesale", profile: build(aboveBase, set("industry_code", "F5179"), setY(2025, "revenue", 60000000, "main_revenue", 50000000)),
			asOf: as26, programs: []string{"above-size"},
			want: one("above-size", p("ineligible", N, "").c("industrial", "fail"))},
		{name: "above/utility", profile: build(aboveBase, set("industry_code", "D4411"), setY(2025, "revenue", 31000000, "main_revenue", 30000000)),
			asOf: as26, programs: []string{"above-size"},
			want: one("above-size", p("eligible", N, "").c("industrial", "pass"))},
		{name: "above/main-missing", profile: build(aboveBase, setY(2025, "main_revenue", nil)), asOf: as26, programs: []string{"above-size"},
			want: one("above-size", p("insufficient_data", N, "").c("main-revenue", "missing"))},
		{name: "above/year-missing", profile: build(aboveBase, setY(2025, "year", 2024)), asOf: as26, programs: []string{"above-size"},
			want: one("above-size", p("insufficient_data", N, "").c("main-revenue", "missing"))},
	}
}

// ---------------------------------------------------------------- runner

type specCrit struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Status    string   `json:"status"`
	Actual    *float64 `json:"actual"`
	Threshold *float64 `json:"threshold"`
	Points    *float64 `json:"points"`
	Gap       *float64 `json:"gap"`
	Basis     string   `json:"basis"`
}

type specResult struct {
	Program   string     `json:"program"`
	Edition   string     `json:"edition"`
	Name      string     `json:"name"`
	Status    string     `json:"status"`
	Score     *float64   `json:"score"`
	Route     *string    `json:"route"`
	Criteria  []specCrit `json:"criteria"`
	NextSteps []string   `json:"next_steps"`
}

type specResponse struct {
	AsOf    string       `json:"as_of"`
	USCC    *string      `json:"uscc"`
	Results []specResult `json:"results"`
}

func selfCheck(t *testing.T, h http.Handler, c specCase) (specResponse, string) {
	t.Helper()
	body := jm{"profile": c.profile}
	if c.asOf != "" {
		body["as_of"] = c.asOf
	}
	if c.programs != nil {
		body["programs"] = c.programs
	}
	if c.review {
		body["review"] = true
	}
	b, _ := json.Marshal(body)
	w := do(t, h, req{method: "POST", path: "/api/v1/self-check", body: string(b)})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var r specResponse
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return r, w.Body.String()
}

func summarize(r specResult) string {
	var sb strings.Builder
	sc := "null"
	if r.Score != nil {
		sc = strconv.FormatFloat(*r.Score, 'f', -1, 64)
	}
	rt := "null"
	if r.Route != nil {
		rt = *r.Route
	}
	sb.WriteString(r.Program + "@" + r.Edition + " " + r.Status + " score=" + sc + " route=" + rt + "\n")
	for _, c := range r.Criteria {
		f := func(p *float64) string {
			if p == nil {
				return "null"
			}
			return strconv.FormatFloat(*p, 'g', 6, 64)
		}
		sb.WriteString("    " + c.ID + " " + c.Status + " actual=" + f(c.Actual) + " thr=" + f(c.Threshold) +
			" pts=" + f(c.Points) + " gap=" + f(c.Gap) + "\n")
	}
	return sb.String()
}

func TestSpecProfiles(t *testing.T) {
	h := newAPI(t)
	for _, c := range specCases() {
		t.Run(c.name, func(t *testing.T) {
			r, _ := selfCheck(t, h, c)
			byID := map[string]specResult{}
			for _, x := range r.Results {
				byID[x.Program] = x
			}
			ids := make([]string, 0, len(c.want))
			for id := range c.want {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				w := c.want[id]
				got, ok := byID[id]
				if !ok {
					t.Errorf("%s: no result", id)
					continue
				}
				bad := false
				if w.edition != "" && got.Edition != w.edition {
					t.Errorf("%s: edition %q, want %q", id, got.Edition, w.edition)
					bad = true
				}
				if w.status != "" && got.Status != w.status {
					t.Errorf("%s: status %q, want %q", id, got.Status, w.status)
					bad = true
				}
				if !math.IsNaN(w.score) {
					if got.Score == nil || math.Abs(*got.Score-w.score) > 1e-9 {
						s := "null"
						if got.Score != nil {
							s = strconv.FormatFloat(*got.Score, 'f', -1, 64)
						}
						t.Errorf("%s: score %s, want %v", id, s, w.score)
						bad = true
					}
				}
				switch {
				case w.route == "":
				case w.route == "null":
					if got.Route != nil {
						t.Errorf("%s: route %q, want null", id, *got.Route)
						bad = true
					}
				case strings.HasSuffix(w.route, "*"):
					if got.Route == nil || !strings.HasPrefix(*got.Route, strings.TrimSuffix(w.route, "*")) {
						t.Errorf("%s: route %v, want %s", id, ptrStr(got.Route), w.route)
						bad = true
					}
				default:
					if got.Route == nil || *got.Route != w.route {
						t.Errorf("%s: route %v, want %q", id, ptrStr(got.Route), w.route)
						bad = true
					}
				}
				crits := map[string]specCrit{}
				for _, cr := range got.Criteria {
					crits[cr.ID] = cr
				}
				for cid, st := range w.crit {
					cr, ok := crits[cid]
					if !ok {
						t.Errorf("%s: no criterion %q", id, cid)
						bad = true
						continue
					}
					if cr.Status != st {
						t.Errorf("%s: criterion %s status %q, want %q", id, cid, cr.Status, st)
						bad = true
					}
				}
				for cid, v := range w.pts {
					if cr, ok := crits[cid]; !ok || cr.Points == nil || *cr.Points != v {
						t.Errorf("%s: criterion %s points %v, want %v", id, cid, fptr(cr.Points), v)
						bad = true
					}
				}
				for cid, v := range w.thr {
					if cr, ok := crits[cid]; !ok || cr.Threshold == nil || math.Abs(*cr.Threshold-v) > 1e-12 {
						t.Errorf("%s: criterion %s threshold %v, want %v", id, cid, fptr(cr.Threshold), v)
						bad = true
					}
				}
				for _, cid := range w.gaps {
					if cr, ok := crits[cid]; !ok || cr.Gap == nil {
						t.Errorf("%s: criterion %s has no numeric gap", id, cid)
						bad = true
					}
				}
				if bad || testing.Verbose() {
					t.Log(summarize(got))
				}
			}
		})
	}
}

func ptrStr(p *string) string {
	if p == nil {
		return "null"
	}
	return strconv.Quote(*p)
}

func fptr(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

// TestSpecResponseShape checks the SPEC §4 output contract.
func TestSpecResponseShape(t *testing.T) {
	h := newAPI(t)
	post := func(body string) *struct {
		code int
		raw  map[string]any
		body string
	} {
		w := do(t, h, req{method: "POST", path: "/api/v1/self-check", body: body})
		var m map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &m)
		return &struct {
			code int
			raw  map[string]any
			body string
		}{w.Code, m, w.Body.String()}
	}
	prof, _ := json.Marshal(build(techBase))

	t.Run("defaults", func(t *testing.T) {
		r := post(`{"profile":` + string(prof) + `}`)
		if r.code != 200 {
			t.Fatalf("%d %s", r.code, r.body)
		}
		if r.raw["as_of"] != "2026-06-30" {
			t.Errorf("as_of = %v, want today 2026-06-30", r.raw["as_of"])
		}
		if v, ok := r.raw["uscc"]; !ok || v != nil {
			t.Errorf("uscc = %v (present %v), want null for an anonymous profile", v, ok)
		}
		res, _ := r.raw["results"].([]any)
		got := map[string]string{}
		for _, x := range res {
			m := x.(map[string]any)
			got[m["program"].(string)] = m["edition"].(string)
			for _, k := range []string{"program", "edition", "name", "status", "score", "route", "criteria", "next_steps"} {
				if _, ok := m[k]; !ok {
					t.Errorf("%s: result lacks %q", m["program"], k)
				}
			}
			if _, ok := m["next_steps"].([]any); !ok {
				t.Errorf("%s: next_steps is %T, want an array", m["program"], m["next_steps"])
			}
			if s := m["score"]; s != nil {
				if _, ok := s.(float64); !ok {
					t.Errorf("%s: score is %T", m["program"], s)
				}
			}
			if s := m["route"]; s != nil {
				if _, ok := s.(string); !ok {
					t.Errorf("%s: route is %T", m["program"], s)
				}
			}
			switch m["status"] {
			case "eligible", "ineligible", "needs_review", "insufficient_data":
			default:
				t.Errorf("%s: status %v", m["program"], m["status"])
			}
			crits, _ := m["criteria"].([]any)
			if len(crits) == 0 {
				t.Errorf("%s: no criteria", m["program"])
			}
			for _, c := range crits {
				cm := c.(map[string]any)
				for _, k := range []string{"id", "title", "status", "actual", "threshold", "points", "gap", "basis"} {
					if _, ok := cm[k]; !ok {
						t.Errorf("%s/%v: criterion lacks %q", m["program"], cm["id"], k)
					}
				}
				switch cm["status"] {
				case "pass", "fail", "review", "missing":
				default:
					t.Errorf("%s/%v: criterion status %v", m["program"], cm["id"], cm["status"])
				}
				for _, k := range []string{"actual", "threshold", "points", "gap"} {
					if v := cm[k]; v != nil {
						if _, ok := v.(float64); !ok {
							t.Errorf("%s/%v: %s is %T, want number or null", m["program"], cm["id"], k, v)
						}
					}
				}
				if b, _ := cm["basis"].(string); b == "" {
					t.Errorf("%s/%v: empty basis", m["program"], cm["id"])
				}
			}
		}
		want := map[string]string{"tech-sme": "2017", "innovative-sme": "2022", "specialized-sme": "2026",
			"little-giant": "2026", "champion": "2023", "hnte": "2016", "above-size": "2011"}
		for id, ed := range want {
			if got[id] != ed {
				t.Errorf("default programs: %s edition %q, want %q (got %v)", id, got[id], ed, got)
			}
		}
	})

	t.Run("uscc-echo", func(t *testing.T) {
		p := build(techBase, set("uscc", uscc(42)), set("name", "怀化某某"))
		b, _ := json.Marshal(jm{"profile": p, "as_of": "2026-06-30", "programs": []string{"tech-sme"}})
		r := post(string(b))
		if r.code != 200 || r.raw["uscc"] != uscc(42) {
			t.Errorf("%d uscc = %v", r.code, r.raw["uscc"])
		}
	})

	t.Run("id@edition", func(t *testing.T) {
		b, _ := json.Marshal(jm{"profile": build(lg22Base), "as_of": "2026-06-30",
			"programs": []string{"little-giant@2022", "specialized-sme@2026", "tech-sme"}})
		r := post(string(b))
		if r.code != 200 {
			t.Fatalf("%d %s", r.code, r.body)
		}
		var got []string
		for _, x := range r.raw["results"].([]any) {
			m := x.(map[string]any)
			got = append(got, m["program"].(string)+"@"+m["edition"].(string))
		}
		if strings.Join(got, ",") != "little-giant@2022,specialized-sme@2026,tech-sme@2017" {
			t.Errorf("results = %v", got)
		}
	})

	for _, tc := range []struct{ name, body, field string }{
		{"unknown program", `{"profile":` + string(prof) + `,"programs":["tech-sme","giant"]}`, "programs[1]"},
		{"unknown edition", `{"profile":` + string(prof) + `,"programs":["hnte@2008"]}`, "programs[0]"},
		{"bad as_of", `{"profile":` + string(prof) + `,"as_of":"2026-02-30"}`, "as_of"},
		{"review wrong type", `{"profile":` + string(prof) + `,"review":"yes"}`, "review"},
		{"programs wrong type", `{"profile":` + string(prof) + `,"programs":[1]}`, "programs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, h, req{method: "POST", path: "/api/v1/self-check", body: tc.body})
			if w.Code < 400 || w.Code >= 500 {
				t.Fatalf("status %d, want 4xx: %s", w.Code, w.Body)
			}
			var e envelope
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("not the error envelope: %s", w.Body)
			}
			found := false
			for _, d := range e.Error.Details {
				if strings.HasPrefix(d.Field, tc.field) {
					found = true
				}
			}
			if !found {
				t.Errorf("details %v do not name %q", e.Error.Details, tc.field)
			}
		})
	}
}

// TestSpecProgramTable: SPEC §2 lists every program id of the API contract;
// `programs` defaults to every program (SPEC §4). The finance programs
// (innovation-points@2024, kv-loan@hunan-2025, finance-whitelist@huaihua)
// join this list with issue 5.
func TestSpecProgramTable(t *testing.T) {
	h := newAPI(t)
	prof, _ := json.Marshal(build(techBase))
	for _, id := range []string{"tech-sme@2017", "innovative-sme@2022", "specialized-sme@2022", "specialized-sme@2026",
		"little-giant@2022", "little-giant@2026", "champion@2023", "hnte@2016", "above-size@2011",
		"kv-loan@hunan-2025", "finance-whitelist@huaihua"} {
		w := do(t, h, req{method: "POST", path: "/api/v1/self-check",
			body: `{"profile":` + string(prof) + `,"as_of":"2026-06-30","programs":["` + id + `"]}`})
		if w.Code != 200 {
			t.Errorf("%s: status %d (SPEC §2 lists it)", id, w.Code)
		}
	}
}

// TestSpecDegenerate: zero denominators and empty profiles must still give a
// 200 with statuses, never a 500 (SPEC §8 bad input; §3 absent ≠ 0).
func TestSpecDegenerate(t *testing.T) {
	h := newAPI(t)
	for name, p := range map[string]jm{
		"empty":        parse(`{}`),
		"zero-revenue": build(innovBase, setY(2025, "revenue", 0, "main_revenue", 0, "rd_expense", 0), setY(2024, "main_revenue", 0, "revenue", 0)),
		"zero-staff":   build(techBase, setY(2025, "employees", 0, "tech_staff", 0, "rd_staff", 0)),
		"zero-assets":  build(lg26Base, setY(2025, "total_assets", 0, "total_liabilities", 0), setY(2023, "revenue", 0, "main_revenue", 0)),
		"zero-growth-base-hnte": build(hnteBase, setY(2023, "revenue", 0, "main_revenue", 0, "high_tech_revenue", 0, "total_assets", 0, "total_liabilities", 0,
			"rd_expense", 0, "domestic_rd_expense", 0)),
	} {
		t.Run(name, func(t *testing.T) {
			b, _ := json.Marshal(jm{"profile": p, "as_of": "2026-06-30"})
			w := do(t, h, req{method: "POST", path: "/api/v1/self-check", body: string(b)})
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var r specResponse
			if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			for _, x := range r.Results {
				if x.Status == "" {
					t.Errorf("%s: empty status", x.Program)
				}
				if testing.Verbose() {
					t.Log(summarize(x))
				}
			}
		})
	}
}

// TestSpecNoNaN: the engine must not produce NaN/±Inf numbers (they cannot be
// encoded as JSON, so the HTTP answer is a 200 with an empty body).
func TestSpecNoNaN(t *testing.T) {
	eng := testEngine(t)
	asOf, _ := time.Parse("2006-01-02", "2026-06-30")
	for name, p := range map[string]jm{
		"zero-revenue": build(innovBase, setY(2025, "revenue", 0, "main_revenue", 0, "rd_expense", 0), setY(2024, "main_revenue", 0, "revenue", 0)),
		"zero-staff":   build(techBase, setY(2025, "employees", 0, "tech_staff", 0, "rd_staff", 0)),
		"zero-assets":  build(lg26Base, setY(2025, "total_assets", 0, "total_liabilities", 0), setY(2023, "revenue", 0, "main_revenue", 0)),
	} {
		b, _ := json.Marshal(p)
		var f registry.Firm
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		f.Normalize()
		res, err := eng.Evaluate(rules.Request{Firm: &f, AsOf: asOf, Explain: true})
		if err != nil {
			t.Fatal(err)
		}
		bad := func(v *float64) bool { return v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) }
		for _, r := range res {
			if bad(r.Score) {
				t.Errorf("%s: %s@%s score %v", name, r.Program, r.Edition, *r.Score)
			}
			for _, c := range r.Criteria {
				if bad(c.Actual) || bad(c.Threshold) || bad(c.Points) || bad(c.Gap) {
					t.Errorf("%s: %s@%s criterion %s actual=%s threshold=%s points=%s gap=%s", name, r.Program, r.Edition, c.ID,
						fptr(c.Actual), fptr(c.Threshold), fptr(c.Points), fptr(c.Gap))
				}
			}
		}
	}
}
