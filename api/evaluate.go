package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// EvaluationStore keeps firms' eligibility results and their history.
// *store.Store implements it. Errors: registry.ErrNotFound,
// registry.ErrUnavailable.
type EvaluationStore interface {
	SaveEvaluation(ctx context.Context, uscc string, ev registry.Evaluation, result string) (bool, error)
	EvaluationHistory(ctx context.Context, uscc string, programs []string) ([]registry.Evaluation, error)
}

// maxPrograms bounds the programs one request may name.
const maxPrograms = 50

// selfCheckRequest is the body of POST /self-check (SPEC §4).
type selfCheckRequest struct {
	Profile  *registry.Firm `json:"profile"`
	AsOf     string         `json:"as_of"`
	Programs []string       `json:"programs"`
	// Review asks for the re-review (复核) standard where a program has one.
	Review bool `json:"review"`
}

// evaluationResponse is the result of a self-check or an eligibility
// request (SPEC §4).
type evaluationResponse struct {
	AsOf    string         `json:"as_of"`
	USCC    *string        `json:"uscc"`
	Results []rules.Result `json:"results"`
}

// asOfParam reads an as_of date; empty means today.
func (s *Server) asOfParam(field, v string) (time.Time, error) {
	if v == "" {
		now := s.cfg.Now()
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	t, err := registry.ParseDate(v)
	if err != nil {
		return time.Time{}, badRequest(field, "日期格式应为 YYYY-MM-DD", "must be a YYYY-MM-DD date")
	}
	return t, nil
}

// resolvePrograms checks the program selectors before anything runs, so an
// unknown one is a 404 listing the known programs. Native programs
// (innovation points, points.go) are unknown here: see checkPrograms.
func (s *Server) resolvePrograms(eng *rules.Engine, field string, sel []string, asOf time.Time, review bool) error {
	return s.checkPrograms(eng, field, sel, asOf, review, nil)
}

// checkPrograms is resolvePrograms that also knows the native programs
// whose "id@edition" keys are given.
func (s *Server) checkPrograms(eng *rules.Engine, field string, sel []string, asOf time.Time, review bool, natives []string) error {
	if len(sel) > maxPrograms {
		return badRequest(field, "最多"+strconv.Itoa(maxPrograms)+"个项目", "too many programs")
	}
	for i, p := range sel {
		if strings.TrimSpace(p) == "" {
			return badRequest(field+"["+strconv.Itoa(i)+"]", "项目不能为空", "empty program")
		}
	}
	packs := withoutNatives(sel, natives)
	if len(packs) == 0 {
		return nil // natives only (none means every program)
	}
	_, err := eng.Resolve(packs, asOf, review)
	var upe *rules.UnknownProgramError
	if errors.As(err, &upe) {
		upe.Known = append(slices.Clone(upe.Known), natives...)
		at := field
		for i, p := range sel {
			if p == upe.Selector && field != "id" {
				at = field + "[" + strconv.Itoa(i) + "]"
				break
			}
		}
		msg := "未知的评价项目或版本“" + upe.Selector + "”，可选：" + strings.Join(upe.Known, "、") +
			" (unknown program or edition; known: " + strings.Join(upe.Known, ", ") + ")"
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: msg,
			Details: []registry.Problem{{Field: at, Problem: msg}}}
	}
	return err
}

// unknownProgram is the error for sel[i], a selector known to name no
// program or edition: checkPrograms' 404 listing the known ones, naming
// field[i] (field alone when it is not a list).
func (s *Server) unknownProgram(eng *rules.Engine, field string, sel []string, i int, list bool) error {
	err := s.checkPrograms(eng, field, sel[i:i+1], s.cfg.Now(), false, s.nativeKeys())
	if err == nil {
		msg := "未知的评价项目或版本“" + sel[i] + "” (unknown program or edition)"
		err = &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: msg,
			Details: []registry.Problem{{Field: field, Problem: msg}}}
	}
	var ae *Error
	if errors.As(err, &ae) {
		// checkPrograms saw sel[i] alone: name its place in the list.
		at := field
		if list {
			at = field + "[" + strconv.Itoa(i) + "]"
		}
		for j := range ae.Details {
			if ae.Details[j].Field == field+"[0]" {
				ae.Details[j].Field = at
			}
		}
	}
	return err
}

// handleSelfCheck evaluates a profile anonymously: nothing is stored.
func (s *Server) handleSelfCheck(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	var req selfCheckRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.Profile == nil {
		writeError(c, badRequest("profile", "缺少企业画像 profile", "profile is required"))
		return
	}
	asOf, err := s.asOfParam("as_of", req.AsOf)
	if err != nil {
		writeError(c, err)
		return
	}
	f := *req.Profile
	f.Normalize()
	if err := f.ValidateProfile(s.cfg.Now()); err != nil {
		writeError(c, prefixProblems(err, "profile."))
		return
	}
	eng := s.cfg.Rules.Load()
	packs, natives, err := s.selectPrograms(eng, "programs", req.Programs, asOf, req.Review)
	if err != nil {
		writeError(c, err)
		return
	}
	results, _, err := s.evaluate(c.Request.Context(), eng, rules.Request{Firm: &f, AsOf: asOf, Programs: packs, Review: req.Review, Explain: true}, natives)
	if err != nil {
		writeError(c, err)
		return
	}
	resp := evaluationResponse{AsOf: asOf.Format(registry.DateLayout), Results: results}
	if f.USCC != "" {
		resp.USCC = &f.USCC
	}
	c.JSON(http.StatusOK, resp)
}

