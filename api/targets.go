package api

import (
	"context"
	"math"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules/ledger"
)

// TargetStore keeps the plan targets and the ledger's snapshots.
// *store.Store implements it. Errors: registry.ErrInvalid,
// registry.ErrConflict (SaveSnapshot), registry.ErrUnavailable.
type TargetStore interface {
	ListTargets(ctx context.Context, f registry.TargetFilter) ([]registry.Target, error)
	SaveSnapshot(ctx context.Context, s registry.Snapshot) (*registry.Snapshot, error)
	ListSnapshots(ctx context.Context, f registry.SnapshotFilter) ([]registry.Snapshot, error)
}

// targetList is the body of GET /targets.
type targetList struct {
	// AsOf is today; each item says the date it was measured at.
	AsOf  string                    `json:"as_of"`
	Items []registry.TargetProgress `json:"items"`
}

// snapshotRequest is the body of POST /targets/snapshots.
type snapshotRequest struct {
	RegionCode string `json:"region_code"`
	Year       int    `json:"year"`
}

// snapshotList is the body of GET /targets/snapshots.
type snapshotList struct {
	Items []snapshotView `json:"items"`
}

// snapshotView is a stored snapshot with each item's change since the
// previous snapshot of the same region and year (PreviousID), when there is
// one.
type snapshotView struct {
	registry.Snapshot
	PreviousID string         `json:"previous_id,omitempty"`
	Items      []snapshotItem `json:"items"`
}

type snapshotItem struct {
	registry.TargetProgress
	Change *progressChange `json:"change,omitempty"`
}

// progressChange is how far a target moved between two snapshots; a field
// is null when either snapshot has no value for it.
type progressChange struct {
	Actual   *float64 `json:"actual"`
	Pipeline *int     `json:"pipeline"`
	NearMiss *int     `json:"near_miss"`
}

var errNoTargets = &Error{Status: http.StatusNotFound, Code: CodeNotFound,
	Message: "该地区该年度没有计划目标 (no targets for this region and year)"}

// targetStore returns the target store, or an error when none is
// configured.
func (s *Server) targetStore() (TargetStore, error) {
	if s.cfg.Targets == nil {
		return nil, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "目标台账未启用 (the targets ledger is not configured)"}
	}
	return s.cfg.Targets, nil
}

// checkRegionYear validates a region code and a year, either optional
// (empty, 0) unless required, into problems.
func checkRegionYear(region string, year int, yearText string, required bool) []registry.Problem {
	var problems []registry.Problem
	switch {
	case region == "" && required:
		problems = append(problems, registry.Problem{Field: "region_code", Problem: "行政区划代码必填 (required)"})
	case region != "" && !regionParamRE.MatchString(region):
		problems = append(problems, registry.Problem{Field: "region_code", Problem: "行政区划代码应为6位数字 (must be a 6-digit division code)"})
	}
	switch {
	case yearText == "" && year == 0 && required:
		problems = append(problems, registry.Problem{Field: "year", Problem: "年度必填 (required)"})
	case yearText != "" || year != 0:
		if year < registry.MinTargetYear || year > registry.MaxTargetYear {
			problems = append(problems, registry.Problem{Field: "year",
				Problem: "年度应为2000到2100之间的四位数字年份，如 2026 (must be a year from 2000 to 2100)"})
		}
	}
	return problems
}

// regionYearQuery reads the optional region_code and year query parameters.
func regionYearQuery(c *gin.Context) (region string, year int, err error) {
	region, yearText := c.Query("region_code"), c.Query("year")
	if yearText != "" {
		if year, err = strconv.Atoi(yearText); err != nil {
			year = -1
		}
	}
	if problems := checkRegionYear(region, year, yearText, false); len(problems) > 0 {
		return "", 0, &Error{Status: http.StatusBadRequest, Code: CodeInvalid,
			Message: "查询参数有误 (invalid query parameters)", Details: problems}
	}
	return region, year, nil
}

// measure computes the ledger of targets today, from the registry.
func (s *Server) measure(ctx context.Context, targets []registry.Target) ([]registry.TargetProgress, error) {
	return ledger.Compute(ctx, s.cfg.Rules.Load(), s.cfg.Firms, targets, s.cfg.Now())
}

