package points

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// Pack describes the program for the program endpoints (see Model.Pack).
func (p *Program) Pack() *rules.Pack { return p.m.Pack() }

// Store is what pass 1 needs of the registry: a scan of the firms and the
// cohort collections. *store.Store implements it; methods return registry
// error kinds.
type Store interface {
	ScanFirms(ctx context.Context, f registry.FirmFilter, fn func(*registry.Record) error) error
	SaveCohorts(ctx context.Context, b registry.CohortBuild, dists []registry.CohortDistribution) error
	CohortBuild(ctx context.Context, job string) (registry.CohortBuild, error)
	Cohorts(ctx context.Context, ids []string) ([]registry.CohortDistribution, error)
}

// Screener runs the program inside screening jobs (it implements
// screening.Native): Prepare is pass 1, the function it returns pass 2.
type Screener struct {
	p   *Program
	st  Store
	now func() time.Time
}

// NewScreener returns a Screener of p over st. now is the clock for
// build times; nil means time.Now.
func NewScreener(p *Program, st Store, now func() time.Time) *Screener {
	if now == nil {
		now = time.Now
	}
	return &Screener{p: p, st: st, now: now}
}

// ID is the program id.
func (s *Screener) ID() string { return s.p.ID() }

// Key is "id@edition".
func (s *Screener) Key() string { return s.p.Key() }

// Build is pass 1 outside a job: it scans the firms of scope (a division
// code, "" for the whole registry), builds every cohort's distribution at
// asOf and stores them, each as its cohort's latest unless a later one is
// stored. job, when set, records the build for that screening job.
// Errors: the store's (registry.ErrUnavailable), the context's.
func (s *Screener) Build(ctx context.Context, asOf time.Time, scope, job string) ([]registry.CohortDistribution, error) {
	return s.build(ctx, asOf, scope, job, s.st.ScanFirms)
}

// build is Build reading the registry through scan.
func (s *Screener) build(ctx context.Context, asOf time.Time, scope, job string,
	scan func(context.Context, registry.FirmFilter, func(*registry.Record) error) error) ([]registry.CohortDistribution, error) {
	b := s.p.m.NewBuilder(asOf, scope)
	err := scan(ctx, registry.FirmFilter{RegionCode: scope}, func(rec *registry.Record) error {
		b.Add(&rec.Firm)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("innovation points: scan the registry: %w", err)
	}
	now := s.now()
	dists := b.Build(job, now)
	build := registry.CohortBuild{ID: job, Program: s.p.Key(), AsOf: asOf.Format(registry.DateLayout), Scope: scope,
		Firms: b.Firms(), Cohorts: make([]string, len(dists)), BuiltAt: now}
	for i := range dists {
		build.Cohorts[i] = dists[i].ID
	}
	if err := s.st.SaveCohorts(ctx, build, dists); err != nil {
		return nil, fmt.Errorf("innovation points: store the cohorts: %w", err)
	}
	return dists, nil
}

// Prepare readies screening job sc: the distributions its pass 1 stored,
// or, the first time, pass 1 itself over the job's scope (Scope: its
// region widened to the city; chain and industry filters ignored). It
// returns pass 2: the evaluation of one firm against them, safe for
// concurrent use. Calling it again for the same job (a resumed job,
// another replica) loads the stored build instead of scanning again.
// Errors: the store's, the context's.
func (s *Screener) Prepare(ctx context.Context, sc registry.Screening) (func(*registry.Firm, time.Time) rules.Result, error) {
	return s.PrepareScan(ctx, sc, nil)
}

// PrepareScan is Prepare with pass 1 reading the registry through scan
// (nil: the store's ScanFirms); it implements screening.Native.
func (s *Screener) PrepareScan(ctx context.Context, sc registry.Screening,
	scan func(context.Context, registry.FirmFilter, func(*registry.Record) error) error) (func(*registry.Firm, time.Time) rules.Result, error) {
	if scan == nil {
		scan = s.st.ScanFirms
	}
	asOf, err := registry.ParseDate(sc.AsOf)
	if err != nil {
		return nil, fmt.Errorf("innovation points: job %s: as_of %q: %w", sc.ID, sc.AsOf, err)
	}
	var dists []registry.CohortDistribution
	b, err := s.st.CohortBuild(ctx, sc.ID)
	if err == nil && b.AsOf == sc.AsOf {
		dists, err = s.st.Cohorts(ctx, b.Cohorts)
	} else if err == nil {
		err = registry.ErrNotFound
	}
	if errors.Is(err, registry.ErrNotFound) {
		dists, err = s.build(ctx, asOf, Scope(sc.Filter), sc.ID, scan)
	}
	if err != nil {
		return nil, err
	}
	set := NewSet(dists)
	return func(f *registry.Firm, asOf time.Time) rules.Result {
		r, _, _ := s.p.Evaluate(context.Background(), f, asOf, set, Options{}) // a Set never fails
		return r
	}, nil
}
