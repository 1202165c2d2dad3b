package api

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/screening"
)

// ScreeningStore reads screening jobs and their results. *store.Store
// implements it. Errors: registry.ErrNotFound, registry.ErrUnavailable.
type ScreeningStore interface {
	GetScreening(ctx context.Context, id string) (registry.Screening, error)
	ListScreenings(ctx context.Context, limit int) ([]registry.Screening, error)
	ScreeningResults(ctx context.Context, job string, fn func(*registry.ScreenedFirm) error) error
}

// screeningRequest is the body of POST /screenings; every field is
// optional.
type screeningRequest struct {
	Programs []string                 `json:"programs"`
	Filter   registry.ScreeningFilter `json:"filter"`
	AsOf     string                   `json:"as_of"`
}

// screeningView is a job as the API shows it.
type screeningView struct {
	registry.Screening
	// TotalExact is false while a job that plans as it scans is running:
	// Total is then the registry's size (or the firms seen so far).
	TotalExact bool `json:"total_exact"`
}

func viewOf(sc registry.Screening) screeningView {
	v := screeningView{Screening: sc, TotalExact: sc.Status == registry.ScreeningDone}
	if v.Total < v.Done {
		v.Total = v.Done
	}
	if v.Summary == nil {
		v.Summary = map[string]map[string]int{}
	}
	if v.Programs == nil {
		v.Programs = []string{}
	}
	return v
}

var errNoScreening = &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "未找到该筛查任务 (no such screening)"}

func (s *Server) screeningsEnabled(c *gin.Context) bool {
	if s.cfg.Screenings == nil || s.cfg.ScreeningStore == nil {
		writeError(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "筛查服务未启用 (screening is not configured)"})
		return false
	}
	return true
}

// validateFilter checks a screening filter's fields.
func validateFilter(prefix string, f *registry.ScreeningFilter) error {
	f.Chain = strings.TrimSpace(f.Chain)
	switch {
	case f.RegionCode != "" && !regionParamRE.MatchString(f.RegionCode):
		return badRequest(prefix+"region_code", "行政区划代码应为6位数字", "must be a 6-digit division code")
	case f.IndustryCode != "" && !industryParamRE.MatchString(f.IndustryCode):
		return badRequest(prefix+"industry_code", "行业代码应为 GB/T 4754 门类字母加数字，如 C35", "must be a GB/T 4754 code such as C35")
	case utf8.RuneCountInString(f.Chain) > 50:
		return badRequest(prefix+"chain", "产业链名称过长", "too long")
	}
	return nil
}

// handleScreeningCreate queues a screening job: 202 with the job.
func (s *Server) handleScreeningCreate(c *gin.Context) {
	if !s.screeningsEnabled(c) || !allowQuery(c) {
		return
	}
	var req screeningRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	asOf, err := s.asOfParam("as_of", req.AsOf)
	if err != nil {
		writeError(c, err)
		return
	}
	if err := validateFilter("filter.", &req.Filter); err != nil {
		writeError(c, err)
		return
	}
	if err := s.checkPrograms(s.cfg.Rules.Load(), "programs", req.Programs, asOf, false, s.cfg.Screenings.NativeKeys()); err != nil {
		writeError(c, err)
		return
	}
	sc, err := s.cfg.Screenings.Create(c.Request.Context(),
		screening.Request{Programs: req.Programs, Filter: req.Filter, AsOf: asOf, By: actor(c)}, s.cfg.Now())
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Location", "/api/v1/screenings/"+sc.ID)
	c.JSON(http.StatusAccepted, viewOf(sc))
}

// screeningIDParam checks the :id path parameter is a job id (a UUID).
func screeningIDParam(c *gin.Context) (string, error) {
	id := c.Param("id")
	if !uuidRE.MatchString(id) {
		return "", errNoScreening
	}
	return id, nil
}

// handleScreeningGet shows a job's state and progress.
func (s *Server) handleScreeningGet(c *gin.Context) {
	if !s.screeningsEnabled(c) || !allowQuery(c) {
		return
	}
	sc, err := s.screening(c)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewOf(sc))
}

func (s *Server) screening(c *gin.Context) (registry.Screening, error) {
	id, err := screeningIDParam(c)
	if err != nil {
		return registry.Screening{}, err
	}
	sc, err := s.cfg.ScreeningStore.GetScreening(c.Request.Context(), id)
	if errors.Is(err, registry.ErrNotFound) {
		return sc, errNoScreening
	}
	return sc, err
}

