package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// PackStore keeps rule-pack drafts and the published revisions of program
// editions. *store.Store implements it. Errors: registry.ErrInvalid,
// registry.ErrNotFound, registry.ErrConflict (PublishDraft: the draft was
// overtaken by another publish), registry.ErrUnavailable.
type PackStore interface {
	CreateDraft(ctx context.Context, d registry.PackDraft) (*registry.PackDraft, error)
	GetDraft(ctx context.Context, id string) (*registry.PackDraft, error)
	ListDrafts(ctx context.Context, program string) ([]registry.PackDraft, error)
	PublishDraft(ctx context.Context, rev registry.PackRevision) (*registry.PackRevision, error)
	GetRevision(ctx context.Context, program, edition string, n int) (*registry.PackRevision, error)
	ListRevisions(ctx context.Context, program string) ([]registry.PackRevision, error)
}

// CodeCasesFailed answers a publish refused because the draft's own
// embedded test cases fail (422); the details list each failing case.
const CodeCasesFailed = "cases_failed"

// Bounds on what a draft request may carry.
const (
	maxNoteRunes    = 500
	maxPackProblems = 50
)

// draftRequest is the body of POST /programs/{id}/drafts: a whole pack in
// YAML, or new values for parameters of the edition the path names (else
// the one in force today).
type draftRequest struct {
	Pack      *string        `json:"pack"`
	Overrides map[string]any `json:"overrides"`
	Note      string         `json:"note"`
}

// publishRequest is the optional body of POST …/drafts/{d}/publish.
type publishRequest struct {
	Note string `json:"note"`
}

// draftResponse is a draft with the outcome of its embedded cases.
type draftResponse struct {
	*registry.PackDraft
	Cases caseReport `json:"cases"`
}

// caseReport is the outcome of a pack's embedded cases: a draft whose
// cases fail cannot be published.
type caseReport struct {
	Total  int           `json:"total"`
	Passed int           `json:"passed"`
	Failed []caseFailure `json:"failed"`
}

type caseFailure struct {
	Name     string   `json:"name"`
	Problems []string `json:"problems"`
}

// publishResponse is the body of a successful publish.
type publishResponse struct {
	Program     string    `json:"program"`
	Edition     string    `json:"edition"`
	Revision    int       `json:"revision"`
	Hash        string    `json:"hash"`
	DraftID     string    `json:"draft_id"`
	Note        string    `json:"note,omitempty"`
	PublishedBy string    `json:"published_by"`
	PublishedAt time.Time `json:"published_at"`
}

// revisionList is the body of GET /programs/{id}/revisions.
type revisionList struct {
	Program string `json:"program"`
	// Current is the revision in use per edition (1: built into the
	// binary, which is not listed in Items).
	Current map[string]int          `json:"current"`
	Items   []registry.PackRevision `json:"items"`
}

func runCases(p *rules.Program) caseReport {
	r := caseReport{Failed: []caseFailure{}}
	for _, cr := range p.RunCases() {
		r.Total++
		if cr.Passed() {
			r.Passed++
			continue
		}
		r.Failed = append(r.Failed, caseFailure{Name: cr.Name, Problems: cr.Problems})
	}
	return r
}

// packStore returns the draft store, or an error when none is configured.
func (s *Server) packStore() (PackStore, error) {
	if s.cfg.Packs == nil {
		return nil, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "规则草案与发布未启用 (drafts and publishing are not configured)"}
	}
	return s.cfg.Packs, nil
}

// editionParamRE is the form of an edition (the rule compiler's).
var editionParamRE = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// programID reads {id} ("id" or "id@edition") and checks that the program
// exists; the edition is left to the caller (a draft may bring a new one),
// but must have the form of one: "tech-sme@" or "tech-sme@$where" is a 404.
func (s *Server) programID(c *gin.Context, eng *rules.Engine) (id, edition string, err error) {
	sel := c.Param("id")
	id, edition, explicit := strings.Cut(sel, "@")
	if len(eng.Editions(id)) == 0 {
		return "", "", s.unknownProgram(eng, "id", []string{id}, 0, false)
	}
	if explicit && !editionParamRE.MatchString(edition) {
		return "", "", s.unknownProgram(eng, "id", []string{sel}, 0, false)
	}
	return id, edition, nil
}

