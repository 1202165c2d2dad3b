package points

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
)

var asOfTest = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func TestDistribution(t *testing.T) {
	tests := []struct {
		name   string
		sample []float64
		max    int
		want   registry.Distribution
	}{
		{"empty", nil, 10, registry.Distribution{N: 0, Values: []float64{}, AtOrBelow: []int{}}},
		{"unsorted with a tie", []float64{3, 1, 2, 2}, 10, registry.Distribution{N: 4, Values: []float64{1, 2, 3}, AtOrBelow: []int{1, 3, 4}}},
		{"all equal", []float64{5, 5, 5}, 10, registry.Distribution{N: 3, Values: []float64{5}, AtOrBelow: []int{3}}},
		{"negative values", []float64{0.1, -0.2, 0}, 10, registry.Distribution{N: 3, Values: []float64{-0.2, 0, 0.1}, AtOrBelow: []int{1, 2, 3}}},
		// 10 distinct values kept at positions round(j × 9/3): 0, 3, 6, 9.
		{"thinned", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 4, registry.Distribution{N: 10, Values: []float64{1, 4, 7, 10}, AtOrBelow: []int{1, 4, 7, 10}}},
		// Distinct 1..5 with counts 2, 3, 6, 7, 8; positions 0, 2, 4.
		{"thinned with ties", []float64{1, 1, 2, 3, 3, 3, 4, 5}, 3, registry.Distribution{N: 8, Values: []float64{1, 3, 5}, AtOrBelow: []int{2, 6, 8}}},
		{"max below 2 keeps all", []float64{1, 2, 3}, 1, registry.Distribution{N: 3, Values: []float64{1, 2, 3}, AtOrBelow: []int{1, 2, 3}}},
		{"exactly max", []float64{1, 2, 3}, 3, registry.Distribution{N: 3, Values: []float64{1, 2, 3}, AtOrBelow: []int{1, 2, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.sample)
			got := distribution(in, tt.max)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("distribution(%v, %d) (-want +got):\n%s", tt.sample, tt.max, diff)
			}
			if !slices.Equal(in, tt.sample) {
				t.Errorf("distribution reordered its input: %v, want %v", in, tt.sample)
			}
		})
	}
}

func TestAtOrBelowShareAbove(t *testing.T) {
	d := registry.Distribution{N: 4, Values: []float64{1, 2, 3}, AtOrBelow: []int{1, 3, 4}}
	thinned := registry.Distribution{N: 10, Values: []float64{1, 4, 7, 10}, AtOrBelow: []int{1, 4, 7, 10}}
	empty := registry.Distribution{Values: []float64{}, AtOrBelow: []int{}}
	tests := []struct {
		name      string
		d         *registry.Distribution
		x         float64
		le, above int
		share     float64
	}{
		{"below all", &d, 0, 0, 4, 0},
		{"the smallest", &d, 1, 1, 3, 0.25},
		{"between", &d, 1.5, 1, 3, 0.25},
		{"a tie shares the higher rank", &d, 2, 3, 1, 0.75},
		{"the largest is at 1", &d, 3, 4, 0, 1},
		{"above all", &d, 99, 4, 0, 1},
		{"thinned: the lower kept value's count", &thinned, 5, 4, 6, 0.4},
		{"thinned: a kept value is exact", &thinned, 7, 7, 3, 0.7},
		{"empty: nothing above", &empty, 5, 0, 0, 1},
	}
	for _, tt := range tests {
		if got := atOrBelow(tt.d, tt.x); got != tt.le {
			t.Errorf("%s: atOrBelow(%v) = %d, want %d", tt.name, tt.x, got, tt.le)
		}
		if got := above(tt.d, tt.x); got != tt.above {
			t.Errorf("%s: above(%v) = %d, want %d", tt.name, tt.x, got, tt.above)
		}
		if got := share(tt.d, tt.x); got != tt.share {
			t.Errorf("%s: share(%v) = %v, want %v", tt.name, tt.x, got, tt.share)
		}
	}
}

