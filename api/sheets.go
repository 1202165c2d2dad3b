package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Spreadsheet import and export. Placeholder until the handlers land.

func notYet(c *gin.Context) {
	writeError(c, &Error{Status: http.StatusNotImplemented, Code: "not_implemented", Message: "尚未实现 (not implemented)"})
}

func (s *Server) handleImportTemplate(c *gin.Context) { notYet(c) }

func (s *Server) handleFirmImport(c *gin.Context) { notYet(c) }

func (s *Server) handleFirmExport(format string) gin.HandlerFunc { return notYet }
