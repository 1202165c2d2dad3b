package points_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/points"
)

// Both interfaces are the real store's.
var (
	_ points.Store       = (*store.Store)(nil)
	_ points.LatestStore = (*store.Store)(nil)
)

// clock returns a new minute at every call, so each build has its own
// time.
func clock() func() time.Time {
	t := builtAt
	return func() time.Time {
		t = t.Add(time.Minute)
		return t
	}
}

func insert(t *testing.T, st *store.Store, firms ...registry.Firm) {
	t.Helper()
	n, err := st.InsertMissing(context.Background(), firms)
	if err != nil || n != len(firms) {
		t.Fatalf("InsertMissing = %d, %v, want %d, nil", n, err, len(firms))
	}
}

// TestScreenerTwoPasses runs the program inside screening jobs on the
// embedded database: pass 1 once per job, stored and reused.
func TestScreenerTwoPasses(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	firms := cohort(0, 20, county)
	insert(t, st, firms...)
	// Outside the cohort: another stage, and a firm without a stage.
	insert(t, st, firm(50, county, 300_000_000, 1_000_000))
	noRevenue := firm(51, county, growthRevenue, 0)
	noRevenue.Years = nil
	insert(t, st, noRevenue)

	p := program()
	s := points.NewScreener(p, st, clock())
	if s.ID() != "innovation-points" || s.Key() != key {
		t.Errorf("ID, Key = %q, %q, want innovation-points, %s", s.ID(), s.Key(), key)
	}
	job := registry.Screening{ID: "job1", AsOf: asOfDay}
	eval, err := s.Prepare(ctx, job)
	if err != nil {
		t.Fatalf("Prepare(job1) error = %v, want nil", err)
	}
	b1, err := st.CohortBuild(ctx, "job1")
	if err != nil {
		t.Fatalf("CohortBuild(job1) error = %v", err)
	}
	wantIDs := []string{
		registry.CohortID(key, "430000", "growth", asOfDay), registry.CohortID(key, "430000", "stable", asOfDay),
		registry.CohortID(key, "431200", "growth", asOfDay), registry.CohortID(key, "431200", "stable", asOfDay),
		registry.CohortID(key, county, "growth", asOfDay), registry.CohortID(key, county, "stable", asOfDay),
	}
	if diff := cmp.Diff(wantIDs, b1.Cohorts); diff != "" {
		t.Errorf("job1 cohorts (-want +got):\n%s", diff)
	}
	if b1.Firms != 21 || b1.AsOf != asOfDay || b1.Program != key || b1.Scope != "" || !b1.BuiltAt.Equal(builtAt.Add(time.Minute)) {
		t.Errorf("job1 build = %+v, want 21 firms with a stage, as_of %s, whole registry, built at the first tick", b1, asOfDay)
	}

	check := func(name string, eval func(*registry.Firm, time.Time) rules.Result, f registry.Firm, band string, size, pts float64) {
		t.Helper()
		r := eval(&f, asOf)
		if r.Band != band || r.Points == nil || !near(*r.Points, pts) {
			t.Errorf("%s: band, points = %q, %s, want %q, %.2f", name, r.Band, deref(r.Points), band, pts)
		}
		if c := crit(t, r, "cohort"); c.Actual == nil || *c.Actual != size {
			t.Errorf("%s: cohort size = %s, want %v", name, deref(c.Actual), size)
		}
	}
	check("job1 firm 20", eval, firms[19], "领跑", 20, 920)
	check("job1 firm 19", eval, firms[18], "竞跑", 20, growthTotal(19.0/20))
	if r := eval(&firms[18], asOf); r.Points == nil || !near(*r.Points, growthTotal(19.0/20)) || r.Status != rules.Eligible ||
		r.Note != "依据筛查第一遍于2026-06-30形成的鹤城区成长期企业积分分布（20家）" {
		t.Errorf("job1 firm 19 = %s, %s, %q, want %.2f, eligible, the pass-1 note", deref(r.Points), r.Status, r.Note, growthTotal(19.0/20))
	}

	// A new firm, better than all: job1 keeps ranking against its build.
	best := firm(60, county, growthRevenue, 3_000_000)
	insert(t, st, best)
	again, err := s.Prepare(ctx, job)
	if err != nil {
		t.Fatalf("Prepare(job1) again error = %v", err)
	}
	if b, _ := st.CohortBuild(ctx, "job1"); !b.BuiltAt.Equal(b1.BuiltAt) || b.Firms != 21 {
		t.Errorf("job1 build after Prepare again = %+v, want the first one (built %v, 21 firms): no second scan", b, b1.BuiltAt)
	}
	check("job1 again firm 20", again, firms[19], "领跑", 20, 920)
	check("job1 again new firm", again, best, "领跑", 20, 920)

	// Latest holds job1's distribution.
	l1, err := st.LatestCohort(ctx, key, county, "growth")
	if err != nil || l1.Job != "job1" || l1.Firms != 20 {
		t.Errorf("LatestCohort after job1 = job %q, %d firms, %v; want job1, 20, nil", l1.Job, l1.Firms, err)
	}
	stored, err := st.Cohorts(ctx, b1.Cohorts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stored[4], l1); diff != "" {
		t.Errorf("LatestCohort differs from job1's county cohort (-stored +latest):\n%s", diff)
	}

	// A new job scans again and sees the new firm; it becomes the latest.
	eval2, err := s.Prepare(ctx, registry.Screening{ID: "job2", AsOf: asOfDay})
	if err != nil {
		t.Fatalf("Prepare(job2) error = %v", err)
	}
	// 21 firms: ranks ≤ ceil(5% × 21) = 2 are 领跑; firm 20 is now at
	// percentile 20/21.
	check("job2 firm 20", eval2, firms[19], "领跑", 21, growthTotal(20.0/21))
	check("job2 new firm", eval2, best, "领跑", 21, 920)
	check("job2 firm 16", eval2, firms[15], "", 21, growthTotal(16.0/21))
	l2, err := st.LatestCohort(ctx, key, county, "growth")
	if err != nil || l2.Job != "job2" || l2.Firms != 21 {
		t.Errorf("LatestCohort after job2 = job %q, %d firms, %v; want job2, 21, nil", l2.Job, l2.Firms, err)
	}

	// A self-check against the store estimates from the latest.
	f := firm(70, county, growthRevenue, 1_850_000)
	r, used, err := p.Evaluate(ctx, &f, asOf, points.Latest(st, key), points.Options{Estimate: true})
	if err != nil || used == nil || used.Job != "job2" {
		t.Fatalf("Evaluate against Latest(store) = used %+v, %v; want job2's cohort", used, err)
	}
	checkContains(t, "note", r.Note, "估算：对照鹤城区成长期企业21家")

	// The same job id at another as_of is another pass 1.
	if _, err := s.Prepare(ctx, registry.Screening{ID: "job1", AsOf: "2026-07-31"}); err != nil {
		t.Fatalf("Prepare(job1 at 2026-07-31) error = %v", err)
	}
	if b, _ := st.CohortBuild(ctx, "job1"); b.AsOf != "2026-07-31" || b.Firms != 22 {
		t.Errorf("job1 build at 2026-07-31 = as_of %s, %d firms, want 2026-07-31, 22", b.AsOf, b.Firms)
	}
}

