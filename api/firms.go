package api

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
)

// firmList is the body of GET /firms.
type firmList struct {
	Items []registry.Firm `json:"items"`
	Total int64           `json:"total"`
	Page  int             `json:"page"`
	Limit int             `json:"limit"`
}

// etag renders a revision as a strong entity tag.
func etag(rev int64) string { return `"` + strconv.FormatInt(rev, 10) + `"` }

// ifMatch reads the If-Match precondition: 0 when absent or "*", the
// revision otherwise. A malformed header is a 400.
func ifMatch(c *gin.Context) (int64, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	h = strings.TrimPrefix(h, "W/")
	if rev, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64); err == nil && rev > 0 && strings.HasPrefix(h, `"`) {
		return rev, nil
	}
	return 0, badRequest("If-Match", "If-Match 应为 GET 返回的 ETag，如 \"3\"", "must be an ETag returned by GET, such as \"3\"")
}

// usccParam validates the :uscc path segment.
func usccParam(c *gin.Context) (string, error) {
	return registry.ParseUSCC(c.Param("uscc"))
}

// firmTarget reads what every write to one firm needs: the USCC of the path
// and the If-Match revision; the writes take no query parameters. On a bad
// value it has already answered the request, and ok is false.
func firmTarget(c *gin.Context) (code string, rev int64, ok bool) {
	if !allowQuery(c) {
		return "", 0, false
	}
	code, err := usccParam(c)
	if err == nil {
		rev, err = ifMatch(c)
	}
	if err != nil {
		writeError(c, err)
		return "", 0, false
	}
	return code, rev, true
}

func writeFirm(c *gin.Context, status int, rec *registry.Record) {
	c.Header("ETag", etag(rec.Revision))
	c.Header("Last-Modified", rec.UpdatedAt.UTC().Format(http.TimeFormat))
	c.JSON(status, rec.Firm)
}

// handleFirmCreate registers a firm: 201 with Location and ETag, 409 when
// the USCC is taken.
func (s *Server) handleFirmCreate(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	var f registry.Firm
	if err := decodeJSON(c, &f); err != nil {
		writeError(c, err)
		return
	}
	rec, err := s.cfg.Firms.CreateFirm(c.Request.Context(), f)
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Location", "/api/v1/firms/"+rec.Firm.USCC)
	writeFirm(c, http.StatusCreated, rec)
}

// handleFirmGet returns a firm with its ETag; If-None-Match with the
// current ETag gets 304.
func (s *Server) handleFirmGet(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	code, err := usccParam(c)
	if err != nil {
		writeError(c, err)
		return
	}
	rec, err := s.cfg.Firms.GetFirm(c.Request.Context(), code)
	if err != nil {
		writeError(c, err)
		return
	}
	if inm := c.GetHeader("If-None-Match"); inm != "" && strings.TrimPrefix(inm, "W/") == etag(rec.Revision) {
		c.Header("ETag", etag(rec.Revision))
		c.Status(http.StatusNotModified)
		return
	}
	writeFirm(c, http.StatusOK, rec)
}

// handleFirmReplace replaces a firm's whole profile. With If-Match, a stale
// ETag is a 409 and nothing is written.
func (s *Server) handleFirmReplace(c *gin.Context) {
	code, rev, ok := firmTarget(c)
	if !ok {
		return
	}
	var f registry.Firm
	if err := decodeJSON(c, &f); err != nil {
		writeError(c, err)
		return
	}
	switch body := registry.NormalizeUSCC(f.USCC); {
	case body == "":
		f.USCC = code
	case body != code:
		writeError(c, badRequest("uscc", "请求体中的统一社会信用代码与地址中的不一致", "uscc in the body differs from the one in the path"))
		return
	}
	rec, err := s.cfg.Firms.ReplaceFirm(c.Request.Context(), f, rev)
	if err != nil {
		writeError(c, err)
		return
	}
	writeFirm(c, http.StatusOK, rec)
}

