package rules

import (
	"fmt"
	"math"
	"sort"

	"github.com/peiyu/peiyu/registry"
)

// CaseResult is the outcome of one embedded test case.
type CaseResult struct {
	Pack     string   // id@edition
	Name     string   // case name
	Status   Status   // what the engine answered
	Score    *float64 // what the engine scored
	Problems []string // every difference from the expectation; empty = pass
}

// Passed reports whether the engine met every expectation.
func (r CaseResult) Passed() bool { return len(r.Problems) == 0 }

// RunCases runs every embedded case of every program, in ladder order.
func (e *Engine) RunCases() []CaseResult {
	var out []CaseResult
	for _, id := range e.ids {
		for _, p := range e.editions[id] {
			for i := range p.pack.Cases {
				out = append(out, p.RunCase(&p.pack.Cases[i]))
			}
		}
	}
	return out
}

// RunCase evaluates one case and compares the result with its expectation.
func (p *Program) RunCase(c *Case) CaseResult {
	cr := CaseResult{Pack: p.Key(), Name: c.Name}
	fail := func(format string, args ...any) { cr.Problems = append(cr.Problems, fmt.Sprintf(format, args...)) }
	asOf, err := registry.ParseDate(c.AsOf)
	if err != nil {
		fail("as_of: %v", err)
		return cr
	}
	f := c.Profile.Firm
	f.Normalize()
	if err := f.ValidateProfile(asOf); err != nil {
		fail("profile is invalid: %v", err)
		return cr
	}
	r := p.Evaluate(NewEnv(&f, asOf), Options{Review: c.Review, Explain: true})
	cr.Status, cr.Score = r.Status, r.Score
	if string(r.Status) != c.Status {
		fail("status = %s, want %s", r.Status, c.Status)
	}
	if c.Route != "" {
		got := "<none>"
		if r.Route != nil {
			got = *r.Route
		}
		if got != c.Route {
			fail("route = %s, want %s", got, c.Route)
		}
	}
	if c.Score != nil {
		switch {
		case r.Score == nil:
			fail("score = <none>, want %v", *c.Score)
		case math.Abs(*r.Score-*c.Score) > 1e-9:
			fail("score = %v, want %v", *r.Score, *c.Score)
		}
	}
	byID := map[string]*CriterionResult{}
	for i := range r.Criteria {
		byID[r.Criteria[i].ID] = &r.Criteria[i]
	}
	for _, id := range sortedKeys(c.Criteria) {
		got, ok := byID[id]
		switch {
		case !ok:
			fail("criterion %s not in the result", id)
		case string(got.Status) != c.Criteria[id]:
			fail("criterion %s = %s, want %s (%s)", id, got.Status, c.Criteria[id], got.Detail)
		}
	}
	for _, id := range sortedKeys(c.Points) {
		got, ok := byID[id]
		switch {
		case !ok:
			fail("criterion %s not in the result", id)
		case got.Points == nil:
			fail("points of %s = <none>, want %v", id, c.Points[id])
		case math.Abs(*got.Points-c.Points[id]) > 1e-9:
			fail("points of %s = %v, want %v", id, *got.Points, c.Points[id])
		}
	}
	for _, name := range sortedKeys(c.Outputs) {
		if msg := checkOutput(&r, name, c.Outputs[name]); msg != "" {
			fail("%s", msg)
		}
	}
	return cr
}

// checkOutput compares one output of r with an expectation: a label, a
// number, or nil for an output the result must not carry.
func checkOutput(r *Result, name string, want any) string {
	var label string
	var num *float64
	switch name {
	case "grade":
		label = r.Grade
	case "tier":
		label = r.Tier
	case "band":
		label = r.Band
	case "points":
		num = r.Points
	case "credit_line":
		num = r.CreditLine
	}
	if labelOutputs[name] {
		w, _ := want.(string)
		if label != w {
			return fmt.Sprintf("output %s = %q, want %q (%s)", name, label, w, r.Outputs[name].Note)
		}
		return ""
	}
	w, isNum := toFloat(want)
	switch {
	case !isNum && num != nil:
		return fmt.Sprintf("output %s = %v, want none", name, *num)
	case isNum && num == nil:
		return fmt.Sprintf("output %s = <none>, want %v (%s)", name, w, r.Outputs[name].Note)
	case isNum && math.Abs(*num-w) > 1e-9:
		return fmt.Sprintf("output %s = %v, want %v (%s)", name, *num, w, r.Outputs[name].Note)
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
