package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// The web UI. Placeholder until the pages land.

func (s *Server) handleWebIndex(c *gin.Context) {
	c.String(http.StatusOK, "Peiyu 培育")
}

func (s *Server) handleWebAsset(c *gin.Context) {
	writeError(c, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "页面不存在 (no such page)"})
}
