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

	v1 := e.Group("/api/v1", apiHeaders)
	if s.cfg.Authenticate != nil {
		v1.Use(s.cfg.Authenticate)
	}

	v1.GET("/firms", s.handleFirmList)
	v1.POST("/firms", s.handleFirmCreate)
	v1.GET("/firms/:uscc", s.handleFirmGet)
	v1.PUT("/firms/:uscc", s.handleFirmReplace)
	v1.DELETE("/firms/:uscc", s.handleFirmDelete)
	v1.PUT("/firms/:uscc/years/:year", s.handleYearPut)
	v1.GET("/firms/:uscc/eligibility", s.handleEligibility)
	v1.GET("/firms/:uscc/eligibility/history", s.handleEligibilityHistory)

	v1.POST("/self-check", s.handleSelfCheck)
	v1.GET("/programs", s.handleProgramList)
	v1.GET("/programs/:id", s.handleProgramGet)
	v1.GET("/metrics", s.handleMetrics)
}
