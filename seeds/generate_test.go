package seeds_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/seeds"
)

func TestGenerateDeterministic(t *testing.T) {
	a := seeds.Generate(300, 42)
	b := seeds.Generate(300, 42)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("Generate(300, 42) differs between calls (-first +second):\n%s", diff)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("Generate(300, 42) is not byte-identical as JSON")
	}
}

func TestGeneratePrefix(t *testing.T) {
	long := seeds.Generate(1000, 7)
	short := seeds.Generate(500, 7)
	if diff := cmp.Diff(long[:500], short); diff != "" {
		t.Fatalf("Generate(500, 7) is not a prefix of Generate(1000, 7) (-long +short):\n%s", diff)
	}
}

func TestGenerateSeedsDiffer(t *testing.T) {
	a, b := seeds.Generate(50, 1), seeds.Generate(50, 2)
	same := 0
	for i := range a {
		if a[i].USCC == b[i].USCC {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 1 and 2 share %d of 50 USCCs at the same index", same)
	}
	if cmp.Equal(a, b) {
		t.Error("seeds 1 and 2 give the same firms")
	}
}

func TestGenerateEmpty(t *testing.T) {
	for _, n := range []int{0, -1} {
		if got := seeds.Generate(n, 1); len(got) != 0 {
			t.Errorf("Generate(%d, 1) has %d firms, want 0", n, len(got))
		}
	}
}

// TestGenerateValid checks every firm of three populations against the
// registry's own validation, on the first day the snapshot is valid and on a
// later one.
func TestGenerateValid(t *testing.T) {
	counties := map[string]bool{}
	for _, r := range seeds.Regions() {
		if r.Level == seeds.LevelCounty {
			counties[r.Code] = true
		}
	}
	for seed := uint64(1); seed <= 3; seed++ {
		firms := seeds.Generate(2000, seed)
		usccs := map[string]int{}
		names := map[string]int{}
		for i := range firms {
			f := &firms[i]
			for _, today := range []time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), asOf} {
				if err := f.Validate(today); err != nil {
					t.Fatalf("seed %d firm %d (%s) invalid at %s: %v", seed, i, f.Name, today.Format(time.DateOnly), err)
				}
			}
			if j, dup := usccs[f.USCC]; dup {
				t.Errorf("seed %d: firms %d and %d share USCC %s", seed, j, i, f.USCC)
			}
			usccs[f.USCC] = i
			if j, dup := names[f.Name]; dup {
				t.Errorf("seed %d: firms %d and %d share name %s", seed, j, i, f.Name)
			}
			names[f.Name] = i
			if !strings.HasPrefix(f.USCC, "91") || f.USCC[2:8] != f.RegionCode {
				t.Errorf("seed %d firm %d: USCC %s does not start with 91 + region %s", seed, i, f.USCC, f.RegionCode)
			}
			if !counties[f.RegionCode] {
				t.Errorf("seed %d firm %d: region %s is not a county of Regions()", seed, i, f.RegionCode)
			}
			if f.Chain != "" {
				if _, ok := seeds.ChainByKey(f.Chain); !ok {
					t.Errorf("seed %d firm %d: chain %q not in Chains()", seed, i, f.Chain)
				}
			}
			if !strings.HasPrefix(f.Name, "【演示】") || !strings.Contains(f.Name, "有限公司") {
				t.Errorf("seed %d firm %d: name %q is not an obvious demo name", seed, i, f.Name)
			}
			var ys []int
			for _, y := range f.Years {
				ys = append(ys, y.Year)
			}
			if !slices.Equal(ys, []int{2023, 2024, 2025}) {
				t.Errorf("seed %d firm %d: years %v, want [2023 2024 2025]", seed, i, ys)
			}
			checkDatesBySnapshot(t, f)
		}
	}
}

// checkDatesBySnapshot: nothing in the demo data happens after 2025-12-31.
func checkDatesBySnapshot(t *testing.T, f *registry.Firm) {
	t.Helper()
	const last = "2025-12-31"
	dates := []string{f.Established, f.Niche.Since}
	for _, h := range f.Honors {
		dates = append(dates, h.Issued)
	}
	for _, in := range f.Compliance.Incidents {
		dates = append(dates, in.Date)
	}
	for _, d := range dates {
		if d > last {
			t.Errorf("%s: date %s after the snapshot %s", f.Name, d, last)
		}
	}
	est := f.Established
	for _, h := range f.Honors {
		if h.Issued < est {
			t.Errorf("%s: %s issued %s before the firm was established %s", f.Name, h.Kind, h.Issued, est)
		}
	}
}

// TestUSCCOrgCodeIsNotReal: positions 9–17 must never be a real
// organization code, so a demo code cannot clash with a real firm.
func TestUSCCOrgCodeIsNotReal(t *testing.T) {
	weights := []int{3, 7, 9, 10, 5, 8, 4, 2}
	for _, f := range seeds.Generate(500, 3) {
		org := f.USCC[8:17]
		sum := 0
		for k := 0; k < 8; k++ {
			c := org[k]
			v := int(c - '0')
			if c >= 'A' {
				v = int(c-'A') + 10
			}
			sum += v * weights[k]
		}
		want := "0123456789X0"[11-sum%11]
		if org[8] == want {
			t.Errorf("%s: organization code %s has a valid GB 11714 check", f.USCC, org)
		}
	}
}

