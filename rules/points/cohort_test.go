package points_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/points"
)

// TestBuildCohortDistribution checks pass 1 on 20 成长期 firms of one county:
// a cohort per level (county, city, province), the R&D intensity's
// distribution, the winsorising bounds of the growth rate and the band
// cutoffs at ranks ceil(top × 20) = 1, 2 and 4.
func TestBuildCohortDistribution(t *testing.T) {
	dists := build(points.Default(), "", cohort(0, 20, county))

	var ids []string
	for _, d := range dists {
		ids = append(ids, d.ID)
	}
	wantIDs := []string{
		registry.CohortID(key, "430000", "growth", asOfDay),
		registry.CohortID(key, "431200", "growth", asOfDay),
		registry.CohortID(key, "431202", "growth", asOfDay),
	}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Fatalf("cohort ids (-want +got):\n%s", diff)
	}
	levels := []string{registry.CohortProvince, registry.CohortCity, registry.CohortCounty}
	for i, d := range dists {
		if d.Level != levels[i] || d.Firms != 20 || d.Stage != "growth" || d.Program != key || d.AsOf != asOfDay ||
			d.Job != "test" || !d.BuiltAt.Equal(builtAt) {
			t.Errorf("cohort %s = level %s, %d firms, stage %s, program %s, as_of %s, job %s, built %v; want %s, 20, growth, %s, %s, test, %v",
				d.ID, d.Level, d.Firms, d.Stage, d.Program, d.AsOf, d.Job, d.BuiltAt, levels[i], key, asOfDay, builtAt)
		}
	}
	d := dists[2]

	// Ranked indicators only: the four tiered ones have no distribution.
	var inds []string
	for _, id := range d.Indicators {
		inds = append(inds, id.Indicator)
	}
	wantInds := []string{"rd-intensity", "rd-expense", "tech-staff-share", "tech-staff", "ip-class1", "tech-contracts",
		"revenue", "revenue-growth", "net-profit", "high-tech-revenue", "equity-financing"}
	if diff := cmp.Diff(wantInds, inds); diff != "" {
		t.Errorf("indicator distributions (-want +got):\n%s", diff)
	}

	approx := cmpopts.EquateApprox(0, 1e-9)
	want := registry.Distribution{N: 20}
	for i := 1; i <= 20; i++ {
		want.Values = append(want.Values, float64(i)/100)
		want.AtOrBelow = append(want.AtOrBelow, i)
	}
	if diff := cmp.Diff(want, d.Indicators[0].Values, approx); diff != "" {
		t.Errorf("rd-intensity distribution (-want +got):\n%s", diff)
	}
	// Every firm has the same revenue: one value, all 20 at or below it.
	if diff := cmp.Diff(registry.Distribution{N: 20, Values: []float64{growthRevenue}, AtOrBelow: []int{20}}, d.Indicators[6].Values); diff != "" {
		t.Errorf("revenue distribution (-want +got):\n%s", diff)
	}
	g := d.Indicators[7]
	if g.Lo == nil || g.Hi == nil || !near(*g.Lo, 0.25) || !near(*g.Hi, 0.25) {
		t.Errorf("revenue-growth lo, hi = %s, %s, want 0.25, 0.25", deref(g.Lo), deref(g.Hi))
	}
	if d.Indicators[0].Lo != nil || d.Indicators[0].Hi != nil {
		t.Errorf("rd-intensity lo, hi = %s, %s, want nil, nil (a level indicator is not winsorised)", deref(d.Indicators[0].Lo), deref(d.Indicators[0].Hi))
	}

	wantCut := []registry.BandCutoff{
		{Band: "leading", Top: 0.05, Rank: 1, Points: growthTotal(20.0 / 20)},
		{Band: "competing", Top: 0.10, Rank: 2, Points: growthTotal(19.0 / 20)},
		{Band: "advancing", Top: 0.20, Rank: 4, Points: growthTotal(17.0 / 20)},
	}
	if diff := cmp.Diff(wantCut, d.Cutoffs, approx); diff != "" {
		t.Errorf("cutoffs (-want +got):\n%s", diff)
	}
	if d.Points.N != 20 || len(d.Points.Values) != 20 || !near(d.Points.Values[19], 920) || !near(d.Points.Values[0], growthTotal(1.0/20)) {
		t.Errorf("points distribution = %+v, want 20 distinct values from %.2f to 920", d.Points, growthTotal(1.0/20))
	}
}

