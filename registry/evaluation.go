package registry

import "time"

// Evaluation is one stored eligibility result of a firm for a program: the
// summary kept in the firm's history. InputHash identifies the profile and
// as_of it was computed from, PackHash the pack edition's source, so a
// result that no longer matches its inputs can be told apart.
type Evaluation struct {
	Program     string    `json:"program"`
	Edition     string    `json:"edition"`
	AsOf        string    `json:"as_of"`
	Review      bool      `json:"review,omitempty"`
	Status      string    `json:"status"`
	Score       *float64  `json:"score,omitempty"`
	Route       *string   `json:"route,omitempty"`
	InputHash   string    `json:"input_hash"`
	PackHash    string    `json:"pack_hash"`
	EvaluatedAt time.Time `json:"evaluated_at"`
}

// Same reports whether two evaluations were computed from the same inputs.
func (e *Evaluation) Same(o *Evaluation) bool {
	return e.Program == o.Program && e.Edition == o.Edition && e.AsOf == o.AsOf && e.Review == o.Review &&
		e.InputHash == o.InputHash && e.PackHash == o.PackHash
}
