package screening_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/screening"
	"github.com/peiyu/peiyu/seeds"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var asOf = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func holder(t *testing.T) *rules.Holder {
	t.Helper()
	eng, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return rules.NewHolder(eng)
}

// registryOf loads n demo firms into a fresh store.
func registryOf(t *testing.T, n int) *store.Store {
	t.Helper()
	st := storetest.New(t)
	if got, err := seeds.Load(context.Background(), st, n, 7); err != nil || got != n {
		t.Fatalf("seeds.Load = %d, %v", got, err)
	}
	return st
}

// expected evaluates every firm directly: the summary a job must reach.
func expected(t *testing.T, st *store.Store, h *rules.Holder, programs []string) map[string]map[string]int {
	t.Helper()
	var progs []*rules.Program
	for _, k := range programs {
		p, ok := h.Load().Program(k)
		if !ok {
			t.Fatalf("no program %s", k)
		}
		progs = append(progs, p)
	}
	sum := map[string]map[string]int{}
	err := st.ScanFirms(context.Background(), registry.FirmFilter{}, func(r *registry.Record) error {
		for _, res := range screening.Evaluate(progs, &r.Firm, asOf).Results {
			if sum[res.Program] == nil {
				sum[res.Program] = map[string]int{}
			}
			sum[res.Program][res.Status]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// results reads a job's stored results, checking there is one per firm.
func results(t *testing.T, st *store.Store, job string) map[string]registry.ScreenedFirm {
	t.Helper()
	out := map[string]registry.ScreenedFirm{}
	err := st.ScreeningResults(context.Background(), job, func(f *registry.ScreenedFirm) error {
		if _, dup := out[f.USCC]; dup {
			t.Errorf("firm %s stored twice", f.USCC)
		}
		out[f.USCC] = *f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestScreeningModes(t *testing.T) {
	const n = 650
	for _, tc := range []struct {
		name    string
		scan    bool
		workers int // runners sharing the job
	}{
		{"scan mode", true, 1},
		{"chunk mode, one replica", false, 1},
		{"chunk mode, three replicas", false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := registryOf(t, n)
			h := holder(t)
			first := screening.New(st, h, screening.Config{ChunkSize: 100, ScanMode: tc.scan, Lease: 5 * time.Second})
			sc, err := first.Create(ctx, screening.Request{Programs: []string{"tech-sme", "little-giant"}, AsOf: asOf}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"tech-sme@2017", "little-giant@2026"}, sc.Programs); diff != "" {
				t.Errorf("programs resolved at creation (-want +got):\n%s", diff)
			}
			var wg sync.WaitGroup
			errs := make([]error, tc.workers)
			for i := range tc.workers {
				r := first
				if i > 0 {
					r = screening.New(st, h, screening.Config{ChunkSize: 100, ScanMode: tc.scan, Lease: 5 * time.Second})
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					// A replica that finds the job held elsewhere returns;
					// keep working until the job is done.
					for {
						if errs[i] = r.Work(ctx, sc.ID); errs[i] != nil {
							return
						}
						got, err := st.GetScreening(ctx, sc.ID)
						if err != nil || got.Status == registry.ScreeningDone || got.Status == registry.ScreeningFailed {
							errs[i] = err
							return
						}
						time.Sleep(50 * time.Millisecond)
					}
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			got, err := st.GetScreening(ctx, sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != registry.ScreeningDone || got.Total != n || got.Done != n || got.FinishedAt == nil {
				t.Errorf("job = %s total %d done %d finished %v; want done %d/%d", got.Status, got.Total, got.Done, got.FinishedAt, n, n)
			}
			if got.Chunks != 7 {
				t.Errorf("chunks = %d, want 7 of at most 100 firms", got.Chunks)
			}
			if diff := cmp.Diff(expected(t, st, h, sc.Programs), got.Summary); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			if res := results(t, st, sc.ID); len(res) != n {
				t.Errorf("%d firms stored, want %d", len(res), n)
			}
		})
	}
}

// A worker that dies mid-job leaves sealed chunks and results of an
// unsealed one; another worker resumes after the lease, and the job ends
// with every firm counted exactly once.
func TestScreeningResumesAfterCrash(t *testing.T) {
	for _, scan := range []bool{true, false} {
		name := map[bool]string{true: "scan mode", false: "chunk mode"}[scan]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			const n = 500
			st := registryOf(t, n)
			h := holder(t)
			lease := 1500 * time.Millisecond
			crashCtx, crash := context.WithCancel(context.Background())
			sealed := 0
			var mu sync.Mutex
			dying := screening.New(st, h, screening.Config{ChunkSize: 50, ScanMode: scan, Lease: lease, Workers: 1,
				Progress: func(string, int) {
					mu.Lock()
					defer mu.Unlock()
					if sealed++; sealed == 3 {
						crash()
					}
				}})
			sc, err := dying.Create(context.Background(), screening.Request{AsOf: asOf}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := dying.Work(crashCtx, sc.ID); !errors.Is(err, context.Canceled) {
				t.Fatalf("crashed worker: %v, want context.Canceled", err)
			}
			mid, err := st.GetScreening(context.Background(), sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if mid.Status != registry.ScreeningRunning || mid.Done < 150 || mid.Done >= n {
				t.Fatalf("after the crash: %s with %d done; want running, partly done", mid.Status, mid.Done)
			}

			// The successor waits for the lease, then finishes the job.
			next := screening.New(st, h, screening.Config{ChunkSize: 50, ScanMode: scan, Lease: lease})
			deadline := time.Now().Add(30 * time.Second)
			for {
				if err := next.Work(context.Background(), sc.ID); err != nil {
					t.Fatal(err)
				}
				got, err := st.GetScreening(context.Background(), sc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status == registry.ScreeningDone {
					if got.Total != n || got.Done != n {
						t.Errorf("total %d done %d, want %d each", got.Total, got.Done, n)
					}
					if diff := cmp.Diff(expected(t, st, h, sc.Programs), got.Summary); diff != "" {
						t.Errorf("summary after resume (-want +got):\n%s", diff)
					}
					if res := results(t, st, sc.ID); len(res) != n {
						t.Errorf("%d firms stored, want %d", len(res), n)
					}
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("job not done after the lease: %+v", got)
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
}

func TestCreateRejectsUnknownProgram(t *testing.T) {
	st := storetest.New(t)
	r := screening.New(st, holder(t), screening.Config{})
	_, err := r.Create(context.Background(), screening.Request{Programs: []string{"no-such"}, AsOf: asOf}, time.Now())
	var upe *rules.UnknownProgramError
	if !errors.As(err, &upe) {
		t.Fatalf("Create = %v, want *rules.UnknownProgramError", err)
	}
}

// Old jobs keep their summary; their per-firm results are dropped.
func TestOldResultsArePruned(t *testing.T) {
	ctx := context.Background()
	st := registryOf(t, 30)
	r := screening.New(st, holder(t), screening.Config{ScanMode: storetest.Embedded(), KeepResults: 1})
	var ids []string
	for range 3 {
		sc, err := r.Create(ctx, screening.Request{Programs: []string{"tech-sme"}, AsOf: asOf}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Work(ctx, sc.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sc.ID)
		time.Sleep(5 * time.Millisecond) // distinct creation times
	}
	// Pruning runs when a worker sees a finished job.
	if err := r.Work(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		sc, err := st.GetScreening(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		stored := len(results(t, st, id))
		wantPruned := i < 2
		if sc.ResultsPruned != wantPruned || (stored == 0) != wantPruned || sc.Summary["tech-sme"] == nil {
			t.Errorf("job %d: pruned %v, %d results stored, summary %v; want pruned %v", i, sc.ResultsPruned, stored, sc.Summary, wantPruned)
		}
	}
}
