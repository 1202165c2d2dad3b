package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	yamlast "github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"

	"github.com/peiyu/peiyu/registry"
)

// Pack is the source form of one program edition: the YAML document under
// rules/packs/ (the format is documented in rules/packs/README.md). Packs are
// data; Compile turns one into a Program.
type Pack struct {
	ID         string               `yaml:"id" json:"id"`
	Edition    string               `yaml:"edition" json:"edition"`
	Name       Text                 `yaml:"name" json:"name"`
	Effective  Period               `yaml:"effective" json:"effective"`
	Basis      []string             `yaml:"basis" json:"basis"`
	Notes      []string             `yaml:"notes" json:"notes,omitempty"`
	Honor      string               `yaml:"honor" json:"honor,omitempty"`
	Ladder     Ladder               `yaml:"ladder" json:"ladder"`
	Review     *ReviewMode          `yaml:"review" json:"review,omitempty"`
	Parameters map[string]Parameter `yaml:"parameters" json:"parameters"`
	Metrics    map[string]Derived   `yaml:"metrics" json:"metrics,omitempty"`
	// Groups names the score subtotals (group id → Chinese title).
	Groups   map[string]string `yaml:"groups" json:"groups,omitempty"`
	Criteria []Criterion       `yaml:"criteria" json:"criteria"`
	// Outputs are the finance results computed after the criteria (grade,
	// tier, band, points, credit_line), by output name.
	Outputs map[string]OutputSpec `yaml:"outputs" json:"outputs,omitempty"`
	Cases   []Case                `yaml:"cases" json:"-"`

	// Revision counts the published versions of this program edition: 1
	// for a pack file (the packs built into the binary), one more with
	// every publish, 0 for a draft not yet published. It is not part of the
	// YAML, nor of the hash.
	Revision int `yaml:"-" json:"-"`

	file string
	src  []byte // the YAML the pack was parsed from
}

// Text is a bilingual name.
type Text struct {
	ZH string `yaml:"zh" json:"zh"`
	EN string `yaml:"en" json:"en"`
}

// Period is a span of dates, both ends inclusive; an empty To is open.
type Period struct {
	From string `yaml:"from" json:"from"`
	To   string `yaml:"to" json:"to,omitempty"`
}

// Ladder places the program on the cultivation ladder.
type Ladder struct {
	Rung int      `yaml:"rung" json:"rung,omitempty"`
	Next []string `yaml:"next" json:"next,omitempty"`
}

// ReviewMode says how a 复核 (re-review) request is judged. Within Period it
// is judged on Edition; otherwise on this edition with each criterion's
// review variant.
type ReviewMode struct {
	Edition string `yaml:"edition" json:"edition,omitempty"`
	Period  Period `yaml:"period" json:"period"`
	Basis   string `yaml:"basis" json:"basis"`
	Note    string `yaml:"note" json:"note,omitempty"`
}

// Parameter is a named threshold, kept apart from the expressions that use
// it. Source is "official" (from the policy text) or "engine-default" (a
// value the policy does not fix; Basis says where it comes from).
type Parameter struct {
	Value  float64 `yaml:"value" json:"value"`
	Unit   string  `yaml:"unit" json:"unit"`
	Title  string  `yaml:"title" json:"title,omitempty"`
	Source string  `yaml:"source" json:"source"`
	Basis  string  `yaml:"basis" json:"basis"`
	Note   string  `yaml:"note" json:"note,omitempty"`
}

// Derived is a pack-level metric: an expression over Env metrics and
// parameters, expanded where it is used.
type Derived struct {
	Title string `yaml:"title" json:"title"`
	Unit  string `yaml:"unit" json:"unit"`
	Expr  Source `yaml:"expr" json:"expr"`
}

// Criterion kinds.
const (
	KindHard         = "hard"         // must hold
	KindVeto         = "veto"         // a negative condition that must not occur
	KindPrerequisite = "prerequisite" // a ladder title that must be valid at as_of
	KindScored       = "scored"       // earns points from bands
	KindReview       = "review"       // rests on a declaration or expert judgement
	KindDirect       = "direct"       // one condition of a direct route (直通)
	KindInfo         = "info"         // shown, never decisive
)

