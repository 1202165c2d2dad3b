package ledger_test

import (
	"slices"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/ledger"
	"github.com/peiyu/peiyu/seeds"
)

// TestDemoData: the seed targets measured on the 500 demo firms of seed 1
// (as `peiyu serve --demo` loads them) have actual values, except the
// Huaihua titles newly issued in 2026: the demo data end on 2025-12-31, so
// nothing is issued in 2026, and those two show their pipeline instead.
func TestDemoData(t *testing.T) {
	eng, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	targets := seeds.Targets()
	for _, tg := range targets {
		if p := tg.Metric.Program; p != "" && len(eng.Editions(p)) == 0 {
			t.Errorf("target %s: program %q is not a rule pack", tg.ID, p)
		}
	}
	l := ledger.New(eng, targets, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	for _, f := range seeds.Generate(500, 1) {
		l.Add(&f)
	}
	wantZero := []string{"431200-2026-new-specialized", "431200-2026-new-champion"}
	var zero []string
	for _, p := range l.Results() {
		switch {
		case p.Actual == nil || p.Status == registry.TargetNoData:
			t.Errorf("%s: no data (%s)", p.ID, p.Reason)
		case *p.Actual == 0:
			zero = append(zero, p.ID)
		}
		if p.Metric.Program != "" && (p.Pipeline == nil || p.NearMiss == nil) {
			t.Errorf("%s: pipeline %v, near-miss %v; want both counted", p.ID, p.Pipeline, p.NearMiss)
		}
		if p.Reason == "" || p.OnTrack == nil {
			t.Errorf("%s: on_track %v, reason %q", p.ID, p.OnTrack, p.Reason)
		}
		t.Logf("%s: actual %v pipeline %v near-miss %v — %s", p.ID, deref(p.Actual), deref(p.Pipeline), deref(p.NearMiss), p.Reason)
	}
	if !slices.Equal(zero, wantZero) {
		t.Errorf("targets with actual 0 = %v, want %v", zero, wantZero)
	}
	for _, p := range l.Results() {
		if slices.Contains(wantZero, p.ID) && *p.Pipeline == 0 {
			t.Errorf("%s: actual 0 and an empty pipeline; the demo should show candidates", p.ID)
		}
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