// handleScreeningList lists recent jobs, newest first.
func (s *Server) handleScreeningList(c *gin.Context) {
	if !s.screeningsEnabled(c) || !allowQuery(c, "limit") {
		return
	}
	limit, err := intQuery(c, "limit", 20, 1, registry.MaxLimit)
	if err != nil {
		writeError(c, err)
		return
	}
	list, err := s.cfg.ScreeningStore.ListScreenings(c.Request.Context(), limit)
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]screeningView, len(list))
	for i, sc := range list {
		items[i] = viewOf(sc)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// intQuery reads an optional integer query parameter within [lo, hi].
func intQuery(c *gin.Context, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest(name, fmt.Sprintf("应为%d到%d的整数", lo, hi), fmt.Sprintf("must be an integer from %d to %d", lo, hi))
	}
	return n, nil
}

// ScreeningItem is one firm's outcome for one program in a job's results.
type ScreeningItem struct {
	USCC       string   `json:"uscc"`
	Name       string   `json:"name"`
	RegionCode string   `json:"region_code,omitempty"`
	Program    string   `json:"program"`
	Edition    string   `json:"edition"`
	Status     string   `json:"status"`
	Score      *float64 `json:"score"`
	Failing    []string `json:"failing"`
	Distance   *float64 `json:"distance,omitempty"`
	NearMiss   bool     `json:"near_miss"`

	gaps []registry.ScreenGap
}

// resultFilter selects items of a job's results.
type resultFilter struct {
	program, status, region string
}

func (f resultFilter) match(it *ScreeningItem) bool {
	return (f.program == "" || it.Program == f.program) && (f.status == "" || it.Status == f.status) &&
		(f.region == "" || registry.RegionWithin(it.RegionCode, f.region))
}

var programStatuses = []string{string(rules.Eligible), string(rules.NeedsReview), string(rules.Ineligible), string(rules.InsufficientData)}

func parseResultFilter(c *gin.Context, sc registry.Screening) (resultFilter, error) {
	f := resultFilter{program: c.Query("program"), status: c.Query("status"), region: c.Query("region_code")}
	if f.program != "" {
		sel := f.program
		id, _, explicit := strings.Cut(sel, "@")
		f.program = id
		// The job's programs are "id@edition" keys: an edition, when
		// given, must be the one the job ran.
		if !slices.ContainsFunc(sc.Programs, func(k string) bool { return registry.ProgramID(k) == id && (!explicit || k == sel) }) {
			return f, badRequest("program", "该筛查任务不含此项目，可选："+strings.Join(sc.Programs, "、"),
				"the screening did not cover this program")
		}
	}
	if f.status != "" && !slices.Contains(programStatuses, f.status) {
		return f, badRequest("status", "状态应为 "+strings.Join(programStatuses, "、"), "unknown status")
	}
	if f.region != "" && !regionParamRE.MatchString(f.region) {
		return f, badRequest("region_code", "行政区划代码应为6位数字", "must be a 6-digit division code")
	}
	return f, nil
}

// resultsCache keeps the flattened results of a few finished jobs: they
// never change, and the embedded server would read every result document
// again for each page.
type resultsCache struct {
	mu    sync.Mutex
	order []string
	items map[string][]ScreeningItem
}

const cachedJobs = 3

func (rc *resultsCache) get(id string) ([]ScreeningItem, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	it, ok := rc.items[id]
	return it, ok
}

func (rc *resultsCache) put(id string, items []ScreeningItem) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.items == nil {
		rc.items = map[string][]ScreeningItem{}
	}
	if _, ok := rc.items[id]; ok {
		return
	}
	rc.items[id] = items
	rc.order = append(rc.order, id)
	if len(rc.order) > cachedJobs {
		delete(rc.items, rc.order[0])
		rc.order = rc.order[1:]
	}
}