// TestCohortPercentilesPointsAndBands places firms of a 20-firm cohort:
// firm i's R&D intensity is at percentile i/20, its points are
// growthTotal(i/20), its rank 21-i, and the bands take ranks ≤ 1, ≤ 2 and
// ≤ 4 (ceil(top × 20)).
func TestCohortPercentilesPointsAndBands(t *testing.T) {
	p := program()
	firms := cohort(0, 20, county)
	set := points.NewSet(build(p.Model(), "", firms))
	tests := []struct {
		i      int
		band   string
		credit float64
		status rules.Status
		// gap is the cutoff of the top 20% (892.5: firm 17's points)
		// less the firm's, rounded up to the cent.
		gap float64
	}{
		{20, "领跑", 10_000_000, rules.Eligible, 0},
		{19, "竞跑", 5_000_000, rules.Eligible, 0},
		{18, "进取", 3_000_000, rules.Eligible, 0},
		{17, "进取", 3_000_000, rules.Eligible, 0},
		{16, "", 0, rules.Ineligible, 9.17},  // 892.5 - 883.33…
		{7, "", 0, rules.Ineligible, 91.67},  // 892.5 - 800.83…
		{1, "", 0, rules.Ineligible, 146.67}, // 892.5 - 745.83…
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("firm", tt.i), func(t *testing.T) {
			r, used := evaluate(t, p, firms[tt.i-1], set, points.Options{})
			pct := float64(tt.i) / 20
			want := growthTotal(pct)
			if r.Points == nil || !near(*r.Points, want) || r.Score == nil || *r.Score != *r.Points {
				t.Errorf("points, score = %s, %s, want %.2f", deref(r.Points), deref(r.Score), want)
			}
			if r.Points != nil && (*r.Points < 0 || *r.Points > 1000) {
				t.Errorf("points = %v, want within [0, 1000]", *r.Points)
			}
			if r.Status != tt.status || r.Band != tt.band {
				t.Errorf("status, band = %s, %q, want %s, %q", r.Status, r.Band, tt.status, tt.band)
			}
			if tt.credit > 0 && (r.CreditLine == nil || *r.CreditLine != tt.credit) || tt.credit == 0 && r.CreditLine != nil {
				t.Errorf("credit line = %s, want %v", deref(r.CreditLine), tt.credit)
			}
			if used == nil || used.ID != registry.CohortID(key, county, "growth", asOfDay) || used.Level != registry.CohortCounty {
				t.Fatalf("ranked against %+v, want the county cohort", used)
			}

			// The R&D criteria: value, percentile, points.
			w := 1000 * 0.55 / 6
			for _, id := range []string{"rd-intensity", "rd-expense"} {
				c := crit(t, r, id)
				checkContains(t, id+" detail", c.Detail, fmt.Sprintf("位于鹤城区成长期企业第%d百分位（20家）", tt.i*5))
				if c.Status != rules.Pass || c.Points == nil || !near(*c.Points, round2(w*pct)) {
					t.Errorf("%s status, points = %s, %s, want pass, %.2f", id, c.Status, deref(c.Points), w*pct)
				}
			}
			if c := crit(t, r, "rd-intensity"); c.Actual == nil || !near(*c.Actual, float64(tt.i)/100) {
				t.Errorf("rd-intensity actual = %s, want %v", deref(c.Actual), float64(tt.i)/100)
			}
			// A value every firm shares ranks at the top.
			if c := crit(t, r, "revenue"); !near(*c.Points, 1000*0.35/4) {
				t.Errorf("revenue points = %s, want %.2f (a tie at the 100th percentile)", deref(c.Points), 1000*0.35/4)
			} else {
				checkContains(t, "revenue detail", c.Detail, "第100百分位")
			}
			if c := crit(t, r, "qualification"); c.Points == nil || *c.Points != 0 || c.Detail != "无，计0" {
				t.Errorf("qualification points, detail = %s, %q, want 0, 无，计0", deref(c.Points), c.Detail)
			}

			wantSub := map[string]float64{"tech": 1000 * 0.55 * (2*pct + 4) / 6, "growth": 350, "aux": 20}
			if diff := cmp.Diff(wantSub, r.Subscores, cmpopts.EquateApprox(0, 0.006)); diff != "" {
				t.Errorf("subscores (-want +got):\n%s", diff)
			}
			if c := crit(t, r, "cohort"); c.Status != rules.Pass || c.Actual == nil || *c.Actual != 20 || c.Detail != "鹤城区成长期企业20家（2026-06-30形成的分布）" {
				t.Errorf("cohort = %s, %s, %q; want pass, 20, 鹤城区成长期企业20家（2026-06-30形成的分布）", c.Status, deref(c.Actual), c.Detail)
			}
			band := crit(t, r, "band")
			checkContains(t, "band detail", band.Detail, fmt.Sprintf("在鹤城区成长期企业20家中排第%d名（前%g%%）", 21-tt.i, float64(21-tt.i)*5))
			if band.Threshold == nil || !near(*band.Threshold, round2(growthTotal(17.0/20))) {
				t.Errorf("band threshold = %s, want %.2f (the points at rank 4)", deref(band.Threshold), growthTotal(17.0/20))
			}
			if r.Note != "依据筛查第一遍于2026-06-30形成的鹤城区成长期企业积分分布（20家）" {
				t.Errorf("note = %q, want the pass-1 note", r.Note)
			}

			if tt.status == rules.Eligible {
				if band.Status != rules.Pass || r.Route == nil || *r.Route != "score" || r.Distance != nil {
					t.Errorf("band status, route, distance = %s, %v, %s, want pass, score, nil", band.Status, r.Route, deref(r.Distance))
				}
				checkContains(t, "band detail", band.Detail, "进入"+tt.band+"档")
				return
			}
			// Below the top 20%: the gap to the cutoff.
			gapWant := tt.gap
			if band.Status != rules.Fail || band.Gap == nil || !near(*band.Gap, gapWant) {
				t.Errorf("band status, gap = %s, %s, want fail, %.2f", band.Status, deref(band.Gap), gapWant)
			}
			if r.Distance == nil || !near(*r.Distance, gapWant/892.5) || !cmp.Equal(r.Blocking, []string{"band"}) {
				t.Errorf("distance, blocking = %s, %v, want %.4f, [band]", deref(r.Distance), r.Blocking, gapWant/892.5)
			}
			if len(r.NextSteps) == 0 {
				t.Errorf("next steps = [], want how to close the gap")
			} else {
				checkContains(t, "next step", r.NextSteps[0], fmt.Sprintf("积分需再提高%g分", gapWant))
			}
		})
	}
}

