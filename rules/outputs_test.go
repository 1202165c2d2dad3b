package rules_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// loanPack is a small finance pack: an R&D score and a second scored item
// (EXTRA), a gate on the score, a grade with credit ceilings and a credit
// line.
const loanPack = `id: loan
edition: "1"
name: {zh: 演示贷款, en: Demo loan}
effective: {from: "2020-01-01"}
basis: [演示依据]
parameters:
  a_min: {value: 80, unit: points, title: A级分数线, source: engine-default, basis: 演示}
  b_min: {value: 60, unit: points, title: B级分数线, source: engine-default, basis: 演示}
  ceiling_a: {value: 3000000, unit: yuan, title: A级上限, source: official, basis: 第二条}
  ceiling_b: {value: 1000000, unit: yuan, title: B级上限, source: engine-default, basis: 演示}
  cap: {value: 2000000, unit: yuan, title: 单笔上限, source: official, basis: 第三条}
  factor: {value: 0.5, unit: ratio, title: 营收系数, source: engine-default, basis: 演示}
criteria:
  - id: rd
    title: 研发费用
    kind: scored
    route: score
    basis: 第一条
    score:
      metric: rd_expense_prev
      bands: [{min: 1000000, points: 80}, {min: 500000, points: 60}, {points: 0}]
  - id: extra
    title: 加分
    kind: scored
    route: score
    basis: 第一条
    score: EXTRA
  - id: lendable
    title: 得分不低于60分
    kind: hard
    route: score
    expr: score >= b_min
    basis: 第一条
outputs:
  grade:
    title: 等级
    from: score
    source: engine-default
    basis: 演示分级
    bands:
      - {min: a_min, value: A, amount: ceiling_a}
      - {min: b_min, value: B, amount: ceiling_b}
      - {value: ""}
  credit_line:
    title: 额度
    unit: yuan
    expr: min(grade_amount, cap, factor * revenue_prev)
    source: engine-default
    basis: 演示额度
`

// noExtra is a second item worth 5 points that firms without titles do
// not earn.
const noExtra = `{items: [{title: 高新技术企业, when: 'holds("hnte")', points: 5}]}`

func loanProgram(t *testing.T, extra string) *rules.Program {
	t.Helper()
	p, err := rules.ParsePack("loan.yaml", []byte(strings.Replace(loanPack, "EXTRA", extra, 1)))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := rules.Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

type outcome struct {
	Status rules.Status
	Grade  string
	Line   *float64
}

func outcomeOf(r rules.Result) outcome {
	return outcome{Status: r.Status, Grade: r.Grade, Line: r.CreditLine}
}

func TestOutputsGradeAndCreditLine(t *testing.T) {
	prog := loanProgram(t, noExtra)
	line := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name    string
		rd, rev *int64
		want    outcome
	}{
		// 80 points → A; min(300万, 200万, 0.5 × 1000万) = 200万: the cap.
		{"A at the bound, cap binds", i64p(1000000), i64p(10000000), outcome{rules.Eligible, "A", line(2000000)}},
		// 80 → A; min(300万, 200万, 0.5 × 300万) = 150万: the revenue factor.
		{"A, revenue binds", i64p(1000000), i64p(3000000), outcome{rules.Eligible, "A", line(1500000)}},
		// 60 → B; min(100万, 200万, 0.5 × 1000万) = 100万: the grade ceiling.
		{"B at the bound, ceiling binds", i64p(500000), i64p(10000000), outcome{rules.Eligible, "B", line(1000000)}},
		// 0 points fails the gate: no outputs for an ineligible firm.
		{"below B", i64p(499999), i64p(10000000), outcome{rules.Ineligible, "", nil}},
		// No revenue: the grade stands, the line cannot be computed.
		{"revenue missing", i64p(1000000), nil, outcome{rules.InsufficientData, "A", nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := prog.Evaluate(rules.NewEnv(firmWith(registry.Year{RDExpense: tc.rd, Revenue: tc.rev}), asOf), rules.Options{Explain: true})
			if diff := cmp.Diff(tc.want, outcomeOf(r)); diff != "" {
				t.Errorf("(-want +got)\n%s\n%+v", diff, r.Outputs)
			}
		})
	}
}

