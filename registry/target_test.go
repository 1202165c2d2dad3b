package registry_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
)

func TestRegionCovers(t *testing.T) {
	tests := []struct {
		area, code string
		want       bool
	}{
		{"431202", "431202", true},
		{"431202", "431221", false},
		{"431200", "431202", true},
		{"431200", "431200", true},
		{"431200", "430102", false},
		{"430000", "431202", true},
		{"430000", "440100", false},
		{"", "431202", false},
		{"4312", "431202", false},
	}
	for _, tt := range tests {
		if got := registry.RegionCovers(tt.area, tt.code); got != tt.want {
			t.Errorf("RegionCovers(%q, %q) = %v, want %v", tt.area, tt.code, got, tt.want)
		}
	}
}

func TestReached(t *testing.T) {
	tests := []struct {
		v, goal    float64
		comparison string
		want       bool
	}{
		{412, 412, registry.CompareAtLeast, true},
		{411, 412, registry.CompareAtLeast, false},
		{27, 30, registry.CompareAbout, true},
		{26.9, 30, registry.CompareAbout, false},
		{0.3 + 0.6, 0.9, registry.CompareAtLeast, true}, // float rounding
	}
	for _, tt := range tests {
		if got := registry.Reached(tt.v, tt.goal, tt.comparison); got != tt.want {
			t.Errorf("Reached(%v, %v, %s) = %v, want %v", tt.v, tt.goal, tt.comparison, got, tt.want)
		}
	}
}

func validTarget() registry.Target {
	return registry.Target{ID: "431200-2026-hnte", RegionCode: "431200", Year: 2026, Title: "规模以上高新技术企业数量达412家",
		Metric: registry.Metric{Kind: registry.MetricHonorCount, Honors: []string{"hnte"}, AboveSize: true, Program: "hnte"},
		Goal:   412, Comparison: registry.CompareAtLeast,
		Source: registry.TargetSource{Document: "000_0e85125c4322f1fb.txt", Quote: "规模以上高新技术企业数量达412家"}}
}

func TestTargetValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*registry.Target)
		fields []string
	}{
		{"valid", func(*registry.Target) {}, nil},
		{"growth", func(t *registry.Target) {
			t.Metric = registry.Metric{Kind: registry.MetricGrowth, Field: "rd_expense", Chain: "中医药"}
		}, nil},
		{"everything wrong", func(t *registry.Target) {
			t.ID, t.RegionCode, t.Year, t.Title, t.Goal, t.Comparison = "Bad ID", "4312", 1999, " ", -1, "most"
			t.Source = registry.TargetSource{}
		}, []string{"id", "region_code", "year", "title", "goal", "comparison", "source.document", "source.quote"}},
		{"unknown kind", func(t *registry.Target) { t.Metric.Kind = "ratio" }, []string{"metric.kind"}},
		{"honor kind without honors", func(t *registry.Target) {
			t.Metric.Honors, t.Metric.MinLevel, t.Metric.Program = nil, "district", "HNTE"
		}, []string{"metric.honors", "metric.min_level", "metric.program"}},
		{"applications need a program", func(t *registry.Target) {
			t.Metric.Kind, t.Metric.Program = registry.MetricApplications, ""
		}, []string{"metric.program"}},
		{"growth with honors and no field", func(t *registry.Target) {
			t.Metric.Kind = registry.MetricGrowth
		}, []string{"metric.honors", "metric.program", "metric.field"}},
		{"above-size twice", func(t *registry.Target) {
			t.Metric = registry.Metric{Kind: registry.MetricAboveSizeNew, AboveSize: true, Field: "revenue"}
		}, []string{"metric.field", "metric.above_size"}},
	}
	for _, tt := range tests {
		tg := validTarget()
		tt.mutate(&tg)
		err := tg.Validate()
		var fields []string
		var ve *registry.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				fields = append(fields, p.Field)
			}
		} else if err != nil {
			t.Fatalf("%s: Validate = %v, want a *ValidationError", tt.name, err)
		}
		if diff := cmp.Diff(tt.fields, fields); diff != "" {
			t.Errorf("%s: problem fields mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestMetricUnit(t *testing.T) {
	for _, tt := range []struct {
		m    registry.Metric
		want string
	}{
		{registry.Metric{Kind: registry.MetricHonorNew}, "firms"},
		{registry.Metric{Kind: registry.MetricHonorNew, CountHonors: true}, "honors"},
		{registry.Metric{Kind: registry.MetricAmount}, "yuan"},
		{registry.Metric{Kind: registry.MetricGrowth}, "percent"},
	} {
		if got := tt.m.Unit(); got != tt.want {
			t.Errorf("%+v.Unit() = %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestSnapshotID(t *testing.T) {
	at := time.Date(2026, 11, 22, 17, 5, 9, 42_000_000, time.FixedZone("CST", 8*3600))
	if got, want := registry.SnapshotID("431200", 2026, at), "431200-2026-20261122T090509.042Z"; got != want {
		t.Errorf("SnapshotID = %q, want %q", got, want)
	}
}