// Criterion is one condition of a program.
type Criterion struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	Kind  string `yaml:"kind" json:"kind"`
	// Route names the path this criterion belongs to ("score",
	// "direct:hnte"); empty for base conditions every route needs.
	Route string `yaml:"route" json:"route,omitempty"`
	// Group is the score subtotal a scored criterion counts toward.
	Group string   `yaml:"group" json:"group,omitempty"`
	Expr  Source   `yaml:"expr" json:"expr,omitzero"`
	Score *Scoring `yaml:"score" json:"score,omitempty"`
	// MinPoints makes a scored criterion decisive: fewer points fail.
	MinPoints float64 `yaml:"min_points" json:"min_points,omitempty"`
	Unit      string  `yaml:"unit" json:"unit,omitempty"`
	Basis     string  `yaml:"basis" json:"basis"`
	Note      string  `yaml:"note" json:"note,omitempty"`
	// IfMissing and IfFalse turn a missing value or a false answer into
	// "review" where a declaration can still settle it.
	IfMissing string `yaml:"if_missing" json:"if_missing,omitempty"`
	IfFalse   string `yaml:"if_false" json:"if_false,omitempty"`
	// ReviewExpr replaces Expr in re-review (复核) mode; ReviewSkip drops the
	// criterion there.
	ReviewExpr Source `yaml:"review_expr" json:"review_expr,omitzero"`
	ReviewSkip bool   `yaml:"review_skip" json:"review_skip,omitempty"`
	// Step words the action that meets the criterion, for next_steps
	// where no numeric gap applies ("取得高新技术企业认定").
	Step string `yaml:"step" json:"step,omitempty"`
}

// Scoring is a band table, or the best of several ("take the higher of two
// options").
type Scoring struct {
	Metric Source    `yaml:"metric" json:"metric,omitzero"`
	Bands  []Band    `yaml:"bands" json:"bands,omitempty"`
	BestOf []Scoring `yaml:"best_of" json:"best_of,omitempty"`
	Title  string    `yaml:"title" json:"title,omitempty"`
	// Manual is an item staff score, up to this many points (a provincial
	// indicator, an expert judgement): its points are "review".
	Manual float64 `yaml:"manual" json:"manual,omitempty"`
	// Items award points for each condition that holds, summed (titles
	// held, awards won, chain membership).
	Items []ScoreItem `yaml:"items" json:"items,omitempty"`
}

// ScoreItem is one condition of an items score and the points it earns.
type ScoreItem struct {
	Title  string  `yaml:"title" json:"title"`
	When   Source  `yaml:"when" json:"when"`
	Points float64 `yaml:"points" json:"points"`
}

// OutputSpec is one finance output of a pack, computed after the criteria
// of a result that qualifies (eligible or needs_review). A label output
// (grade, tier, band) maps the number From to the first band it reaches; a
// numeric output (points, credit_line) is the number Expr. Source says
// whether the output follows an official rule or an engine default.
type OutputSpec struct {
	Title  string       `yaml:"title" json:"title"`
	From   Source       `yaml:"from" json:"from,omitzero"`
	Bands  []OutputBand `yaml:"bands" json:"bands,omitempty"`
	Expr   Source       `yaml:"expr" json:"expr,omitzero"`
	Unit   string       `yaml:"unit" json:"unit,omitempty"`
	Source string       `yaml:"source" json:"source"`
	Basis  string       `yaml:"basis" json:"basis"`
	Note   string       `yaml:"note" json:"note,omitempty"`
}

// OutputBand is one row of a label output: Value when the number is at
// least the parameter Min (inclusive); a band without Min catches the
// rest, and an empty Value there means "no label". Amount names a
// parameter carried with the band (a grade's credit ceiling), readable in
// numeric outputs as <output>_amount.
type OutputBand struct {
	Min    string `yaml:"min" json:"min,omitempty"`
	Value  string `yaml:"value" json:"value"`
	Amount string `yaml:"amount" json:"amount,omitempty"`
}

