package registry

import "time"

// Innovation points (创新积分) rank a firm within its cohort: the firms of one
// region at one stage of development. Pass 1 of a screening measures every
// cohort and stores it as a CohortDistribution; pass 2, and a self-check
// later, place one firm against the stored distribution (package
// rules/points computes both).

// Cohort levels: how wide a cohort's region is. A firm is compared with its
// county's firms, or with its city's or province's when the narrower cohort
// is too small.
const (
	CohortCounty   = "county"
	CohortCity     = "city"
	CohortProvince = "province"
)

// CohortDistribution is one cohort as pass 1 measured it at AsOf: the values
// of each indicator among the cohort's firms, and the firms' points, each
// scored against this cohort. It is stored whole under ID (see CohortID),
// and copied under LatestCohortID when its AsOf is the newest.
type CohortDistribution struct {
	ID         string `json:"id"`
	Program    string `json:"program"` // "innovation-points@2024"
	RegionCode string `json:"region_code"`
	Level      string `json:"level"`
	Stage      string `json:"stage"`
	AsOf       string `json:"as_of"`
	// Job is the screening whose pass 1 built it; empty for a build
	// outside a screening (peiyu points build).
	Job     string    `json:"job,omitempty"`
	BuiltAt time.Time `json:"built_at"`
	// Firms is the number of firms in the cohort.
	Firms      int                     `json:"firms"`
	Indicators []IndicatorDistribution `json:"indicators"`
	// Points is the distribution of the cohort's points; Cutoffs the
	// lowest points inside each band (top 5%, 10%, 20%).
	Points  Distribution `json:"points"`
	Cutoffs []BandCutoff `json:"cutoffs"`
}

// IndicatorDistribution is one indicator's values in a cohort: of the firms
// for which it could be computed. Lo and Hi are its 5th and 95th
// percentiles where the indicator is winsorised (growth rates).
type IndicatorDistribution struct {
	Indicator string       `json:"indicator"`
	Values    Distribution `json:"values"`
	Lo        *float64     `json:"lo,omitempty"`
	Hi        *float64     `json:"hi,omitempty"`
}

// Distribution is an empirical distribution: the sample's distinct values
// in ascending order, each with the number of the N sample values at or
// below it. A large sample keeps only some of its values (evenly spaced by
// rank, always the largest); the counts stay exact.
type Distribution struct {
	N         int       `json:"n"`
	Values    []float64 `json:"values"`
	AtOrBelow []int     `json:"at_or_below"`
}

// BandCutoff is where a band of a cohort begins: the points of the firm at
// Rank, the last rank inside the band (ceil(Top × firms)). A firm with at
// least Points (and more than zero) is in the band.
type BandCutoff struct {
	Band   string  `json:"band"`
	Top    float64 `json:"top"`
	Rank   int     `json:"rank"`
	Points float64 `json:"points"`
}

// CohortBuild records one pass 1: the distributions it built, so that a
// screening that resumes after a restart, or another replica working the
// same job, ranks firms against the same ones.
type CohortBuild struct {
	// ID is the screening job's id.
	ID      string `json:"id"`
	Program string `json:"program"`
	AsOf    string `json:"as_of"`
	// Scope is the region the pass scanned ("" for the whole registry).
	Scope   string    `json:"scope,omitempty"`
	Firms   int       `json:"firms"`
	Cohorts []string  `json:"cohorts"`
	BuiltAt time.Time `json:"built_at"`
}

// CohortID is the stored key of a cohort's distribution at asOf.
func CohortID(program, region, stage, asOf string) string {
	return program + "/" + region + "/" + stage + "/" + asOf
}

// LatestCohortID is the key of the copy of a cohort's newest distribution.
func LatestCohortID(program, region, stage string) string {
	return program + "/" + region + "/" + stage + "/latest"
}
