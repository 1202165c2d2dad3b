package points_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/points"
)

// TestStageBoundaries: a stage begins at its MinRevenue inclusive
// (finance.md §5.1: 初创期 < ¥5,000,000 ≤ 成长期 < ¥200,000,000 ≤ 稳定期), by the
// previous fiscal year's revenue.
func TestStageBoundaries(t *testing.T) {
	m := points.Default()
	tests := []struct {
		revenue int64
		stage   string
		detail  string
	}{
		{0, "startup", "属初创期（营业收入低于¥5,000,000）"},
		{4_999_999, "startup", "属初创期（营业收入低于¥5,000,000）"},
		{5_000_000, "growth", "属成长期（¥5,000,000至低于¥200,000,000）"},
		{199_999_999, "growth", "属成长期（¥5,000,000至低于¥200,000,000）"},
		{200_000_000, "stable", "属稳定期（¥200,000,000及以上）"},
		{3_000_000_000, "stable", "属稳定期（¥200,000,000及以上）"},
	}
	for _, tt := range tests {
		if got := m.StageOf(float64(tt.revenue)); got == nil || got.ID != tt.stage {
			t.Errorf("StageOf(%d) = %+v, want %s", tt.revenue, got, tt.stage)
		}
		f := firm(1, county, tt.revenue, 0)
		// The current year does not count: only 上年度 (2025) does.
		f.Years = append(f.Years, registry.Year{Year: 2026, Revenue: i64(900_000_000)})
		ms := m.Measure(&f, asOf)
		if ms.Stage == nil || ms.Stage.ID != tt.stage || !ms.RevenueKnown || ms.Revenue != float64(tt.revenue) {
			t.Errorf("Measure(revenue %d).Stage = %+v (revenue %v, known %v), want %s", tt.revenue, ms.Stage, ms.Revenue, ms.RevenueKnown, tt.stage)
		}
		r, _ := evaluate(t, program(), f, points.Set{}, points.Options{})
		c := crit(t, r, "stage")
		checkContains(t, fmt.Sprintf("stage detail (revenue %d)", tt.revenue), c.Detail, tt.detail)
		if c.Status != rules.Pass || c.Actual == nil || *c.Actual != float64(tt.revenue) {
			t.Errorf("stage criterion (revenue %d) = %s, %s, want pass, %d", tt.revenue, c.Status, deref(c.Actual), tt.revenue)
		}
	}
	if got := m.StageOf(-1); got == nil || got.ID != "startup" {
		t.Errorf("StageOf(-1) = %+v, want startup (a negative revenue is the first stage)", got)
	}

	// Pass 1 puts the firms one yuan apart into different cohorts.
	firms := []registry.Firm{firm(1, county, 4_999_999, 0), firm(2, county, 5_000_000, 0),
		firm(3, county, 199_999_999, 0), firm(4, county, 200_000_000, 0)}
	got := map[string]int{}
	for _, d := range build(m, "", firms) {
		if d.RegionCode == county {
			got[d.Stage] = d.Firms
		}
	}
	if diff := cmp.Diff(map[string]int{"startup": 1, "growth": 2, "stable": 1}, got); diff != "" {
		t.Errorf("county cohorts' sizes by stage (-want +got):\n%s", diff)
	}
}

// TestWeightsByStage: the category weights of finance.md §5.1, summing to 1
// in every stage, so a firm at the top of everything scores 1000.
func TestWeightsByStage(t *testing.T) {
	m := points.Default()
	want := map[string]map[string]float64{
		"tech":   {"startup": 0.60, "growth": 0.55, "stable": 0.50},
		"growth": {"startup": 0.25, "growth": 0.35, "stable": 0.40},
		"aux":    {"startup": 0.15, "growth": 0.10, "stable": 0.10},
	}
	got := map[string]map[string]float64{}
	for _, c := range m.Categories {
		got[c.ID] = c.Weights
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("category weights (-want +got):\n%s", diff)
	}
	for _, s := range m.Stages {
		sum := 0.0
		for _, c := range m.Categories {
			sum += c.Weights[s.ID]
		}
		if !near(sum, 1) {
			t.Errorf("weights of %s sum to %v, want 1", s.ID, sum)
		}
	}

	// A firm alone at the top of its cohort with a national title, a
	// national platform, a national award and an international standard.
	f := firm(1, county, growthRevenue, 5_000_000)
	f.Honors = []registry.Honor{
		{Kind: registry.HonorHNTE, Issued: "2025-01-01"},
		{Kind: registry.HonorRDInstitution, Level: registry.LevelNational, Issued: "2024-01-01"},
		{Kind: registry.HonorSciAward, Level: registry.LevelNational, Issued: "2024-05-01"},
		{Kind: registry.HonorStandardLed, Level: registry.LevelInternational, Issued: "2023-01-01"},
	}
	firms := append(cohort(1, 19, county), f)
	r, _ := evaluate(t, program(), f, points.NewSet(build(m, "", firms)), points.Options{})
	if r.Points == nil || !near(*r.Points, 1000) || r.Band != "领跑" {
		t.Errorf("points, band of a firm at the top of everything = %s, %q, want 1000, 领跑", deref(r.Points), r.Band)
	}
}

