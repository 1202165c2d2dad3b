package rules

import "math"

// Status is a program or criterion outcome (SPEC §4).
type Status string

// Program statuses.
const (
	Eligible         Status = "eligible"
	Ineligible       Status = "ineligible"
	NeedsReview      Status = "needs_review"
	InsufficientData Status = "insufficient_data"
)

// Criterion statuses.
const (
	Pass    Status = "pass"
	Fail    Status = "fail"
	Review  Status = "review"
	Missing Status = "missing"
)

var validStatus = map[Status]bool{Eligible: true, Ineligible: true, NeedsReview: true, InsufficientData: true}
var validCritStatus = map[Status]bool{Pass: true, Fail: true, Review: true, Missing: true}

// Result is one program's evaluation of one firm (SPEC §4).
type Result struct {
	Program string `json:"program"`
	Edition string `json:"edition"`
	// Revision is the published revision of the edition's pack (1: as
	// built into the binary); absent for a draft.
	Revision  int                `json:"revision,omitempty"`
	Name      string             `json:"name"`
	NameEN    string             `json:"name_en"`
	Status    Status             `json:"status"`
	Score     *float64           `json:"score"`
	Subscores map[string]float64 `json:"subscores,omitempty"`
	Route     *string            `json:"route"`
	Review    bool               `json:"review,omitempty"`
	Note      string             `json:"note,omitempty"`
	Basis     []string           `json:"basis"`
	Criteria  []CriterionResult  `json:"criteria"`
	NextSteps []string           `json:"next_steps"`

	// Finance programs' outputs (finance.md §5), absent elsewhere: the
	// innovation points on the 1000-point scale and their band, the
	// knowledge-value loan grade (A–E), the whitelist tier (A/B/C), and an
	// indicative credit line in yuan. Outputs carries each one's source:
	// "official" or "engine-default", with the basis, so a client can label
	// every number as finance.md asks.
	Points     *float64          `json:"points,omitempty"`
	Band       string            `json:"band,omitempty"`
	Grade      string            `json:"grade,omitempty"`
	Tier       string            `json:"tier,omitempty"`
	CreditLine *float64          `json:"credit_line,omitempty"`
	Outputs    map[string]Output `json:"outputs,omitempty"`

	// Distance, for an ineligible firm, is how far it is from eligibility:
	// the relative gaps of the failing criteria it must still meet (base
	// criteria and the cheapest route), each capped at 1, with 1 for a
	// criterion without numbers (a title, a veto). A firm one criterion
	// short has a distance of at most 1; see NearMiss.
	Distance *float64 `json:"distance,omitempty"`
	// Blocking lists those failing criteria by id.
	Blocking []string `json:"blocking,omitempty"`
}

// Output labels one finance output: where its number comes from.
type Output struct {
	Source string `json:"source"` // official | engine-default
	Basis  string `json:"basis"`
	Note   string `json:"note,omitempty"`
}

// NearMissDistance is the largest Distance of a near-miss: at most one
// whole criterion's worth of change (培育库).
const NearMissDistance = 1.0

// NearMissGap is the largest relative gap a near-miss may have on any one
// numeric criterion: within half of the threshold. An engine default, not
// a policy figure: a firm at a tenth of the required revenue is one
// criterion short, but not near.
const NearMissGap = 0.5

// NearMiss reports whether an ineligible result is close enough to
// eligibility to cultivate: its Distance is at most NearMissDistance, no
// numeric criterion blocking it is further than NearMissGap from its
// threshold, and no veto blocks it (a veto is not a gap a firm can close
// by growing).
func (r *Result) NearMiss() bool {
	if r.Status != Ineligible || r.Distance == nil || *r.Distance > NearMissDistance {
		return false
	}
	for _, id := range r.Blocking {
		for _, c := range r.Criteria {
			if c.ID != id {
				continue
			}
			if c.Kind == KindVeto {
				return false
			}
			if c.Gap != nil && c.Threshold != nil && math.Abs(*c.Threshold) > eps &&
				math.Abs(*c.Gap)/math.Abs(*c.Threshold) > NearMissGap {
				return false
			}
		}
	}
	return true
}

// CriterionResult explains one criterion: its requirement, the firm's
// value, the gap and the policy clause.
type CriterionResult struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Kind      string   `json:"kind"`
	Route     string   `json:"route,omitempty"`
	Status    Status   `json:"status"`
	Actual    *float64 `json:"actual"`
	Threshold *float64 `json:"threshold"`
	Op        string   `json:"op,omitempty"`
	Unit      string   `json:"unit,omitempty"`
	Points    *float64 `json:"points"`
	Gap       *float64 `json:"gap"`
	GapText   string   `json:"gap_text,omitempty"`
	Detail    string   `json:"detail,omitempty"`
	Missing   []string `json:"missing,omitempty"`
	Basis     string   `json:"basis"`
	Note      string   `json:"note,omitempty"`

	effort float64 // relative size of the gap, for ordering next steps
	step   string  // the action that meets it
}
