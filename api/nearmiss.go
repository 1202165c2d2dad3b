package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/screening"
)

// nearMissSource says where the list comes from: the latest finished
// screening that covers the request, or a live evaluation of the registry
// when there is none.
type nearMissSource struct {
	Screening  *string    `json:"screening"`
	AsOf       string     `json:"as_of"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Live       bool       `json:"live"`
}

// nearMissItem is one firm that is ineligible for a program but close:
// what fails, by how much, and what to do.
type nearMissItem struct {
	USCC       string                  `json:"uscc"`
	Name       string                  `json:"name"`
	RegionCode string                  `json:"region_code,omitempty"`
	Program    string                  `json:"program"`
	Edition    string                  `json:"edition"`
	Distance   float64                 `json:"distance"`
	Failing    []rules.CriterionResult `json:"failing"`
	NextSteps  []string                `json:"next_steps"`
}

// handleNearMisses lists the cultivation pool (培育库): ineligible firms
// ordered by how little must change, each with its failing criteria, the
// numeric gaps and the next steps.
func (s *Server) handleNearMisses(c *gin.Context) {
	if !allowQuery(c, "program", "region_code", "limit") {
		return
	}
	eng := s.cfg.Rules.Load()
	program := c.Query("program")
	if program != "" {
		// The pool is kept by program; an edition, when given, must be
		// one the engine has.
		sel := program
		id, _, explicit := strings.Cut(program, "@")
		_, known := eng.Program(sel)
		if len(eng.Editions(id)) == 0 || explicit && !known {
			writeError(c, s.unknownProgram(eng, "program", []string{sel}, 0, false))
			return
		}
		program = id
	}
	region := c.Query("region_code")
	if region != "" && !regionParamRE.MatchString(region) {
		writeError(c, badRequest("region_code", "行政区划代码应为6位数字", "must be a 6-digit division code"))
		return
	}
	limit, err := intQuery(c, "limit", registry.DefaultLimit, 1, registry.MaxLimit)
	if err != nil {
		writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	src, items, err := s.nearMissCandidates(ctx, program, region)
	if err != nil {
		writeError(c, err)
		return
	}
	asOf, _ := time.Parse(time.DateOnly, src.AsOf)
	out := []nearMissItem{}
	for i := 0; i < len(items) && len(out) < limit; i++ {
		it := items[i]
		rec, err := s.cfg.Firms.GetFirm(ctx, it.USCC)
		if errors.Is(err, registry.ErrNotFound) {
			continue // deleted since the screening
		}
		if err != nil {
			writeError(c, err)
			return
		}
		p, ok := eng.Program(it.Program + "@" + it.Edition)
		if !ok {
			continue
		}
		r := p.Evaluate(rules.NewEnv(&rec.Firm, asOf), rules.Options{Explain: true})
		if r.Status != rules.Ineligible {
			continue // the firm has changed since the screening
		}
		failing := []rules.CriterionResult{}
		for _, cr := range r.Criteria {
			if slices.Contains(r.Blocking, cr.ID) {
				failing = append(failing, cr)
			}
		}
		out = append(out, nearMissItem{USCC: it.USCC, Name: rec.Firm.Name, RegionCode: rec.Firm.RegionCode,
			Program: r.Program, Edition: r.Edition, Distance: *r.Distance, Failing: failing, NextSteps: r.NextSteps})
	}
	c.JSON(http.StatusOK, gin.H{"source": src, "total": len(items), "near_miss_distance": rules.NearMissDistance, "items": out})
}

// nearMissCandidates returns the near-misses of the latest finished
// screening covering program and region, closest first; without one it
// evaluates the registry now.
func (s *Server) nearMissCandidates(ctx context.Context, program, region string) (nearMissSource, []ScreeningItem, error) {
	var items []ScreeningItem
	keep := func(it *ScreeningItem) bool {
		return it.NearMiss && (program == "" || it.Program == program) &&
			(region == "" || registry.RegionWithin(it.RegionCode, region))
	}
	sortItems := func() {
		slices.SortStableFunc(items, func(a, b ScreeningItem) int {
			return cmp.Or(cmp.Compare(*a.Distance, *b.Distance), cmp.Compare(len(a.gaps), len(b.gaps)),
				strings.Compare(a.USCC, b.USCC), strings.Compare(a.Program, b.Program))
		})
	}
	if s.cfg.ScreeningStore != nil {
		jobs, err := s.cfg.ScreeningStore.ListScreenings(ctx, 50)
		if err != nil {
			return nearMissSource{}, nil, err
		}
		for _, sc := range jobs {
			covers := sc.Status == registry.ScreeningDone && !sc.ResultsPruned && sc.Filter.Chain == "" && sc.Filter.IndustryCode == "" &&
				sc.Filter.Covers(cmp.Or(region, sc.Filter.RegionCode)) &&
				(program == "" || slices.ContainsFunc(sc.Programs, func(k string) bool { return registry.ProgramID(k) == program }))
			if !covers {
				continue
			}
			all, err := s.screeningItems(ctx, sc)
			if err != nil {
				return nearMissSource{}, nil, err
			}
			for i := range all {
				if keep(&all[i]) {
					items = append(items, all[i])
				}
			}
			sortItems()
			id := sc.ID
			return nearMissSource{Screening: &id, AsOf: sc.AsOf, FinishedAt: sc.FinishedAt}, items, nil
		}
	}
	// No screening covers the request: evaluate the registry now.
	now := s.cfg.Now()
	asOf := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	eng := s.cfg.Rules.Load()
	var progs []*rules.Program
	for _, id := range eng.IDs() {
		if program != "" && id != program {
			continue
		}
		if p := eng.InForce(id, asOf); p != nil {
			progs = append(progs, p)
		}
	}
	err := s.cfg.Firms.ScanFirms(ctx, registry.FirmFilter{RegionCode: region}, func(rec *registry.Record) error {
		sf := screening.Evaluate(progs, &rec.Firm, asOf)
		for _, r := range sf.Results {
			it := ScreeningItem{USCC: sf.USCC, Name: sf.Name, RegionCode: sf.RegionCode, Program: r.Program,
				Edition: r.Edition, Status: r.Status, Distance: r.Distance, NearMiss: r.NearMiss, gaps: r.Gaps}
			if keep(&it) {
				items = append(items, it)
			}
		}
		return nil
	})
	if err != nil {
		return nearMissSource{}, nil, err
	}
	sortItems()
	return nearMissSource{AsOf: asOf.Format(time.DateOnly), Live: true}, items, nil
}