// handleFirmDelete removes a firm: 204, or 404, or 409 on a stale If-Match.
func (s *Server) handleFirmDelete(c *gin.Context) {
	code, rev, ok := firmTarget(c)
	if !ok {
		return
	}
	if err := s.cfg.Firms.DeleteFirm(c.Request.Context(), code, rev); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleYearPut inserts (201) or replaces (200) one fiscal year and returns
// the whole firm with its new ETag.
func (s *Server) handleYearPut(c *gin.Context) {
	code, rev, ok := firmTarget(c)
	if !ok {
		return
	}
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 1900 || year > 2100 {
		writeError(c, badRequest("year", "年度应为四位数字年份，如 2025", "must be a four-digit year such as 2025"))
		return
	}
	var y registry.Year
	if err := decodeJSON(c, &y); err != nil {
		writeError(c, err)
		return
	}
	switch {
	case y.Year == 0:
		y.Year = year
	case y.Year != year:
		writeError(c, badRequest("year", "请求体中的年度与地址中的不一致", "year in the body differs from the one in the path"))
		return
	}
	rec, created, err := s.cfg.Firms.PutYear(c.Request.Context(), code, y, rev)
	if err != nil {
		writeError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeFirm(c, status, rec)
}

var (
	regionParamRE   = regexp.MustCompile(`^[0-9]{6}$`)
	industryParamRE = regexp.MustCompile(`^[A-T][0-9]{0,4}$`)
	honorParamRE    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// listParams are the query parameters GET /firms accepts; anything else is
// refused, so a typo or an injected "region_code[$ne]" is not silently
// ignored.
var listParams = map[string]bool{
	"region_code": true, "chain": true, "industry_code": true, "q": true,
	"honor": true, "page": true, "limit": true,
}

// handleFirmList lists firms with filters and paging.
func (s *Server) handleFirmList(c *gin.Context) {
	ff, page, err := parseFirmFilter(c)
	if err != nil {
		writeError(c, err)
		return
	}
	ff.HonorAt = s.cfg.Now()
	recs, total, err := s.cfg.Firms.ListFirms(c.Request.Context(), ff)
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]registry.Firm, len(recs))
	for i := range recs {
		items[i] = recs[i].Firm
	}
	c.JSON(http.StatusOK, firmList{Items: items, Total: total, Page: page, Limit: ff.Limit})
}

func parseFirmFilter(c *gin.Context) (registry.FirmFilter, int, error) {
	q := c.Request.URL.Query()
	var problems []registry.Problem
	bad := func(field, zh, en string) {
		problems = append(problems, registry.Problem{Field: field, Problem: zh + " (" + en + ")"})
	}
	for k, vs := range q {
		switch {
		case !listParams[k]:
			bad(k, "不支持的查询参数", "unknown query parameter")
		case len(vs) > 1:
			bad(k, "查询参数只能出现一次", "parameter given more than once")
		case !utf8.ValidString(vs[0]):
			bad(k, "包含无效的 UTF-8 字符", "invalid UTF-8")
		}
	}
	ff := registry.FirmFilter{
		RegionCode:   q.Get("region_code"),
		Chain:        strings.TrimSpace(q.Get("chain")),
		IndustryCode: q.Get("industry_code"),
		Query:        strings.TrimSpace(q.Get("q")),
		Honor:        q.Get("honor"),
		Limit:        registry.DefaultLimit,
	}
	if ff.RegionCode != "" && !regionParamRE.MatchString(ff.RegionCode) {
		bad("region_code", "行政区划代码应为6位数字", "must be a 6-digit division code")
	}
	if ff.IndustryCode != "" && !industryParamRE.MatchString(ff.IndustryCode) {
		bad("industry_code", "行业代码应为 GB/T 4754 门类字母加数字，如 C35", "must be a GB/T 4754 code such as C35")
	}
	if utf8.RuneCountInString(ff.Chain) > 50 {
		bad("chain", "产业链名称过长", "too long")
	}
	switch {
	case utf8.RuneCountInString(ff.Query) > 100:
		bad("q", "搜索词不能超过100个字符", "at most 100 characters")
	case strings.ContainsFunc(ff.Query, unicode.IsControl):
		// The search is a regular expression, which BSON cannot carry
		// with a NUL byte: the driver refused it, a 500.
		bad("q", "搜索词不能包含控制字符", "must not contain control characters")
	}
	if ff.Honor != "" && !honorParamRE.MatchString(ff.Honor) {
		bad("honor", "资质类型应为小写英文标识，如 hnte", "must be an honor kind such as hnte")
	}
	page := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			bad("page", "页码应为1到100000的整数", "must be an integer from 1 to 100000")
		} else {
			page = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad("limit", "每页条数应为正整数（最大200）", "must be a positive integer (capped at 200)")
		} else {
			ff.Limit = min(n, registry.MaxLimit)
		}
	}
	if len(problems) > 0 {
		sort.Slice(problems, func(i, j int) bool { return problems[i].Field < problems[j].Field })
		return ff, 0, &Error{Status: http.StatusBadRequest, Code: CodeInvalid,
			Message: "查询参数有误 (invalid query parameters)", Details: problems}
	}
	ff.Offset = (page - 1) * ff.Limit
	return ff, page, nil
}