// draftProgram compiles the draft a request describes — a whole pack in
// YAML, or overrides of the edition sel names at asOf — as revision 0. It
// also returns the overridden values. Bad input is a 400 naming the field:
// "pack" (with the file:line:col the engine reports), "pack.id",
// "pack.edition", "overrides.<parameter>".
func (s *Server) draftProgram(eng *rules.Engine, sel string, asOf time.Time, src *string, overrides map[string]any) (*rules.Program, map[string]float64, error) {
	id, edition, explicit := strings.Cut(sel, "@")
	switch {
	case src != nil && overrides != nil:
		return nil, nil, badRequest("overrides", "pack 与 overrides 只能给出其一", "give pack or overrides, not both")
	case src == nil && overrides == nil:
		return nil, nil, badRequest("pack", "需要 pack（完整规则包 YAML）或 overrides（参数新值）",
			"pack (a whole pack in YAML) or overrides (new parameter values) is required")
	case src != nil && strings.TrimSpace(*src) == "":
		return nil, nil, badRequest("pack", "规则包 YAML 为空", "pack is empty")
	case src == nil && len(overrides) == 0:
		return nil, nil, badRequest("overrides", "overrides 为空，请给出至少一个参数", "overrides is empty")
	}
	if src == nil {
		if err := s.resolvePrograms(eng, "id", []string{sel}, asOf, false); err != nil {
			return nil, nil, err
		}
		sels, err := eng.Resolve([]string{sel}, asOf, false)
		if err != nil {
			return nil, nil, err
		}
		pack, err := sels[0].Program.Pack().Override(overrides)
		var oe *rules.OverrideError
		if errors.As(err, &oe) {
			e := &Error{Status: http.StatusBadRequest, Code: CodeInvalid,
				Message: "参数覆盖有误 (invalid parameter overrides)"}
			for _, p := range oe.Problems {
				e.Details = append(e.Details, registry.Problem{Field: "overrides." + p.Parameter, Problem: p.Problem})
			}
			return nil, nil, e
		}
		if err != nil {
			return nil, nil, err
		}
		prog, err := rules.Compile(pack)
		if err != nil {
			return nil, nil, packProblems(err)
		}
		nums := make(map[string]float64, len(overrides))
		for name := range overrides {
			nums[name] = pack.Parameters[name].Value
		}
		return prog, nums, nil
	}
	pack, err := rules.ParseDraft("draft.yaml", []byte(*src))
	if err != nil {
		return nil, nil, &Error{Status: http.StatusBadRequest, Code: CodeInvalid,
			Message: "规则包 YAML 无法解析 (the pack is not valid YAML of the pack format)",
			Details: []registry.Problem{{Field: "pack", Problem: err.Error()}}}
	}
	if pack.ID != id {
		return nil, nil, &Error{Status: http.StatusBadRequest, Code: CodeInvalid,
			Message: "草案的项目标识与路径不一致 (the draft's id does not match the path)",
			Details: []registry.Problem{{Field: "pack.id", Problem: "应为“" + id + "”，实为“" + pack.ID + "” (must be " + id + ")"}}}
	}
	if explicit && pack.Edition != edition {
		return nil, nil, &Error{Status: http.StatusBadRequest, Code: CodeInvalid,
			Message: "草案的版本与路径不一致 (the draft's edition does not match the path)",
			Details: []registry.Problem{{Field: "pack.edition", Problem: "应为“" + edition + "”，实为“" + pack.Edition + "” (must be " + edition + ")"}}}
	}
	prog, err := rules.Compile(pack)
	if err != nil {
		return nil, nil, packProblems(err)
	}
	return prog, nil, nil
}

// packProblems turns a pack that does not compile into a 400 with one
// detail per problem, each naming the pack file, line and column as the
// engine reports them ("draft.yaml:12:11: rd: unknown name …").
func packProblems(err error) error {
	e := &Error{Status: http.StatusBadRequest, Code: CodeInvalid,
		Message: "规则包草案有误，无法编译 (the draft pack does not compile)"}
	for _, pe := range flattenErrors(err) {
		if len(e.Details) == maxPackProblems {
			break
		}
		e.Details = append(e.Details, registry.Problem{Field: "pack", Problem: pe.Error()})
	}
	return e
}

// flattenErrors lists the errors inside errors.Join results.
func flattenErrors(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, flattenErrors(e)...)
	}
	return out
}

// checkNote bounds a note.
func checkNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > maxNoteRunes {
		return "", badRequest("note", "说明不能超过"+strconv.Itoa(maxNoteRunes)+"个字符", "at most "+strconv.Itoa(maxNoteRunes)+" characters")
	}
	return note, nil
}

// today is the date of the server's clock, as an as_of.
func (s *Server) today() time.Time {
	t, _ := s.asOfParam("", "")
	return t
}