// TestTieredIndicators: a recognition scores by its level (national 1.0,
// provincial 0.6, municipal 0.3, lower 0), the best one counting.
func TestTieredIndicators(t *testing.T) {
	p := program()
	set := points.NewSet(build(p.Model(), "", cohort(0, 20, county)))
	w := 1000 * 0.10 / 5 // 辅助 (成长期 0.10) over its 5 indicators
	tests := []struct {
		name   string
		honors []registry.Honor
		id     string
		points float64
		detail string
	}{
		{"national platform", []registry.Honor{{Kind: registry.HonorInnovationPlatform, Level: registry.LevelNational, Issued: "2024-01-01"}},
			"rd-platform", w, "国家级创新平台，计1"},
		{"provincial and city platforms: the best", []registry.Honor{
			{Kind: registry.HonorRDInstitution, Level: registry.LevelCity, Issued: "2024-01-01"},
			{Kind: registry.HonorRDInstitution, Level: registry.LevelProvincial, Issued: "2024-01-01"}},
			"rd-platform", 0.6 * w, "省级研发机构，计0.6"},
		{"city award", []registry.Honor{{Kind: registry.HonorSciAward, Level: registry.LevelCity, Issued: "2025-03-01"}},
			"sci-award", 0.3 * w, "市级科学技术奖，计0.3"},
		{"county standard", []registry.Honor{{Kind: registry.HonorStandardLed, Level: registry.LevelCounty, Issued: "2025-03-01"}},
			"standards", 0, "县级主导制定标准：市级以下不计分"},
		{"award older than 3 years", []registry.Honor{{Kind: registry.HonorSciAward, Level: registry.LevelNational, Issued: "2022-01-01"}},
			"sci-award", 0, "无，计0"},
		{"HNTE without a level is national", []registry.Honor{{Kind: registry.HonorHNTE, Issued: "2024-01-01"}},
			"qualification", w, "国家级高新技术企业，计1"},
		{"tech SME of last year has lapsed", []registry.Honor{{Kind: registry.HonorTechSME, Issued: "2025-04-01"}},
			"qualification", 0, "无，计0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := firm(99, county, growthRevenue, 500_000)
			f.Honors = tt.honors
			r, _ := evaluate(t, p, f, set, points.Options{})
			c := crit(t, r, tt.id)
			if c.Points == nil || !near(*c.Points, tt.points) || c.Detail != tt.detail {
				t.Errorf("%s points, detail = %s, %q, want %.2f, %q", tt.id, deref(c.Points), c.Detail, tt.points, tt.detail)
			}
		})
	}
}

