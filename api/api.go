// Package api is Peiyu's HTTP surface: gin handlers grouped by resource
// (one file each), the route table in routes.go, middleware, and the one
// error table and JSON envelope every non-2xx answer uses.
//
// The package declares the small interfaces it consumes (FirmService,
// Checker) and never imports the database driver; cmd/peiyu wires the real
// store in, and tests wire in a store on the embedded MongoDB-wire server.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/points"
	"github.com/peiyu/peiyu/rules/screening"
	"github.com/peiyu/peiyu/rules/whitelist"
)

// MaxBodyBytes bounds every request body but a spreadsheet import's.
const MaxBodyBytes = 1 << 20

// MaxImportBytes bounds the body of POST /api/v1/firms/import: a
// spreadsheet of tens of thousands of firms.
const MaxImportBytes = 20 << 20

// importPath is the route whose body may reach MaxImportBytes.
const importPath = "/api/v1/firms/import"

// FirmService is the registry as the API uses it. *store.Store implements
// it. Methods return registry error kinds (ErrInvalid, ErrNotFound,
// ErrConflict, ErrUnavailable).
type FirmService interface {
	CreateFirm(ctx context.Context, f registry.Firm) (*registry.Record, error)
	GetFirm(ctx context.Context, uscc string) (*registry.Record, error)
	ReplaceFirm(ctx context.Context, f registry.Firm, ifRevision int64) (*registry.Record, error)
	DeleteFirm(ctx context.Context, uscc string, ifRevision int64) error
	PutYear(ctx context.Context, uscc string, y registry.Year, ifRevision int64) (*registry.Record, bool, error)
	ListFirms(ctx context.Context, f registry.FirmFilter) ([]registry.Record, int64, error)
	// ScanFirms calls fn for every firm the filter selects (paging fields
	// ignored), through a cursor; it stops at fn's first error.
	ScanFirms(ctx context.Context, f registry.FirmFilter, fn func(*registry.Record) error) error
}

// Checker is one readiness check: nil when the dependency is usable.
type Checker struct {
	Name  string
	Check func(ctx context.Context) error
}

// Config wires a Server.
type Config struct {
	Firms FirmService
	// Evaluations stores firms' eligibility results and history.
	Evaluations EvaluationStore
	// Rules holds the compiled rule packs in use.
	Rules *rules.Holder
	// Whitelist publishes the finance whitelist and answers banks from it;
	// nil disables those endpoints (503).
	Whitelist *whitelist.Service
	// Screenings creates screening jobs (worked in the background by the
	// same runner); ScreeningStore reads them and their results. Both nil
	// disables the screening endpoints (503).
	Screenings     *screening.Runner
	ScreeningStore ScreeningStore
	// Packs stores rule-pack drafts and published revisions; nil disables
	// the draft and revision endpoints (503). Simulation works without it.
	Packs PackStore
	// Targets keeps the plan targets and the ledger's snapshots; nil
	// disables the targets endpoints (503).
	Targets TargetStore
	// Cohorts holds the innovation-points cohort distributions that
	// self-check and eligibility estimate against (points.go); nil means
	// none is stored, so those results are insufficient_data.
	Cohorts CohortStore
	// RegionName names a division code in explanations ("431202" →
	// "鹤城区"; "" when unknown); nil shows codes.
	RegionName func(code string) string
	// Ready lists the checks /readyz runs (database reachable, rule packs
	// loaded, …).
	Ready []Checker
	// Keys holds the API keys every /api/v1 route but the public ones
	// needs (access.go); nil refuses every key, so only the public routes
	// answer. Audit receives the audit log (audit.go); nil refuses the
	// audited routes.
	Keys  KeyStore
	Audit AuditStore
	// SelfCheckLimit limits anonymous self-checks per client address; the
	// zero value is DefaultSelfCheckLimit.
	SelfCheckLimit RateLimit
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For names the client for rate limiting; none by
	// default, so the connection's address counts. A malformed entry is
	// logged and none is trusted.
	TrustedProxies []string
	Logger         *slog.Logger
	Version        string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is the HTTP API. Build it with New; serve Handler.
type Server struct {
	cfg     Config
	engine  *gin.Engine
	results resultsCache
	keys    keyCache
	limiter *limiter
	// nativePrograms are built once: see points.go.
	nativePrograms []*points.Program
	audits         auditGroup
	behind         *auditBehind
	cohorts        cohortCache
}

// New builds the API.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, engine: gin.New(), limiter: newLimiter(cfg.SelfCheckLimit),
		nativePrograms: []*points.Program{points.New(points.Default(), cfg.RegionName)}}
	s.behind = &auditBehind{max: maxAuditBehind, st: cfg.Audit, wake: make(chan struct{}, 1), done: make(chan struct{}),
		log: func(err error, n int) {
			cfg.Logger.Error("audit: write bank-query entries (retrying)", "entries", n, "error", err)
		}}
	if err := s.engine.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		// Fail safe: trust no proxy. cmd/peiyu checks the setting first.
		cfg.Logger.Error("trusted proxies ignored", "error", err)
		_ = s.engine.SetTrustedProxies(nil)
	}
	s.routes()
	return s
}

// Handler returns the http.Handler serving the whole surface.
func (s *Server) Handler() http.Handler { return s.engine }

// Close writes the audit entries still queued behind bank queries' answers
// (see auditBehind) and stops taking more: call it after the HTTP server
// has shut down and before the database is closed. Errors: a write that
// failed (logged), ctx's.
func (s *Server) Close(ctx context.Context) error {
	return s.behind.close(ctx)
}