// handleDraftCreate stores a draft of a program edition: 201 with the draft
// and the outcome of its embedded cases.
func (s *Server) handleDraftCreate(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	ps, err := s.packStore()
	if err != nil {
		writeError(c, err)
		return
	}
	var req draftRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	note, err := checkNote(req.Note)
	if err != nil {
		writeError(c, err)
		return
	}
	eng := s.cfg.Rules.Load()
	if _, _, err := s.programID(c, eng); err != nil {
		writeError(c, err)
		return
	}
	prog, nums, err := s.draftProgram(eng, c.Param("id"), s.today(), req.Pack, req.Overrides)
	if err != nil {
		writeError(c, err)
		return
	}
	pk := prog.Pack()
	base := 0
	if cur, ok := eng.Program(pk.Key()); ok {
		base = cur.Revision()
	}
	d, err := ps.CreateDraft(c.Request.Context(), registry.PackDraft{Program: pk.ID, Edition: pk.Edition,
		BaseRevision: base, YAML: string(pk.Source()), Overrides: nums, Note: note, CreatedBy: actor(c)})
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Location", "/api/v1/programs/"+d.Program+"/drafts/"+d.ID)
	c.JSON(http.StatusCreated, draftResponse{PackDraft: d, Cases: runCases(prog)})
}

// draftParam reads the draft of the path and checks it belongs to the
// program of the path (and edition, when named); otherwise 404.
func (s *Server) draftParam(c *gin.Context, ps PackStore, id, edition string) (*registry.PackDraft, error) {
	notFound := &Error{Status: http.StatusNotFound, Code: CodeNotFound,
		Message: "未找到该草案 (no such draft)", Details: []registry.Problem{{Field: "draft", Problem: "未找到该草案 (no such draft)"}}}
	did := c.Param("draft")
	if !uuidRE.MatchString(did) {
		return nil, notFound
	}
	d, err := ps.GetDraft(c.Request.Context(), did)
	if errors.Is(err, registry.ErrNotFound) || err == nil && (d.Program != id || edition != "" && d.Edition != edition) {
		return nil, notFound
	}
	return d, err
}

// handleDraftGet shows one draft with its YAML.
func (s *Server) handleDraftGet(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	ps, err := s.packStore()
	if err != nil {
		writeError(c, err)
		return
	}
	id, edition, err := s.programID(c, s.cfg.Rules.Load())
	if err != nil {
		writeError(c, err)
		return
	}
	d, err := s.draftParam(c, ps, id, edition)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// handleDraftList lists a program's drafts (of one edition with
// {id}@{edition}), newest first, without their YAML.
func (s *Server) handleDraftList(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	ps, err := s.packStore()
	if err != nil {
		writeError(c, err)
		return
	}
	id, edition, err := s.programID(c, s.cfg.Rules.Load())
	if err != nil {
		writeError(c, err)
		return
	}
	all, err := ps.ListDrafts(c.Request.Context(), id)
	if err != nil {
		writeError(c, err)
		return
	}
	items := []registry.PackDraft{}
	for _, d := range all {
		if edition == "" || d.Edition == edition {
			items = append(items, d)
		}
	}
	c.JSON(http.StatusOK, gin.H{"program": id, "items": items})
}

// handleDraftPublish publishes a draft as the next revision of its program
// edition: its embedded cases must pass (else 422 listing the failures);
// the revision is stored, the draft marked published, and the engine in
// use swapped. A draft already published, or overtaken by another publish
// of the edition, is a 409.
func (s *Server) handleDraftPublish(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	ps, err := s.packStore()
	if err != nil {
		writeError(c, err)
		return
	}
	var req publishRequest
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			writeError(c, err)
			return
		}
	}
	note, err := checkNote(req.Note)
	if err != nil {
		writeError(c, err)
		return
	}
	id, edition, err := s.programID(c, s.cfg.Rules.Load())
	if err != nil {
		writeError(c, err)
		return
	}
	d, err := s.draftParam(c, ps, id, edition)
	if err != nil {
		writeError(c, err)
		return
	}
	if d.Status == registry.DraftPublished {
		n := strconv.Itoa(d.PublishedRevision)
		writeError(c, &Error{Status: http.StatusConflict, Code: CodeConflict,
			Message: "该草案已发布为第" + n + "版 (the draft was already published as revision " + n + ")"})
		return
	}
	pack, err := rules.ParseDraft(d.Program+"-"+d.Edition+".draft.yaml", []byte(d.YAML))
	if err != nil {
		writeError(c, &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalid,
			Message: "草案无法解析 (the draft no longer parses)", Details: []registry.Problem{{Field: "yaml", Problem: err.Error()}}})
		return
	}
	pack.Revision = d.BaseRevision + 1
	prog, err := rules.Compile(pack)
	if err != nil {
		e := packProblems(err).(*Error)
		e.Status, e.Message = http.StatusUnprocessableEntity, "草案在当前引擎下无法编译 (the draft no longer compiles)"
		writeError(c, e)
		return
	}
	if err := casesPass(prog); err != nil {
		writeError(c, err)
		return
	}
	if note == "" {
		note = d.Note
	}
	rev, err := ps.PublishDraft(c.Request.Context(), registry.PackRevision{Program: d.Program, Edition: d.Edition,
		Revision: pack.Revision, YAML: d.YAML, Hash: prog.Hash(), DraftID: d.ID, Note: note,
		PublishedBy: actor(c), PublishedAt: s.cfg.Now()})
	if errors.Is(err, registry.ErrConflict) {
		writeError(c, &Error{Status: http.StatusConflict, Code: CodeConflict,
			Message: "起草后该项目版本已发布了新的修订，请基于现行版本重新起草 (the edition was published again since this draft was made; draft again from the current revision)"})
		return
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.cfg.Rules.Install(prog)
	c.Header("Location", "/api/v1/programs/"+rev.Key()+"/revisions/"+strconv.Itoa(rev.Revision))
	c.JSON(http.StatusCreated, publishResponse{Program: rev.Program, Edition: rev.Edition, Revision: rev.Revision,
		Hash: rev.Hash, DraftID: rev.DraftID, Note: rev.Note, PublishedBy: rev.PublishedBy, PublishedAt: rev.PublishedAt})
}

