package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

const (
	ctxRequestID = "peiyu.request_id"
	ctxLogger    = "peiyu.logger"
)

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// requestContext assigns a request ID, limits the body, sets the headers
// every answer carries, and logs the request when it is done.
func (s *Server) requestContext(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if id == "" || len(id) > 64 {
		id = uuid.NewString()
	}
	c.Set(ctxRequestID, id)
	c.Set(ctxLogger, s.cfg.Logger)
	c.Header("X-Request-ID", id)
	c.Header("X-Content-Type-Options", "nosniff")
	if c.Request.Body != nil {
		limit := int64(MaxBodyBytes)
		if c.FullPath() == importPath {
			limit = MaxImportBytes
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	start := time.Now()
	c.Next()
	s.cfg.Logger.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("duration", time.Since(start)))
}

// recoverPanics turns a panic into a logged 500 with the envelope.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.cfg.Logger.Error("panic", "request_id", c.GetString(ctxRequestID),
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			writeError(c, fmt.Errorf("panic: %v", v))
		}
	}()
	c.Next()
}

// apiHeaders marks API answers as uncacheable by shared caches.
func apiHeaders(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// actor names who makes a request, for the records of who queued,
// published or changed what: the name of the API key, which the access
// middleware stores under "actor", else "anonymous". (The X-Peiyu-Actor
// header of earlier versions is no longer believed.)
func actor(c *gin.Context) string {
	if a := c.GetString("actor"); a != "" {
		return a
	}
	return "anonymous"
}

// uuidRE matches the ids the service gives jobs, drafts and other records.
var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
