package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules/whitelist"
)

// MaxLookup bounds one batch lookup.
const MaxLookup = 1000

// whitelistError maps the whitelist service's errors.
func whitelistError(err error) error {
	switch {
	case errors.Is(err, whitelist.ErrNotReady):
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "白名单服务正在加载，请稍后重试 (whitelist not loaded yet, retry later)"}
	case errors.Is(err, whitelist.ErrNoProgram):
		return &Error{Status: http.StatusConflict, Code: CodeConflict,
			Message: "未加载产融合作白名单规则包，无法发布 (the finance-whitelist program is not loaded)"}
	case errors.Is(err, whitelist.ErrTooLarge):
		return &Error{Status: http.StatusConflict, Code: CodeConflict,
			Message: "入选企业超过单一版本上限" + strconv.Itoa(whitelist.MaxEntries) + "家 (too many entries for one version)"}
	case errors.Is(err, whitelist.ErrNoVersion):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "白名单版本不存在 (no such whitelist version)"}
	case errors.Is(err, registry.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: CodeConflict,
			Message: "另一发布操作已占用该版本号，请刷新后重试 (another publication took this version number)"}
	}
	return err
}

func (s *Server) whitelistReady(c *gin.Context) bool {
	if s.cfg.Whitelist == nil {
		writeError(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "白名单服务未启用 (whitelist is not configured)"})
		return false
	}
	if c.Param("list") != "" && c.Param("list") != whitelist.List {
		writeError(c, &Error{Status: http.StatusNotFound, Code: CodeNotFound,
			Message: "白名单不存在，可选：" + whitelist.List + " (no such whitelist)"})
		return false
	}
	return true
}

// handleWhitelistPublish screens the registry and publishes the next
// version (staff).
func (s *Server) handleWhitelistPublish(c *gin.Context) {
	if !s.whitelistReady(c) || !allowQuery(c) {
		return
	}
	var req struct {
		AsOf string `json:"as_of"`
	}
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			writeError(c, err)
			return
		}
	}
	asOf, err := s.asOfParam("as_of", req.AsOf)
	if err != nil {
		writeError(c, err)
		return
	}
	v, err := s.cfg.Whitelist.Publish(c.Request.Context(), actor(c), asOf)
	if err != nil {
		writeError(c, whitelistError(err))
		return
	}
	c.Header("Location", "/api/v1/whitelists/"+whitelist.List+"/versions/"+strconv.Itoa(v.Version))
	c.JSON(http.StatusCreated, v)
}

// handleWhitelistVersions lists published versions, newest first.
func (s *Server) handleWhitelistVersions(c *gin.Context) {
	if !s.whitelistReady(c) || !allowQuery(c, "limit") {
		return
	}
	limit, err := intQuery(c, "limit", 20, 1, registry.MaxLimit)
	if err != nil {
		writeError(c, err)
		return
	}
	list, err := s.cfg.Whitelist.Versions(c.Request.Context(), limit)
	if err != nil {
		writeError(c, whitelistError(err))
		return
	}
	if list == nil {
		list = []registry.WhitelistVersion{}
	}
	c.JSON(http.StatusOK, gin.H{"list": whitelist.List, "items": list})
}