// TestNegativeList: a firm on the negative list scores 0 and is ineligible,
// whatever its indicators; pass 1 gives it 0 points too.
func TestNegativeList(t *testing.T) {
	p := program()
	tests := []struct {
		name   string
		comp   registry.Compliance
		detail string
	}{
		{"serious dishonesty", registry.Compliance{SeriousDishonesty: bptr(true), AbnormalList: bptr(false)}, "列入严重失信主体名单"},
		{"abnormal list", registry.Compliance{SeriousDishonesty: bptr(false), AbnormalList: bptr(true)}, "列入经营异常名录"},
		{"major incident on the first day of 上年度", registry.Compliance{SeriousDishonesty: bptr(false), AbnormalList: bptr(false),
			Incidents: []registry.Incident{{Date: "2025-01-01", Kind: "safety", Major: true}}}, "上年度至今重大安全、环境、质量事故或重大违法行为1起"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The top firm of the cohort is the one on the list.
			firms := cohort(0, 20, county)
			firms[19].Compliance = &tt.comp
			set := points.NewSet(build(p.Model(), "", firms))
			d := set[county+"/growth"]
			if d.Points.Values[0] != 0 || d.Points.AtOrBelow[0] != 1 {
				t.Errorf("pass-1 points distribution starts at %v (%d firms), want 0 (1 firm: the vetoed one)", d.Points.Values[0], d.Points.AtOrBelow[0])
			}

			r, _ := evaluate(t, p, firms[19], set, points.Options{})
			if r.Status != rules.Ineligible || r.Points == nil || *r.Points != 0 || r.Score == nil || *r.Score != 0 ||
				r.Band != "" || r.CreditLine != nil {
				t.Errorf("status, points, score, band, credit = %s, %s, %s, %q, %s; want ineligible, 0, 0, \"\", nil",
					r.Status, deref(r.Points), deref(r.Score), r.Band, deref(r.CreditLine))
			}
			v := crit(t, r, "negative-list")
			if v.Status != rules.Fail || v.Kind != rules.KindVeto {
				t.Errorf("negative-list status, kind = %s, %s, want fail, veto", v.Status, v.Kind)
			}
			checkContains(t, "negative-list detail", v.Detail, tt.detail)
			if b := crit(t, r, "band"); b.Status != rules.Fail || b.Actual == nil || *b.Actual != 0 {
				t.Errorf("band status, actual = %s, %s, want fail, 0", b.Status, deref(b.Actual))
			}
			if r.Distance == nil || *r.Distance != 1 || !cmp.Equal(r.Blocking, []string{"negative-list"}) {
				t.Errorf("distance, blocking = %s, %v, want 1, [negative-list]", deref(r.Distance), r.Blocking)
			}
			for _, c := range r.Criteria {
				if c.Kind == rules.KindScored && (c.Points == nil || *c.Points != 0) {
					t.Errorf("criterion %s points = %s, want 0", c.ID, deref(c.Points))
				}
			}
			if diff := cmp.Diff(map[string]float64{"tech": 0, "growth": 0, "aux": 0}, r.Subscores); diff != "" {
				t.Errorf("subscores (-want +got):\n%s", diff)
			}
			if len(r.NextSteps) != 1 {
				t.Errorf("next steps = %q, want one: leave the negative list", r.NextSteps)
			} else {
				checkContains(t, "next step", r.NextSteps[0], tt.detail)
			}

			// Firm 19 now has the best points: rank 1, 领跑. The vetoed
			// firm is still a member of the cohort (region × stage):
			// its R&D expense stays in the indicator's distribution, so
			// firm 19 is at percentile 19/20, not 19/19.
			r19, _ := evaluate(t, p, firms[18], set, points.Options{})
			if r19.Band != "领跑" || r19.Points == nil || !near(*r19.Points, growthTotal(19.0/20)) {
				t.Errorf("firm 19 band, points = %q, %s, want 领跑, %.2f", r19.Band, deref(r19.Points), growthTotal(19.0/20))
			}
		})
	}

	t.Run("minor or old incidents do not count", func(t *testing.T) {
		f := firm(1, county, growthRevenue, 100_000)
		f.Compliance.Incidents = []registry.Incident{
			{Date: "2024-12-31", Kind: "safety", Major: true}, // before 上年度
			{Date: "2026-03-01", Kind: "quality"},             // not major
		}
		r, _ := evaluate(t, p, f, points.Set{}, points.Options{})
		if c := crit(t, r, "negative-list"); c.Status != rules.Pass || c.Detail != "无负面清单情形" {
			t.Errorf("negative-list = %s, %q, want pass, 无负面清单情形", c.Status, c.Detail)
		}
	})

	t.Run("without a stage", func(t *testing.T) {
		f := firm(1, county, growthRevenue, 100_000)
		f.Years = nil
		f.Compliance.SeriousDishonesty = bptr(true)
		r, used := evaluate(t, p, f, points.Set{}, points.Options{})
		if r.Status != rules.Ineligible || r.Points == nil || *r.Points != 0 || used != nil ||
			!cmp.Equal(r.Blocking, []string{"negative-list"}) {
			t.Errorf("status, points, used, blocking = %s, %s, %v, %v, want ineligible, 0, nil, [negative-list]",
				r.Status, deref(r.Points), used, r.Blocking)
		}
	})
}