// TestScreenerScope: a county filter scans its city and builds no
// province cohort; a stored build keeps its distributions whole.
func TestScreenerScope(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	insert(t, st, append(cohort(0, 5, county), append(cohort(100, 15, "431221"), cohort(200, 20, "430102")...)...)...)
	s := points.NewScreener(program(), st, clock())

	dists, err := s.Build(ctx, asOf, points.Scope(registry.ScreeningFilter{RegionCode: county}), "")
	if err != nil {
		t.Fatalf("Build error = %v", err)
	}
	var ids []string
	for _, d := range dists {
		ids = append(ids, d.RegionCode+"/"+d.Stage)
	}
	if diff := cmp.Diff([]string{"431200/growth", "431202/growth", "431221/growth"}, ids); diff != "" {
		t.Errorf("cohorts of a county screening (-want +got):\n%s", diff)
	}
	// Without a job there is no build record.
	if _, err := st.CohortBuild(ctx, ""); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("CohortBuild(\"\") error = %v, want ErrNotFound", err)
	}
	// Stored as built.
	got, err := st.Cohorts(ctx, []string{dists[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dists[:1], got); diff != "" {
		t.Errorf("stored cohort (-built +stored):\n%s", diff)
	}

	eval, err := s.Prepare(ctx, registry.Screening{ID: "county", AsOf: asOfDay, Filter: registry.ScreeningFilter{RegionCode: county}})
	if err != nil {
		t.Fatal(err)
	}
	r := eval(&[]registry.Firm{firm(999, county, growthRevenue, 2_000_000)}[0], asOf)
	if c := crit(t, r, "cohort"); c.Detail != "鹤城区成长期企业仅5家（少于20家），改用怀化市成长期企业20家（2026-06-30形成的分布）" {
		t.Errorf("cohort detail = %q, want the fallback to 怀化市", c.Detail)
	}
	if b, err := st.CohortBuild(ctx, "county"); err != nil || b.Scope != "431200" || b.Firms != 20 {
		t.Errorf("build of a county screening = %+v, %v, want scope 431200, 20 firms", b, err)
	}
}

// TestScreenerBadAsOf: Prepare rejects a malformed as_of.
func TestScreenerBadAsOf(t *testing.T) {
	s := points.NewScreener(program(), storetest.New(t), nil)
	if _, err := s.Prepare(context.Background(), registry.Screening{ID: "bad", AsOf: "30/06/2026"}); err == nil {
		t.Errorf("Prepare(as_of 30/06/2026) error = nil, want one")
	}
}

// TestPrepareScan: pass 1 reads the registry through the given scan (a
// screening's spool), once per job; a stored build is loaded without it.
func TestPrepareScan(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	firms := cohort(0, 20, county)
	var scans []registry.FirmFilter
	scan := func(_ context.Context, f registry.FirmFilter, fn func(*registry.Record) error) error {
		scans = append(scans, f)
		for i := range firms {
			if err := fn(&registry.Record{Firm: firms[i]}); err != nil {
				return err
			}
		}
		return nil
	}
	s := points.NewScreener(program(), st, clock())
	job := registry.Screening{ID: "spool", AsOf: asOfDay, Filter: registry.ScreeningFilter{RegionCode: county}}
	eval, err := s.PrepareScan(ctx, job, scan)
	if err != nil {
		t.Fatalf("PrepareScan error = %v", err)
	}
	if diff := cmp.Diff([]registry.FirmFilter{{RegionCode: "431200"}}, scans); diff != "" {
		t.Errorf("scans (-want +got):\n%s", diff)
	}
	if r := eval(&firms[19], asOf); r.Band != "领跑" || r.Points == nil || !near(*r.Points, 920) {
		t.Errorf("firm 20 band, points = %q, %s, want 领跑, 920", r.Band, deref(r.Points))
	}
	// The store holds no firm: the build came from the scan, and was stored.
	if b, err := st.CohortBuild(ctx, "spool"); err != nil || b.Firms != 20 || b.Scope != "431200" {
		t.Errorf("build = %+v, %v, want 20 firms of 431200", b, err)
	}
	if _, err := s.PrepareScan(ctx, job, scan); err != nil || len(scans) != 1 {
		t.Errorf("PrepareScan again: %v, %d scans, want nil, 1 (the stored build loaded)", err, len(scans))
	}
}
