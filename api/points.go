package api

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/points"
)

// Innovation points (创新积分, package rules/points) are a native program:
// not a rule pack, since a firm is ranked within its cohort. Screening jobs
// compute them in two passes; self-check and firm eligibility estimate them
// against the latest cohort distribution stored, and say so.

// CohortStore reads the stored innovation-points cohort distributions.
// *store.Store implements it. Errors: registry.ErrNotFound (none stored),
// registry.ErrUnavailable.
type CohortStore interface {
	LatestCohort(ctx context.Context, program, region, stage string) (registry.CohortDistribution, error)
}

// natives are the programs the API evaluates outside the rule engine, in
// the order their results follow the packs'.
func (s *Server) natives() []*points.Program { return s.nativePrograms }

func (s *Server) nativeKeys() []string {
	var out []string
	for _, n := range s.natives() {
		out = append(out, n.Key())
	}
	return out
}

func (s *Server) nativeIDs() []string {
	var out []string
	for _, n := range s.natives() {
		out = append(out, n.ID())
	}
	return out
}

// native returns the native program an "id" or "id@edition" selector
// names, nil for a pack's (or a native id with an unknown edition).
func (s *Server) native(sel string) *points.Program {
	sel = strings.TrimSpace(sel)
	for _, n := range s.natives() {
		if sel == n.ID() || sel == n.Key() {
			return n
		}
	}
	return nil
}

// withoutNatives drops the selectors of the native programs with the given
// keys.
func withoutNatives(sel, natives []string) []string {
	if len(natives) == 0 {
		return sel
	}
	var out []string
	for _, x := range sel {
		x := strings.TrimSpace(x)
		if !slices.ContainsFunc(natives, func(k string) bool { return x == k || x == registry.ProgramID(k) }) {
			out = append(out, x)
		}
	}
	return out
}

// selectPrograms checks the selectors as resolvePrograms does, natives
// included, and splits them: the packs' selectors for the engine and the
// native programs chosen. No selectors means every pack and every native.
func (s *Server) selectPrograms(eng *rules.Engine, field string, sel []string, asOf time.Time, review bool) (packs []string, natives []*points.Program, err error) {
	if err := s.checkPrograms(eng, field, sel, asOf, review, s.nativeKeys()); err != nil {
		return nil, nil, err
	}
	if len(sel) == 0 {
		return eng.IDs(), s.natives(), nil
	}
	for _, x := range sel {
		n := s.native(x)
		switch {
		case n == nil:
			packs = append(packs, x)
		case !slices.ContainsFunc(natives, func(p *points.Program) bool { return p.Key() == n.Key() }):
			natives = append(natives, n)
		}
	}
	return packs, natives, nil
}

// evaluate runs the engine on the packs' selectors, if any, and then the
// natives, each an
// estimate against the latest stored cohort distribution. stamps holds,
// per native program id, what its result was computed under (the model and
// the distribution), for the stored history.
// Errors: *rules.UnknownProgramError, the cohort store's.
func (s *Server) evaluate(ctx context.Context, eng *rules.Engine, req rules.Request, natives []*points.Program) (results []rules.Result, stamps map[string]string, err error) {
	if len(req.Programs) > 0 {
		if results, err = eng.Evaluate(req); err != nil {
			return nil, nil, err
		}
	}
	stamps = map[string]string{}
	for _, n := range natives {
		r, used, err := n.Evaluate(ctx, req.Firm, req.AsOf, points.Latest(s.cachedCohorts(), n.Key()), points.Options{Estimate: true})
		if err != nil {
			return nil, nil, err
		}
		results = append(results, r)
		stamps[r.Program] = n.Stamp(used)
	}
	return results, stamps, nil
}

// Cohort distributions are read on every self-check that includes
// innovation points (up to three: county, city, province), and they are
// large documents; read from the database each time, they bound the
// self-check by the database. cohortCache keeps each one read for
// cohortTTL (a distribution not stored yet for noCohortTTL), so a new
// screening's distributions reach self-checks within seconds. Outages are
// not cached.
const (
	cohortTTL   = 10 * time.Second
	noCohortTTL = 2 * time.Second
)

type cohortCache struct {
	mu    sync.Mutex
	m     map[string]cohortEntry
	group singleflight.Group
}

type cohortEntry struct {
	d   registry.CohortDistribution
	err error // nil or registry.ErrNotFound
	at  time.Time
}

// cachedCohorts is the Server's CohortStore behind its cache; nil when
// none is configured.
func (s *Server) cachedCohorts() points.LatestStore {
	if s.cfg.Cohorts == nil {
		return nil
	}
	return cachedCohorts{s}
}

type cachedCohorts struct{ s *Server }

func (c cachedCohorts) LatestCohort(ctx context.Context, program, region, stage string) (registry.CohortDistribution, error) {
	cc := &c.s.cohorts
	k := program + "/" + region + "/" + stage
	now := time.Now() // the real clock, whatever the server's Now says
	cc.mu.Lock()
	e, ok := cc.m[k]
	cc.mu.Unlock()
	if ok && (now.Sub(e.at) < cohortTTL && e.err == nil || now.Sub(e.at) < noCohortTTL) {
		return e.d, e.err
	}
	v, err, _ := cc.group.Do(k, func() (any, error) {
		d, err := c.s.cfg.Cohorts.LatestCohort(ctx, program, region, stage)
		if err != nil && !errors.Is(err, registry.ErrNotFound) {
			return nil, err
		}
		e := cohortEntry{d: d, err: err, at: now}
		cc.mu.Lock()
		if cc.m == nil {
			cc.m = map[string]cohortEntry{}
		}
		cc.m[k] = e
		cc.mu.Unlock()
		return e, nil
	})
	if err != nil {
		return registry.CohortDistribution{}, err
	}
	e = v.(cohortEntry)
	return e.d, e.err
}
