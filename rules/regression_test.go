package rules_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// Regression tests, one per bug found by the hand-computed self-check
// profiles (api/selfcheck_spec_test.go). Each names the bug it pins down.

// A ratio over a zero denominator in a score band gave NaN as the
// criterion's actual value, and the whole answer failed to encode.
func TestRegressionZeroDenominatorScoreEncodes(t *testing.T) {
	prog := compile(t, `  - id: rd-score
    title: 研发
    kind: scored
    route: score
    basis: 第一条
    score:
      metric: rd_ratio
      bands: [{min: 0.05, points: 40}, {min: 0.03, points: 30}, {points: 0}]
  - id: total
    title: 总分
    kind: hard
    route: score
    basis: 第三条
    expr: score >= pass_score
`)
	r := prog.Evaluate(rules.NewEnv(firmWith(registry.Year{RDExpense: i64p(0), Revenue: i64p(0)}), asOf), rules.Options{Explain: true})
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("result does not encode: %v", err)
	}
	c := criterion(t, r, "rd-score")
	if c.Points == nil || *c.Points != 0 {
		t.Errorf("undefined ratio scores the lowest band: points %v", c.Points)
	}
	if c.Actual != nil && (math.IsNaN(*c.Actual) || math.IsInf(*c.Actual, 0)) {
		t.Errorf("actual = %v", *c.Actual)
	}
	if r.Status != rules.Ineligible {
		t.Errorf("status %s, want ineligible (0 points of 60)", r.Status)
	}
}

// A passing range "1 <= rank <= 3" showed the lower bound as its threshold
// (rank 2 against "≥ 1"), hiding the bound that matters. The leaf with the
// least room is the one to show.
func TestRegressionPassingRangeShowsTightBound(t *testing.T) {
	prog := compile(t, `  - id: top3
    title: 国内排名前三
    kind: hard
    basis: 第一条
    expr: domestic_rank >= 1 and domestic_rank <= 3
`)
	rank := 3
	f := firmWith(registry.Year{})
	f.Niche = &registry.Niche{DomesticRank: &rank}
	r := prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{Explain: true})
	c := criterion(t, r, "top3")
	if c.Status != rules.Pass {
		t.Fatalf("status %s", c.Status)
	}
	if c.Threshold == nil || *c.Threshold != 3 || c.Op != "<=" {
		t.Errorf("shown as %s %v, want <= 3", c.Op, c.Threshold)
	}
}

// A sum of amounts with one year missing was "missing" even when the known
// years alone already reached the threshold: amounts are never negative, so
// the known terms bound the sum from below.
func TestRegressionPartialSumMeetsThreshold(t *testing.T) {
	prog := compile(t, `  - id: financing
    title: 近两年股权融资合计不低于100万元
    kind: hard
    basis: 第一条
    expr: equity_financing_prev + equity_financing_prev2 >= min_rd
`)
	for _, tc := range []struct {
		name string
		eq   int64
		want rules.Status
	}{
		{"known year alone suffices", 1_000_000, rules.Pass},
		{"known year short, other unknown", 999_999, rules.Missing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Only 2025 is on file; 2024 is unknown (no establishment date).
			r := prog.Evaluate(rules.NewEnv(firmWith(registry.Year{EquityFinancing: i64p(tc.eq)}), asOf), rules.Options{Explain: true})
			c := criterion(t, r, "financing")
			if c.Status != tc.want {
				t.Errorf("status %s, want %s (%+v)", c.Status, tc.want, c)
			}
		})
	}
}

// The champion pack read the niche market's age for "years in the field";
// the stated niche.years_in_field comes first, niche.since stands in.
func TestRegressionYearsInFieldPrefersStatedYears(t *testing.T) {
	prog := compile(t, `  - id: field
    title: 从事相关领域10年以上
    kind: hard
    basis: 第一条
    expr: years_in_field >= 10
`)
	twelve := 12
	for _, tc := range []struct {
		name  string
		niche *registry.Niche
		want  rules.Status
	}{
		{"stated 12 years beat a 2022 niche", &registry.Niche{Since: "2022-01-01", YearsInField: &twelve}, rules.Pass},
		{"niche since 2014 stands in", &registry.Niche{Since: "2014-01-01"}, rules.Pass},
		{"niche since 2017 stands in, nine years", &registry.Niche{Since: "2017-01-01"}, rules.Fail},
		{"nothing given", nil, rules.Missing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := firmWith(registry.Year{})
			f.Niche = tc.niche
			r := prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{})
			if c := criterion(t, r, "field"); c.Status != tc.want {
				t.Errorf("status %s, want %s", c.Status, tc.want)
			}
		})
	}
}