func TestGenerateDistribution(t *testing.T) {
	firms := seeds.Generate(2000, 1)
	n := float64(len(firms))
	var rdIntensity, revenue []float64
	var hnte, large, incidents, major, abnormal, noChain, nonManufacturing, srdi, expiring, expired, loss int
	soon := asOf.AddDate(0, 0, 180)
	for i := range firms {
		f := &firms[i]
		y := f.Year(2025)
		rdIntensity = append(rdIntensity, ratio(y.RDExpense, y.Revenue))
		revenue = append(revenue, v(y.Revenue))
		if f.Holds(registry.HonorHNTE, "", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)) {
			hnte++
		}
		if *y.Employees >= 1000 && *y.Revenue >= 40000*wan {
			large++
		}
		if len(f.Compliance.Incidents) > 0 {
			incidents++
		}
		if majorSince(f, time.Time{}) {
			major++
		}
		if *f.Compliance.AbnormalList {
			abnormal++
		}
		if f.Chain == "" {
			noChain++
		}
		if f.IndustryCode[0] != 'C' {
			nonManufacturing++
		}
		if y.SRDIScore != nil {
			srdi++
		}
		if *y.NetProfit < 0 {
			loss++
		}
		for _, h := range f.Honors {
			exp, err := registry.ParseDate(h.Expires)
			if err != nil {
				continue
			}
			switch {
			case exp.Before(asOf):
				expired++
			case !exp.After(soon):
				expiring++
			}
		}
		for k := 1; k < 3; k++ {
			if g := growth(f.Years[k].Revenue, f.Years[k-1].Revenue); g < -0.11 || g > 0.41 {
				t.Errorf("%s: revenue growth %.3f in %d outside −10%%…+40%%", f.Name, g, f.Years[k].Year)
			}
		}
	}
	sort.Float64s(rdIntensity)
	sort.Float64s(revenue)
	checks := []struct {
		what     string
		got      float64
		min, max float64
	}{
		{"median R&D intensity", rdIntensity[len(rdIntensity)/2], 0.01, 0.06},
		{"share of firms with R&D 0", fraction(rdIntensity, func(x float64) bool { return x == 0 }), 0.03, 0.3},
		{"max R&D intensity", rdIntensity[len(rdIntensity)-1], 0.08, 0.16},
		{"share holding a valid HNTE", float64(hnte) / n, 0.05, 0.35},
		{"median revenue (万)", revenue[len(revenue)/2] / wan, 800, 5000},
		{"share under 5000万", fraction(revenue, func(x float64) bool { return x < 5000*wan }), 0.6, 0.9},
		{"min revenue (万)", revenue[0] / wan, 200, 400},
		{"large non-SMEs", float64(large), 20, 150},
		{"share with incidents", float64(incidents) / n, 0.02, 0.15},
		{"firms with a major incident", float64(major), 5, 100},
		{"firms on the abnormal list", float64(abnormal), 1, 40},
		{"share outside any chain", float64(noChain) / n, 0.1, 0.4},
		{"share outside manufacturing", float64(nonManufacturing) / n, 0.03, 0.25},
		{"share with a platform score", float64(srdi) / n, 0.1, 0.5},
		{"share with a net loss in 2025", float64(loss) / n, 0.03, 0.3},
		{"expired honors", float64(expired), 100, 1e9},
		{"honors expiring by 2026-12-27", float64(expiring), 20, 1e9},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s = %.4g, want in [%g, %g]", c.what, c.got, c.min, c.max)
		} else {
			t.Logf("%s = %.4g", c.what, c.got)
		}
	}
}

func fraction(xs []float64, pred func(float64) bool) float64 {
	n := 0
	for _, x := range xs {
		if pred(x) {
			n++
		}
	}
	return float64(n) / float64(len(xs))
}

// TestNearMissesMissOneCriterion: a firm built as a near miss of a program
// fails exactly the criterion its label names, and every target occurs.
func TestNearMissesMissOneCriterion(t *testing.T) {
	const n = 3000
	for seed := uint64(11); seed <= 13; seed++ {
		firms := seeds.Generate(n, seed)
		labels := seeds.Labels(n, seed)
		seen := map[string]int{}
		for i, label := range labels {
			target, ok := strings.CutPrefix(label, "near-miss:")
			if !ok {
				continue
			}
			program, criterion, _ := strings.Cut(target, ":")
			check := checkers[program]
			if check == nil {
				t.Fatalf("label %q: no checker for %s", label, program)
			}
			seen[target]++
			if got := check(&firms[i]); !slices.Equal(got, []string{criterion}) {
				t.Errorf("seed %d firm %d (%s) %s fails %v, want [%s]", seed, i, firms[i].Name, program, got, criterion)
			}
		}
		for _, target := range seeds.NearMissTargets() {
			if seen[target] < 5 {
				t.Errorf("seed %d: near-miss target %s occurs %d times in %d firms, want ≥5", seed, target, seen[target], n)
			}
		}
	}
}

// TestProgramOutcomes: every program has clearly eligible firms, firms one
// criterion short, and firms far off.
func TestProgramOutcomes(t *testing.T) {
	firms := seeds.Generate(2000, 5)
	programs := make([]string, 0, len(checkers))
	for p := range checkers {
		programs = append(programs, p)
	}
	sort.Strings(programs)
	for _, program := range programs {
		var eligible, near, far int
		shortBy := map[string]int{}
		for i := range firms {
			switch fs := checkers[program](&firms[i]); len(fs) {
			case 0:
				eligible++
			case 1:
				near++
				shortBy[fs[0]]++
			default:
				far++
			}
		}
		t.Logf("%-22s eligible %4d  one short %4d %v  far %4d", program, eligible, near, shortBy, far)
		if eligible < 10 || near < 10 || far < 100 {
			t.Errorf("%s: eligible %d, one short %d, far %d; want ≥10, ≥10, ≥100", program, eligible, near, far)
		}
	}
}

func ExampleGenerate() {
	f := seeds.Generate(1, 1)[0]
	fmt.Println(strings.HasPrefix(f.Name, "【演示】"), len(f.USCC), len(f.Years))
	// Output: true 18 3
}