// casesPass refuses a program without embedded cases or with a failing
// one: 422, one detail per failing case.
func casesPass(p *rules.Program) error {
	r := runCases(p)
	if r.Total == 0 {
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeCasesFailed,
			Message: "草案没有内置测试用例，不能发布 (a draft without embedded test cases cannot be published)",
			Details: []registry.Problem{{Field: "cases", Problem: "至少需要一个测试用例 (at least one case is required)"}}}
	}
	if len(r.Failed) == 0 {
		return nil
	}
	e := &Error{Status: http.StatusUnprocessableEntity, Code: CodeCasesFailed,
		Message: strconv.Itoa(len(r.Failed)) + "个内置测试用例未通过，不能发布 (embedded test cases fail; the draft cannot be published)"}
	for _, f := range r.Failed {
		e.Details = append(e.Details, registry.Problem{Field: "cases." + f.Name, Problem: strings.Join(f.Problems, "; ")})
	}
	return e
}

// handleRevisionList lists the stored revisions of a program (of one
// edition with {id}@{edition}), newest first, without their YAML.
func (s *Server) handleRevisionList(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	ps, err := s.packStore()
	if err != nil {
		writeError(c, err)
		return
	}
	eng := s.cfg.Rules.Load()
	id, edition, err := s.programID(c, eng)
	if err != nil {
		writeError(c, err)
		return
	}
	all, err := ps.ListRevisions(c.Request.Context(), id)
	if err != nil {
		writeError(c, err)
		return
	}
	out := revisionList{Program: id, Current: map[string]int{}, Items: []registry.PackRevision{}}
	for _, p := range eng.Editions(id) {
		out.Current[p.Pack().Edition] = p.Revision()
	}
	for _, r := range all {
		if edition == "" || r.Edition == edition {
			out.Items = append(out.Items, r)
		}
	}
	c.JSON(http.StatusOK, out)
}

// handleRevisionGet shows one stored revision with its YAML:
// /programs/{id}@{edition}/revisions/{n} (without an edition, the one in
// force today).
func (s *Server) handleRevisionGet(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	ps, err := s.packStore()
	if err != nil {
		writeError(c, err)
		return
	}
	eng := s.cfg.Rules.Load()
	id, edition, err := s.programID(c, eng)
	if err != nil {
		writeError(c, err)
		return
	}
	if edition == "" {
		edition = eng.InForce(id, s.today()).Pack().Edition
	}
	n, err := strconv.Atoi(c.Param("rev"))
	if err != nil || n < 1 {
		writeError(c, badRequest("rev", "修订号应为正整数", "must be a positive whole number"))
		return
	}
	rev, err := ps.GetRevision(c.Request.Context(), id, edition, n)
	if errors.Is(err, registry.ErrNotFound) {
		msg := "未找到该修订 (no such revision)"
		if n == 1 {
			msg = "第1版为内置规则包，见 rules/packs/ (revision 1 is the pack built into the binary)"
		}
		err = &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: msg,
			Details: []registry.Problem{{Field: "rev", Problem: msg}}}
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, rev)
}
