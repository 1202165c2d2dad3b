package screening

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/peiyu/peiyu/registry"
)

// TestSpoolEvaluatesTheFirmsItKeeps: the spool hands every scanned firm
// to pass 1, keeps the job's firms, evaluates each of them once, and
// gives them back with their results.
func TestSpoolEvaluatesTheFirmsItKeeps(t *testing.T) {
	var recs []*registry.Record
	for i := range 1000 {
		region := "431202"
		if i%3 == 0 {
			region = "431221"
		}
		recs = append(recs, &registry.Record{Firm: registry.Firm{USCC: fmt.Sprintf("U%04d", i), Name: fmt.Sprint("firm ", i), RegionCode: region}})
	}
	scan := func(ctx context.Context, _ registry.FirmFilter, fn func(*registry.Record) error) error {
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	var evals atomic.Int32
	sp := newSpool(func(f *registry.Firm) registry.ScreenedFirm {
		evals.Add(1)
		return registry.ScreenedFirm{USCC: f.USCC, Name: f.Name, Results: []registry.ScreenedResult{{Program: "p@1", Status: "eligible:" + f.USCC}}}
	}, 3)
	defer sp.close()
	job := registry.ScreeningFilter{RegionCode: "431202"}
	seen := 0
	if err := sp.tee(scan, job)(context.Background(), registry.FirmFilter{}, func(*registry.Record) error { seen++; return nil }); err != nil {
		t.Fatal(err)
	}
	if seen != len(recs) {
		t.Errorf("pass 1 saw %d firms, want %d", seen, len(recs))
	}
	if !sp.full {
		t.Fatal("the spool is not full after a complete scan")
	}
	got := map[string]bool{}
	err := sp.source(nil)(context.Background(), registry.FirmFilter{}, func(rec *registry.Record, packs *registry.ScreenedFirm) error {
		if rec.Firm.RegionCode != "431202" {
			t.Errorf("%s of %s kept, outside the job", rec.Firm.USCC, rec.Firm.RegionCode)
		}
		if packs == nil || packs.USCC != rec.Firm.USCC || len(packs.Results) != 1 || packs.Results[0].Status != "eligible:"+rec.Firm.USCC {
			t.Errorf("%s: results %+v", rec.Firm.USCC, packs)
		}
		if got[rec.Firm.USCC] {
			t.Errorf("%s kept twice", rec.Firm.USCC)
		}
		got[rec.Firm.USCC] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := 666; len(got) != want || int(evals.Load()) != want {
		t.Errorf("kept %d firms, evaluated %d times, want %d each", len(got), evals.Load(), want)
	}
}
