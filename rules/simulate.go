package rules

import (
	"sort"
	"time"

	"github.com/peiyu/peiyu/registry"
)

// Qualifies reports whether a program status counts as qualifying when a
// simulation compares two packs: eligible, or needs_review (every
// computable criterion passes and staff confirm the rest — the firms a
// bureau would invite to apply). A firm flips when it moves between a
// qualifying status and ineligible or insufficient_data.
func Qualifies(s Status) bool { return s == Eligible || s == NeedsReview }

// Simulation evaluates firms under two programs — the edition in force
// (old) and a draft (new) — and sorts them by how their status moved. Add
// firms one by one, then read Report. A Simulation is not safe for
// concurrent use.
type Simulation struct {
	old, draft *Program
	asOf       time.Time
	limit      int
	report     SimulationReport
}

// SimulationReport is the outcome of a simulation. Firms is how many firms
// were evaluated: the sum of the three counts and Unchanged.
type SimulationReport struct {
	Firms int `json:"firms"`
	// NewlyEligible moved from ineligible or insufficient_data to
	// eligible or needs_review; NewlyIneligible the reverse.
	NewlyEligible   []Flip `json:"newly_eligible"`
	NewlyIneligible []Flip `json:"newly_ineligible"`
	// OtherChanges changed status without changing side (eligible →
	// needs_review, ineligible → insufficient_data, …).
	OtherChanges []Flip `json:"other_changes"`
	// Unchanged counts the firms whose status is the same under both.
	Unchanged int              `json:"unchanged"`
	Counts    SimulationCounts `json:"counts"`
	// Truncated says a list holds only the first firms by USCC; Counts
	// has the totals.
	Truncated bool `json:"truncated"`
}

// SimulationCounts are the lengths the lists would have uncut.
type SimulationCounts struct {
	NewlyEligible   int `json:"newly_eligible"`
	NewlyIneligible int `json:"newly_ineligible"`
	OtherChanges    int `json:"other_changes"`
}

// Flip is one firm whose status changed, and the criteria that changed
// with it.
type Flip struct {
	USCC       string            `json:"uscc"`
	Name       string            `json:"name"`
	RegionCode string            `json:"region_code"`
	OldStatus  Status            `json:"old_status"`
	NewStatus  Status            `json:"new_status"`
	Criteria   []CriterionChange `json:"criteria"`
}

// CriterionChange is a criterion whose status differs between the two
// programs. Old or New is nil when the criterion exists in one only.
type CriterionChange struct {
	ID    string          `json:"id"`
	Title string          `json:"title"`
	Old   *CriterionState `json:"old"`
	New   *CriterionState `json:"new"`
}

// CriterionState is a criterion's outcome for one firm under one program.
type CriterionState struct {
	Status    Status   `json:"status"`
	Actual    *float64 `json:"actual"`
	Threshold *float64 `json:"threshold"`
	// Op and Unit say how to read Actual and Threshold, as in a result.
	Op     string   `json:"op,omitempty"`
	Unit   string   `json:"unit,omitempty"`
	Points *float64 `json:"points,omitempty"`
}

// NewSimulation compares old with draft at asOf, listing at most limit
// firms per list (0: no limit).
func NewSimulation(old, draft *Program, asOf time.Time, limit int) *Simulation {
	return &Simulation{old: old, draft: draft, asOf: asOf, limit: limit}
}

// Add evaluates one firm under both programs.
func (s *Simulation) Add(f *registry.Firm) {
	env := NewEnv(f, s.asOf)
	o := s.old.Evaluate(env, Options{})
	n := s.draft.Evaluate(env, Options{})
	s.report.Firms++
	if o.Status == n.Status {
		s.report.Unchanged++
		return
	}
	fl := Flip{USCC: f.USCC, Name: f.Name, RegionCode: f.RegionCode, OldStatus: o.Status, NewStatus: n.Status,
		Criteria: criterionChanges(&o, &n)}
	switch was, is := Qualifies(o.Status), Qualifies(n.Status); {
	case !was && is:
		s.report.Counts.NewlyEligible++
		s.report.NewlyEligible = s.keep(append(s.report.NewlyEligible, fl))
	case was && !is:
		s.report.Counts.NewlyIneligible++
		s.report.NewlyIneligible = s.keep(append(s.report.NewlyIneligible, fl))
	default:
		s.report.Counts.OtherChanges++
		s.report.OtherChanges = s.keep(append(s.report.OtherChanges, fl))
	}
}

// keep bounds a list's memory: past twice the limit it keeps the first
// limit firms by USCC, which the report would show anyway.
func (s *Simulation) keep(list []Flip) []Flip {
	if s.limit <= 0 || len(list) <= 2*s.limit {
		return list
	}
	return s.cut(list)
}

func (s *Simulation) cut(list []Flip) []Flip {
	sort.Slice(list, func(i, j int) bool { return list[i].USCC < list[j].USCC })
	if s.limit > 0 && len(list) > s.limit {
		s.report.Truncated = true
		list = list[:s.limit:s.limit]
	}
	return list
}

// Report returns the outcome so far, each list sorted by USCC.
func (s *Simulation) Report() SimulationReport {
	r := s.report
	r.NewlyEligible = s.cut(append([]Flip{}, r.NewlyEligible...))
	r.NewlyIneligible = s.cut(append([]Flip{}, r.NewlyIneligible...))
	r.OtherChanges = s.cut(append([]Flip{}, r.OtherChanges...))
	r.Truncated = s.report.Truncated
	return r
}

// criterionChanges lists the criteria whose status differs, in the draft's
// order, then those the draft dropped.
func criterionChanges(o, n *Result) []CriterionChange {
	old := make(map[string]*CriterionResult, len(o.Criteria))
	for i := range o.Criteria {
		old[o.Criteria[i].ID] = &o.Criteria[i]
	}
	out := []CriterionChange{}
	seen := make(map[string]bool, len(n.Criteria))
	for i := range n.Criteria {
		nc := &n.Criteria[i]
		seen[nc.ID] = true
		oc := old[nc.ID]
		if oc != nil && oc.Status == nc.Status {
			continue
		}
		out = append(out, CriterionChange{ID: nc.ID, Title: nc.Title, Old: stateOf(oc), New: stateOf(nc)})
	}
	for i := range o.Criteria {
		if oc := &o.Criteria[i]; !seen[oc.ID] {
			out = append(out, CriterionChange{ID: oc.ID, Title: oc.Title, Old: stateOf(oc)})
		}
	}
	return out
}

func stateOf(c *CriterionResult) *CriterionState {
	if c == nil {
		return nil
	}
	return &CriterionState{Status: c.Status, Actual: c.Actual, Threshold: c.Threshold, Op: c.Op, Unit: c.Unit, Points: c.Points}
}
