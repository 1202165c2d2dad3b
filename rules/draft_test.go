package rules_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

func program(t *testing.T, e *rules.Engine, key string) *rules.Program {
	t.Helper()
	p, ok := e.Program(key)
	if !ok {
		t.Fatalf("no program %s", key)
	}
	return p
}

// overridden compiles a draft of key with overrides.
func overridden(t *testing.T, e *rules.Engine, key string, values map[string]any) *rules.Program {
	t.Helper()
	d, err := program(t, e, key).Pack().Override(values)
	if err != nil {
		t.Fatalf("Override: %v", err)
	}
	prog, err := rules.Compile(d)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return prog
}

func TestOverride(t *testing.T) {
	e := defaultEngine(t)
	base := program(t, e, "above-size@2011").Pack()
	d, err := base.Override(map[string]any{"min_main_revenue": 15_000_000.0})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Parameters["min_main_revenue"].Value; got != 15_000_000 {
		t.Errorf("min_main_revenue = %v, want 15000000", got)
	}
	if d.Revision != 0 || base.Revision != 1 {
		t.Errorf("revisions = draft %d, base %d; want 0 and 1", d.Revision, base.Revision)
	}
	if base.Parameters["min_main_revenue"].Value != 20_000_000 {
		t.Error("Override changed the base pack")
	}
	// Everything but the value is kept, comments included.
	src := string(d.Source())
	for _, want := range []string{"# 规模以上工业企业", "{value: 15000000, unit: yuan, source: official"} {
		if !strings.Contains(src, want) {
			t.Errorf("draft YAML lacks %q:\n%s", want, src)
		}
	}
	if diff := cmp.Diff(base.Criteria, d.Criteria, cmp.Comparer(func(a, b rules.Source) bool { return a.Text == b.Text })); diff != "" {
		t.Errorf("criteria changed (-base +draft):\n%s", diff)
	}
	prog, err := rules.Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	// The cases written for 2000万 no longer hold at 1500万.
	var failed []string
	for _, cr := range prog.RunCases() {
		if !cr.Passed() {
			failed = append(failed, cr.Name)
		}
	}
	want := []string{"one yuan below 2000万 fails", "operating revenue above 2000万 does not count, main-business revenue does"}
	if diff := cmp.Diff(want, failed); diff != "" {
		t.Errorf("failing cases (-want +got):\n%s", diff)
	}
}

func TestOverrideRatioAndFraction(t *testing.T) {
	e := defaultEngine(t)
	d, err := program(t, e, "tech-sme@2017").Pack().Override(map[string]any{})
	if err != nil {
		t.Fatalf("empty override: %v", err)
	}
	if d.Parameters["pass_score"].Value != 60 {
		t.Errorf("pass_score = %v after an empty override", d.Parameters["pass_score"].Value)
	}
	hnte := program(t, e, "hnte@2016").Pack()
	var ratio string
	for _, name := range slices.Sorted(maps.Keys(hnte.Parameters)) {
		if hnte.Parameters[name].Unit == "ratio" {
			ratio = name
			break
		}
	}
	d, err = hnte.Override(map[string]any{ratio: 0.045})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Parameters[ratio].Value; got != 0.045 {
		t.Errorf("%s = %v, want 0.045", ratio, got)
	}
}

