package rules

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/peiyu/peiyu/registry"
)

//go:embed packs/*.yaml
var packFS embed.FS

// ErrUnknownProgram is returned for a program id or edition the engine does
// not have. The error's message lists the known ones.
var ErrUnknownProgram = errors.New("unknown program")

// UnknownProgramError names the unknown selector and what is known.
type UnknownProgramError struct {
	Selector string
	Known    []string // "id@edition" of every program
}

func (e *UnknownProgramError) Error() string {
	return fmt.Sprintf("unknown program %q (known: %s)", e.Selector, strings.Join(e.Known, ", "))
}

// Is makes errors.Is(err, ErrUnknownProgram) true.
func (e *UnknownProgramError) Is(target error) bool { return target == ErrUnknownProgram }

// Engine is an immutable set of compiled programs. Use Holder to swap one
// in atomically when packs are reloaded.
type Engine struct {
	programs map[string]*Program   // by id@edition
	editions map[string][]*Program // by id, oldest first
	ids      []string              // in ladder order
}

// New compiles packs into an engine. Every pack error is reported, joined.
func New(packs []*Pack) (*Engine, error) {
	var progs []*Program
	var errs []error
	for _, p := range packs {
		prog, err := Compile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		progs = append(progs, prog)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return assemble(progs)
}

// Replace returns an engine with p in place of the program of the same
// id@edition, or with p added as a new edition. e itself is unchanged (an
// engine is immutable); put the result in use with Holder.Update.
func (e *Engine) Replace(p *Program) *Engine {
	progs := []*Program{p}
	for _, key := range e.Known() {
		if key != p.Key() {
			progs = append(progs, e.programs[key])
		}
	}
	ne, _ := assemble(progs) // no duplicates: p's key was left out
	return ne
}

// assemble indexes compiled programs: editions by effective date, ids in
// ladder order. Two programs with one id@edition are an error.
func assemble(progs []*Program) (*Engine, error) {
	e := &Engine{programs: map[string]*Program{}, editions: map[string][]*Program{}}
	var errs []error
	for _, prog := range progs {
		p := prog.pack
		if _, dup := e.programs[p.Key()]; dup {
			errs = append(errs, fmt.Errorf("%s: duplicate program %s", p.file, p.Key()))
			continue
		}
		e.programs[p.Key()] = prog
		e.editions[p.ID] = append(e.editions[p.ID], prog)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for id, eds := range e.editions {
		sort.SliceStable(eds, func(i, j int) bool { return eds[i].pack.Effective.From < eds[j].pack.Effective.From })
		e.ids = append(e.ids, id)
	}
	sort.Slice(e.ids, func(i, j int) bool {
		ri, rj := e.editions[e.ids[i]][0].pack.Ladder.Rung, e.editions[e.ids[j]][0].pack.Ladder.Rung
		if ri == 0 {
			ri = 100
		}
		if rj == 0 {
			rj = 100
		}
		if ri != rj {
			return ri < rj
		}
		return e.ids[i] < e.ids[j]
	})
	return e, nil
}

// EmbeddedPacks parses the packs built into the binary.
func EmbeddedPacks() ([]*Pack, error) {
	return ParseFS(packFS, "packs")
}

// ParseFS parses every *.yaml file in dir of fsys. Each pack is revision 1
// of its program edition.
func ParseFS(fsys fs.FS, dir string) ([]*Pack, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var packs []*Pack
	var errs []error
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p, err := ParsePack(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.Revision = 1
		packs = append(packs, p)
	}
	return packs, errors.Join(errs...)
}

// Default compiles the embedded packs.
func Default() (*Engine, error) {
	packs, err := EmbeddedPacks()
	if err != nil {
		return nil, err
	}
	return New(packs)
}

// IDs lists the program ids, lowest ladder rung first.
func (e *Engine) IDs() []string { return append([]string(nil), e.ids...) }

// Editions lists the editions of a program, oldest first.
func (e *Engine) Editions(id string) []*Program { return append([]*Program(nil), e.editions[id]...) }

// Known lists every "id@edition".
func (e *Engine) Known() []string {
	var out []string
	for _, id := range e.ids {
		for _, p := range e.editions[id] {
			out = append(out, p.Key())
		}
	}
	return out
}

// Program returns the program for "id@edition".
func (e *Engine) Program(key string) (*Program, bool) {
	p, ok := e.programs[key]
	return p, ok
}

// InForce returns the edition of id in force at asOf: the latest whose
// effective period contains asOf, else the latest that began before it,
// else the earliest.
func (e *Engine) InForce(id string, asOf time.Time) *Program {
	eds := e.editions[id]
	if len(eds) == 0 {
		return nil
	}
	var best *Program
	for _, p := range eds {
		if p.pack.Effective.contains(asOf) {
			best = p
		}
	}
	if best != nil {
		return best
	}
	for _, p := range eds {
		if from, err := registry.ParseDate(p.pack.Effective.From); err == nil && !from.After(asOf) {
			best = p
		}
	}
	if best == nil {
		best = eds[0]
	}
	return best
}

// Selection is one program chosen for an evaluation, and why.
type Selection struct {
	Program *Program
	Note    string
}

// Resolve turns selectors ("id" or "id@edition"; none means every program)
// into programs for asOf. In review mode a program whose edition in force
// prescribes another edition for re-reviews in that period uses it.
func (e *Engine) Resolve(selectors []string, asOf time.Time, review bool) ([]Selection, error) {
	if len(selectors) == 0 {
		selectors = e.ids
	}
	var out []Selection
	seen := map[string]bool{}
	for _, sel := range selectors {
		id, edition, explicit := strings.Cut(strings.TrimSpace(sel), "@")
		var p *Program
		note := ""
		switch {
		case explicit:
			p = e.programs[id+"@"+edition]
		default:
			p = e.InForce(id, asOf)
			if p != nil && review && p.review != nil && p.review.Edition != "" && p.review.Period.contains(asOf) {
				if alt := e.programs[id+"@"+p.review.Edition]; alt != nil {
					note = fmt.Sprintf("复核：依%s，适用%s版标准", p.review.Basis, p.review.Edition)
					p = alt
				}
			}
		}
		if p == nil {
			return nil, &UnknownProgramError{Selector: sel, Known: e.Known()}
		}
		if seen[p.Key()] {
			continue
		}
		seen[p.Key()] = true
		out = append(out, Selection{Program: p, Note: note})
	}
	return out, nil
}

// Request is one firm's evaluation against some programs.
type Request struct {
	Firm     *registry.Firm
	AsOf     time.Time
	Programs []string
	Review   bool
	Explain  bool
}

// Evaluate evaluates the firm against the selected programs. The firm's
// view is derived once and shared. The only error is
// *UnknownProgramError.
func (e *Engine) Evaluate(req Request) ([]Result, error) {
	sels, err := e.Resolve(req.Programs, req.AsOf, req.Review)
	if err != nil {
		return nil, err
	}
	env := NewEnv(req.Firm, req.AsOf)
	out := make([]Result, 0, len(sels))
	for _, s := range sels {
		r := s.Program.Evaluate(env, Options{Review: req.Review, Explain: req.Explain})
		if s.Note != "" {
			r.Note = strings.TrimPrefix(r.Note+"；"+s.Note, "；")
		}
		if req.Explain {
			e.ladderSteps(&r, s.Program, req.AsOf)
		}
		out = append(out, r)
	}
	return out, nil
}

// ladderSteps adds the next rung of the ladder to an eligible result.
func (e *Engine) ladderSteps(r *Result, p *Program, asOf time.Time) {
	if r.Status != Eligible && r.Status != NeedsReview {
		return
	}
	var names []string
	for _, id := range p.pack.Ladder.Next {
		if np := e.InForce(id, asOf); np != nil {
			names = append(names, fmt.Sprintf("%s（%s）", np.pack.Name.ZH, id))
		}
	}
	if p.pack.Honor != "" {
		r.NextSteps = append(r.NextSteps, fmt.Sprintf("符合条件：可申报%s认定", p.pack.Name.ZH))
	}
	if len(names) > 0 {
		r.NextSteps = append(r.NextSteps, "下一梯次："+strings.Join(names, "、"))
	}
}

// Holder keeps the engine in use; Swap replaces it atomically, so a reload
// never disturbs evaluations in flight.
type Holder struct{ p atomic.Pointer[Engine] }

// NewHolder holds e.
func NewHolder(e *Engine) *Holder {
	h := &Holder{}
	h.p.Store(e)
	return h
}

// Load returns the engine in use.
func (h *Holder) Load() *Engine { return h.p.Load() }

// Swap puts e in use and returns the one it replaced.
func (h *Holder) Swap(e *Engine) *Engine { return h.p.Swap(e) }

// Update puts in use what f makes of the engine in use, and returns it. If
// another swap came first f runs again on the newer engine, so concurrent
// updates of different programs are not lost; f must have no side
// effects. When f fails the engine in use stays and its error is returned.
func (h *Holder) Update(f func(*Engine) (*Engine, error)) (*Engine, error) {
	for {
		old := h.p.Load()
		e, err := f(old)
		if err != nil {
			return old, err
		}
		if e == old || h.p.CompareAndSwap(old, e) {
			return e, nil
		}
	}
}
