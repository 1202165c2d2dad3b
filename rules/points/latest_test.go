package points_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/points"
)

// fakeLatest is a LatestStore holding distributions by region and stage. It
// records the cohorts asked for.
type fakeLatest struct {
	dists map[string]registry.CohortDistribution
	err   error
	asked []string
}

func (f *fakeLatest) LatestCohort(_ context.Context, program, region, stage string) (registry.CohortDistribution, error) {
	f.asked = append(f.asked, program+" "+region+"/"+stage)
	if f.err != nil {
		return registry.CohortDistribution{}, f.err
	}
	d, ok := f.dists[region+"/"+stage]
	if !ok {
		return registry.CohortDistribution{}, fmt.Errorf("cohort %s/%s: %w", region, stage, registry.ErrNotFound)
	}
	return d, nil
}

func latestOf(dists []registry.CohortDistribution) *fakeLatest {
	f := &fakeLatest{dists: map[string]registry.CohortDistribution{}}
	for _, d := range dists {
		f.dists[d.RegionCode+"/"+d.Stage] = d
	}
	return f
}

// TestEstimate places a firm that is not in the stored distribution (a
// self-check): the result says it is an estimate and names the cohort.
func TestEstimate(t *testing.T) {
	p := program()
	st := latestOf(build(p.Model(), "", cohort(0, 20, county)))
	// Between firms 18 and 19 of the stored cohort: R&D ¥1,850,000 is
	// above 18 of the 20, so at percentile 18/20, as firm 18.
	f := firm(500, county, growthRevenue, 1_850_000)
	r, used := evaluate(t, p, f, points.Latest(st, key), points.Options{Estimate: true})

	if diff := cmp.Diff([]string{key + " 431202/growth"}, st.asked); diff != "" {
		t.Errorf("cohorts asked (-want +got):\n%s", diff)
	}
	if used == nil || used.ID != registry.CohortID(key, county, "growth", asOfDay) {
		t.Fatalf("used = %+v, want the county cohort", used)
	}
	want := "估算：对照鹤城区成长期企业20家于2026-06-30形成的最新积分分布；本企业未必在该分布中，积分、排名和档次仅供参考"
	if r.Note != want || r.Outputs["points"].Note != want {
		t.Errorf("note, points output note = %q, %q, want %q", r.Note, r.Outputs["points"].Note, want)
	}
	if r.Points == nil || !near(*r.Points, growthTotal(18.0/20)) || r.Band != "进取" || r.Status != rules.Eligible {
		t.Errorf("points, band, status = %s, %q, %s, want %.2f, 进取, eligible", deref(r.Points), r.Band, r.Status, growthTotal(18.0/20))
	}
	checkContains(t, "band detail", crit(t, r, "band").Detail, "在鹤城区成长期企业20家中约排第3名（前15%）")
	if got := p.Stamp(used); got != p.Hash()+"/"+used.ID+"@2026-07-01T08:00:00Z" {
		t.Errorf("Stamp = %q, want hash/id@built_at", got)
	}

	// Not an estimate: the pass-1 wording, no "约".
	r, _ = evaluate(t, p, f, points.Latest(st, key), points.Options{})
	checkContains(t, "note", r.Note, "依据筛查第一遍")
	checkContains(t, "band detail", crit(t, r, "band").Detail, "中排第3名")

	// A distribution of an earlier year says so.
	next := firm(501, county, growthRevenue, 1_850_000)
	next.Years = append(next.Years, registry.Year{Year: 2026, Revenue: i64(growthRevenue), RDExpense: i64(1_850_000)})
	r, _, err := p.Evaluate(context.Background(), &next, time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), points.Latest(st, key), points.Options{Estimate: true})
	if err != nil {
		t.Fatal(err)
	}
	checkContains(t, "note a year later", r.Note, "；该分布依据2025年度数据，本次按2026年度数据评估")
}

// TestEstimateFallsBack: the stored county cohort is too small, the city's
// is used, asked for in that order.
func TestEstimateFallsBack(t *testing.T) {
	p := program()
	st := latestOf(build(p.Model(), "", append(cohort(0, 5, county), cohort(100, 15, "431221")...)))
	r, used := evaluate(t, p, firm(500, county, growthRevenue, 100_000), points.Latest(st, key), points.Options{Estimate: true})
	if diff := cmp.Diff([]string{key + " 431202/growth", key + " 431200/growth"}, st.asked); diff != "" {
		t.Errorf("cohorts asked (-want +got):\n%s", diff)
	}
	if used == nil || used.RegionCode != "431200" {
		t.Fatalf("used = %+v, want the city cohort", used)
	}
	checkContains(t, "note", r.Note, "估算：对照怀化市成长期企业20家")
	checkContains(t, "cohort detail", crit(t, r, "cohort").Detail, "鹤城区成长期企业仅5家（少于20家），改用怀化市成长期企业20家")
}

// TestEstimateWithoutStore: a nil store, or one with nothing stored, has no
// distribution: insufficient_data, no panic.
func TestEstimateWithoutStore(t *testing.T) {
	p := program()
	f := firm(500, county, growthRevenue, 100_000)
	for name, src := range map[string]points.Source{
		"nil store":   points.Latest(nil, key),
		"empty store": points.Latest(latestOf(nil), key),
	} {
		t.Run(name, func(t *testing.T) {
			r, used := evaluate(t, p, f, src, points.Options{Estimate: true})
			c := crit(t, r, "cohort")
			if r.Status != rules.InsufficientData || used != nil || r.Points != nil || c.Status != rules.Missing || r.Note != "" {
				t.Errorf("status, used, points, cohort, note = %s, %v, %s, %s, %q; want insufficient_data, nil, nil, missing, \"\"",
					r.Status, used, deref(r.Points), c.Status, r.Note)
			}
			if c.Detail != "尚无鹤城区成长期企业及上级地区同阶段企业的积分分布：需先运行包含创新积分的筛查" {
				t.Errorf("cohort detail = %q, want: no distribution stored, run a screening", c.Detail)
			}
			if len(r.NextSteps) != 1 || r.NextSteps[0] != "主管部门运行包含创新积分（innovation-points）的筛查、形成群体分布后，可评估积分与档次" {
				t.Errorf("next steps = %q, want: run a screening with innovation-points", r.NextSteps)
			}
			if b := crit(t, r, "band"); b.Status != rules.Missing || b.Detail != "没有可用的对比群体，无法排名" {
				t.Errorf("band = %s, %q, want missing, 没有可用的对比群体，无法排名", b.Status, b.Detail)
			}
		})
	}
}

// TestEstimateStoreError: a store failure is Evaluate's error, not a
// result.
func TestEstimateStoreError(t *testing.T) {
	f := firm(500, county, growthRevenue, 100_000)
	st := &fakeLatest{err: fmt.Errorf("down: %w", registry.ErrUnavailable)}
	if _, _, err := program().Evaluate(context.Background(), &f, asOf, points.Latest(st, key), points.Options{Estimate: true}); err == nil {
		t.Errorf("Evaluate error = nil, want the store's")
	}
}
