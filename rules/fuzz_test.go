package rules_test

import (
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// The fuzz targets run their seed corpus in every `go test`; run them for
// real with `go test ./rules -fuzz FuzzX`.

// fuzzMinimizeTime is how long the fuzzer minimizes each new input unless
// -fuzzminimizetime says otherwise; Go's default is 60 s. The minimizer
// tries every cut of an input, O(n²) runs: on packs of a kilobyte at a
// millisecond a run it took the whole minute for nearly every new input,
// and the workers stopped fuzzing meanwhile (golang/go#48820). Give
// -fuzzminimizetime 60s to minimize a crasher further.
const fuzzMinimizeTime = "2s"

func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.fuzzminimizetime" })
	if !given {
		if err := flag.Set("test.fuzzminimizetime", fuzzMinimizeTime); err != nil {
			panic(err)
		}
	}
	m.Run()
}

// FuzzParsePack feeds arbitrary documents to ParseDraft (ParsePack and the
// checks of a pack staff write, the untrusted way in: no YAML aliases) and
// Compile: never a panic, and a pack that compiles evaluates an empty and a
// full profile.
//
// The seeds are small packs cut from the shipped ones (packSeeds), not the
// whole files: a 30 KB seed took 10-30 ms a run under the fuzzer's
// coverage instrumentation, almost every mutation of it was new coverage,
// and the fuzzer minimized each such input for up to a minute (see
// fuzzMinimizeTime), so two workers ran 15 inputs in 45 s.
func FuzzParsePack(f *testing.F) {
	for _, b := range packSeeds(f) {
		f.Add(b)
	}
	f.Add([]byte(packHead + "  - {id: x, title: x, kind: hard, basis: x, expr: rd_ratio >= min_ratio}\n"))
	firms := []*registry.Firm{{}, sampleFirm(f)}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := rules.ParseDraft("fuzz.yaml", data)
		if err != nil {
			return
		}
		prog, err := rules.Compile(p)
		if err != nil {
			return
		}
		for _, firm := range firms {
			checkStatuses(t, prog.Evaluate(rules.NewEnv(firm, asOf), rules.Options{Explain: true}))
		}
		if p.Review != nil {
			checkStatuses(t, prog.Evaluate(rules.NewEnv(firms[1], asOf), rules.Options{Explain: true, Review: true}))
		}
	})
}

// packSeeds cuts the shipped packs into small packs of a kilobyte or so:
// the header with one criterion and the parameters and metrics it names;
// the outputs with the criteria they rest on; a criterion with one case.
// The cutting goes by the packs' layout (top-level keys at column 0, list
// items at "  - ", map entries at "  name:"); a pack laid out otherwise
// gives fewer seeds, and TestPackSeeds says so.
func packSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for _, ps := range packSources(tb) {
		seeds = append(seeds, cutPack(ps.src)...)
	}
	return seeds
}

type packSource struct{ name, src string }

// packSources reads the shipped packs, in file name order.
func packSources(tb testing.TB) []packSource {
	entries, err := os.ReadDir("packs")
	if err != nil {
		tb.Fatal(err)
	}
	var out []packSource
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		b, err := os.ReadFile("packs/" + e.Name())
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, packSource{e.Name(), string(b)})
	}
	return out
}