func TestOverrideErrors(t *testing.T) {
	e := defaultEngine(t)
	base := program(t, e, "above-size@2011").Pack()
	tests := []struct {
		name   string
		values map[string]any
		want   []rules.ParameterProblem
	}{
		{"unknown parameter", map[string]any{"min_revenue": 1.0}, []rules.ParameterProblem{{Parameter: "min_revenue",
			Problem: "above-size@2011 没有参数“min_revenue”，可选：min_main_revenue (unknown parameter; known: min_main_revenue)"}}},
		{"string", map[string]any{"min_main_revenue": "15000000"}, []rules.ParameterProblem{{Parameter: "min_main_revenue",
			Problem: "应为数字 (must be a number)"}}},
		{"boolean", map[string]any{"min_main_revenue": true}, []rules.ParameterProblem{{Parameter: "min_main_revenue",
			Problem: "应为数字，不是 true/false (must be a number, not a boolean)"}}},
		{"null", map[string]any{"min_main_revenue": nil}, []rules.ParameterProblem{{Parameter: "min_main_revenue",
			Problem: "缺少数值 (a value is required)"}}},
		{"fraction of a yuan", map[string]any{"min_main_revenue": 1.5}, []rules.ParameterProblem{{Parameter: "min_main_revenue",
			Problem: "单位为 yuan，应为整数 (must be a whole number of yuan)"}}},
		{"negative", map[string]any{"min_main_revenue": -1.0}, []rules.ParameterProblem{{Parameter: "min_main_revenue",
			Problem: "不能为负数 (must not be negative)"}}},
		{"every problem, by name", map[string]any{"zz": 1.0, "min_main_revenue": []any{1.0}, "aa": 2.0}, []rules.ParameterProblem{
			{Parameter: "aa", Problem: "above-size@2011 没有参数“aa”，可选：min_main_revenue (unknown parameter; known: min_main_revenue)"},
			{Parameter: "min_main_revenue", Problem: "应为数字 (must be a number)"},
			{Parameter: "zz", Problem: "above-size@2011 没有参数“zz”，可选：min_main_revenue (unknown parameter; known: min_main_revenue)"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := base.Override(tc.values)
			if !errors.Is(err, rules.ErrOverride) {
				t.Fatalf("err = %v, want ErrOverride", err)
			}
			var oe *rules.OverrideError
			if !errors.As(err, &oe) {
				t.Fatalf("err = %T, want *OverrideError", err)
			}
			if diff := cmp.Diff(tc.want, oe.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDraftRefusesAliases(t *testing.T) {
	src := packHead + `  - id: rd
    title: &t 研发费用
    kind: hard
    basis: *t
    expr: rd_expense_prev >= min_rd
`
	_, err := rules.ParseDraft("draft.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "draft.yaml:16:12: YAML anchors and aliases") {
		t.Fatalf("err = %v, want the anchor refused at 16:12", err)
	}
	// Multiplication in an expression is not an alias.
	src = packHead + `  - id: rd
    title: 研发费用
    kind: hard
    basis: 第一条
    expr: rd_expense_prev * 2 >= min_rd
`
	p, err := rules.ParseDraft("draft.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if p.Revision != 0 {
		t.Errorf("revision = %d, want 0", p.Revision)
	}
}

func TestEngineReplace(t *testing.T) {
	e := defaultEngine(t)
	d, err := program(t, e, "above-size@2011").Pack().Override(map[string]any{"min_main_revenue": 15_000_000})
	if err != nil {
		t.Fatal(err)
	}
	d.Revision = 2
	prog, err := rules.Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	ne := e.Replace(prog)
	if got := program(t, ne, "above-size@2011"); got != prog || got.Revision() != 2 {
		t.Errorf("replaced program = revision %d, want the draft as revision 2", got.Revision())
	}
	if got := program(t, e, "above-size@2011"); got.Revision() != 1 {
		t.Errorf("the old engine changed: revision %d", got.Revision())
	}
	if diff := cmp.Diff(e.Known(), ne.Known()); diff != "" {
		t.Errorf("programs (-old +new):\n%s", diff)
	}

	// A draft with a new edition is added, and is in force from its date.
	src := strings.Replace(string(program(t, e, "above-size@2011").Pack().Source()), `edition: "2011"`, `edition: "2027"`, 1)
	src = strings.Replace(src, `effective: {from: "2011-01-01"}`, `effective: {from: "2027-01-01"}`, 1)
	nd, err := rules.ParseDraft("draft.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	np, err := rules.Compile(nd)
	if err != nil {
		t.Fatal(err)
	}
	ne = ne.Replace(np)
	var eds []string
	for _, p := range ne.Editions("above-size") {
		eds = append(eds, p.Key())
	}
	if diff := cmp.Diff([]string{"above-size@2011", "above-size@2027"}, eds); diff != "" {
		t.Errorf("editions (-want +got):\n%s", diff)
	}
	if got := ne.InForce("above-size", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)); got != np {
		t.Errorf("in force in 2027: %s, want the new edition", got.Key())
	}
	if diff := cmp.Diff(e.IDs(), ne.IDs()); diff != "" {
		t.Errorf("ids (-old +new):\n%s", diff)
	}
}

func TestHolderUpdateKeepsConcurrentUpdates(t *testing.T) {
	e := defaultEngine(t)
	h := rules.NewHolder(e)
	keys := e.Known()
	var wg sync.WaitGroup
	for i, key := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := program(t, e, key).Pack().Override(nil)
			if err != nil {
				t.Error(err)
				return
			}
			d.Revision = 10 + i
			prog, err := rules.Compile(d)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = h.Update(func(cur *rules.Engine) (*rules.Engine, error) { return cur.Replace(prog), nil })
		}()
	}
	wg.Wait()
	for i, key := range keys {
		if got := program(t, h.Load(), key).Revision(); got != 10+i {
			t.Errorf("%s: revision %d, want %d (an update was lost)", key, got, 10+i)
		}
	}
	// A failing update leaves the engine as it is.
	cur := h.Load()
	got, err := h.Update(func(*rules.Engine) (*rules.Engine, error) { return nil, errors.New("no") })
	if err == nil || got != cur || h.Load() != cur {
		t.Errorf("failed update: err %v, engine changed %v", err, h.Load() != cur)
	}
}

func f64(v float64) *float64 { return &v }

// manufacturer is a firm with the given previous-year main revenue (nil:
// not reported) in industry code ind.
func manufacturer(uscc, ind string, mainRevenue *int64) registry.Firm {
	return registry.Firm{USCC: uscc, Name: "企业" + uscc, RegionCode: "431202", IndustryCode: ind, Established: "2015-03-01",
		Years: []registry.Year{{Year: 2025, Revenue: i64p(60_000_000), MainRevenue: mainRevenue}}}
}

func TestSimulation(t *testing.T) {
	e := defaultEngine(t)
	old := program(t, e, "above-size@2011")
	firms := []registry.Firm{
		manufacturer("F5", "C3562", i64p(18_000_000)), // 1800万: qualifies at 1500万
		manufacturer("F1", "C3562", i64p(25_000_000)), // qualifies either way
		manufacturer("F3", "C3562", i64p(15_000_000)), // exactly at the new line
		manufacturer("F2", "C3562", i64p(14_999_999)), // one yuan short still
		manufacturer("F4", "F5191", i64p(18_000_000)), // wholesale: not industrial
		manufacturer("F6", "C3562", nil),              // no main revenue
	}
	lower := overridden(t, e, "above-size@2011", map[string]any{"min_main_revenue": 15_000_000})
	sim := rules.NewSimulation(old, lower, asOf, 0)
	for i := range firms {
		sim.Add(&firms[i])
	}
	change := func(actual, oldTh, newTh float64) []rules.CriterionChange {
		return []rules.CriterionChange{{ID: "main-revenue", Title: "年主营业务收入2000万元及以上",
			Old: &rules.CriterionState{Status: rules.Fail, Actual: f64(actual), Threshold: f64(oldTh), Op: ">=", Unit: "yuan"},
			New: &rules.CriterionState{Status: rules.Pass, Actual: f64(actual), Threshold: f64(newTh), Op: ">=", Unit: "yuan"}}}
	}
	want := rules.SimulationReport{
		Firms: 6,
		NewlyEligible: []rules.Flip{
			{USCC: "F3", Name: "企业F3", RegionCode: "431202", OldStatus: rules.Ineligible, NewStatus: rules.Eligible,
				Criteria: change(15_000_000, 20_000_000, 15_000_000)},
			{USCC: "F5", Name: "企业F5", RegionCode: "431202", OldStatus: rules.Ineligible, NewStatus: rules.Eligible,
				Criteria: change(18_000_000, 20_000_000, 15_000_000)},
		},
		NewlyIneligible: []rules.Flip{},
		OtherChanges:    []rules.Flip{},
		Unchanged:       4,
		Counts:          rules.SimulationCounts{NewlyEligible: 2},
	}
	if diff := cmp.Diff(want, sim.Report()); diff != "" {
		t.Errorf("lowering to 1500万 (-want +got):\n%s", diff)
	}

	// Raising the line is the mirror image, listed at most one per list.
	raise := overridden(t, e, "above-size@2011", map[string]any{"min_main_revenue": 30_000_000})
	sim = rules.NewSimulation(lower, raise, asOf, 1)
	for i := range firms {
		sim.Add(&firms[i])
	}
	got := sim.Report()
	if got.Counts.NewlyIneligible != 3 || len(got.NewlyIneligible) != 1 || got.NewlyIneligible[0].USCC != "F1" || !got.Truncated {
		t.Errorf("raising to 3000万: %+v", got)
	}
}

// TestSimulationOtherChanges: a status change on the same side of the line
// is neither newly eligible nor newly ineligible.
func TestSimulationOtherChanges(t *testing.T) {
	e := defaultEngine(t)
	old := program(t, e, "above-size@2011")
	src := strings.Replace(string(old.Pack().Source()), "    expr: main_revenue_prev >= min_main_revenue\n",
		"    expr: main_revenue_prev >= min_main_revenue\n    if_missing: review\n", 1)
	d, err := rules.ParseDraft("draft.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	draft, err := rules.Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	firms := []registry.Firm{manufacturer("F6", "C3562", nil), manufacturer("F7", "F5191", nil)}
	sim := rules.NewSimulation(old, draft, asOf, 0)
	for i := range firms {
		sim.Add(&firms[i])
	}
	got := sim.Report()
	want := []rules.Flip{{USCC: "F6", Name: "企业F6", RegionCode: "431202", OldStatus: rules.InsufficientData, NewStatus: rules.NeedsReview,
		Criteria: []rules.CriterionChange{{ID: "main-revenue", Title: "年主营业务收入2000万元及以上",
			Old: &rules.CriterionState{Status: rules.Missing},
			New: &rules.CriterionState{Status: rules.Review}}}}}
	if diff := cmp.Diff(want, got.NewlyEligible); diff != "" {
		t.Errorf("missing → review counts as newly eligible (-want +got):\n%s", diff)
	}
	if got.Unchanged != 1 || got.Counts.OtherChanges != 0 {
		t.Errorf("unchanged %d, other %d; want 1, 0", got.Unchanged, got.Counts.OtherChanges)
	}
}

func TestHolderInstallKeepsLaterRevision(t *testing.T) {
	e := defaultEngine(t)
	h := rules.NewHolder(e)
	rev := func(n int) *rules.Program {
		d, err := program(t, e, "above-size@2011").Pack().Override(map[string]any{"min_main_revenue": 15_000_000 + n})
		if err != nil {
			t.Fatal(err)
		}
		d.Revision = n
		p, err := rules.Compile(d)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	r3, r2 := rev(3), rev(2)
	for _, tc := range []struct {
		p    *rules.Program
		want bool
		in   *rules.Program
	}{
		{r3, true, r3},  // newer than the built-in revision 1
		{r2, false, r3}, // a late reload of an older revision changes nothing
		{r3, false, r3}, // nor does the same one again
	} {
		if got := h.Install(tc.p); got != tc.want {
			t.Errorf("Install(revision %d) = %v, want %v", tc.p.Revision(), got, tc.want)
		}
		if got := program(t, h.Load(), "above-size@2011"); got != tc.in {
			t.Errorf("after Install(revision %d): revision %d in use, want %d", tc.p.Revision(), got.Revision(), tc.in.Revision())
		}
	}
}