// handleTargetList measures the plan targets of a region and year (both
// optional; a city code covers its counties' targets) against the registry.
func (s *Server) handleTargetList(c *gin.Context) {
	if !allowQuery(c, "region_code", "year") {
		return
	}
	st, err := s.targetStore()
	if err != nil {
		writeError(c, err)
		return
	}
	region, year, err := regionYearQuery(c)
	if err != nil {
		writeError(c, err)
		return
	}
	targets, err := st.ListTargets(c.Request.Context(), registry.TargetFilter{RegionCode: region, Year: year})
	if err != nil {
		writeError(c, err)
		return
	}
	items, err := s.measure(c.Request.Context(), targets)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, targetList{AsOf: s.today().Format(registry.DateLayout), Items: items})
}

// handleSnapshotCreate measures the targets of a region and year and stores
// the result as a dated snapshot: 201 with the snapshot, 404 when the region
// has no targets that year.
func (s *Server) handleSnapshotCreate(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	st, err := s.targetStore()
	if err != nil {
		writeError(c, err)
		return
	}
	var req snapshotRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if problems := checkRegionYear(req.RegionCode, req.Year, "", true); len(problems) > 0 {
		writeError(c, &Error{Status: http.StatusBadRequest, Code: CodeInvalid,
			Message: "数据校验未通过，请按字段说明修改 (validation failed)", Details: problems})
		return
	}
	ctx := c.Request.Context()
	targets, err := st.ListTargets(ctx, registry.TargetFilter{RegionCode: req.RegionCode, Year: req.Year})
	if err != nil {
		writeError(c, err)
		return
	}
	if len(targets) == 0 {
		writeError(c, errNoTargets)
		return
	}
	items, err := s.measure(ctx, targets)
	if err != nil {
		writeError(c, err)
		return
	}
	saved, err := st.SaveSnapshot(ctx, registry.Snapshot{RegionCode: req.RegionCode, Year: req.Year,
		AsOf: s.today().Format(registry.DateLayout), TakenAt: s.cfg.Now(), Items: items})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, saved)
}

// handleSnapshotList lists stored snapshots, newest first, each item with
// its change since the previous snapshot of the same region and year.
func (s *Server) handleSnapshotList(c *gin.Context) {
	if !allowQuery(c, "region_code", "year") {
		return
	}
	st, err := s.targetStore()
	if err != nil {
		writeError(c, err)
		return
	}
	region, year, err := regionYearQuery(c)
	if err != nil {
		writeError(c, err)
		return
	}
	snaps, err := st.ListSnapshots(c.Request.Context(), registry.SnapshotFilter{RegionCode: region, Year: year})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, snapshotList{Items: withChanges(snaps)})
}

// withChanges pairs each snapshot (newest first) with the next older one of
// the same region and year and sets each item's change since it.
func withChanges(snaps []registry.Snapshot) []snapshotView {
	// Stable on the store's newest-first order.
	sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].TakenAt.After(snaps[j].TakenAt) })
	out := make([]snapshotView, len(snaps))
	for i := range snaps {
		v := snapshotView{Snapshot: snaps[i], Items: make([]snapshotItem, len(snaps[i].Items))}
		var prev *registry.Snapshot
		for j := i + 1; j < len(snaps); j++ {
			if snaps[j].RegionCode == snaps[i].RegionCode && snaps[j].Year == snaps[i].Year {
				prev = &snaps[j]
				break
			}
		}
		before := map[string]*registry.TargetProgress{}
		if prev != nil {
			v.PreviousID = prev.ID
			for k := range prev.Items {
				before[prev.Items[k].ID] = &prev.Items[k]
			}
		}
		for k, it := range snaps[i].Items {
			v.Items[k] = snapshotItem{TargetProgress: it}
			if b := before[it.ID]; b != nil {
				v.Items[k].Change = &progressChange{Actual: deltaFloat(it.Actual, b.Actual),
					Pipeline: deltaInt(it.Pipeline, b.Pipeline), NearMiss: deltaInt(it.NearMiss, b.NearMiss)}
			}
		}
		out[i] = v
	}
	return out
}

// deltaFloat is now − before, rounded to 1e-6 (so 11.29 − 10.1 reads
// 1.19), nil when either is nil.
func deltaFloat(now, before *float64) *float64 {
	if now == nil || before == nil {
		return nil
	}
	d := math.Round((*now-*before)*1e6) / 1e6
	return &d
}

// deltaInt is now − before, nil when either is nil.
func deltaInt(now, before *int) *int {
	if now == nil || before == nil {
		return nil
	}
	d := *now - *before
	return &d
}
