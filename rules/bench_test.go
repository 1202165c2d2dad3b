package rules_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/native"
	"github.com/peiyu/peiyu/seeds"
)

var benchAsOf = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// TestHandwrittenAgrees checks the engine against the hand-written
// tech-sme on generated firms: the same program status, route, score and
// status of every criterion.
func TestHandwrittenAgrees(t *testing.T) {
	e := defaultEngine(t)
	prog, _ := e.Program("tech-sme@2017")
	firms := seeds.Generate(2000, 7)
	for i := range firms {
		f := &firms[i]
		for _, asOf := range []time.Time{benchAsOf, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)} {
			got := prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{})
			want := native.TechSME(f, asOf)
			if d := diffResults(want, got); d != "" {
				t.Fatalf("firm %d (%s) at %s: %s", i, f.USCC, asOf.Format("2006-01-02"), d)
			}
		}
	}
}

// TestHandwrittenLittleGiantAgrees does the same for little-giant@2026.
func TestHandwrittenLittleGiantAgrees(t *testing.T) {
	e := defaultEngine(t)
	prog, _ := e.Program("little-giant@2026")
	firms := seeds.Generate(2000, 11)
	for i := range firms {
		f := &firms[i]
		for _, asOf := range []time.Time{benchAsOf, time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)} {
			got := prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{})
			want := native.LittleGiant2026(f, asOf)
			want.Score, got.Score = nil, nil
			if d := diffResults(want, got); d != "" {
				t.Fatalf("firm %d (%s) at %s: %s", i, f.USCC, asOf.Format("2006-01-02"), d)
			}
		}
	}
}

func diffResults(want, got rules.Result) string {
	if want.Status != got.Status {
		return fmt.Sprintf("status = %s, hand-written %s", got.Status, want.Status)
	}
	if (want.Route == nil) != (got.Route == nil) || want.Route != nil && *want.Route != *got.Route {
		return fmt.Sprintf("route = %v, hand-written %v", deref(got.Route), deref(want.Route))
	}
	if want.Score != nil && *want.Score != *got.Score {
		return fmt.Sprintf("score = %v, hand-written %v", *got.Score, *want.Score)
	}
	gs := map[string]rules.Status{}
	for _, c := range got.Criteria {
		gs[c.ID] = c.Status
	}
	for _, c := range want.Criteria {
		if gs[c.ID] != c.Status {
			return fmt.Sprintf("criterion %s = %s, hand-written %s", c.ID, gs[c.ID], c.Status)
		}
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// benchFirms is a mix of generated firms, the population screening sees.
func benchFirms() []registry.Firm { return seeds.Generate(256, 1) }

// BenchmarkTechSME compares the engine with the hand-written Go, both with
// full traces. Report engine ns/op ÷ handwritten ns/op.
func BenchmarkTechSME(b *testing.B) {
	e := defaultEngine(b)
	prog, _ := e.Program("tech-sme@2017")
	firms := benchFirms()
	b.Run("engine", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			f := &firms[i%len(firms)]
			_ = prog.Evaluate(rules.NewEnv(f, benchAsOf), rules.Options{})
		}
	})
	b.Run("engine-explain", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			f := &firms[i%len(firms)]
			_ = prog.Evaluate(rules.NewEnv(f, benchAsOf), rules.Options{Explain: true})
		}
	})
	b.Run("handwritten", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			f := &firms[i%len(firms)]
			_ = native.TechSME(f, benchAsOf)
		}
	})
}

// BenchmarkLittleGiant2026 compares engine and hand-written Go on
// little-giant@2026, traces on.
func BenchmarkLittleGiant2026(b *testing.B) {
	e := defaultEngine(b)
	prog, _ := e.Program("little-giant@2026")
	firms := benchFirms()
	b.Run("engine", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = prog.Evaluate(rules.NewEnv(&firms[i%len(firms)], benchAsOf), rules.Options{})
		}
	})
	b.Run("handwritten", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = native.LittleGiant2026(&firms[i%len(firms)], benchAsOf)
		}
	})
}

// BenchmarkAllPrograms is one self-check's engine time: every program in
// force, with explanations.
func BenchmarkAllPrograms(b *testing.B) {
	e := defaultEngine(b)
	firms := benchFirms()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f := &firms[i%len(firms)]
		if _, err := e.Evaluate(rules.Request{Firm: f, AsOf: benchAsOf, Explain: true}); err != nil {
			b.Fatal(err)
		}
	}
}
