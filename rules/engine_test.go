package rules_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

const packHead = `id: demo
edition: "1"
name: {zh: 演示, en: Demo}
effective: {from: "2020-01-01"}
basis: [演示依据]
parameters:
  min_rd: {value: 1000000, unit: yuan, source: official, basis: 第一条}
  min_ratio: {value: 0.03, unit: ratio, source: official, basis: 第二条}
  max_debt: {value: 0.7, unit: ratio, source: engine-default, basis: 演示}
  pass_score: {value: 60, unit: points, source: official, basis: 第三条}
metrics:
  rd_ratio: {title: 研发费用占营业收入比例, unit: ratio, expr: rd_expense_prev / revenue_prev}
  debt_ratio: {title: 资产负债率, unit: ratio, expr: total_liabilities_prev / total_assets_prev}
criteria:
`

func compile(t *testing.T, criteria string) *rules.Program {
	t.Helper()
	p, err := rules.ParsePack("demo.yaml", []byte(packHead+criteria))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := rules.Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func i64p(v int64) *int64 { return &v }

var asOf = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func firmWith(y registry.Year) *registry.Firm {
	y.Year = 2025
	return &registry.Firm{Years: []registry.Year{y}}
}

func criterion(t *testing.T, r rules.Result, id string) rules.CriterionResult {
	t.Helper()
	for _, c := range r.Criteria {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no criterion %s in %+v", id, r.Criteria)
	return rules.CriterionResult{}
}

func TestCompileErrorsNameTheSpot(t *testing.T) {
	src := packHead + `  - id: rd
    title: 研发费用
    kind: hard
    basis: 第一条
    expr: rd_expens_prev >= min_rd
`
	p, err := rules.ParsePack("demo.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = rules.Compile(p)
	var ce *rules.CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *CompileError", err)
	}
	if ce.Pack != "demo.yaml" || ce.Criterion != "rd" || ce.Line != 19 || ce.Col != 11 {
		t.Errorf("error at %s %s %d:%d, want demo.yaml rd 19:11", ce.Pack, ce.Criterion, ce.Line, ce.Col)
	}
	if !strings.Contains(ce.Msg, "rd_expens_prev") || !strings.Contains(ce.Snippet, "^") {
		t.Errorf("message %q, snippet %q", ce.Msg, ce.Snippet)
	}
}

func TestCompileRejects(t *testing.T) {
	for name, crit := range map[string]string{
		"not a condition":   "expr: rd_expense_prev + 1",
		"unknown kind":      "kind: maybe\n    expr: rd_expense_prev > 0",
		"bare call misuse":  "expr: holds(\"hnte\") == (rd_expense_prev > 0)",
		"score not alone":   "expr: score + 1 >= pass_score",
		"unknown parameter": "expr: rd_expense_prev >= min_rdx",
		"string compare":    "expr: rd_expense_prev >= \"a\"",
	} {
		t.Run(name, func(t *testing.T) {
			src := packHead + "  - id: x\n    title: x\n    basis: x\n    kind: hard\n    " + crit + "\n"
			if strings.Contains(crit, "kind:") {
				src = packHead + "  - id: x\n    title: x\n    basis: x\n    " + crit + "\n"
			}
			p, err := rules.ParsePack("demo.yaml", []byte(src))
			if err != nil {
				return // rejected while parsing: fine
			}
			if _, err := rules.Compile(p); err == nil {
				t.Error("compiled")
			}
		})
	}
}

func TestThreeValuedLogic(t *testing.T) {
	prog := compile(t, `  - id: either
    title: 二选一
    kind: hard
    basis: 第一条
    expr: rd_expense_prev >= min_rd or equity_financing_prev >= min_rd
  - id: both
    title: 均需满足
    kind: hard
    basis: 第一条
    expr: rd_expense_prev >= min_rd and equity_financing_prev >= min_rd
`)
	for _, tc := range []struct {
		name         string
		rd, eq       *int64
		either, both rules.Status
		program      rules.Status
	}{
		{"both known and met", i64p(2e6), i64p(2e6), rules.Pass, rules.Pass, rules.Eligible},
		{"one met, other missing", i64p(2e6), nil, rules.Pass, rules.Missing, rules.InsufficientData},
		{"one failed, other missing", i64p(1), nil, rules.Missing, rules.Fail, rules.Ineligible},
		{"both missing", nil, nil, rules.Missing, rules.Missing, rules.InsufficientData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := prog.Evaluate(rules.NewEnv(firmWith(registry.Year{RDExpense: tc.rd, EquityFinancing: tc.eq}), asOf), rules.Options{})
			got := []rules.Status{criterion(t, r, "either").Status, criterion(t, r, "both").Status, r.Status}
			if diff := cmp.Diff([]rules.Status{tc.either, tc.both, tc.program}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestGapsAreDerived(t *testing.T) {
	prog := compile(t, `  - id: rd-amount
    title: 研发费用不低于100万元
    kind: hard
    basis: 第一条
    expr: rd_expense_prev >= min_rd
  - id: rd-ratio
    title: 研发费用占比不低于3%
    kind: hard
    basis: 第二条
    expr: rd_ratio >= min_ratio
  - id: debt
    title: 资产负债率不高于70%
    kind: hard
    basis: 演示
    expr: debt_ratio <= max_debt
`)
	f := firmWith(registry.Year{RDExpense: i64p(800_000), Revenue: i64p(40_000_000),
		TotalAssets: i64p(10_000_000), TotalLiabilities: i64p(7_400_000)})
	r := prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{Explain: true})
	for _, tc := range []struct {
		id       string
		gap      float64
		gapTexts []string
	}{
		{"rd-amount", 200_000, []string{"2025年研发费用需增加¥200,000"}},
		// 3% of ¥40,000,000 is ¥1,200,000: ¥400,000 more R&D.
		{"rd-ratio", 0.01, []string{"差1.0个百分点", "2025年研发费用需增加¥400,000", "¥800,000 → ¥1,200,000"}},
		// 70% of ¥10,000,000 is ¥7,000,000: ¥400,000 less debt.
		{"debt", -0.04, []string{"差4.0个百分点", "2025年负债总额需减少¥400,000"}},
	} {
		c := criterion(t, r, tc.id)
		if c.Status != rules.Fail || c.Gap == nil {
			t.Errorf("%s: status %s gap %v, want a failed criterion with a gap", tc.id, c.Status, c.Gap)
			continue
		}
		if d := *c.Gap - tc.gap; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: gap = %v, want %v", tc.id, *c.Gap, tc.gap)
		}
		for _, s := range tc.gapTexts {
			if !strings.Contains(c.GapText, s) {
				t.Errorf("%s: gap_text %q lacks %q", tc.id, c.GapText, s)
			}
		}
	}
	if len(r.NextSteps) != 3 {
		t.Errorf("next_steps = %q, want one per failed criterion", r.NextSteps)
	}
	// Distance sums the relative gaps: 0.2/1 + 0.01/0.03 + 0.04/0.7.
	if want := 0.2 + 1.0/3 + 0.4/7; r.Distance == nil || math.Abs(*r.Distance-want) > 1e-9 {
		t.Errorf("distance = %v, want %v", r.Distance, want)
	}
	if diff := cmp.Diff([]string{"rd-amount", "rd-ratio", "debt"}, r.Blocking); diff != "" {
		t.Errorf("blocking (-want +got):\n%s", diff)
	}
	if !r.NearMiss() {
		t.Error("three small gaps summing under one criterion: a near-miss")
	}
	// One criterion short, but by far more than half its threshold: not near.
	far := prog.Evaluate(rules.NewEnv(firmWith(registry.Year{RDExpense: i64p(200_000), Revenue: i64p(4_000_000),
		TotalAssets: i64p(10_000_000), TotalLiabilities: i64p(1_000_000)}), asOf), rules.Options{})
	if far.Status != rules.Ineligible || far.Distance == nil || *far.Distance != 0.8 || far.NearMiss() {
		t.Errorf("R&D ¥200,000 of ¥1,000,000 (gap 80%%): status %s distance %v near-miss %v", far.Status, far.Distance, far.NearMiss())
	}
	// Exactly at the thresholds everything passes (inclusive bounds).
	f = firmWith(registry.Year{RDExpense: i64p(1_200_000), Revenue: i64p(40_000_000),
		TotalAssets: i64p(10_000_000), TotalLiabilities: i64p(7_000_000)})
	r = prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{})
	if r.Status != rules.Eligible {
		t.Errorf("at the thresholds: %s %+v", r.Status, r.Criteria)
	}
}

func TestScoreBounds(t *testing.T) {
	prog := compile(t, `  - id: rd-score
    title: 研发
    kind: scored
    route: score
    basis: 第一条
    score:
      metric: rd_ratio
      bands: [{min: 0.05, points: 40}, {min: 0.03, points: 30}, {points: 0}]
  - id: ip-score
    title: 知识产权
    kind: scored
    route: score
    basis: 第一条
    score:
      best_of:
        - metric: ip_class1
          bands: [{min: 1, points: 30}, {points: 0}]
        - metric: ip_class2
          bands: [{min: 2, points: 20}, {points: 0}]
  - id: total
    title: 总分
    kind: hard
    route: score
    basis: 第三条
    expr: score >= pass_score
`)
	ip := func(c1, c2 *int) *registry.IP { return &registry.IP{Class1: c1, Class2: c2} }
	one, zero, three := 1, 0, 3
	for _, tc := range []struct {
		name   string
		rd     *int64
		ip     *registry.IP
		status rules.Status
		score  float64
	}{
		{"class I settles the IP score though class II is missing", i64p(2_000_000), ip(&one, nil), rules.Eligible, 70},
		{"missing R&D could still reach 60", nil, ip(&one, nil), rules.InsufficientData, 30},
		{"missing R&D cannot reach 60", nil, ip(&zero, &zero), rules.Ineligible, 0},
		{"class II is the better option", i64p(1_500_000), ip(&zero, &three), rules.Ineligible, 50},
		// An option the firm gives no data for is not the one it picks.
		{"only class II given: counted, not missing", i64p(2_000_000), ip(nil, &three), rules.Eligible, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := firmWith(registry.Year{RDExpense: tc.rd, Revenue: i64p(40_000_000)})
			f.IP = tc.ip
			r := prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{Explain: true})
			if r.Status != tc.status || *r.Score != tc.score {
				t.Errorf("status %s score %v, want %s %v; %+v", r.Status, *r.Score, tc.status, tc.score, r.Criteria)
			}
		})
	}
}

func TestHonorFunctions(t *testing.T) {
	prog := compile(t, `  - id: hnte
    title: 高企
    kind: hard
    basis: x
    expr: holds("hnte")
  - id: award
    title: 国家级奖励前三
    kind: hard
    basis: x
    expr: won("sci_award", "national", 5, 3)
`)
	rank := func(n int) *int { return &n }
	for _, tc := range []struct {
		name        string
		honors      []registry.Honor
		hnte, award rules.Status
	}{
		{"none", nil, rules.Fail, rules.Fail},
		{"hnte valid, default 3-year term", []registry.Honor{{Kind: "hnte", Issued: "2023-07-01"}}, rules.Pass, rules.Fail},
		{"hnte past its default term", []registry.Honor{{Kind: "hnte", Issued: "2023-06-30"}}, rules.Fail, rules.Fail},
		{"award without rank", []registry.Honor{{Kind: "sci_award", Level: "national", Issued: "2024-01-01"}}, rules.Fail, rules.Missing},
		{"award ranked 3", []registry.Honor{{Kind: "sci_award", Level: "national", Issued: "2024-01-01", Rank: rank(3)}}, rules.Fail, rules.Pass},
		{"award ranked 4", []registry.Honor{{Kind: "sci_award", Level: "national", Issued: "2024-01-01", Rank: rank(4)}}, rules.Fail, rules.Fail},
		{"provincial award", []registry.Honor{{Kind: "sci_award", Level: "provincial", Issued: "2024-01-01", Rank: rank(1)}}, rules.Fail, rules.Fail},
		{"award 5 years ago to the day", []registry.Honor{{Kind: "sci_award", Level: "national", Issued: "2021-06-30", Rank: rank(1)}}, rules.Fail, rules.Fail},
		{"award 5 years ago less a day", []registry.Honor{{Kind: "sci_award", Level: "national", Issued: "2021-07-01", Rank: rank(1)}}, rules.Fail, rules.Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &registry.Firm{Honors: tc.honors}
			r := prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{})
			got := []rules.Status{criterion(t, r, "hnte").Status, criterion(t, r, "award").Status}
			if diff := cmp.Diff([]rules.Status{tc.hnte, tc.award}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEditionsAndHolder(t *testing.T) {
	mk := func(edition, from, to, review string) *rules.Pack {
		src := strings.Replace(packHead, `edition: "1"`, `edition: "`+edition+`"`, 1)
		src = strings.Replace(src, `effective: {from: "2020-01-01"}`, `effective: {from: "`+from+`", to: "`+to+`"}`, 1)
		src = strings.Replace(src, "criteria:\n", review+"criteria:\n", 1)
		src += "  - id: rd\n    title: 研发\n    kind: hard\n    basis: 第一条\n    expr: rd_expense_prev >= min_rd\n"
		p, err := rules.ParsePack(edition+".yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := mk("2022", "2022-06-01", "2026-03-31", "")
	cur := mk("2026", "2026-04-01", "", "review: {edition: \"2022\", period: {from: \"2026-01-01\", to: \"2026-12-31\"}, basis: 117号}\n")
	e, err := rules.New([]*rules.Pack{cur, old})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		asOf   string
		review bool
		want   string
	}{
		{"2026-03-31", false, "demo@2022"},
		{"2026-04-01", false, "demo@2026"},
		{"2019-01-01", false, "demo@2022"},
		{"2026-06-30", true, "demo@2022"},
		{"2027-06-30", true, "demo@2026"},
	} {
		d, _ := registry.ParseDate(tc.asOf)
		sel, err := e.Resolve(nil, d, tc.review)
		if err != nil || len(sel) != 1 || sel[0].Program.Key() != tc.want {
			t.Errorf("Resolve at %s review=%v = %v, %v; want %s", tc.asOf, tc.review, sel, err, tc.want)
		}
	}
	_, err = e.Resolve([]string{"demo@2030"}, asOf, false)
	var upe *rules.UnknownProgramError
	if !errors.As(err, &upe) || !errors.Is(err, rules.ErrUnknownProgram) || !strings.Contains(err.Error(), "demo@2022, demo@2026") {
		t.Errorf("unknown edition: %v", err)
	}
	if _, err := rules.New([]*rules.Pack{old, mk("2022", "2022-06-01", "", "")}); err == nil {
		t.Error("duplicate editions accepted")
	}

	h := rules.NewHolder(e)
	e2, _ := rules.New([]*rules.Pack{old})
	if prev := h.Swap(e2); prev != e || h.Load() != e2 {
		t.Error("Swap did not replace the engine")
	}
}

func TestLintFindsProblems(t *testing.T) {
	src := packHead + `  - id: rd-score
    title: 研发
    kind: scored
    route: score
    basis: 第一条
    score:
      metric: rd_ratio
      bands: [{min: 0.03, points: 30}, {min: 0.05, points: 40}]
  - id: total
    title: 总分
    kind: hard
    route: score
    basis: 第三条
    expr: score >= 200
`
	p, err := rules.ParsePack("demo.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rules.Lint([]*rules.Pack{p}) {
		got = append(got, f.Where+": "+f.Msg)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"parameters.max_debt: parameter is never used",
		"metrics.debt_ratio: derived metric is never used",
		"band 2 (min 0.05) overlaps band 1 (min 0.03)",
		"band 2 gives more points",
		"no catch-all band",
		"needs 200 points but at most 40 can be scored",
		"cases: 0 cases",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("lint misses %q; got:\n%s", want, all)
		}
	}
}

// TestEmbeddedPacksLintClean keeps the shipped packs free of findings.
func TestEmbeddedPacksLintClean(t *testing.T) {
	packs, err := rules.EmbeddedPacks()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rules.Lint(packs) {
		t.Error(f)
	}
}

// TestResultJSONShape pins the SPEC §4 field names of a criterion.
func TestResultJSONShape(t *testing.T) {
	prog := compile(t, "  - id: rd\n    title: 研发\n    kind: hard\n    basis: 第一条\n    expr: rd_expense_prev >= min_rd\n")
	r := prog.Evaluate(rules.NewEnv(firmWith(registry.Year{RDExpense: i64p(10)}), asOf), rules.Options{Explain: true})
	b, _ := json.Marshal(r)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"program", "edition", "name", "status", "score", "route", "criteria", "next_steps"} {
		if _, ok := m[k]; !ok {
			t.Errorf("result lacks %q: %s", k, b)
		}
	}
	c := m["criteria"].([]any)[0].(map[string]any)
	want := map[string]any{"id": "rd", "title": "研发", "status": "fail", "actual": 10.0, "threshold": 1e6,
		"points": nil, "gap": 999990.0, "basis": "第一条"}
	for k, v := range want {
		if !cmp.Equal(c[k], v) {
			t.Errorf("criterion %s = %v, want %v", k, c[k], v)
		}
	}
}

// TestDerivedMetricCycle is the regression test for a fuzz finding: a
// derived metric that used itself was expanded to the depth limit, with
// exponential cost (0.5 s for "zz + zz + zz + zz"). It is now an error.
func TestDerivedMetricCycle(t *testing.T) {
	src := strings.Replace(packHead, "metrics:\n", "metrics:\n  zz: {title: z, unit: ratio, expr: zz + zz + zz + zz}\n", 1) +
		"  - id: x\n    title: x\n    kind: hard\n    basis: x\n    expr: zz > 0\n"
	p, err := rules.ParsePack("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = rules.Compile(p)
	if err == nil || !strings.Contains(err.Error(), "zz → zz") {
		t.Errorf("err = %v, want a cycle error", err)
	}
}
