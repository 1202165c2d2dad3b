// Package registry holds Peiyu's domain: the firm profile of SPEC §3 (firm,
// fiscal years, intellectual property, honors, compliance), its validation,
// the USCC code of GB 32100-2015, and the derived helpers every rule pack
// needs (the fiscal year "上年度" for an as-of date, ratios, growth, honors
// valid at a date).
//
// The package imports nothing of Peiyu's and nothing of the database: the
// MongoDB store lives in registry/store and translates driver errors into the
// sentinel kinds declared here.
package registry

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Error kinds. Every store and service method documents which of these it
// returns; callers test them with errors.Is. The api package maps each kind to
// exactly one HTTP status.
var (
	// ErrNotFound: the firm (or another addressed entity) does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique key is taken, or an optimistic-concurrency
	// precondition (revision, ETag) no longer holds. Nothing was written.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input breaks the data contract. The error is (or
	// wraps) a *ValidationError naming every bad field.
	ErrInvalid = errors.New("invalid input")
	// ErrUnavailable: the database could not be reached in time. The
	// operation may be retried; nothing was half-written.
	ErrUnavailable = errors.New("database unavailable")
)

// Problem is one field-level validation failure. Field is a JSON path into
// the firm profile ("years[1].tech_staff"); Problem is the human-readable
// reason, Chinese first with the English after it, since bureau clerks read
// these messages.
type Problem struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// ValidationError lists every problem found in one input. It matches
// ErrInvalid under errors.Is.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Problem
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true for a *ValidationError.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a *ValidationError holding a single problem.
func Invalid(field, zh, en string) error {
	return &ValidationError{Problems: []Problem{{Field: field, Problem: bilingual(zh, en)}}}
}

// problems accumulates validation failures with a field-path prefix.
type problems struct {
	list []Problem
}

func (p *problems) add(field, zh, en string) {
	p.list = append(p.list, Problem{Field: field, Problem: bilingual(zh, en)})
}

func (p *problems) addf(field, zh, en string, args ...any) {
	p.add(field, fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...))
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: p.list}
}

func bilingual(zh, en string) string {
	if en == "" {
		return zh
	}
	return zh + " (" + en + ")"
}

// Record is a stored firm with its bookkeeping. Revision starts at 1 and
// grows by one with every write; it is the firm's ETag.
type Record struct {
	Firm      Firm
	Revision  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FirmFilter selects firms for a listing. Empty fields do not filter.
type FirmFilter struct {
	// RegionCode matches exactly; a city code (ending "00") matches its
	// counties and a province code (ending "0000") its whole province.
	RegionCode string
	Chain      string
	// IndustryCode matches as a prefix: "C35" matches "C3562".
	IndustryCode string
	// Query matches part of the name, or a USCC prefix.
	Query string
	// Honor keeps firms holding an honor of this kind valid at HonorAt.
	Honor   string
	HonorAt time.Time

	// Offset and Limit page the result; Limit 0 means DefaultLimit.
	Offset int
	Limit  int
}

// Paging limits for listings.
const (
	DefaultLimit = 20
	MaxLimit     = 200
)
