package points_test

import (
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/points"
)

// TestPackParameters: every parameter of the pack is labelled official or
// engine-default, with a title, a unit and a basis citing where it comes
// from, and has the value finance.md §5.1 gives it.
func TestPackParameters(t *testing.T) {
	p := points.Default().Pack()
	if p.ID != "innovation-points" || p.Edition != "2024" || p.Effective.From != "2024-08-13" || len(p.Basis) == 0 {
		t.Errorf("pack = %s@%s effective %s, basis %q; want innovation-points@2024 from 2024-08-13 with a basis", p.ID, p.Edition, p.Effective.From, p.Basis)
	}
	want := map[string]float64{
		"stage_growth_min_revenue": 5_000_000, "stage_stable_min_revenue": 200_000_000,
		"weight_tech_startup": 0.60, "weight_growth_startup": 0.25, "weight_aux_startup": 0.15,
		"weight_tech_growth": 0.55, "weight_growth_growth": 0.35, "weight_aux_growth": 0.10,
		"weight_tech_stable": 0.50, "weight_growth_stable": 0.40, "weight_aux_stable": 0.10,
		"band_leading_top": 0.05, "band_competing_top": 0.10, "band_advancing_top": 0.20,
		"band_leading_ceiling": 10_000_000, "band_competing_ceiling": 5_000_000, "band_advancing_ceiling": 3_000_000,
		"min_cohort": 20, "tier_national": 1.0, "tier_provincial": 0.6, "tier_city": 0.3,
		"award_years": 3, "winsor": 0.05, "scale": 1000,
	}
	got := map[string]float64{}
	for name, prm := range p.Parameters {
		got[name] = prm.Value
		if prm.Source != "official" && prm.Source != "engine-default" {
			t.Errorf("parameter %s source = %q, want official or engine-default", name, prm.Source)
		}
		if prm.Title == "" || prm.Unit == "" || prm.Basis == "" {
			t.Errorf("parameter %s title, unit, basis = %q, %q, %q, want all set", name, prm.Title, prm.Unit, prm.Basis)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parameters (-want +got):\n%s", diff)
	}
	// finance.md §5.1 labels every number of the model engine-default.
	for name, prm := range p.Parameters {
		if prm.Source != "engine-default" {
			t.Errorf("parameter %s source = %q, want engine-default (finance.md §5.1)", name, prm.Source)
		}
	}
	// The bases cite finance.md or a source tag such as [S9].
	cite := regexp.MustCompile(`finance\.md|\[S\d+\]|引擎默认`)
	for name, prm := range p.Parameters {
		if !cite.MatchString(prm.Basis) {
			t.Errorf("parameter %s basis = %q, want a citation", name, prm.Basis)
		}
	}
}

// TestPackCriteria: the pack lists the stage, cohort, negative list, one
// scored criterion per indicator (grouped by category, unverified slots
// noted) and the band.
func TestPackCriteria(t *testing.T) {
	m := points.Default()
	p := m.Pack()
	if diff := cmp.Diff(map[string]string{"tech": "技术创新", "growth": "成长经营", "aux": "辅助"}, p.Groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	var ids []string
	for _, c := range p.Criteria {
		ids = append(ids, c.ID)
		if c.Title == "" || c.Basis == "" {
			t.Errorf("criterion %s title, basis = %q, %q, want both set", c.ID, c.Title, c.Basis)
		}
		if c.Expr.Text != "" {
			t.Errorf("criterion %s has an expression %q, want none (the Go code evaluates it)", c.ID, c.Expr.Text)
		}
	}
	want := []string{"stage", "cohort", "negative-list",
		"rd-intensity", "rd-expense", "tech-staff-share", "tech-staff", "ip-class1", "tech-contracts",
		"revenue", "revenue-growth", "net-profit", "high-tech-revenue",
		"equity-financing", "rd-platform", "sci-award", "qualification", "standards", "band"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("criteria (-want +got):\n%s", diff)
	}
	verified := map[string]bool{}
	for i := range m.Indicators {
		ind := &m.Indicators[i]
		if ind.Verified {
			verified[ind.ID] = true
		}
		c := p.Criteria[3+i]
		if c.Kind != rules.KindScored || c.Group != ind.Category || (c.Note == "") != ind.Verified {
			t.Errorf("criterion %s kind, group, note = %s, %s, %q; want scored, %s, a note iff unverified",
				c.ID, c.Kind, c.Group, c.Note, ind.Category)
		}
	}
	// finance.md §5.1: the slots confirmed in sources (R&D intensity, S&T
	// staff share, technology-contract turnover, high-tech product revenue).
	if diff := cmp.Diff([]string{"high-tech-revenue", "rd-intensity", "tech-contracts", "tech-staff-share"},
		slices.Sorted(maps.Keys(verified))); diff != "" {
		t.Errorf("verified indicators (-want +got):\n%s", diff)
	}
	if c := p.Criteria[2]; c.Kind != rules.KindVeto {
		t.Errorf("negative-list kind = %s, want veto", c.Kind)
	}
	// Outputs label the categories official and the rest engine-default.
	f := firm(1, county, growthRevenue, 100_000)
	r, _ := evaluate(t, points.New(m, nil), f, points.NewSet(build(m, "", cohort(0, 20, county))), points.Options{})
	for name, o := range r.Outputs {
		want := "engine-default"
		if name == "categories" {
			want = "official"
		}
		if o.Source != want || o.Basis == "" {
			t.Errorf("output %s source, basis = %q, %q, want %s with a basis", name, o.Source, o.Basis, want)
		}
	}
	// Without region names, regions are named by code.
	checkContains(t, "cohort detail", crit(t, r, "cohort").Detail, "区划431202成长期企业20家")
}

// TestHash: the model's hash is stable, and changes with any parameter.
func TestHash(t *testing.T) {
	m := points.Default()
	h := m.Hash()
	if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(h) {
		t.Errorf("Hash() = %q, want 24 hex digits", h)
	}
	for range 3 {
		if got := points.Default().Hash(); got != h {
			t.Errorf("Hash() = %q, then %q, want stable", h, got)
		}
	}
	p := points.New(m, nil)
	if p.Hash() != h || p.Stamp(nil) != h || p.Key() != key || p.ID() != "innovation-points" || p.Edition() != "2024" || p.Model() != m {
		t.Errorf("program hash, stamp, key, id, edition = %q, %q, %q, %q, %q; want the model's", p.Hash(), p.Stamp(nil), p.Key(), p.ID(), p.Edition())
	}
	if d := (&registry.CohortDistribution{ID: "x", BuiltAt: builtAt}); p.Stamp(d) != h+"/x@2026-07-01T08:00:00Z" {
		t.Errorf("Stamp(d) = %q, want hash/id@built_at", p.Stamp(d))
	}

	// A preset: a deep enough copy that the default stays as it is.
	changes := map[string]func(*points.Model){
		"weight":     func(c *points.Model) { c.Categories[0].Weights["growth"] = 0.5 },
		"threshold":  func(c *points.Model) { c.Stages[1].MinRevenue = 4_000_000 },
		"band":       func(c *points.Model) { c.Bands[2].Top = 0.25 },
		"min cohort": func(c *points.Model) { c.MinCohort = 10 },
		"tier":       func(c *points.Model) { c.Tiers[registry.LevelCity] = 0.2 },
		"winsor":     func(c *points.Model) { c.Winsor = 0.1 },
		"edition":    func(c *points.Model) { c.Edition = "2025" },
	}
	for name, change := range changes {
		c := *m
		c.Stages = slices.Clone(m.Stages)
		c.Bands = slices.Clone(m.Bands)
		c.Categories = slices.Clone(m.Categories)
		for i := range c.Categories {
			c.Categories[i].Weights = maps.Clone(m.Categories[i].Weights)
		}
		c.Tiers = maps.Clone(m.Tiers)
		change(&c)
		if got := c.Hash(); got == h {
			t.Errorf("Hash() after changing the %s = %q, want another", name, got)
		}
	}
	if got := points.Default().Hash(); got != h {
		t.Errorf("Hash() of the default after presets = %q, want %q (unchanged)", got, h)
	}
}

// TestScope: pass 1 of a screening scans its region widened to the city.
func TestScope(t *testing.T) {
	for _, tt := range []struct{ region, want string }{
		{"431202", "431200"}, {"431200", "431200"}, {"430000", "430000"}, {"", ""},
	} {
		if got := points.Scope(registry.ScreeningFilter{RegionCode: tt.region, Chain: "竹业", IndustryCode: "C35"}); got != tt.want {
			t.Errorf("Scope(%q) = %q, want %q", tt.region, got, tt.want)
		}
	}
}