// Band awards Points when the metric is ≥ Min (or ≤ Max). Bands are tried in
// order; a band with neither bound catches the rest. Bounds are inclusive.
type Band struct {
	Min    *float64 `yaml:"min" json:"min,omitempty"`
	Max    *float64 `yaml:"max" json:"max,omitempty"`
	Points float64  `yaml:"points" json:"points"`
}

// Case is an embedded test case: a profile, a date and the expected result.
type Case struct {
	Name     string             `yaml:"name"`
	AsOf     string             `yaml:"as_of"`
	Review   bool               `yaml:"review"`
	Profile  Profile            `yaml:"profile"`
	Status   string             `yaml:"status"`
	Route    string             `yaml:"route"`
	Score    *float64           `yaml:"score"`
	Criteria map[string]string  `yaml:"criteria"`
	Points   map[string]float64 `yaml:"points"`
	// Outputs expects output values by name: a label, a number, or null
	// for an output the result must not carry.
	Outputs map[string]any `yaml:"outputs"`
}

// Profile is a firm profile written in YAML inside a case, decoded with the
// same strict JSON rules as the API.
type Profile struct {
	Firm registry.Firm
	Line int
}

// UnmarshalYAML converts the YAML node to JSON and decodes it strictly.
func (p *Profile) UnmarshalYAML(node yamlast.Node) error {
	p.Line = node.GetToken().Position.Line
	var v any
	if err := yaml.NodeToValue(node, &v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p.Firm); err != nil {
		return fmt.Errorf("profile (line %d): %w", p.Line, err)
	}
	return nil
}

// Source is an expression with the position it was written at.
type Source struct {
	Text string
	Line int
	Col  int
}

// UnmarshalYAML keeps the scalar's position for error messages.
func (s *Source) UnmarshalYAML(node yamlast.Node) error {
	tok := node.GetToken()
	var text string
	if err := yaml.NodeToValue(node, &text); err != nil {
		return err
	}
	s.Text = strings.TrimSpace(text)
	s.Line, s.Col = tok.Position.Line, tok.Position.Column
	return nil
}

// MarshalJSON shows the expression text.
func (s Source) MarshalJSON() ([]byte, error) { return json.Marshal(s.Text) }

// IsZero reports an absent expression (for omitempty).
func (s Source) IsZero() bool { return s.Text == "" }

// ParsePack decodes one pack document. name is the file name used in
// errors. It checks the YAML shape only (and, before parsing, the bounds
// of checkShape); Compile checks the meaning.
func ParsePack(name string, data []byte) (*Pack, error) {
	if err := checkShape(name, string(data)); err != nil {
		return nil, err
	}
	var p Pack
	if err := yaml.UnmarshalWithOptions(data, &p, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("%s: %s", name, yaml.FormatError(err, false, true))
	}
	p.file = name
	p.src = bytes.Clone(data)
	return &p, nil
}

// Key is "id@edition".
func (p *Pack) Key() string { return p.ID + "@" + p.Edition }

// File is the name the pack was loaded from.
func (p *Pack) File() string { return p.file }

// Source is the YAML the pack was parsed from.
func (p *Pack) Source() []byte { return p.src }

func (p Period) contains(d time.Time) bool {
	if from, err := registry.ParseDate(p.From); err == nil && d.Before(from) {
		return false
	}
	if to, err := registry.ParseDate(p.To); err == nil && d.After(to) {
		return false
	}
	return true
}

func (p Period) check() error {
	from, err := registry.ParseDate(p.From)
	if err != nil {
		return fmt.Errorf("from %q is not a YYYY-MM-DD date", p.From)
	}
	if p.To != "" {
		to, err := registry.ParseDate(p.To)
		if err != nil {
			return fmt.Errorf("to %q is not a YYYY-MM-DD date", p.To)
		}
		if to.Before(from) {
			return errors.New("to is before from")
		}
	}
	return nil
}

