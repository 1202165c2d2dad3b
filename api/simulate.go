package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// Bounds on one simulation. Staff-edited packs are untrusted: compiling
// bounds each expression (node and memory budgets), these bound the run.
const (
	// simulationTimeout bounds the registry scan and the evaluations,
	// within the HTTP server's write timeout.
	simulationTimeout = 45 * time.Second
	// maxSimulatedFirms refuses registries larger than this without a
	// filter, rather than answering from part of them.
	maxSimulatedFirms = 100_000
	// maxFlipsListed bounds each list of the answer (counts stay exact).
	maxFlipsListed = 500
)

var errTooManyFirms = errors.New("too many firms to simulate")

// simulateRequest is the body of POST /programs/{id}/simulate: the draft
// (a whole pack in YAML, parameter overrides, or a stored draft's id), the
// date and the firms to run it on.
type simulateRequest struct {
	Pack      *string           `json:"pack"`
	Overrides map[string]any    `json:"overrides"`
	Draft     string            `json:"draft"`
	AsOf      string            `json:"as_of"`
	Filter    *simulationFilter `json:"filter"`
}

// simulationFilter selects the firms, as registry.FirmFilter does.
type simulationFilter struct {
	RegionCode string `json:"region_code"`
	Chain      string `json:"chain"`
}

// simulationResponse is the body of a simulation: which pack was compared
// with which, then the report (newly_eligible, newly_ineligible,
// other_changes, unchanged, counts, truncated).
type simulationResponse struct {
	Program string            `json:"program"`
	AsOf    string            `json:"as_of"`
	Old     simulatedPack     `json:"old"`
	New     simulatedPack     `json:"new"`
	Filter  *simulationFilter `json:"filter,omitempty"`
	rules.SimulationReport
}

type simulatedPack struct {
	Edition string `json:"edition"`
	// Revision is the published revision; 0 for the draft.
	Revision int    `json:"revision"`
	Hash     string `json:"hash"`
	Draft    string `json:"draft,omitempty"`
}

func packInfo(p *rules.Program) simulatedPack {
	return simulatedPack{Edition: p.Pack().Edition, Revision: p.Revision(), Hash: p.Hash()}
}

// handleSimulate runs a draft against the registry and compares it with
// the edition in force at as_of (or the edition the path names): which
// firms become eligible, which stop being, and why.
func (s *Server) handleSimulate(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	var req simulateRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	asOf, err := s.asOfParam("as_of", req.AsOf)
	if err != nil {
		writeError(c, err)
		return
	}
	ff, err := req.Filter.firmFilter()
	if err != nil {
		writeError(c, err)
		return
	}
	eng := s.cfg.Rules.Load()
	sel := c.Param("id")
	if err := s.resolvePrograms(eng, "id", []string{sel}, asOf, false); err != nil {
		writeError(c, err)
		return
	}
	sels, err := eng.Resolve([]string{sel}, asOf, false)
	if err != nil {
		writeError(c, err)
		return
	}
	old := sels[0].Program
	draft, draftID, err := s.simulatedDraft(c, eng, sel, asOf, &req)
	if err != nil {
		writeError(c, err)
		return
	}
	report, err := s.simulate(c.Request.Context(), old, draft, asOf, ff)
	if err != nil {
		writeError(c, err)
		return
	}
	resp := simulationResponse{Program: old.Pack().ID, AsOf: asOf.Format(registry.DateLayout),
		Old: packInfo(old), New: packInfo(draft), Filter: req.Filter, SimulationReport: report}
	resp.New.Draft = draftID
	c.JSON(http.StatusOK, resp)
}