// handleWhitelistVersion downloads one version with its entries.
func (s *Server) handleWhitelistVersion(c *gin.Context) {
	if !s.whitelistReady(c) || !allowQuery(c) {
		return
	}
	n, err := strconv.Atoi(c.Param("v"))
	if err != nil || n < 1 {
		writeError(c, badRequest("version", "版本号应为正整数", "version must be a positive integer"))
		return
	}
	v, entries, err := s.cfg.Whitelist.Version(c.Request.Context(), n)
	if err != nil {
		writeError(c, whitelistError(err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"version": v, "entries": entries})
}

// handleWhitelistChanges answers what changed since version N.
func (s *Server) handleWhitelistChanges(c *gin.Context) {
	if !s.whitelistReady(c) || !allowQuery(c, "since") {
		return
	}
	since, err := intQuery(c, "since", 0, 0, 1<<30)
	if err != nil {
		writeError(c, err)
		return
	}
	ch, err := s.cfg.Whitelist.ChangesSince(c.Request.Context(), since)
	if err != nil {
		if errors.Is(err, whitelist.ErrNoVersion) {
			writeError(c, badRequest("since", "版本号超出已发布范围", "no such version"))
			return
		}
		writeError(c, whitelistError(err))
		return
	}
	c.JSON(http.StatusOK, ch)
}

// handleWhitelistGet answers one USCC with a signed receipt (bank).
func (s *Server) handleWhitelistGet(c *gin.Context) {
	if !s.whitelistReady(c) || !allowQuery(c) {
		return
	}
	code, err := usccParam(c)
	if err != nil {
		writeError(c, err)
		return
	}
	a, err := s.cfg.Whitelist.Lookup(code)
	if err != nil {
		writeError(c, whitelistError(err))
		return
	}
	s.auditBankLookup(c, []string{code})
	c.JSON(http.StatusOK, a)
}

// handleWhitelistLookup answers up to MaxLookup USCCs, each with its own
// receipt (bank).
func (s *Server) handleWhitelistLookup(c *gin.Context) {
	if !s.whitelistReady(c) || !allowQuery(c) {
		return
	}
	var req struct {
		USCCs []string `json:"usccs"`
	}
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	switch {
	case len(req.USCCs) == 0:
		writeError(c, badRequest("usccs", "请提供至少一个统一社会信用代码", "usccs must list at least one code"))
		return
	case len(req.USCCs) > MaxLookup:
		writeError(c, badRequest("usccs", "一次最多查询"+strconv.Itoa(MaxLookup)+"个", "at most "+strconv.Itoa(MaxLookup)+" codes"))
		return
	}
	var problems []registry.Problem
	codes := make([]string, len(req.USCCs))
	for i, u := range req.USCCs {
		code, err := registry.ParseUSCC(u)
		if err != nil {
			var ve *registry.ValidationError
			msg := "统一社会信用代码无效 (invalid USCC)"
			if errors.As(err, &ve) && len(ve.Problems) > 0 {
				msg = ve.Problems[0].Problem
			}
			problems = append(problems, registry.Problem{Field: "usccs[" + strconv.Itoa(i) + "]", Problem: msg})
			continue
		}
		codes[i] = code
	}
	if len(problems) > 0 {
		writeError(c, &Error{Status: http.StatusBadRequest, Code: CodeInvalid,
			Message: "统一社会信用代码有误 (invalid USCCs)", Details: problems})
		return
	}
	items := make([]whitelist.Answer, len(codes))
	for i, code := range codes {
		a, err := s.cfg.Whitelist.Lookup(code)
		if err != nil {
			writeError(c, whitelistError(err))
			return
		}
		items[i] = a
	}
	s.auditBankLookup(c, codes)
	version := 0
	if len(items) > 0 {
		version = items[0].Version
	}
	c.JSON(http.StatusOK, gin.H{"list": whitelist.List, "version": version, "items": items})
}

// handleReceiptKeys publishes the receipt verification keys (anonymous).
func (s *Server) handleReceiptKeys(c *gin.Context) {
	if !s.whitelistReady(c) || !allowQuery(c) {
		return
	}
	keys, err := s.cfg.Whitelist.PublicKeys()
	if err != nil {
		writeError(c, whitelistError(err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"alg": "Ed25519", "keys": keys})
}

// handleReceiptRotate makes a new signing key current (admin).
func (s *Server) handleReceiptRotate(c *gin.Context) {
	if !s.whitelistReady(c) || !allowQuery(c) {
		return
	}
	// The call takes no parameters: an empty body, or {}. Anything else
	// is refused rather than ignored, so that garbage does not rotate the
	// signing key.
	if c.Request.ContentLength != 0 {
		var none struct{}
		if err := decodeJSON(c, &none); err != nil {
			writeError(c, err)
			return
		}
	}
	k, err := s.cfg.Whitelist.Rotate(c.Request.Context())
	if err != nil {
		writeError(c, whitelistError(err))
		return
	}
	c.JSON(http.StatusCreated, k)
}

// auditBankLookup records who looked up which firms: one audit entry per
// USCC, written by the access middleware before the answer leaves
// (auditLookup in audit.go).
func (s *Server) auditBankLookup(c *gin.Context, usccs []string) {
	s.auditLookup(c, usccs, http.StatusOK)
}