// screeningItems returns a job's results flattened to one item per firm
// and program, sorted by USCC then the job's program order.
func (s *Server) screeningItems(ctx context.Context, sc registry.Screening) ([]ScreeningItem, error) {
	if it, ok := s.results.get(sc.ID); ok {
		return it, nil
	}
	if sc.ResultsPruned {
		return nil, &Error{Status: http.StatusNotFound, Code: CodeNotFound,
			Message: "该筛查任务的逐户结果已清理（仅保留最近的筛查），汇总仍可查看 (results of old screenings are pruned; the summary remains)"}
	}
	order := map[string]int{}
	for i, k := range sc.Programs {
		order[registry.ProgramID(k)] = i
	}
	var items []ScreeningItem
	err := s.cfg.ScreeningStore.ScreeningResults(ctx, sc.ID, func(f *registry.ScreenedFirm) error {
		for _, r := range f.Results {
			failing := r.Failing
			if failing == nil {
				failing = []string{}
			}
			items = append(items, ScreeningItem{USCC: f.USCC, Name: f.Name, RegionCode: f.RegionCode, Program: r.Program,
				Edition: r.Edition, Status: r.Status, Score: r.Score, Failing: failing, Distance: r.Distance,
				NearMiss: r.NearMiss, gaps: r.Gaps})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(items, func(a, b ScreeningItem) int {
		if c := strings.Compare(a.USCC, b.USCC); c != 0 {
			return c
		}
		return order[a.Program] - order[b.Program]
	})
	if sc.Status == registry.ScreeningDone {
		s.results.put(sc.ID, items)
	}
	return items, nil
}

// handleScreeningResults pages a job's results.
func (s *Server) handleScreeningResults(c *gin.Context) {
	if !s.screeningsEnabled(c) || !allowQuery(c, "program", "status", "region_code", "page", "limit") {
		return
	}
	sc, err := s.screening(c)
	if err != nil {
		writeError(c, err)
		return
	}
	f, err := parseResultFilter(c, sc)
	if err != nil {
		writeError(c, err)
		return
	}
	page, err := intQuery(c, "page", 1, 1, 100000)
	if err != nil {
		writeError(c, err)
		return
	}
	limit, err := intQuery(c, "limit", registry.DefaultLimit, 1, registry.MaxLimit)
	if err != nil {
		writeError(c, err)
		return
	}
	all, err := s.screeningItems(c.Request.Context(), sc)
	if err != nil {
		writeError(c, err)
		return
	}
	total, from := 0, (page-1)*limit
	items := []ScreeningItem{}
	for i := range all {
		if !f.match(&all[i]) {
			continue
		}
		if total >= from && len(items) < limit {
			items = append(items, all[i])
		}
		total++
	}
	c.JSON(http.StatusOK, gin.H{"screening": sc.ID, "status": sc.Status, "items": items, "total": total, "page": page, "limit": limit})
}

// Chinese labels of statuses for exports.
var statusZH = map[string]string{
	string(rules.Eligible): "符合", string(rules.NeedsReview): "待复核",
	string(rules.Ineligible): "不符合", string(rules.InsufficientData): "数据不足",
}

var exportHeader = []string{"统一社会信用代码", "企业名称", "行政区划代码", "评价项目", "版本", "结论", "结论代码", "得分", "未满足条件", "差距指数", "培育库（差一步）"}

func exportRow(it *ScreeningItem) []string {
	score, dist := "", ""
	if it.Score != nil {
		score = strconv.FormatFloat(*it.Score, 'f', -1, 64)
	}
	if it.Distance != nil {
		dist = strconv.FormatFloat(*it.Distance, 'f', 3, 64)
	}
	near := ""
	if it.NearMiss {
		near = "是"
	}
	return []string{it.USCC, it.Name, it.RegionCode, it.Program, it.Edition, statusZH[it.Status], it.Status, score,
		strings.Join(it.Failing, "、"), dist, near}
}

// handleScreeningExport writes every matching result as CSV or XLSX with
// Chinese headers.
func (s *Server) handleScreeningExport(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.screeningsEnabled(c) || !allowQuery(c, "program", "status", "region_code") {
			return
		}
		sc, err := s.screening(c)
		if err != nil {
			writeError(c, err)
			return
		}
		f, err := parseResultFilter(c, sc)
		if err != nil {
			writeError(c, err)
			return
		}
		all, err := s.screeningItems(c.Request.Context(), sc)
		if err != nil {
			writeError(c, err)
			return
		}
		name := "screening-" + sc.ID[:8]
		switch format {
		case "csv":
			c.Header("Content-Type", "text/csv; charset=utf-8")
			c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			c.Status(http.StatusOK)
			// A byte-order mark, so spreadsheet programs read the UTF-8.
			_, _ = c.Writer.WriteString("\ufeff")
			w := csv.NewWriter(c.Writer)
			_ = w.Write(exportHeader)
			for i := range all {
				if f.match(&all[i]) {
					_ = w.Write(exportRow(&all[i]))
				}
			}
			w.Flush()
		case "xlsx":
			x := excelize.NewFile()
			defer x.Close()
			const sheet = "筛查结果"
			_ = x.SetSheetName("Sheet1", sheet)
			sw, err := x.NewStreamWriter(sheet)
			if err != nil {
				writeError(c, err)
				return
			}
			row := 1
			write := func(vals []string) error {
				cells := make([]any, len(vals))
				for i, v := range vals {
					cells[i] = v
				}
				cell, _ := excelize.CoordinatesToCellName(1, row)
				row++
				return sw.SetRow(cell, cells)
			}
			if err := write(exportHeader); err != nil {
				writeError(c, err)
				return
			}
			for i := range all {
				if f.match(&all[i]) {
					if err := write(exportRow(&all[i])); err != nil {
						writeError(c, err)
						return
					}
				}
			}
			if err := sw.Flush(); err != nil {
				writeError(c, err)
				return
			}
			c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			c.Header("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
			c.Status(http.StatusOK)
			_ = x.Write(c.Writer)
		}
	}
}