// prefixProblems re-roots a validation error's field names under prefix.
func prefixProblems(err error, prefix string) error {
	var ve *registry.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &registry.ValidationError{Problems: make([]registry.Problem, len(ve.Problems))}
	for i, p := range ve.Problems {
		out.Problems[i] = registry.Problem{Field: prefix + p.Field, Problem: p.Problem}
	}
	return out
}

// inputHash identifies what a result was computed from: the profile as
// stored, the date and the mode.
func inputHash(f *registry.Firm, asOf string, review bool) string {
	b, _ := json.Marshal(f)
	h := sha256.New()
	h.Write(b)
	h.Write([]byte("|" + asOf + "|" + strconv.FormatBool(review)))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// splitList reads a comma-separated query parameter.
func splitList(v string) []string {
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// handleEligibility evaluates a stored firm, records each result in the
// firm's history and returns them.
func (s *Server) handleEligibility(c *gin.Context) {
	if !allowQuery(c, "as_of", "programs", "review") {
		return
	}
	code, err := usccParam(c)
	if err != nil {
		writeError(c, err)
		return
	}
	asOf, err := s.asOfParam("as_of", c.Query("as_of"))
	if err != nil {
		writeError(c, err)
		return
	}
	review, err := boolQuery(c, "review")
	if err != nil {
		writeError(c, err)
		return
	}
	sel := splitList(c.Query("programs"))
	eng := s.cfg.Rules.Load()
	packs, natives, err := s.selectPrograms(eng, "programs", sel, asOf, review)
	if err != nil {
		writeError(c, err)
		return
	}
	rec, err := s.cfg.Firms.GetFirm(c.Request.Context(), code)
	if err != nil {
		writeError(c, err)
		return
	}
	results, stamps, err := s.evaluate(c.Request.Context(), eng, rules.Request{Firm: &rec.Firm, AsOf: asOf, Programs: packs, Review: review, Explain: true}, natives)
	if err != nil {
		writeError(c, err)
		return
	}
	day := asOf.Format(registry.DateLayout)
	hash := inputHash(&rec.Firm, day, review)
	now := s.cfg.Now()
	for _, r := range results {
		packHash, native := stamps[r.Program]
		if !native {
			prog, _ := eng.Program(r.Program + "@" + r.Edition)
			packHash = prog.Hash()
		}
		body, err := json.Marshal(r)
		if err != nil {
			writeError(c, err)
			return
		}
		ev := registry.Evaluation{Program: r.Program, Edition: r.Edition, AsOf: day, Review: review,
			Status: string(r.Status), Score: r.Score, Route: r.Route, InputHash: hash, PackHash: packHash, EvaluatedAt: now}
		if _, err := s.cfg.Evaluations.SaveEvaluation(c.Request.Context(), code, ev, string(body)); err != nil {
			writeError(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, evaluationResponse{AsOf: day, USCC: &code, Results: results})
}

// historyResponse is the body of GET /firms/{uscc}/eligibility/history.
type historyResponse struct {
	USCC  string                `json:"uscc"`
	Items []registry.Evaluation `json:"items"`
}

// handleEligibilityHistory lists a firm's stored results, newest first.
func (s *Server) handleEligibilityHistory(c *gin.Context) {
	if !allowQuery(c, "programs") {
		return
	}
	code, err := usccParam(c)
	if err != nil {
		writeError(c, err)
		return
	}
	eng := s.cfg.Rules.Load()
	ids := append(eng.IDs(), s.nativeIDs()...)
	if sel := splitList(c.Query("programs")); len(sel) > 0 {
		ids = nil
		for i, p := range sel {
			// The history is kept by program: an edition, when given,
			// must still be one the engine (or a native program) has.
			id, _, explicit := strings.Cut(p, "@")
			known := len(eng.Editions(id)) > 0 || slices.Contains(s.nativeIDs(), id)
			if known && explicit {
				_, known = eng.Program(p)
				known = known || slices.Contains(s.nativeKeys(), p)
			}
			if !known {
				writeError(c, s.unknownProgram(eng, "programs", sel, i, true))
				return
			}
			ids = append(ids, id)
		}
	}
	if _, err := s.cfg.Firms.GetFirm(c.Request.Context(), code); err != nil {
		writeError(c, err)
		return
	}
	items, err := s.cfg.Evaluations.EvaluationHistory(c.Request.Context(), code, ids)
	if err != nil {
		writeError(c, err)
		return
	}
	if items == nil {
		items = []registry.Evaluation{}
	}
	c.JSON(http.StatusOK, historyResponse{USCC: code, Items: items})
}

func boolQuery(c *gin.Context, name string) (bool, error) {
	switch c.Query(name) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, badRequest(name, "应为 true 或 false", "must be true or false")
}