// TestOutputsLabelEverySource: each output carries its source and basis;
// a numeric output's note names its inputs with their sources.
func TestOutputsLabelEverySource(t *testing.T) {
	prog := loanProgram(t, noExtra)
	r := prog.Evaluate(rules.NewEnv(firmWith(registry.Year{RDExpense: i64p(500000), Revenue: i64p(10000000)}), asOf), rules.Options{})
	if g := r.Outputs["grade"]; g.Source != "engine-default" || g.Basis != "演示分级" || !strings.Contains(g.Note, "60分 → B（≥60分）") {
		t.Errorf("grade label = %+v", g)
	}
	cl := r.Outputs["credit_line"]
	for _, want := range []string{"等级额度上限¥1,000,000", "单笔上限¥2,000,000（official）", "营收系数50.0%（engine-default）",
		"2025年营业收入¥10,000,000", "→ ¥1,000,000"} {
		if !strings.Contains(cl.Note, want) {
			t.Errorf("credit_line note %q lacks %q", cl.Note, want)
		}
	}
	b, _ := json.Marshal(r)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if m["grade"] != "B" || m["credit_line"] != 1000000.0 || m["outputs"] == nil {
		t.Errorf("JSON: %s", b)
	}
}

// TestOutputsOpenScore: points staff still have to score leave an output
// open; it shows the lower value and the result waits for review, unless
// the open points cannot change it. Missing data that could change it
// makes the result insufficient.
func TestOutputsOpenScore(t *testing.T) {
	firm := firmWith(registry.Year{RDExpense: i64p(500000), Revenue: i64p(10000000)})
	// 60 known + up to 30 staff points: B or A. The line is 100万 or 200万.
	r := loanProgram(t, "{manual: 30}").Evaluate(rules.NewEnv(firm, asOf), rules.Options{Explain: true})
	line := 1000000.0
	if diff := cmp.Diff(outcome{rules.NeedsReview, "B", &line}, outcomeOf(r)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if n := r.Outputs["grade"].Note; !strings.Contains(n, "档次可能更高") {
		t.Errorf("grade note = %q", n)
	}
	// Up to 10 staff points cannot lift 60 to 80: settled.
	r = loanProgram(t, "{manual: 10}").Evaluate(rules.NewEnv(firm, asOf), rules.Options{})
	if r.Grade != "B" || strings.Contains(r.Outputs["grade"].Note, "可能") {
		t.Errorf("grade %q, note %q", r.Grade, r.Outputs["grade"].Note)
	}

	// R&D unknown: the gate cannot be settled, so the outputs are not
	// computed.
	r = loanProgram(t, noExtra).Evaluate(rules.NewEnv(firmWith(registry.Year{Revenue: i64p(10000000)}), asOf), rules.Options{})
	if r.Status != rules.InsufficientData || r.Grade != "" || r.Outputs != nil {
		t.Errorf("status %s, grade %q, outputs %v", r.Status, r.Grade, r.Outputs)
	}
}

// TestOutputsOpenByMissingData: a score whose missing points could change
// the grade leaves the result insufficient, and next_steps asks for them.
func TestOutputsOpenByMissingData(t *testing.T) {
	src := strings.Replace(loanPack, "EXTRA", "{metric: tech_contract_turnover_prev, bands: [{min: 1, points: 20}, {points: 0}]}", 1)
	p, err := rules.ParsePack("loan.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := rules.Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	r := prog.Evaluate(rules.NewEnv(firmWith(registry.Year{RDExpense: i64p(500000), Revenue: i64p(10000000)}), asOf), rules.Options{Explain: true})
	if r.Status != rules.InsufficientData || r.Grade != "" || r.CreditLine != nil || r.Route != nil {
		t.Fatalf("status %s, grade %q, line %v, route %v", r.Status, r.Grade, r.CreditLine, r.Route)
	}
	if want := "补充数据：years[2025].tech_contract_turnover（等级）"; len(r.NextSteps) == 0 || r.NextSteps[0] != want {
		t.Errorf("next_steps = %q, want %q first", r.NextSteps, want)
	}
}

func TestOutputsCompileErrors(t *testing.T) {
	head := strings.Replace(loanPack, "EXTRA", "{manual: 5}", 1)
	head = head[:strings.Index(head, "outputs:")]
	for _, tc := range []struct {
		name, outputs, want string
	}{
		{"unknown output", "  rating: {title: x, from: score, source: official, basis: x, bands: [{value: A}]}", `unknown output "rating"`},
		{"label with expr", "  grade: {title: x, expr: score, source: official, basis: x}", "a label output (grade) takes from: and bands:"},
		{"number with bands", "  credit_line: {title: x, unit: yuan, from: score, bands: [{value: A}], source: official, basis: x}", "a numeric output (credit_line) takes expr:"},
		{"number without unit", "  credit_line: {title: x, expr: cap, source: official, basis: x}", "a numeric output needs its unit"},
		{"bad source", "  grade: {title: x, from: score, source: guess, basis: x, bands: [{value: A}]}", `output source must be official or engine-default, not "guess"`},
		{"no basis", "  grade: {title: x, from: score, source: official, bands: [{value: A}]}", "an output needs a title and its basis"},
		{"band min not a parameter", "  grade: {title: x, from: score, source: official, basis: x, bands: [{min: a_mni, value: A}, {value: B}]}",
			`band 1: min "a_mni" must name a parameter`},
		{"band min a bare number", "  grade: {title: x, from: score, source: official, basis: x, bands: [{min: 85, value: A}, {value: B}]}",
			`band 1: min "85" must name a parameter`},
		{"empty label above the catch-all", "  grade: {title: x, from: score, source: official, basis: x, bands: [{min: a_min, value: \"\"}, {value: B}]}",
			"only the catch-all band (no min) may have an empty value"},
		{"amount read but missing", "  grade: {title: x, from: score, source: official, basis: x, bands: [{min: a_min, value: A, amount: cap}, {value: B}]}\n" +
			"  credit_line: {title: y, unit: yuan, expr: grade_amount, source: official, basis: x}", "band 2 (B) has no amount, but grade_amount is read"},
		{"unknown metric", "  credit_line: {title: y, unit: yuan, expr: revenu_prev, source: official, basis: x}", "unknown name revenu_prev"},
		{"hidden slots", "  credit_line: {title: y, unit: yuan, expr: '__slot[0]', source: official, basis: x}", "unknown name __slot"},
		{"a condition", "  credit_line: {title: y, unit: yuan, expr: revenue_prev > cap, source: official, basis: x}", "an output expression must be a number"},
		{"honor call", "  credit_line: {title: y, unit: yuan, expr: 'holds(\"hnte\") ? cap : 0', source: official, basis: x}", "holds"},
		{"unknown group", "  grade: {title: x, from: score_rd, source: official, basis: x, bands: [{value: A}]}", `unknown score group "rd"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := rules.ParsePack("loan.yaml", []byte(head+"outputs:\n"+tc.outputs+"\n"))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			_, err = rules.Compile(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile error = %v, want it to contain %q", err, tc.want)
			}
		})
	}

	// A pack that scores nothing has no score to band.
	p, err := rules.ParsePack("demo.yaml", []byte(packHead+`  - id: rd
    title: 研发费用
    kind: hard
    basis: 第一条
    expr: rd_expense_prev >= min_rd
outputs:
  grade: {title: x, from: score, source: official, basis: x, bands: [{value: A}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rules.Compile(p); err == nil || !strings.Contains(err.Error(), "no criterion of the pack is scored") {
		t.Errorf("Compile error = %v", err)
	}
}

func TestOutputsLint(t *testing.T) {
	base := strings.Replace(loanPack, "EXTRA", "{manual: 5}", 1)
	base = base[:strings.Index(base, "outputs:")]
	for _, tc := range []struct {
		name, outputs string
		want          []string
	}{
		{"clean", "  grade: {title: x, from: score, source: official, basis: x, bands: [{min: a_min, value: A, amount: ceiling_a}, {min: b_min, value: B, amount: ceiling_b}, {value: \"\"}]}\n" +
			"  credit_line: {title: y, unit: yuan, expr: 'min(grade_amount, cap * factor)', source: official, basis: x}", nil},
		{"out of order", "  grade: {title: x, from: score, source: official, basis: x, bands: [{min: b_min, value: B}, {min: a_min, value: A}, {value: C}]}",
			[]string{"band 2 (min 80) overlaps band 1 (min 60): it is unreachable"}},
		{"no catch-all", "  grade: {title: x, from: score, source: official, basis: x, bands: [{min: a_min, value: A}, {min: b_min, value: B}]}",
			[]string{"no catch-all band"}},
		{"catch-all first", "  grade: {title: x, from: score, source: official, basis: x, bands: [{value: C}, {min: a_min, value: A}, {value: D}]}",
			[]string{"band 1 catches everything"}},
		{"amount rises", "  grade: {title: x, from: score, source: official, basis: x, bands: [{min: a_min, value: A, amount: ceiling_b}, {min: b_min, value: B, amount: ceiling_a}, {value: \"\"}]}",
			[]string{"band 2 has a larger amount (3e+06) than the better band 1 (1e+06)"}},
		{"repeated label", "  tier: {title: x, from: score, source: official, basis: x, bands: [{min: a_min, value: A}, {value: A}]}",
			[]string{"band 2 repeats the label A"}},
		// rd tops at 80, the manual item at 5: 85 points at most.
		{"unreachable band", "  grade: {title: x, from: score, source: official, basis: x, bands: [{min: cap, value: A}, {value: B}]}",
			[]string{"band A needs 2e+06 but at most 85 can be scored: unreachable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := rules.ParsePack("loan.yaml", []byte(base+"outputs:\n"+tc.outputs+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rules.Lint([]*rules.Pack{p}) {
				if strings.HasPrefix(f.Where, "outputs.") {
					got = append(got, f.Msg)
				} else if !strings.HasPrefix(f.Where, "parameters.") && f.Where != "cases" {
					t.Errorf("unexpected finding %s", f)
				}
			}
			for _, w := range tc.want {
				found := false
				for _, g := range got {
					found = found || strings.Contains(g, w)
				}
				if !found {
					t.Errorf("findings %q lack %q", got, w)
				}
			}
			if tc.want == nil && got != nil {
				t.Errorf("findings %q, want none", got)
			}
		})
	}
	// Parameters only outputs read are used.
	p, _ := rules.ParsePack("loan.yaml", []byte(strings.Replace(loanPack, "EXTRA", noExtra, 1)))
	for _, f := range rules.Lint([]*rules.Pack{p}) {
		if strings.HasPrefix(f.Where, "parameters.") {
			t.Errorf("unexpected finding %s", f)
		}
	}
}

// TestScoreItems: an items score sums the points of the conditions that
// hold; a condition lacking data leaves its points open.
func TestScoreItems(t *testing.T) {
	prog := compile(t, `  - id: brand
    title: 品牌
    kind: scored
    min_points: 6
    basis: 第一条
    score:
      items:
        - {title: 高新技术企业, when: 'holds("hnte")', points: 4}
        - {title: 科技奖励前三, when: 'won("sci_award", "provincial", 3, 3)', points: 2}
        - {title: 研发投入达标, when: rd_expense_prev >= min_rd, points: 3}
`)
	rank := 2
	for _, tc := range []struct {
		name   string
		honors []registry.Honor
		rd     *int64
		status rules.Status
		points float64
		gap    *float64
	}{
		{"all hold", []registry.Honor{{Kind: "hnte", Issued: "2025-01-01"}, {Kind: "sci_award", Level: "national", Issued: "2025-01-01", Rank: &rank}},
			i64p(1000000), rules.Pass, 9, nil},
		{"short of the minimum", []registry.Honor{{Kind: "hnte", Issued: "2025-01-01"}}, i64p(999999), rules.Fail, 4, f64(2)},
		// The award lacks its rank and R&D is unknown: 4 known, 5 open.
		{"open", []registry.Honor{{Kind: "hnte", Issued: "2025-01-01"}, {Kind: "sci_award", Level: "national", Issued: "2025-01-01"}},
			nil, rules.Missing, 4, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := firmWith(registry.Year{RDExpense: tc.rd})
			f.Honors = tc.honors
			r := prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{Explain: true})
			c := criterion(t, r, "brand")
			if c.Status != tc.status || c.Points == nil || *c.Points != tc.points || !cmp.Equal(c.Gap, tc.gap) {
				t.Errorf("status %s points %v gap %v (%s)", c.Status, c.Points, c.Gap, c.Detail)
			}
			if tc.status == rules.Missing && !slices.Contains(c.Missing, "years[2025].rd_expense") {
				t.Errorf("missing = %q", c.Missing)
			}
		})
	}
}

// TestPlaceFunctions: in_region reads region_code (missing when absent);
// in_chain reads chain (a firm without one is in none).
func TestPlaceFunctions(t *testing.T) {
	prog := compile(t, `  - id: place
    title: 地区与产业链
    kind: hard
    basis: 第一条
    expr: in_region("4312", "怀化市") and in_chain("机械装备", "竹业")
`)
	for _, tc := range []struct {
		region, chain string
		want          rules.Status
		missing       []string
	}{
		{"431202", "竹业", rules.Pass, nil},
		{"430104", "竹业", rules.Fail, nil},
		{"431202", "食品", rules.Fail, nil},
		{"431202", "", rules.Fail, nil},
		{"", "竹业", rules.Missing, []string{"region_code"}},
	} {
		r := prog.Evaluate(rules.NewEnv(&registry.Firm{RegionCode: tc.region, Chain: tc.chain}, asOf), rules.Options{Explain: true})
		c := criterion(t, r, "place")
		if c.Status != tc.want || !cmp.Equal(c.Missing, tc.missing) {
			t.Errorf("%s/%s: status %s missing %q (%s)", tc.region, tc.chain, c.Status, c.Missing, c.Detail)
		}
	}
	for _, bad := range []string{`in_region("4a")`, `in_region(43)`, `in_chain("")`, `in_region("43") + 1 > 0`} {
		p, err := rules.ParsePack("demo.yaml", []byte(packHead+"  - id: x\n    title: x\n    kind: hard\n    basis: x\n    expr: '"+bad+"'\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rules.Compile(p); err == nil {
			t.Errorf("%s compiled", bad)
		}
	}
}

// TestCaseOutputExpectations: an embedded case checks outputs, including
// their absence.
func TestCaseOutputExpectations(t *testing.T) {
	prog := loanProgram(t, noExtra)
	firm := `{years: [{year: 2025, rd_expense: 1000000, revenue: 10000000}]}`
	for _, tc := range []struct {
		outputs string
		want    []string
	}{
		{"{grade: A, credit_line: 2000000}", nil},
		{"{grade: B, credit_line: 1500000}", []string{`output credit_line = 2e+06, want 1.5e+06`, `output grade = "A", want "B"`}},
		{"{grade: null, credit_line: null}", []string{`output credit_line = 2e+06, want none`, `output grade = "A", want ""`}},
	} {
		var c rules.Case
		if err := yaml.Unmarshal([]byte("name: x\nas_of: \"2026-06-30\"\nstatus: eligible\nprofile: "+firm+"\noutputs: "+tc.outputs+"\n"), &c); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range prog.RunCase(&c).Problems {
			got = append(got, p[:strings.Index(p+" (", " (")])
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: problems (-want +got)\n%s", tc.outputs, diff)
		}
	}
}

// TestOverrideOutputParameters: the grade lines, ceilings and the cap are
// parameters, so a draft can move them and simulate the effect.
func TestOverrideOutputParameters(t *testing.T) {
	e := defaultEngine(t)
	prog := overridden(t, e, "kv-loan@hunan-2025", map[string]any{"program_cap": 3_000_000.0, "grade_a_min": 86.0})
	for _, r := range prog.RunCases() {
		if r.Name != "grade A exactly at 85; the Hunan 500万 cap binds" {
			continue
		}
		want := []string{`output credit_line = 3e+06, want 5e+06`, `output grade = "B", want "A"`}
		var got []string
		for _, p := range r.Problems {
			got = append(got, p[:strings.Index(p+" (", " (")])
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("problems (-want +got)\n%s", diff)
		}
		return
	}
	t.Fatal("case not found")
}