// simulatedDraft compiles the draft of a simulation request: a stored
// draft by id, or a pack or overrides given inline.
func (s *Server) simulatedDraft(c *gin.Context, eng *rules.Engine, sel string, asOf time.Time, req *simulateRequest) (*rules.Program, string, error) {
	if req.Draft == "" {
		prog, _, err := s.draftProgram(eng, sel, asOf, req.Pack, req.Overrides)
		return prog, "", err
	}
	if req.Pack != nil || req.Overrides != nil {
		return nil, "", badRequest("draft", "draft 与 pack、overrides 只能给出其一", "give draft, pack or overrides, not several")
	}
	ps, err := s.packStore()
	if err != nil {
		return nil, "", err
	}
	id, edition, _ := strings.Cut(sel, "@")
	notFound := &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "未找到该草案 (no such draft)",
		Details: []registry.Problem{{Field: "draft", Problem: "未找到该草案 (no such draft)"}}}
	if !uuidRE.MatchString(req.Draft) {
		return nil, "", notFound
	}
	d, err := ps.GetDraft(c.Request.Context(), req.Draft)
	if errors.Is(err, registry.ErrNotFound) || err == nil && (d.Program != id || edition != "" && d.Edition != edition) {
		return nil, "", notFound
	}
	if err != nil {
		return nil, "", err
	}
	pack, err := rules.ParseDraft(d.Program+"-"+d.Edition+".draft.yaml", []byte(d.YAML))
	if err != nil {
		return nil, "", &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalid,
			Message: "草案无法解析 (the draft no longer parses)", Details: []registry.Problem{{Field: "draft", Problem: err.Error()}}}
	}
	prog, err := rules.Compile(pack)
	if err != nil {
		e := packProblems(err).(*Error)
		e.Status, e.Message = http.StatusUnprocessableEntity, "草案在当前引擎下无法编译 (the draft no longer compiles)"
		return nil, "", e
	}
	return prog, d.ID, nil
}

// firmFilter checks the filter of a simulation request.
func (f *simulationFilter) firmFilter() (registry.FirmFilter, error) {
	if f == nil {
		return registry.FirmFilter{}, nil
	}
	f.Chain = strings.TrimSpace(f.Chain)
	if f.RegionCode != "" && !regionParamRE.MatchString(f.RegionCode) {
		return registry.FirmFilter{}, badRequest("filter.region_code", "行政区划代码应为6位数字", "must be a 6-digit division code")
	}
	if utf8.RuneCountInString(f.Chain) > 50 {
		return registry.FirmFilter{}, badRequest("filter.chain", "产业链名称过长", "too long")
	}
	return registry.FirmFilter{RegionCode: f.RegionCode, Chain: f.Chain}, nil
}

// simulate scans the registry once, evaluating every selected firm under
// both programs. It is bounded by simulationTimeout and maxSimulatedFirms.
func (s *Server) simulate(ctx context.Context, old, draft *rules.Program, asOf time.Time, ff registry.FirmFilter) (rules.SimulationReport, error) {
	scanCtx, cancel := context.WithTimeout(ctx, simulationTimeout)
	defer cancel()
	sim := rules.NewSimulation(old, draft, asOf, maxFlipsListed)
	n := 0
	err := s.cfg.Firms.ScanFirms(scanCtx, ff, func(r *registry.Record) error {
		if n++; n > maxSimulatedFirms {
			return errTooManyFirms
		}
		sim.Add(&r.Firm)
		return nil
	})
	switch {
	case errors.Is(err, errTooManyFirms):
		limit := strconv.Itoa(maxSimulatedFirms)
		return rules.SimulationReport{}, badRequest("filter", "所选企业超过"+limit+"家，请按地区或产业链缩小范围",
			"more than "+limit+" firms; narrow the simulation with filter")
	case err != nil && ctx.Err() == nil && errors.Is(scanCtx.Err(), context.DeadlineExceeded):
		return rules.SimulationReport{}, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "模拟超时（" + simulationTimeout.String() + "），请按地区或产业链缩小范围 (the simulation timed out; narrow it with filter)"}
	case err != nil:
		return rules.SimulationReport{}, err
	}
	return sim.Report(), nil
}