func TestQuantile(t *testing.T) {
	var twenty []float64
	for i := 1; i <= 20; i++ {
		twenty = append(twenty, float64(i))
	}
	tests := []struct {
		sorted []float64
		p      float64
		want   float64
	}{
		// Nearest rank: the smallest value with at least p of the sample
		// at or below it.
		{twenty, 0.05, 1}, // 1/20 at or below 1
		{twenty, 0.95, 19},
		{twenty, 0.5, 10},
		{twenty, 0.51, 11},
		{twenty, 0, 1},
		{twenty, 1, 20},
		{[]float64{1, 2, 3}, 0.5, 2},
		{[]float64{1, 2, 3}, 1.0 / 3, 1},
		{[]float64{7}, 0.05, 7},
		{[]float64{7}, 0.95, 7},
	}
	for _, tt := range tests {
		if got := quantile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("quantile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
		}
	}
}

func TestTopRank(t *testing.T) {
	tests := []struct {
		top  float64
		n    int
		want int
	}{
		{0.05, 20, 1}, {0.10, 20, 2}, {0.20, 20, 4},
		{0.05, 21, 2}, {0.10, 21, 3}, {0.20, 21, 5},
		{0.05, 1, 1}, {0.20, 1, 1},
		{0.10, 10, 1},
		{0.10, 30, 3}, {0.30, 10, 3}, {0.20, 15, 3},
		// Products just above an integer in binary floating point: a
		// preset's top 7% of 100 firms is 7 ranks, not 8.
		{0.07, 100, 7}, // 7.000000000000001
		{0.14, 50, 7},  // 7.000000000000001
		{0.05, 0, 0},
	}
	for _, tt := range tests {
		if got := topRank(tt.top, tt.n); got != tt.want {
			t.Errorf("topRank(%v, %d) = %d, want %d", tt.top, tt.n, got, tt.want)
		}
	}
}

func TestLevels(t *testing.T) {
	tests := []struct {
		code string
		want []cohortLevel
	}{
		{"431202", []cohortLevel{{"431202", registry.CohortCounty}, {"431200", registry.CohortCity}, {"430000", registry.CohortProvince}}},
		{"431200", []cohortLevel{{"431200", registry.CohortCity}, {"430000", registry.CohortProvince}}},
		{"430000", []cohortLevel{{"430000", registry.CohortProvince}}},
		{"", nil},
		{"43120", nil},
		{"4312021", nil},
		{"4312a2", nil},
		{"001202", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, levels(tt.code), cmp.AllowUnexported(cohortLevel{})); diff != "" {
			t.Errorf("levels(%q) (-want +got):\n%s", tt.code, diff)
		}
	}
}

// TestRankWinsorised: a growth rate ranks after winsorising to the cohort's
// [p5, p95]; a level indicator is never winsorised.
func TestRankWinsorised(t *testing.T) {
	// 20 growth rates: an outlier at each end and 1%..18% between.
	sample := []float64{-1, 5}
	for i := 1; i <= 18; i++ {
		sample = append(sample, float64(i)/100)
	}
	s := slices.Sorted(slices.Values(sample))
	lo, hi := quantile(s, 0.05), quantile(s, 0.95)
	if lo != -1 || hi != 0.18 {
		t.Fatalf("p5, p95 of %v = %v, %v, want -1, 0.18 (nearest rank)", s, lo, hi)
	}
	d := &registry.IndicatorDistribution{Values: distribution(sample, 2000), Lo: &lo, Hi: &hi}
	growth, level := &Indicator{Kind: Growth}, &Indicator{Kind: Level}
	tests := []struct {
		ind  *Indicator
		x    float64
		want float64
	}{
		{growth, 5, 1},
		{growth, 0.18, 1},    // at p95: the top
		{growth, 0.17, 0.9},  // 18 of 20 at or below
		{growth, 0.10, 0.55}, // -1 and 1%..10%
		{growth, -1, 0.05},   // at p5
		{growth, -3, 0.05},   // below p5: as p5
		{growth, 100, 1},     // above the cohort
		{level, 0.18, 0.95},  // 19 of 20: the outlier 5 is above it
		{level, 5, 1},
		{level, -3, 0},
	}
	for _, tt := range tests {
		if got := rank(tt.ind, d, tt.x); got != tt.want {
			t.Errorf("rank(%s, %v) = %v, want %v", tt.ind.Kind, tt.x, got, tt.want)
		}
	}
	if got := rank(growth, nil, 0.1); got != 1 {
		t.Errorf("rank without a distribution = %v, want 1 (no firm of the cohort above)", got)
	}
}

