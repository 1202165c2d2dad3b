package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/storetest"
)

// slowAudit is the real store, counting writes and making each take a
// while, so that callers pile up behind one another.
type slowAudit struct {
	AuditStore
	writes atomic.Int32
}

func (s *slowAudit) AppendAudit(ctx context.Context, entries ...registry.AuditEntry) error {
	s.writes.Add(1)
	time.Sleep(20 * time.Millisecond)
	return s.AuditStore.AppendAudit(ctx, entries...)
}

// TestAuditGroupCommit: 200 concurrent callers' entries are all stored,
// each caller returns only once its own entry can be read back, and they
// take far fewer writes than callers.
func TestAuditGroupCommit(t *testing.T) {
	st := &slowAudit{AuditStore: storetest.New(t)}
	var g auditGroup
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := fmt.Sprintf("caller-%03d", i)
			if err := g.append(context.Background(), st, []registry.AuditEntry{{Action: "whitelist.lookup", USCC: u, Outcome: 200}}); err != nil {
				errs <- err
				return
			}
			// Stored before the caller goes on.
			got, err := st.ListAudit(context.Background(), registry.AuditFilter{USCC: u})
			if err != nil || len(got) != 1 {
				errs <- fmt.Errorf("%s: %d entries after append (%v), want 1", u, len(got), err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, err := st.ListAudit(context.Background(), registry.AuditFilter{Limit: 1000})
	if err != nil || len(all) != n {
		t.Fatalf("%d entries stored (%v), want %d", len(all), err, n)
	}
	if w := st.writes.Load(); w >= n/4 {
		t.Errorf("%d writes for %d callers: not grouped", w, n)
	} else {
		t.Logf("%d callers, %d writes", n, w)
	}
	// Idle again: the next caller writes at once, alone.
	before := st.writes.Load()
	if err := g.append(context.Background(), st, []registry.AuditEntry{{Action: "key.create", Outcome: 201}}); err != nil {
		t.Fatal(err)
	}
	if st.writes.Load() != before+1 || g.busy || len(g.pending) != 0 {
		t.Errorf("after an idle append: writes %d→%d, busy %v, pending %d", before, st.writes.Load(), g.busy, len(g.pending))
	}
}

// countingCohorts is the real store, counting reads and failing them on
// demand.
type countingCohorts struct {
	CohortStore
	reads atomic.Int32
	down  atomic.Bool
}

func (c *countingCohorts) LatestCohort(ctx context.Context, program, region, stage string) (registry.CohortDistribution, error) {
	c.reads.Add(1)
	if c.down.Load() {
		return registry.CohortDistribution{}, fmt.Errorf("read cohort: %w", registry.ErrUnavailable)
	}
	return c.CohortStore.LatestCohort(ctx, program, region, stage)
}

// TestCohortCache: a distribution is read from the database once however
// many self-checks use it, one not stored yet is asked again after a
// moment, and an outage is never remembered.
func TestCohortCache(t *testing.T) {
	st := storetest.New(t)
	d := registry.CohortDistribution{ID: registry.CohortID("innovation-points@2024", "431202", "growth", "2026-06-30"),
		Program: "innovation-points@2024", RegionCode: "431202", Level: registry.CohortCounty, Stage: "growth",
		AsOf: "2026-06-30", Firms: 25, BuiltAt: time.Now().UTC().Truncate(time.Millisecond)}
	b := registry.CohortBuild{ID: "job", Program: d.Program, AsOf: d.AsOf, Firms: 25, Cohorts: []string{d.ID}, BuiltAt: d.BuiltAt}
	if err := st.SaveCohorts(context.Background(), b, []registry.CohortDistribution{d}); err != nil {
		t.Fatal(err)
	}
	cc := &countingCohorts{CohortStore: st}
	s := New(Config{Cohorts: cc})
	ls := s.cachedCohorts()
	for range 5 {
		got, err := ls.LatestCohort(context.Background(), d.Program, "431202", "growth")
		if err != nil || got.Firms != 25 {
			t.Fatalf("LatestCohort = %d firms, %v; want 25", got.Firms, err)
		}
	}
	if n := cc.reads.Load(); n != 1 {
		t.Errorf("%d database reads for 5 lookups, want 1", n)
	}
	// Not stored yet: remembered briefly.
	for range 3 {
		if _, err := ls.LatestCohort(context.Background(), d.Program, "431202", "startup"); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("missing cohort: %v, want ErrNotFound", err)
		}
	}
	if n := cc.reads.Load(); n != 2 {
		t.Errorf("%d database reads after 3 lookups of a missing cohort, want 2", n)
	}
	// An outage is not remembered.
	cc.down.Store(true)
	for range 2 {
		if _, err := ls.LatestCohort(context.Background(), d.Program, "431202", "stable"); err == nil {
			t.Fatal("no error while the database is down")
		}
	}
	if n := cc.reads.Load(); n != 4 {
		t.Errorf("%d database reads after 2 lookups during an outage, want 4", n)
	}
}

// flakyAudit is the real store failing its first writes, as during an
// outage.
type flakyAudit struct {
	AuditStore
	fail atomic.Int32
}

func (f *flakyAudit) AppendAudit(ctx context.Context, entries ...registry.AuditEntry) error {
	if f.fail.Add(-1) >= 0 {
		// Half the batch lands before the failure: the retry must not
		// store it twice.
		_ = f.AuditStore.AppendAudit(ctx, entries[:len(entries)/2]...)
		return fmt.Errorf("append audit: %w", registry.ErrUnavailable)
	}
	return f.AuditStore.AppendAudit(ctx, entries...)
}

// TestAuditBehind: bank-query entries are written after their answers,
// retried through failures without duplicates, and flushed by Close;
// nothing is taken after Close.
func TestAuditBehind(t *testing.T) {
	st := storetest.New(t)
	fa := &flakyAudit{AuditStore: st}
	fa.fail.Store(2)
	var logged atomic.Int32
	b := &auditBehind{max: 50, st: fa, wake: make(chan struct{}, 1), done: make(chan struct{}),
		log: func(error, int) { logged.Add(1) }}
	entry := func(i int) registry.AuditEntry {
		return registry.AuditEntry{ID: fmt.Sprintf("00000000-0000-7000-8000-%012d", i), Action: "whitelist.lookup", Outcome: 200}
	}
	for i := range 40 {
		if err := b.add([]registry.AuditEntry{entry(i)}); err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
	}
	if err := b.close(context.Background()); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := b.add([]registry.AuditEntry{entry(99)}); !errors.Is(err, errAuditBacklog) {
		t.Errorf("add after close = %v, want refused", err)
	}
	got, err := st.ListAudit(context.Background(), registry.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for _, e := range got {
		ids[e.ID]++
	}
	for i := range 40 {
		if n := ids[entry(i).ID]; n != 1 {
			t.Errorf("entry %d stored %d times, want once", i, n)
		}
	}
	if logged.Load() != 2 {
		t.Errorf("%d failed writes logged, want 2", logged.Load())
	}
}

// TestAuditBehindBound: with the writer stuck, the queue fills to its bound
// and then refuses.
func TestAuditBehindBound(t *testing.T) {
	st := &slowAudit{AuditStore: storetest.New(t)}
	b := &auditBehind{max: 10, st: st, wake: make(chan struct{}, 1), done: make(chan struct{}), log: func(error, int) {}}
	refused := 0
	for range 30 {
		if err := b.add([]registry.AuditEntry{{Action: "whitelist.lookup"}}); errors.Is(err, errAuditBacklog) {
			refused++
		}
	}
	if refused == 0 {
		t.Error("30 entries into a queue of 10 behind a slow writer: none refused")
	}
	if err := b.close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
