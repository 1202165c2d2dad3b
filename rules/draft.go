package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Drafts. Staff edit a program edition in one of two ways: a whole pack in
// YAML (ParseDraft), or new values for some of its parameters
// (Pack.Override). Either way the draft is a *Pack like any other, with
// revision 0, compiled by Compile and checked by its own cases
// (Program.RunCases) before it may be published.

// ErrOverride is the kind of every error of Pack.Override.
var ErrOverride = errors.New("bad parameter override")

// OverrideError lists the overrides a pack cannot take. It matches
// ErrOverride under errors.Is.
type OverrideError struct {
	Pack     string             // id@edition
	Problems []ParameterProblem // by parameter name
}

// ParameterProblem is one override a pack cannot take.
type ParameterProblem struct {
	Parameter string
	Problem   string // Chinese first, English after
}

func (e *OverrideError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Parameter + ": " + p.Problem
	}
	return e.Pack + ": " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrOverride) true.
func (e *OverrideError) Is(target error) bool { return target == ErrOverride }

// Revision is the published revision of the program's pack: 1 as built
// into the binary, 0 for a draft.
func (p *Program) Revision() int { return p.pack.Revision }

// RunCases runs the program's own embedded cases.
func (p *Program) RunCases() []CaseResult {
	out := make([]CaseResult, 0, len(p.pack.Cases))
	for i := range p.pack.Cases {
		out = append(out, p.RunCase(&p.pack.Cases[i]))
	}
	return out
}

// Install puts a published program in use, unless the engine in use
// already has the same or a later revision of its edition (another
// replica's publish, loaded by a reload, may have come first). It reports
// whether it changed the engine.
func (h *Holder) Install(p *Program) bool {
	var installed bool
	_, _ = h.Update(func(e *Engine) (*Engine, error) {
		installed = false
		if cur, ok := e.Program(p.Key()); ok && cur.Revision() >= p.Revision() {
			return e, nil
		}
		installed = true
		return e.Replace(p), nil
	})
	return installed
}

// ParseDraft parses a pack written by staff. Such a pack is untrusted:
// besides what ParsePack checks, YAML anchors and aliases are refused
// (expanding aliases of aliases can blow up a small document). Compile
// bounds every expression; the caller bounds the size.
func ParseDraft(name string, data []byte) (*Pack, error) {
	for _, tk := range lexer.Tokenize(string(data)) {
		if tk.Type == token.AnchorType || tk.Type == token.AliasType {
			return nil, fmt.Errorf("%s:%d:%d: YAML anchors and aliases (& and *) are not allowed in a draft",
				name, tk.Position.Line, tk.Position.Column)
		}
	}
	p, err := ParsePack(name, data)
	if err != nil {
		return nil, err
	}
	p.Revision = 0
	return p, nil
}

// Override returns a draft of p with new parameter values: p's YAML with
// the values replaced (comments and layout kept), parsed again, revision
// 0. A value is a number (float64, int, int64 or json.Number; true and
// false for a parameter in unit bool); amounts, counts, years, days, ranks
// and levels are whole numbers, and only ratios may be negative. Every
// unknown parameter and wrong value is reported in one *OverrideError.
func (p *Pack) Override(values map[string]any) (*Pack, error) {
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	oe := &OverrideError{Pack: p.Key()}
	nums := make(map[string]float64, len(values))
	for _, name := range names {
		prm, ok := p.Parameters[name]
		if !ok {
			oe.Problems = append(oe.Problems, ParameterProblem{name, fmt.Sprintf(
				"%s 没有参数“%s”，可选：%s (unknown parameter; known: %s)",
				p.Key(), name, strings.Join(p.parameterNames(), "、"), strings.Join(p.parameterNames(), ", "))})
			continue
		}
		v, problem := overrideValue(prm, values[name])
		if problem != "" {
			oe.Problems = append(oe.Problems, ParameterProblem{name, problem})
			continue
		}
		nums[name] = v
	}
	if len(oe.Problems) > 0 {
		return nil, oe
	}
	file, err := parser.ParseBytes(p.src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("%s: override: %w", p.file, err)
	}
	for _, name := range names {
		path, err := yaml.PathString("$.parameters." + name + ".value")
		if err != nil {
			return nil, fmt.Errorf("%s: override %s: %w", p.file, name, err)
		}
		var v any = nums[name]
		if x := nums[name]; x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			v = int64(x)
		}
		node, err := yaml.ValueToNode(v)
		if err == nil {
			err = path.ReplaceWithNode(file, node)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: override %s: %w", p.file, name, err)
		}
	}
	draft, err := ParsePack(p.ID+"-"+p.Edition+".draft.yaml", []byte(file.String()))
	if err != nil {
		return nil, err
	}
	// The YAML was rewritten: check it says what was asked, and only that.
	for name, prm := range p.Parameters {
		want := prm.Value
		if v, ok := nums[name]; ok {
			want = v
		}
		if got, ok := draft.Parameters[name]; !ok || got.Value != want {
			return nil, fmt.Errorf("%s: override %s: the rewritten pack does not hold the value", p.file, name)
		}
	}
	return draft, nil
}

func (p *Pack) parameterNames() []string {
	names := make([]string, 0, len(p.Parameters))
	for name := range p.Parameters {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// wholeUnits are the units whose parameters take whole numbers only.
var wholeUnits = map[string]bool{unitYuan: true, unitPeople: true, unitCount: true, unitYears: true,
	unitDays: true, unitRank: true, unitLevel: true}

// overrideValue reads a new value for prm, or says why it cannot be one.
func overrideValue(prm Parameter, v any) (float64, string) {
	var x float64
	switch v := v.(type) {
	case float64:
		x = v
	case int:
		x = float64(v)
	case int64:
		x = float64(v)
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return 0, "应为数字 (must be a number)"
		}
		x = f
	case bool:
		if prm.Unit != unitBool {
			return 0, "应为数字，不是 true/false (must be a number, not a boolean)"
		}
		if v {
			x = 1
		}
	case nil:
		return 0, "缺少数值 (a value is required)"
	default:
		return 0, "应为数字 (must be a number)"
	}
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return 0, "应为有限的数字 (must be a finite number)"
	case prm.Unit == unitBool && x != 0 && x != 1:
		return 0, "应为 true 或 false (must be true or false)"
	case wholeUnits[prm.Unit] && x != math.Trunc(x):
		return 0, fmt.Sprintf("单位为 %s，应为整数 (must be a whole number of %s)", prm.Unit, prm.Unit)
	case prm.Unit != unitRatio && x < 0:
		return 0, "不能为负数 (must not be negative)"
	case math.Abs(x) >= 1e15:
		return 0, "数值过大 (too large)"
	}
	return x, ""
}