// TestMissingData: absent data is insufficient_data, naming the fields,
// never a silent ineligible.
func TestMissingData(t *testing.T) {
	p := program()
	growthSet := points.NewSet(build(p.Model(), "", cohort(0, 20, county)))
	noStage := firm(1, county, growthRevenue, 100_000)
	noStage.Years = noStage.Years[:1] // 2024 only
	noCompliance := firm(20, county, growthRevenue, 2_000_000)
	noCompliance.Compliance = nil
	noContracts := func(rd int64) registry.Firm {
		f := firm(99, county, growthRevenue, rd)
		f.Years[1].TechContractTurnover = nil
		return f
	}
	noRegion := firm(1, county, growthRevenue, 100_000)
	noRegion.RegionCode = ""

	tests := []struct {
		name    string
		f       registry.Firm
		status  rules.Status
		crit    string
		cstatus rules.Status
		missing []string
		detail  string
		points  *float64 // nil: no points
	}{
		{"no revenue of 上年度", noStage, rules.InsufficientData, "stage", rules.Missing,
			[]string{"years[2025].revenue"}, "缺少2025年营业收入，无法确定发展阶段和对比群体", nil},
		{"no compliance record", noCompliance, rules.InsufficientData, "negative-list", rules.Missing,
			[]string{"compliance.serious_dishonesty", "compliance.abnormal_list", "compliance.incidents"},
			"缺少合规信息，无法确认：列入严重失信主体名单、列入经营异常名录、上年度至今重大安全、环境、质量事故或重大违法行为", ptrTo(920)},
		// R&D at firm 18's level without its technology contracts: 810
		// points, below the cutoff 892.5, but 901.67 with them.
		{"a missing indicator could lift it into a band", noContracts(1_800_000), rules.InsufficientData, "band", rules.Missing,
			nil, "补全缺失指标后最高可得901.67分，可能进入", ptrTo(growthTotal(18.0/20) - 1000*0.55/6)},
		// At firm 10's level: 828.33 even with the contracts.
		{"a missing indicator that cannot lift it", noContracts(1_000_000), rules.Ineligible, "band", rules.Fail,
			nil, "前20%（第4名）的积分为892.5分", ptrTo(growthTotal(10.0/20) - 1000*0.55/6)},
		{"no region code", noRegion, rules.InsufficientData, "cohort", rules.Missing,
			[]string{"region_code"}, "缺少有效的行政区划代码（region_code），无法确定对比群体", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := evaluate(t, p, tt.f, growthSet, points.Options{})
			if r.Status != tt.status {
				t.Errorf("status = %s, want %s", r.Status, tt.status)
			}
			c := crit(t, r, tt.crit)
			if c.Status != tt.cstatus || !cmp.Equal(c.Missing, tt.missing) {
				t.Errorf("%s status, missing = %s, %q, want %s, %q", tt.crit, c.Status, c.Missing, tt.cstatus, tt.missing)
			}
			checkContains(t, tt.crit+" detail", c.Detail, tt.detail)
			switch {
			case tt.points == nil && r.Points != nil:
				t.Errorf("points = %v, want none", *r.Points)
			case tt.points != nil && (r.Points == nil || !near(*r.Points, *tt.points)):
				t.Errorf("points = %s, want %.2f", deref(r.Points), *tt.points)
			}
			if len(r.NextSteps) == 0 && r.Status != rules.Eligible {
				t.Errorf("next steps = [], want at least one")
			}
		})
	}

	// The indicator itself names what is missing.
	r, _ := evaluate(t, p, noContracts(1_800_000), growthSet, points.Options{})
	c := crit(t, r, "tech-contracts")
	if c.Status != rules.Missing || !cmp.Equal(c.Missing, []string{"years[2025].tech_contract_turnover"}) || c.Points == nil || *c.Points != 0 {
		t.Errorf("tech-contracts = %s, %q, %s, want missing, [years[2025].tech_contract_turnover], 0", c.Status, c.Missing, deref(c.Points))
	}
	checkContains(t, "tech-contracts detail", c.Detail, "缺少2025年技术合同成交额")
	// A ratio over zero is undefined and scores 0, not missing.
	zeroStaff := firm(98, county, growthRevenue, 500_000)
	zeroStaff.Years[1].Employees, zeroStaff.Years[1].TechStaff = i64(0), i64(0)
	r, _ = evaluate(t, p, zeroStaff, growthSet, points.Options{})
	if c := crit(t, r, "tech-staff-share"); c.Status != rules.Pass || *c.Points != 0 || c.Detail != "2025年职工总数为0，科技人员占比无法计算，按0分计" {
		t.Errorf("tech-staff-share = %s, %s, %q, want pass, 0, the undefined ratio", c.Status, deref(c.Points), c.Detail)
	}
}

