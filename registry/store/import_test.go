package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
)

func TestUpsertFirm(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	f := sampleFirm(t, 1)
	upsert := func(f registry.Firm, dryRun bool, want string, rev int64) {
		t.Helper()
		got, err := s.UpsertFirm(ctx, f, dryRun)
		if err != nil || got != want {
			t.Fatalf("UpsertFirm(dry run %v) = %q, %v; want %q", dryRun, got, err, want)
		}
		rec, err := s.GetFirm(ctx, f.USCC)
		switch {
		case rev == 0 && !errors.Is(err, registry.ErrNotFound):
			t.Fatalf("after UpsertFirm: %v, want not found", err)
		case rev > 0 && (err != nil || rec.Revision != rev):
			t.Fatalf("after UpsertFirm: %+v, %v; want revision %d", rec, err, rev)
		}
	}
	upsert(f, true, store.UpsertCreated, 0)
	upsert(f, false, store.UpsertCreated, 1)
	upsert(f, false, store.UpsertUnchanged, 1)
	// Years in another order, an empty IP block where there was none:
	// the same profile.
	same := f
	same.Years = []registry.Year{f.Years[1], f.Years[0]}
	upsert(same, false, store.UpsertUnchanged, 1)
	changed := f
	changed.Name += "（更名）"
	upsert(changed, true, store.UpsertUpdated, 1)
	upsert(changed, false, store.UpsertUpdated, 2)
	rec, _ := s.GetFirm(ctx, f.USCC)
	if rec.Firm.Name != changed.Name || rec.UpdatedAt.Before(rec.CreatedAt) {
		t.Errorf("stored %+v", rec)
	}
	// An empty IP block counts as none; an empty compliance block does not
	// (it says there are no incidents).
	noIP := changed
	noIP.IP = nil
	upsert(noIP, false, store.UpsertUpdated, 3)
	emptyIP := noIP
	emptyIP.IP = &registry.IP{}
	upsert(emptyIP, false, store.UpsertUnchanged, 3)
	withCompliance := noIP
	withCompliance.Compliance = &registry.Compliance{}
	upsert(withCompliance, false, store.UpsertUpdated, 4)

	bad := f
	bad.Years = append(bad.Years, registry.Year{Year: 2025})
	if _, err := s.UpsertFirm(ctx, bad, false); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("UpsertFirm(duplicate year) = %v, want ErrInvalid", err)
	}
	if rec, _ := s.GetFirm(ctx, f.USCC); rec.Revision != 4 {
		t.Errorf("an invalid upsert wrote: revision %d", rec.Revision)
	}
}

// Concurrent upserts of one firm: each outcome is right for the order the
// writes happened in, and the revision counts the changes.
func TestUpsertFirmConcurrent(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	f := sampleFirm(t, 2)
	var wg sync.WaitGroup
	outcomes := make([]string, 8)
	for i := range outcomes {
		wg.Go(func() {
			g := f
			if i%2 == 1 {
				g.Name += "（更名）"
			}
			out, err := s.UpsertFirm(ctx, g, false)
			if err != nil {
				t.Errorf("UpsertFirm: %v", err)
			}
			outcomes[i] = out
		})
	}
	wg.Wait()
	n := map[string]int{}
	for _, o := range outcomes {
		n[o]++
	}
	rec, err := s.GetFirm(ctx, f.USCC)
	if err != nil {
		t.Fatal(err)
	}
	if n[store.UpsertCreated] != 1 || int64(1+n[store.UpsertUpdated]) != rec.Revision {
		t.Errorf("outcomes %v, revision %d", n, rec.Revision)
	}
	if sum := n[store.UpsertCreated] + n[store.UpsertUpdated] + n[store.UpsertUnchanged]; sum != len(outcomes) {
		t.Errorf("outcomes %v: %d of %d upserts", n, sum, len(outcomes))
	}
}