// TestTiesShareTheBetterRank: firms 19 and 20 tie on R&D expense. Both are
// at the 100th percentile (the share at or below them), both score 920 and
// both rank 1st, so both are 领跑 (名次 ≤ ceil(5% × 20) = 1, ties take the
// better rank); they also fill the top 10% (ranks 1–2), so firm 18, ranked
// 3rd, is 进取.
func TestTiesShareTheBetterRank(t *testing.T) {
	p := program()
	firms := cohort(0, 20, county)
	firms[18] = firm(19, county, growthRevenue, 20*100_000)
	dists := build(p.Model(), "", firms)
	set := points.NewSet(dists)

	cut := set[county+"/growth"].Cutoffs
	if len(cut) != 3 || !near(cut[0].Points, 920) || !near(cut[1].Points, 920) || !near(cut[2].Points, growthTotal(17.0/20)) {
		t.Errorf("cutoffs = %+v, want 920, 920, %.2f", cut, growthTotal(17.0/20))
	}
	for _, tt := range []struct {
		i          int
		pct, total float64
		rank       int
		band       string
	}{
		{20, 100, 920, 1, "领跑"},
		{19, 100, 920, 1, "领跑"},
		{18, 90, growthTotal(18.0 / 20), 3, "进取"},
		{17, 85, growthTotal(17.0 / 20), 4, "进取"},
	} {
		r, _ := evaluate(t, p, firms[tt.i-1], set, points.Options{})
		if r.Band != tt.band || r.Points == nil || !near(*r.Points, tt.total) {
			t.Errorf("firm %d band, points = %q, %s, want %q, %.2f", tt.i, r.Band, deref(r.Points), tt.band, tt.total)
		}
		checkContains(t, fmt.Sprintf("firm %d rd-expense detail", tt.i), crit(t, r, "rd-expense").Detail, fmt.Sprintf("第%g百分位", tt.pct))
		checkContains(t, fmt.Sprintf("firm %d band detail", tt.i), crit(t, r, "band").Detail, fmt.Sprintf("排第%d名", tt.rank))
	}
}