// TestZeroPointsWithMissingDataIsInsufficientData: a firm whose known
// indicators all score 0 — a start-up with no revenue yet — but whose
// missing indicators could lift it into a band is insufficient_data, as
// Evaluate documents ("one below is ineligible, unless its missing
// indicators could lift it into a band"), not a silent ineligible.
func TestZeroPointsWithMissingDataIsInsufficientData(t *testing.T) {
	p := program()
	// A 初创期 cohort with no profit, high-tech revenue or equity financing:
	// points 200p + 525 (技术创新 100 × (2p + 4), 成长经营 62.5 × 2), the top 20%
	// beginning at 695 (p = 17/20).
	firms := make([]registry.Firm, 20)
	for i := range firms {
		firms[i] = firm(i+1, county, 1_000_000, int64(i+1)*10_000)
		y := &firms[i].Years[1]
		y.NetProfit, y.HighTechRevenue, y.EquityFinancing = i64(0), i64(0), i64(0)
	}
	set := points.NewSet(build(p.Model(), "", firms))
	if cut := set[county+"/startup"].Cutoffs; len(cut) != 3 || !near(cut[2].Points, 695) {
		t.Fatalf("startup cutoffs = %+v, want the top 20%% at 695", cut)
	}

	// No revenue yet, nothing else reported: 0 points, up to 817.5 with
	// the data (技术创新 600, revenue growth, profit and high-tech revenue
	// 187.5, equity financing 30).
	f := registry.Firm{USCC: uscc(99), Name: "零收入初创企业", RegionCode: county,
		Years:      []registry.Year{{Year: 2025, Revenue: i64(0)}},
		Compliance: &registry.Compliance{SeriousDishonesty: bptr(false), AbnormalList: bptr(false)}}
	r, _ := evaluate(t, p, f, set, points.Options{})
	if r.Points == nil || *r.Points != 0 {
		t.Errorf("points = %s, want 0", deref(r.Points))
	}
	b := crit(t, r, "band")
	if r.Status != rules.InsufficientData || b.Status != rules.Missing {
		t.Errorf("status, band status = %s, %s, want insufficient_data, missing (up to 817.5 points with the missing data, cutoff 695); band detail %q",
			r.Status, b.Status, b.Detail)
	}
	checkContains(t, "band detail", b.Detail, "补全缺失指标后最高可得817.5分")
}

func ptrTo(v float64) *float64 { return &v }

// TestCohortFallback: a cohort of fewer than MinCohort (20) firms falls back
// to the city's, then the province's, and the result says so.
func TestCohortFallback(t *testing.T) {
	p := program()
	small := cohort(0, 5, county) // 鹤城区: 5
	tests := []struct {
		name    string
		scope   string
		firms   []registry.Firm
		status  rules.Status
		region  string // the cohort used, "" for none
		level   string
		size    int
		detail  string
		cstatus rules.Status
	}{
		{"exactly MinCohort in the county", "", cohort(0, 20, county), rules.Eligible, county, registry.CohortCounty, 20,
			"鹤城区成长期企业20家（2026-06-30形成的分布）", rules.Pass},
		{"county too small: the city", "", append(small, cohort(100, 15, "431221")...), rules.Eligible, "431200", registry.CohortCity, 20,
			"鹤城区成长期企业仅5家（少于20家），改用怀化市成长期企业20家（2026-06-30形成的分布）", rules.Pass},
		{"county and city too small: the province", "", append(cohort(0, 3, county), append(cohort(100, 3, "431221"), cohort(200, 14, "430102")...)...),
			rules.Eligible, "430000", registry.CohortProvince, 20,
			"鹤城区成长期企业仅3家（少于20家），怀化市成长期企业仅6家（少于20家），改用湖南省成长期企业20家（2026-06-30形成的分布）", rules.Pass},
		{"every level too small", "", append(small, cohort(100, 14, "430102")...), rules.InsufficientData, "", "", 0,
			"鹤城区成长期企业仅5家（少于20家），怀化市成长期企业仅5家（少于20家），湖南省成长期企业仅19家（少于20家），不足以排名", rules.Missing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := points.NewSet(build(p.Model(), tt.scope, tt.firms))
			// The best firm of 鹤城区 (R&D ¥500,000 among those built by cohort(0, …)).
			f := firm(999, county, growthRevenue, 2_000_000)
			r, used := evaluate(t, p, f, set, points.Options{})
			c := crit(t, r, "cohort")
			if r.Status != tt.status || c.Status != tt.cstatus || c.Detail != tt.detail {
				t.Errorf("status, cohort = %s, %s, %q;\nwant %s, %s, %q", r.Status, c.Status, c.Detail, tt.status, tt.cstatus, tt.detail)
			}
			if tt.region == "" {
				if used != nil || r.Points != nil {
					t.Errorf("used, points = %v, %s, want none", used, deref(r.Points))
				}
				if len(r.NextSteps) == 0 {
					t.Errorf("next steps = [], want: run a screening with innovation-points")
				}
				return
			}
			if used == nil || used.RegionCode != tt.region || used.Level != tt.level || used.Firms != tt.size ||
				c.Actual == nil || *c.Actual != float64(tt.size) {
				t.Fatalf("used = %+v, cohort actual %s; want %s (%s), %d firms", used, deref(c.Actual), tt.region, tt.level, tt.size)
			}
			checkContains(t, "cohort output", r.Outputs["cohort"].Note, fmt.Sprintf("%s成长期企业%d家", names(tt.region), tt.size))
			checkContains(t, "note", r.Note, names(tt.region)+"成长期企业积分分布")
		})
	}
}