// TestWinsorisedInCohort: pass 1 stores the growth rate's p5 and p95, and
// pass 2 ranks a firm above p95 at the top.
func TestWinsorisedInCohort(t *testing.T) {
	m := Default()
	b := m.NewBuilder(asOfTest, "")
	for i := 1; i <= 40; i++ {
		prev, prev2 := int64(10_000_000), int64(10_000_000)
		switch i {
		case 1:
			prev2 = 40_000_000 // -75%
		case 40:
			prev2 = 1_000_000 // +900%
		default:
			prev = 10_000_000 + int64(i)*100_000 // +2% .. +39%
		}
		f := registry.Firm{RegionCode: "431202", Years: []registry.Year{{Year: 2024, Revenue: &prev2}, {Year: 2025, Revenue: &prev}}}
		b.Add(&f)
	}
	ds := b.Build("", asOfTest)
	d := ds[len(ds)-1] // 431202
	var g *registry.IndicatorDistribution
	for i := range d.Indicators {
		if d.Indicators[i].Indicator == "revenue-growth" {
			g = &d.Indicators[i]
		}
	}
	// Nearest rank of 40: p5 is the 2nd smallest (+2%), p95 the 38th (+38%).
	if g == nil || g.Lo == nil || g.Hi == nil || !close(*g.Lo, 0.02) || !close(*g.Hi, 0.38) {
		t.Fatalf("revenue-growth distribution = %+v, want lo 0.02, hi 0.38", g)
	}
	ind := &m.Indicators[slices.IndexFunc(m.Indicators, func(ind Indicator) bool { return ind.ID == "revenue-growth" })]
	for _, tt := range []struct{ x, want float64 }{{9, 1}, {0.39, 1}, {*g.Hi, 1}, {0.375, 37.0 / 40}, {-0.75, 2.0 / 40}, {*g.Lo, 2.0 / 40}} {
		if got := rank(ind, g, tt.x); !close(got, tt.want) {
			t.Errorf("rank(revenue-growth, %v) = %v, want %v", tt.x, got, tt.want)
		}
	}
}

func close(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// FuzzDistribution checks distribution's invariants: exact counts at every
// kept value, the largest value always kept, at most max values, and
// atOrBelow never above the true count (exact when nothing is thinned).
func FuzzDistribution(f *testing.F) {
	f.Add([]byte{1, 2, 2, 3}, 10)
	f.Add([]byte{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 4)
	f.Add([]byte{}, 2)
	f.Add([]byte{200, 0, 200, 17, 17, 17}, 2)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		max %= 64
		sample := make([]float64, len(data))
		for i, b := range data {
			sample[i] = float64(int(b)-128) / 4
		}
		d := distribution(sample, max)
		count := func(x float64) int {
			n := 0
			for _, v := range sample {
				if v <= x {
					n++
				}
			}
			return n
		}
		if d.N != len(sample) || len(d.Values) != len(d.AtOrBelow) {
			t.Fatalf("distribution(%v, %d) = %+v: N or lengths wrong", sample, max, d)
		}
		if max >= 2 && len(d.Values) > max {
			t.Fatalf("distribution(%v, %d) keeps %d values, want at most %d", sample, max, len(d.Values), max)
		}
		for i, v := range d.Values {
			if i > 0 && (v <= d.Values[i-1] || d.AtOrBelow[i] <= d.AtOrBelow[i-1]) {
				t.Fatalf("distribution(%v, %d) = %+v: not strictly ascending", sample, max, d)
			}
			if d.AtOrBelow[i] != count(v) {
				t.Fatalf("distribution(%v, %d): %d at or below %v, want %d", sample, max, d.AtOrBelow[i], v, count(v))
			}
		}
		if len(sample) > 0 && (d.Values[len(d.Values)-1] != slices.Max(sample) || d.AtOrBelow[len(d.AtOrBelow)-1] != d.N) {
			t.Fatalf("distribution(%v, %d) = %+v: the largest value is not kept", sample, max, d)
		}
		distinct := len(slices.Compact(slices.Sorted(slices.Values(sample))))
		for _, v := range sample {
			for _, x := range []float64{v - 0.125, v, v + 0.125} {
				got, want := atOrBelow(&d, x), count(x)
				if got > want || (got != want && (max < 2 || distinct <= max)) {
					t.Fatalf("atOrBelow(%v) = %d, want %d (sample %v, max %d)", x, got, want, sample, max)
				}
			}
		}
	})
}
