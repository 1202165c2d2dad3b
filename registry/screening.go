package registry

import (
	"strings"
	"time"
)

// Screening job states.
const (
	ScreeningQueued  = "queued"
	ScreeningRunning = "running"
	ScreeningDone    = "done"
	ScreeningFailed  = "failed"
)

// ScreeningFilter selects the firms a screening covers. Empty fields do not
// filter; RegionCode is hierarchical as in FirmFilter.
type ScreeningFilter struct {
	RegionCode   string `json:"region_code,omitempty"`
	Chain        string `json:"chain,omitempty"`
	IndustryCode string `json:"industry_code,omitempty"`
}

// FirmFilter is the registry filter of the screening's firms.
func (f ScreeningFilter) FirmFilter() FirmFilter {
	return FirmFilter{RegionCode: f.RegionCode, Chain: f.Chain, IndustryCode: f.IndustryCode}
}

// Covers reports whether every firm of region code rc is inside the
// screening's region (an empty region covers everything).
func (f ScreeningFilter) Covers(rc string) bool {
	return f.RegionCode == "" || RegionWithin(rc, f.RegionCode)
}

// Matches reports whether firm is one of the screening's firms, as the
// store's query for FirmFilter selects them.
func (f ScreeningFilter) Matches(firm *Firm) bool {
	return f.Covers(firm.RegionCode) && (f.Chain == "" || firm.Chain == f.Chain) &&
		strings.HasPrefix(firm.IndustryCode, f.IndustryCode)
}

// RegionWithin reports whether region code rc lies inside region code
// within: equal, a county of a city ("431202" in "431200"), or anything in
// a province ("431202" in "430000").
func RegionWithin(rc, within string) bool {
	switch {
	case len(rc) != 6 || len(within) != 6:
		return false
	case within[2:] == "0000":
		return rc[:2] == within[:2]
	case within[4:] == "00":
		return rc[:4] == within[:4]
	}
	return rc == within
}

// Screening is a job that evaluates every firm of a filter against a set of
// programs. Programs are resolved to "id@edition" when the job is created,
// so a job that resumes after a restart applies the same editions.
type Screening struct {
	ID       string          `json:"id"`
	Status   string          `json:"status"`
	Programs []string        `json:"programs"`
	Filter   ScreeningFilter `json:"filter"`
	AsOf     string          `json:"as_of"`
	// Total is the number of firms planned; Done those evaluated and
	// written. Both are 0 until the job is planned.
	Total      int        `json:"total"`
	Done       int        `json:"done"`
	Chunks     int        `json:"chunks"`
	CreatedBy  string     `json:"created_by,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Error      string     `json:"error,omitempty"`
	// Summary counts firms per program ("tech-sme") and status.
	Summary map[string]map[string]int `json:"summary"`
	// ResultsPruned says the per-firm results were dropped to keep only
	// the newest jobs' (the summary stays).
	ResultsPruned bool `json:"results_pruned,omitempty"`
}

// ProgramID is the program part of "id@edition".
func ProgramID(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == '@' {
			return key[:i]
		}
	}
	return key
}

// ScreenedFirm is one firm's outcome in a screening: one entry per program.
type ScreenedFirm struct {
	Job        string           `json:"job"`
	Chunk      int              `json:"chunk"`
	USCC       string           `json:"uscc"`
	Name       string           `json:"name"`
	RegionCode string           `json:"region_code,omitempty"`
	Chain      string           `json:"chain,omitempty"`
	Results    []ScreenedResult `json:"results"`
}

// ScreenedResult is a firm's outcome for one program: the status, the
// failing criteria and, for an ineligible firm, how far it is from
// eligibility (the engine's distance) and the gaps of the criteria that
// block it.
type ScreenedResult struct {
	Program  string      `json:"program"`
	Edition  string      `json:"edition"`
	Status   string      `json:"status"`
	Score    *float64    `json:"score,omitempty"`
	Failing  []string    `json:"failing,omitempty"`
	Distance *float64    `json:"distance,omitempty"`
	NearMiss bool        `json:"near_miss,omitempty"`
	Gaps     []ScreenGap `json:"gaps,omitempty"`
	// The finance programs' outputs (rules.Result): the innovation-points
	// band, the loan grade, the whitelist tier and the indicative credit
	// line in yuan. Score is the points of a points program.
	Band       string   `json:"band,omitempty"`
	Grade      string   `json:"grade,omitempty"`
	Tier       string   `json:"tier,omitempty"`
	CreditLine *float64 `json:"credit_line,omitempty"`
}

// ScreenGap is the numeric gap of one blocking criterion.
type ScreenGap struct {
	Criterion string   `json:"criterion"`
	Gap       *float64 `json:"gap,omitempty"`
	Unit      string   `json:"unit,omitempty"`
}

// ScreeningChunk is a slice of a screening's firms that one worker claims
// at a time, under a lease.
type ScreeningChunk struct {
	Job   string
	Index int
	USCCs []string
	// Lease identifies the claim; a chunk is finished only by the
	// holder of its current lease.
	Lease string
}

// ChunkResult is what a worker reports when it finishes a chunk: how many
// firms it evaluated and the per-program status counts.
type ChunkResult struct {
	Done    int
	Summary map[string]map[string]int
}
