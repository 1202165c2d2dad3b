package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
)

// handleHealthz answers while the process is up, whatever its dependencies.
func (s *Server) handleHealthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.cfg.Version})
}

// handleReadyz runs every readiness check with a short deadline: 200 when
// all pass, 503 with the envelope naming the failing ones otherwise.
func (s *Server) handleReadyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := make(map[string]string, len(s.cfg.Ready))
	var failed []registry.Problem
	for _, ch := range s.cfg.Ready {
		if err := ch.Check(ctx); err != nil {
			checks[ch.Name] = "fail"
			// The cause goes to the log, not to the client.
			logger(c).Warn("readiness check failed", "check", ch.Name, "error", err)
			failed = append(failed, registry.Problem{Field: ch.Name, Problem: readyProblem(ch.Name)})
			continue
		}
		checks[ch.Name] = "ok"
	}
	if len(failed) > 0 {
		writeError(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "服务尚未就绪 (not ready)", Details: failed})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "version": s.cfg.Version, "checks": checks})
}

func readyProblem(name string) string {
	if name == "database" {
		return "数据库不可达 (database unreachable)"
	}
	return "检查未通过 (check failed)"
}
