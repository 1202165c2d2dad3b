package rules_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// The fuzz targets run their seed corpus in every `go test`; run them for
// real with `go test ./rules -fuzz FuzzX`.

// FuzzParsePack feeds the pack parser and compiler arbitrary documents,
// seeded with the shipped packs: never a panic, and a pack that compiles
// evaluates an empty profile.
func FuzzParsePack(f *testing.F) {
	entries, err := os.ReadDir("packs")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			b, err := os.ReadFile("packs/" + e.Name())
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(packHead))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := rules.ParsePack("fuzz.yaml", data)
		if err != nil {
			return
		}
		prog, err := rules.Compile(p)
		if err != nil {
			return
		}
		r := prog.Evaluate(rules.NewEnv(&registry.Firm{}, asOf), rules.Options{Explain: true})
		checkStatuses(t, r)
	})
}

// FuzzCompileExpr compiles arbitrary criterion expressions: never a panic,
// and whatever compiles evaluates on a real profile.
func FuzzCompileExpr(f *testing.F) {
	packs, err := rules.EmbeddedPacks()
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range packs {
		for _, c := range p.Criteria {
			if c.Expr.Text != "" {
				f.Add(c.Expr.Text)
			}
		}
	}
	for _, s := range []string{"rd_ratio >= min_ratio", "holds(\"hnte\") or won(\"sci_award\", \"national\", 5, 3)",
		"(revenue_prev / revenue_prev3) ** 0.5 - 1 >= 0.05", "not (rd_expense_prev > 0)", "score >= pass_score"} {
		f.Add(s)
	}
	firm := sampleFirm(f)
	f.Fuzz(func(t *testing.T, expr string) {
		if strings.ContainsAny(expr, "\n\r\"'\\") && !strings.Contains(expr, "(\"") {
			return // keep the YAML quoting simple
		}
		b, _ := json.Marshal(expr)
		src := packHead + "  - id: x\n    title: x\n    kind: hard\n    basis: x\n    expr: " + string(b) + "\n"
		p, err := rules.ParsePack("fuzz.yaml", []byte(src))
		if err != nil {
			return
		}
		prog, err := rules.Compile(p)
		if err != nil {
			return
		}
		checkStatuses(t, prog.Evaluate(rules.NewEnv(firm, asOf), rules.Options{Explain: true}))
	})
}

// FuzzEvaluateProfile decodes arbitrary profiles as the self-check API does
// and evaluates every valid one against every program.
func FuzzEvaluateProfile(f *testing.F) {
	b, err := os.ReadFile("../registry/testdata/spec_profile.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"years":[{"year":2025,"employees":0,"revenue":0}]}`))
	f.Add([]byte(`{"established":"2025-12-31","years":[{"year":2025,"total_assets":0,"total_liabilities":5}]}`))
	e := defaultEngine(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var firm registry.Firm
		if json.Unmarshal(data, &firm) != nil {
			return
		}
		firm.Normalize()
		if firm.ValidateProfile(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)) != nil {
			return
		}
		for _, d := range []time.Time{asOf, time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)} {
			res, err := e.Evaluate(rules.Request{Firm: &firm, AsOf: d, Explain: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				checkStatuses(t, r)
			}
		}
	})
}

func sampleFirm(tb testing.TB) *registry.Firm {
	b, err := os.ReadFile("../registry/testdata/spec_profile.json")
	if err != nil {
		tb.Fatal(err)
	}
	var f registry.Firm
	if err := json.Unmarshal(b, &f); err != nil {
		tb.Fatal(err)
	}
	return &f
}

// checkStatuses checks the invariants every result keeps.
func checkStatuses(t *testing.T, r rules.Result) {
	t.Helper()
	switch r.Status {
	case rules.Eligible, rules.Ineligible, rules.NeedsReview, rules.InsufficientData:
	default:
		t.Fatalf("program status %q", r.Status)
	}
	if (r.Status == rules.Eligible || r.Status == rules.NeedsReview) != (r.Route != nil) {
		t.Fatalf("status %s with route %v", r.Status, r.Route)
	}
	for _, c := range r.Criteria {
		switch c.Status {
		case rules.Pass, rules.Fail, rules.Review, rules.Missing:
		default:
			t.Fatalf("criterion %s status %q", c.ID, c.Status)
		}
		if c.Gap != nil && c.Status != rules.Fail {
			t.Fatalf("criterion %s has a gap but status %s", c.ID, c.Status)
		}
		if r.Status == rules.Eligible && c.Status == rules.Missing && c.Route == "" && c.Kind == rules.KindHard {
			t.Fatalf("eligible with base criterion %s missing", c.ID)
		}
	}
	// Every answer goes out as JSON: NaN or ±Inf anywhere would fail here.
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("result does not encode: %v", err)
	}
}