// Bounds on a pack's YAML. The YAML parser (goccy/go-yaml) takes time
// quadratic in each of them, so checkShape measures them first with the
// lexer, which is linear, and refuses a pack beyond any of them.
const (
	// maxPackNesting bounds how deeply a pack's YAML may nest collections
	// in flow style ("[[[…", "{a: {a: …") or compactly on one line
	// ("- - - …"): 100,000 levels of "[" (200 KB) kept a core busy for
	// minutes, unanswered. The packs nest two levels.
	maxPackNesting = 32
	// maxPackKeys bounds the keys of block mappings in a whole pack. The
	// parser goes through the rest of a mapping once per key: one mapping
	// of 32,000 keys (370 KB) took 3 s to parse, a 1 MB draft far longer.
	// A bound on the whole pack holds whatever the layout; the packs have
	// at most 481 such keys, and 5,000 in one mapping parse in about 0.1 s.
	maxPackKeys = 5000
	// maxLineTokens bounds the tokens on one line. Quoting the lines
	// around an error, the YAML printer appends every token to its line's
	// string anew: 48,000 tokens on one line (100 KB) took 0.7 s to report
	// a duplicate key, a 1 MB line minutes. The packs have at most 46.
	maxLineTokens = 1000
)

// checkShape refuses, before the parser sees them, YAML documents that
// would keep it busy: collections nested more than maxPackNesting levels,
// more than maxPackKeys block mapping keys, more than maxLineTokens tokens
// on a line, and more than one document (the parser takes time quadratic
// in the number of documents too, and a pack is one document: the decoder
// would silently drop the others).
func checkShape(name, src string) error {
	depth, line, onLine, keys := 0, -1, 0, 0
	tokLine, lineTokens := -1, 0
	started, ended, directive := false, false, -1
	refuse := func(tk *token.Token, format string, args ...any) error {
		return fmt.Errorf("%s:%d:%d: %s", name, tk.Position.Line, tk.Position.Column, fmt.Sprintf(format, args...))
	}
	for _, tk := range lexer.Tokenize(src) {
		if tk == nil || tk.Position == nil {
			continue
		}
		if tk.Position.Line != tokLine {
			tokLine, lineTokens = tk.Position.Line, 0
		}
		if lineTokens++; lineTokens > maxLineTokens {
			return refuse(tk, "一行的YAML记号超过%[1]d个，请分行书写; more than %[1]d YAML tokens on one line: break it into lines", maxLineTokens)
		}
		switch {
		case tk.Type == token.CommentType:
			continue
		case tk.Type == token.DirectiveType:
			directive = tk.Position.Line
			continue
		case ended:
			return refuse(tk, "规则包只能是一个YAML文档，\"...\"之后不能再有内容; a pack is one YAML document: nothing may follow \"...\"")
		case tk.Type == token.DocumentHeaderType:
			if started {
				return refuse(tk, "规则包只能是一个YAML文档，\"---\"只能出现在开头; a pack is one YAML document: \"---\" may only start it")
			}
			started = true
			continue
		case tk.Type == token.DocumentEndType:
			ended = true
			continue
		}
		if tk.Position.Line != directive { // not a directive's arguments ("%YAML 1.2")
			started = true
		}
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			depth++
		case token.SequenceEndType, token.MappingEndType:
			depth--
		case token.MappingValueType:
			// Keys of flow mappings ("{a: 1}") parse in linear time.
			if depth == 0 {
				keys++
			}
		}
		switch tk.Type {
		case token.SequenceEntryType, token.MappingKeyType:
			if depth > 0 {
				break
			}
			if tk.Type == token.MappingKeyType {
				keys++
			}
			if tk.Position.Line != line {
				line, onLine = tk.Position.Line, 0
			}
			onLine++
		}
		if depth > maxPackNesting || onLine > maxPackNesting {
			return refuse(tk, "嵌套超过%[1]d层; collections nest more than %[1]d levels deep", maxPackNesting)
		}
		if keys > maxPackKeys {
			return refuse(tk, "规则包的键（{…}之外的\"键:\"）超过%[1]d个; more than %[1]d mapping keys (\"key:\" outside {…}) in one pack", maxPackKeys)
		}
	}
	return nil
}