// TestCohortDetailWithoutDistribution: when no level is usable, the cohort
// criterion names every level looked at, including those with no stored
// distribution, and says a screening must run when none has one. (Bug:
// cohortDetail stopped at the first level without a distribution, since
// t.d == used held for nil == nil, so a level lacking a distribution hid
// itself and the levels after it, and "nothing stored" read 没有可用的对比群体.)
func TestCohortDetailWithoutDistribution(t *testing.T) {
	p := program()
	f := firm(999, county, growthRevenue, 2_000_000)
	tests := []struct {
		name   string
		scope  string
		firms  []registry.Firm
		detail string
	}{
		// A scan of the city builds no province cohort.
		{"city scope: no province cohort", "431200", append(cohort(0, 3, county), append(cohort(100, 3, "431221"), cohort(200, 14, "430102")...)...),
			"鹤城区成长期企业仅3家（少于20家），怀化市成长期企业仅6家（少于20家），湖南省成长期企业尚无积分分布，不足以排名"},
		// Only the province (a scan of another county's city): the
		// county and city have none.
		{"only the province cohort, too small", "", cohort(200, 5, "430102"),
			"鹤城区成长期企业尚无积分分布，怀化市成长期企业尚无积分分布，湖南省成长期企业仅5家（少于20家），不足以排名"},
		{"nothing built", "", nil,
			"尚无鹤城区成长期企业及上级地区同阶段企业的积分分布：需先运行包含创新积分的筛查"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, used := evaluate(t, p, f, points.NewSet(build(p.Model(), tt.scope, tt.firms)), points.Options{})
			c := crit(t, r, "cohort")
			if r.Status != rules.InsufficientData || used != nil || c.Status != rules.Missing || c.Detail != tt.detail {
				t.Errorf("status, used, cohort = %s, %v, %s, %q;\nwant insufficient_data, nil, missing, %q", r.Status, used, c.Status, c.Detail, tt.detail)
			}
		})
	}
}

// TestRankShareAtMost100Percent: a firm placed against a cohort it is not
// part of, below every member, ranks after them all; its share of the
// cohort is 100%, not (n+1)/n. (Bug: the band detail said 前105% for
// rank 21 of 20.)
func TestRankShareAtMost100Percent(t *testing.T) {
	p := program()
	set := points.NewSet(build(p.Model(), "", cohort(0, 20, county)))
	f := firm(999, county, growthRevenue, 0) // no R&D: 736.67 points, below firm 1's 745.83
	for _, opt := range []points.Options{{}, {Estimate: true}} {
		r, _ := evaluate(t, p, f, set, opt)
		d := crit(t, r, "band").Detail
		checkContains(t, fmt.Sprintf("band detail (estimate %v)", opt.Estimate), d, "排第21名（前100%）")
	}
}

// TestSourceError: Evaluate's only errors are the source's.
func TestSourceError(t *testing.T) {
	f := firm(1, county, growthRevenue, 100_000)
	_, _, err := program().Evaluate(context.Background(), &f, asOf, failing{}, points.Options{})
	if !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("Evaluate error = %v, want registry.ErrUnavailable", err)
	}
}

type failing struct{}

func (failing) Cohort(context.Context, string, string) (*registry.CohortDistribution, error) {
	return nil, fmt.Errorf("test: %w", registry.ErrUnavailable)
}