// TestPackSeeds keeps FuzzParsePack's seeds what they are for: one at
// least for every criterion of every shipped pack, small, and compiling,
// so that the fuzzer starts from programs it can evaluate.
func TestPackSeeds(t *testing.T) {
	const maxSeed = 8 << 10
	for _, ps := range packSources(t) {
		name, src := ps.name, ps.src
		p, err := rules.ParsePack(name, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		seeds := cutPack(src)
		if len(seeds) < len(p.Criteria) {
			t.Errorf("%s: %d seeds for %d criteria", name, len(seeds), len(p.Criteria))
		}
		for i, b := range seeds {
			if len(b) > maxSeed {
				t.Errorf("%s: seed %d has %d bytes, want at most %d", name, i, len(b), maxSeed)
			}
			sp, err := rules.ParseDraft(name, b)
			if err == nil {
				_, err = rules.Compile(sp)
			}
			if err != nil {
				t.Errorf("%s: seed %d does not compile: %v\n%s", name, i, err, b)
			}
		}
	}
}

var (
	topKeyRE = regexp.MustCompile(`^([a-z_]+):`)
	entryRE  = regexp.MustCompile(`^  ([a-z0-9_]+):`)
	wordRE   = regexp.MustCompile(`[a-z_][a-z0-9_]*`)
	itemRE   = regexp.MustCompile(`^  - `)
	// A criterion on the total or a subtotal, and the subtotals named.
	scoreRE    = regexp.MustCompile(`\bscore(_[a-z0-9_]+)?\s*[<>=]`)
	subtotalRE = regexp.MustCompile(`\bscore_([a-z0-9_]+)`)
	expectRE   = regexp.MustCompile(`^    (criteria|points|outputs):`)
)

// cutPack cuts one pack source into seeds (see packSeeds).
func cutPack(src string) [][]byte {
	sections := map[string][]string{} // top-level key → its lines
	var order []string
	key := ""
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		if m := topKeyRE.FindStringSubmatch(line); m != nil {
			key = m[1]
			order = append(order, key)
		}
		sections[key] = append(sections[key], line)
	}
	var head strings.Builder
	for _, k := range order {
		switch k {
		case "notes", "parameters", "metrics", "criteria", "outputs", "cases":
		default:
			head.WriteString(strings.Join(sections[k], "\n") + "\n")
		}
	}
	params := cutEntries(sections["parameters"], entryRE)
	metrics := cutEntries(sections["metrics"], entryRE)
	items := func(k string) []string {
		var out []string
		for _, it := range cutEntries(sections[k], itemRE) {
			out = append(out, it.text)
		}
		return out
	}
	// seed is the header, the named parameters and metrics, and parts.
	seed := func(parts ...string) []byte {
		names := map[string]bool{}
		var mark func(text string)
		mark = func(text string) {
			for _, w := range wordRE.FindAllString(text, -1) {
				if !names[w] {
					names[w] = true
					for _, m := range metrics {
						if m.name == w {
							mark(m.text)
						}
					}
				}
			}
		}
		for _, p := range parts {
			mark(p)
		}
		var b strings.Builder
		b.WriteString(head.String())
		for _, sec := range []struct {
			key     string
			entries []entry
		}{{"parameters", params}, {"metrics", metrics}} {
			started := false
			for _, e := range sec.entries {
				if names[e.name] {
					if !started {
						b.WriteString(sec.key + ":\n")
						started = true
					}
					b.WriteString(e.text)
				}
			}
		}
		for _, p := range parts {
			b.WriteString(p)
		}
		return []byte(b.String())
	}
	criteria, cases := items("criteria"), items("cases")
	// A subtotal needs a scored criterion of its group to compile.
	group := func(c string) string {
		var g []string
		for _, m := range subtotalRE.FindAllStringSubmatch(c, -1) {
			for _, o := range criteria {
				if strings.Contains(o, "kind: scored") && strings.Contains(o, "group: "+m[1]+"\n") {
					g = append(g, o)
					break
				}
			}
		}
		return strings.Join(g, "")
	}
	var seeds [][]byte
	var scored, totals []string
	for _, c := range criteria {
		seeds = append(seeds, seed("criteria:\n"+group(c)+c))
		switch {
		case strings.Contains(c, "kind: scored") && len(scored) < 2:
			scored = append(scored, c)
		case scoreRE.MatchString(c):
			totals = append(totals, c)
		}
	}
	if out := sections["outputs"]; out != nil {
		seeds = append(seeds, seed("criteria:\n"+strings.Join(scored, "")+strings.Join(totals, ""), strings.Join(out, "\n")+"\n"))
	}
	if len(cases) > 0 && len(criteria) > 0 {
		// Without the expectations of criteria the seed does not have.
		var c strings.Builder
		skip := false
		for _, line := range strings.SplitAfter(cases[0], "\n") {
			if indent := len(line) - len(strings.TrimLeft(line, " ")); indent <= 4 {
				skip = expectRE.MatchString(line)
			}
			if !skip {
				c.WriteString(line)
			}
		}
		seeds = append(seeds, seed("criteria:\n"+criteria[0], "cases:\n"+c.String()))
	}
	return seeds
}

// entry is one map entry or list item of a section, its lines ending "\n".
type entry struct{ name, text string }

// cutEntries cuts a section's lines (the key line first) at the lines
// matching start.
func cutEntries(lines []string, start *regexp.Regexp) []entry {
	var out []entry
	for _, line := range lines[min(1, len(lines)):] {
		if m := start.FindStringSubmatch(line); m != nil {
			name := ""
			if len(m) > 1 {
				name = m[1]
			}
			out = append(out, entry{name: name})
		}
		if len(out) > 0 {
			out[len(out)-1].text += line + "\n"
		}
	}
	return out
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
