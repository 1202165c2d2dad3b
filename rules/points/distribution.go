package points

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/peiyu/peiyu/registry"
)

// distribution summarises a sample (any order) as registry.Distribution:
// its distinct values ascending with how many of the sample are at or below
// each, keeping at most max values (evenly spaced by position, the largest
// always kept).
func distribution(sample []float64, max int) registry.Distribution {
	s := slices.Clone(sample)
	slices.Sort(s)
	d := registry.Distribution{N: len(s), Values: []float64{}, AtOrBelow: []int{}}
	for i, v := range s {
		if i+1 < len(s) && s[i+1] == v {
			continue
		}
		d.Values = append(d.Values, v)
		d.AtOrBelow = append(d.AtOrBelow, i+1)
	}
	if max >= 2 && len(d.Values) > max {
		vals, le := make([]float64, max), make([]int, max)
		last := len(d.Values) - 1
		for j := range max {
			k := int(math.Round(float64(j) * float64(last) / float64(max-1)))
			vals[j], le[j] = d.Values[k], d.AtOrBelow[k]
		}
		d.Values, d.AtOrBelow = vals, le
	}
	return d
}

// atOrBelow is the number of the sample at or below x. Between two kept
// values of a thinned distribution it is the count of the lower one.
func atOrBelow(d *registry.Distribution, x float64) int {
	i := sort.Search(len(d.Values), func(i int) bool { return d.Values[i] > x })
	if i == 0 {
		return 0
	}
	return d.AtOrBelow[i-1]
}

// share is the percentile rank of x in d: the share of the sample at or
// below it, in [0, 1]. Ties share the higher rank, so the largest value is
// at 1. An empty sample has nothing above x: 1.
func share(d *registry.Distribution, x float64) float64 {
	if d.N == 0 {
		return 1
	}
	return float64(atOrBelow(d, x)) / float64(d.N)
}

// above is the number of the sample strictly above x.
func above(d *registry.Distribution, x float64) int { return d.N - atOrBelow(d, x) }

// quantile is the nearest-rank p-quantile of a sorted sample: the smallest
// value with at least p of the sample at or below it.
func quantile(sorted []float64, p float64) float64 {
	k := int(math.Ceil(p*float64(len(sorted))-1e-9)) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

// topRank is the last rank inside the cohort's top share: ceil(top × n).
func topRank(top float64, n int) int {
	return int(math.Ceil(top*float64(n) - 1e-9))
}

// cohortLevel is one region a firm is compared in.
type cohortLevel struct {
	region, level string
}

// levels lists the regions of a division code from the narrowest: its
// county (unless it is a city or province code), its city (unless a
// province code) and its province. A code that is not six digits has none.
func levels(code string) []cohortLevel {
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" || code[:2] == "00" {
		return nil
	}
	var out []cohortLevel
	if code[4:] != "00" {
		out = append(out, cohortLevel{code, registry.CohortCounty})
	}
	if code[2:] != "0000" {
		out = append(out, cohortLevel{code[:4] + "00", registry.CohortCity})
	}
	return append(out, cohortLevel{code[:2] + "0000", registry.CohortProvince})
}

// Scope is the region pass 1 scans for a screening of filter f: its region
// widened to the city, since a small county cohort falls back to its
// city's; the whole registry when f has no region. Chain and industry
// filters do not narrow a cohort: cohorts are region × stage.
func Scope(f registry.ScreeningFilter) string {
	rc := f.RegionCode
	if len(rc) == 6 && rc[4:] != "00" {
		return rc[:4] + "00"
	}
	return rc
}

// Builder is pass 1: it measures firms one at a time and makes each
// cohort's distribution. Cohorts are built only for regions inside the
// scope, so a scan of one city never builds a province cohort from part of
// the province.
type Builder struct {
	m       *Model
	asOf    time.Time
	scope   string
	cohorts map[string]*cohortAcc
	firms   int
}

type cohortAcc struct {
	cohortLevel
	stage   string
	members []*Measures
}

// NewBuilder starts pass 1 at asOf for the firms of scope (a division code,
// "" for everywhere).
func (m *Model) NewBuilder(asOf time.Time, scope string) *Builder {
	return &Builder{m: m, asOf: asOf, scope: scope, cohorts: map[string]*cohortAcc{}}
}

// Add measures f and puts it in the cohorts of its region and stage. A firm
// without revenue for the previous fiscal year has no stage, and one
// without a valid division code no region: it joins no cohort.
func (b *Builder) Add(f *registry.Firm) {
	ms := b.m.Measure(f, b.asOf)
	if ms.Stage == nil {
		return
	}
	joined := false
	for _, lv := range levels(f.RegionCode) {
		if b.scope != "" && !registry.RegionWithin(lv.region, b.scope) {
			continue
		}
		key := lv.region + "/" + ms.Stage.ID
		c := b.cohorts[key]
		if c == nil {
			c = &cohortAcc{cohortLevel: lv, stage: ms.Stage.ID}
			b.cohorts[key] = c
		}
		c.members = append(c.members, ms)
		joined = true
	}
	if joined {
		b.firms++
	}
}

// Firms is how many firms joined a cohort so far.
func (b *Builder) Firms() int { return b.firms }

// Build makes the distributions, ordered by ID: per cohort each ranked
// indicator's values, then every member's points against them (0 for a
// firm on the negative list), their distribution and the band cutoffs.
func (b *Builder) Build(job string, now time.Time) []registry.CohortDistribution {
	asOf := b.asOf.Format(registry.DateLayout)
	out := make([]registry.CohortDistribution, 0, len(b.cohorts))
	for _, c := range b.cohorts {
		d := registry.CohortDistribution{
			ID: registry.CohortID(b.m.Key(), c.region, c.stage, asOf), Program: b.m.Key(),
			RegionCode: c.region, Level: c.level, Stage: c.stage, AsOf: asOf, Job: job, BuiltAt: now,
			Firms: len(c.members), Cutoffs: []registry.BandCutoff{},
		}
		for k := range b.m.Indicators {
			ind := &b.m.Indicators[k]
			if !ind.ranked() {
				continue
			}
			var sample []float64
			for _, ms := range c.members {
				if v := ms.values[k]; v.st == known {
					sample = append(sample, v.v)
				}
			}
			id := registry.IndicatorDistribution{Indicator: ind.ID, Values: distribution(sample, b.m.MaxValues)}
			if ind.Kind == Growth && len(sample) > 0 {
				slices.Sort(sample)
				lo, hi := quantile(sample, b.m.Winsor), quantile(sample, 1-b.m.Winsor)
				id.Lo, id.Hi = &lo, &hi
			}
			d.Indicators = append(d.Indicators, id)
		}
		dists := b.m.indexed(&d)
		pts := make([]float64, len(c.members))
		for i, ms := range c.members {
			if !ms.Vetoed() {
				pts[i] = b.m.score(ms, c.stage, dists).total
			}
		}
		d.Points = distribution(pts, b.m.MaxValues)
		slices.SortFunc(pts, func(a, b float64) int { return cmp.Compare(b, a) })
		for _, band := range b.m.Bands {
			if k := topRank(band.Top, len(pts)); k >= 1 {
				d.Cutoffs = append(d.Cutoffs, registry.BandCutoff{Band: band.ID, Top: band.Top, Rank: k, Points: pts[k-1]})
			}
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b registry.CohortDistribution) int { return strings.Compare(a.ID, b.ID) })
	return out
}
