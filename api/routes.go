package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes is the whole HTTP surface in one place.
func (s *Server) routes() {
	e := s.engine
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.Use(s.requestContext, s.recoverPanics)

	e.NoRoute(func(c *gin.Context) {
		writeError(c, &Error{Status: http.StatusNotFound, Code: CodeNotFound,
			Message: "接口不存在 (no such endpoint): " + c.Request.Method + " " + c.Request.URL.Path})
	})
	e.NoMethod(func(c *gin.Context) {
		writeError(c, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed,
			Message: "该接口不支持此方法 (method not allowed): " + c.Request.Method})
	})

	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)

	// The web UI (web.go): pages and their embedded assets, outside
	// /api/v1; the pages call the API with the user's key.
	e.GET("/", s.handleWebIndex)
	e.GET("/web/*path", s.handleWebAsset)

	// Every /api/v1 route passes the access middleware: API keys, roles,
	// scopes, the rate limit and the audit log, by the table in access.go.
	v1 := e.Group("/api/v1", apiHeaders, s.access)

	v1.GET("/firms", s.handleFirmList)
	v1.POST("/firms", s.handleFirmCreate)
	// Spreadsheets (sheets.go): the import template, import, export.
	v1.GET("/firms/import-template.xlsx", s.handleImportTemplate)
	v1.POST("/firms/import", s.handleFirmImport)
	v1.GET("/firms/export.xlsx", s.handleFirmExport("xlsx"))
	v1.GET("/firms/export.csv", s.handleFirmExport("csv"))
	v1.GET("/firms/:uscc", s.handleFirmGet)
	v1.PUT("/firms/:uscc", s.handleFirmReplace)
	v1.DELETE("/firms/:uscc", s.handleFirmDelete)
	v1.PUT("/firms/:uscc/years/:year", s.handleYearPut)
	v1.GET("/firms/:uscc/eligibility", s.handleEligibility)
	v1.GET("/firms/:uscc/eligibility/history", s.handleEligibilityHistory)
	v1.GET("/firms/:uscc/lookups", s.handleFirmLookups)

	v1.POST("/self-check", s.handleSelfCheck)
	v1.GET("/programs", s.handleProgramList)
	v1.GET("/programs/:id", s.handleProgramGet)
	// Policy simulation, drafts and publishing (issue 4).
	v1.POST("/programs/:id/simulate", s.handleSimulate)
	v1.GET("/programs/:id/drafts", s.handleDraftList)
	v1.POST("/programs/:id/drafts", s.handleDraftCreate)
	v1.GET("/programs/:id/drafts/:draft", s.handleDraftGet)
	v1.POST("/programs/:id/drafts/:draft/publish", s.handleDraftPublish)
	v1.GET("/programs/:id/revisions", s.handleRevisionList)
	v1.GET("/programs/:id/revisions/:rev", s.handleRevisionGet)
	v1.GET("/metrics", s.handleMetrics)

	// Screening the registry (issue 4).
	v1.POST("/screenings", s.handleScreeningCreate)
	v1.GET("/screenings", s.handleScreeningList)
	v1.GET("/screenings/:id", s.handleScreeningGet)
	v1.GET("/screenings/:id/results", s.handleScreeningResults)
	v1.GET("/screenings/:id/results.csv", s.handleScreeningExport("csv"))
	v1.GET("/screenings/:id/results.xlsx", s.handleScreeningExport("xlsx"))
	v1.GET("/near-misses", s.handleNearMisses)

	// The finance whitelist and the bank API (issue 5).
	v1.POST("/whitelists/:list/publish", s.handleWhitelistPublish)
	v1.GET("/whitelists/:list/versions", s.handleWhitelistVersions)
	v1.GET("/whitelists/:list/versions/:v", s.handleWhitelistVersion)
	v1.GET("/whitelists/:list/changes", s.handleWhitelistChanges)
	v1.GET("/whitelist/:uscc", s.handleWhitelistGet)
	v1.POST("/whitelist/lookup", s.handleWhitelistLookup)
	v1.GET("/receipts/public-key", s.handleReceiptKeys)
	v1.POST("/receipts/rotate", s.handleReceiptRotate)

	// The targets ledger (台账) and its monthly snapshots (issue 4).
	v1.GET("/targets", s.handleTargetList)
	v1.POST("/targets/snapshots", s.handleSnapshotCreate)
	v1.GET("/targets/snapshots", s.handleSnapshotList)

	// API keys and the audit log (issue 5).
	v1.GET("/me", s.handleMe)
	v1.POST("/keys", s.handleKeyCreate)
	v1.GET("/keys", s.handleKeyList)
	v1.DELETE("/keys/:id", s.handleKeyRevoke)
	v1.GET("/audit", s.handleAuditList)
}
