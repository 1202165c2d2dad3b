package api

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/peiyu/peiyu/registry"
)

// The audit log: every keyed call of a route with an action in the access
// table — every write, every publication, every bank query — appends an
// entry (who, what, which firm, the outcome) to the audit store. Entries
// are never updated or deleted through the API. Request bodies and keys
// are never written to it.
//
// The entry is written after the handler and before the answer leaves:
// the access middleware holds the handler's answer in a buffer meanwhile.
// When the entry cannot be written, the failure is logged at error level
// and a successful answer is replaced by 503 unavailable, whose message
// says the change may have been made (a write to the registry and the
// audit log are two documents, and the embedded server has no
// transactions); a failed answer goes out as it was. An audited route is
// refused with 503 before its handler runs when no audit store is
// configured.

// AuditStore appends to and reads the audit log. *store.Store implements
// it. Errors: registry.ErrUnavailable.
type AuditStore interface {
	AppendAudit(ctx context.Context, entries ...registry.AuditEntry) error
	ListAudit(ctx context.Context, f registry.AuditFilter) ([]registry.AuditEntry, error)
}

const ctxAudit = "peiyu.audit"

var errNoAudit = &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
	Message: "审计日志未配置，不能执行需审计的操作 (no audit log configured)"}

// auditNote is what the middleware learns about an audited call: the
// firm it concerns, and the entries a handler names with auditLookup.
type auditNote struct {
	uscc, region string
	lookups      []registry.AuditEntry
}

// auditLookup records that a handler looked up usccs for the caller, with
// the outcome (HTTP status) of each: one audit entry per USCC, with action
// whitelist.lookup, in place of the route's single entry. It works on the
// routes the access table audits (GET /whitelist/{uscc}, POST
// /whitelist/lookup); the access middleware writes the entries once the
// handler returns, before the answer leaves, and answers 503 instead of a
// success when it cannot (see above). Called again, it adds entries.
// Without a call the middleware writes the route's one entry, with the
// :uscc of the path if any. Invalid codes are recorded without a USCC.
func (s *Server) auditLookup(c *gin.Context, usccs []string, outcome int) {
	v, ok := c.Get(ctxAudit)
	if !ok {
		logger(c).Error("auditLookup on a route the access table does not audit", "route", c.FullPath())
		return
	}
	note := v.(*auditNote)
	for _, u := range usccs {
		e := registry.AuditEntry{Action: "whitelist.lookup", Outcome: outcome}
		if code, err := registry.ParseUSCC(u); err == nil {
			e.USCC, e.RegionCode = code, code[2:8]
		}
		note.lookups = append(note.lookups, e)
	}
}

// audited runs an audited route: authorization, the handler with its
// answer held back, then the audit entries, then the answer.
func (s *Server) audited(c *gin.Context, k *registry.APIKey, ra *routeAccess) {
	if s.cfg.Audit == nil {
		writeError(c, errNoAudit)
		return
	}
	note := &auditNote{}
	c.Set(ctxAudit, note)
	orig := c.Writer
	header := orig.Header().Clone()
	bw := &bufferedWriter{ResponseWriter: orig}
	c.Writer = bw
	finished := false
	defer func() {
		if finished {
			return
		}
		// A panic in the handler: the answer is recoverPanics' 500.
		c.Writer = orig
		resetHeader(orig.Header(), header)
		s.writeAudit(c, k, ra, note, http.StatusInternalServerError)
	}()

	if err := s.authorize(c, k, ra, note); err != nil {
		logDenied(c, k, err)
		writeError(c, err)
	} else {
		c.Next()
	}
	finished = true
	c.Writer = orig
	status := bw.Status()
	if err := s.writeAudit(c, k, ra, note, status); err != nil && status < 400 {
		resetHeader(orig.Header(), header)
		if errors.Is(err, errAuditBacklog) {
			writeError(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
				Message: "审计日志暂时无法写入，查询暂停，请稍后重试 (the audit log is not being written: queries are paused, retry later)"})
			return
		}
		writeError(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "审计日志写入失败，操作可能已生效，请核实后再重试 (the audit log could not be written; the change may have been made: check before retrying)"})
		return
	}
	bw.commit()
}

// writeAudit appends the call's entries, logging a failure at error level.
func (s *Server) writeAudit(c *gin.Context, k *registry.APIKey, ra *routeAccess, note *auditNote, status int) error {
	entries := note.lookups
	if len(entries) == 0 {
		e := registry.AuditEntry{Action: ra.action, Outcome: status, USCC: note.uscc, RegionCode: note.region}
		if e.USCC == "" && c.Param("uscc") != "" {
			if code, err := registry.ParseUSCC(c.Param("uscc")); err == nil {
				e.USCC = code
			}
		}
		if e.RegionCode == "" && len(e.USCC) == 18 {
			// The registration authority's division inside the USCC.
			e.RegionCode = e.USCC[2:8]
		}
		entries = []registry.AuditEntry{e}
	}
	now := s.cfg.Now()
	for i := range entries {
		e := &entries[i]
		e.Time, e.KeyID, e.KeyName, e.Role = now, k.ID, k.Name, k.Role
		e.RequestID, e.Method, e.Path = c.GetString(ctxRequestID), c.Request.Method, c.Request.URL.Path
	}
	// A bank query's entries are written behind its answer (auditBehind),
	// each with its ID already, so a retried batch adds it once.
	if ra.flags&auditAfter != 0 {
		for i := range entries {
			if id, err := uuid.NewV7(); err == nil {
				entries[i].ID = id.String()
			}
		}
		err := s.behind.add(entries)
		if err != nil {
			logger(c).Error("audit backlog full: bank query refused", "request_id", c.GetString(ctxRequestID), "action", ra.action, "entries", len(entries))
		}
		return err
	}
	// The change is made whether or not the client is still there: its
	// entry must be written all the same.
	ctx := context.WithoutCancel(c.Request.Context())
	err := s.audits.append(ctx, s.cfg.Audit, entries)
	if err != nil {
		logger(c).LogAttrs(ctx, slog.LevelError, "audit write failed",
			slog.String("request_id", c.GetString(ctxRequestID)),
			slog.String("action", ra.action),
			slog.String("key_id", k.ID),
			slog.Int("entries", len(entries)),
			slog.Int("outcome", status),
			slog.String("error", err.Error()))
	}
	return err
}

func resetHeader(h, to http.Header) {
	for k := range h {
		delete(h, k)
	}
	for k, v := range to {
		h[k] = v
	}
}

// bufferedWriter holds a handler's answer until the audit entry is written.
// Headers go to the real writer's map at once; the status and body wait
// for commit.
type bufferedWriter struct {
	gin.ResponseWriter
	status  int
	written bool
	buf     bytes.Buffer
}

func (w *bufferedWriter) WriteHeader(code int) {
	if code > 0 && !w.written {
		w.status = code
	}
}

func (w *bufferedWriter) WriteHeaderNow() { w.written = true }

func (w *bufferedWriter) Write(b []byte) (int, error) {
	w.written = true
	return w.buf.Write(b)
}

func (w *bufferedWriter) WriteString(s string) (int, error) {
	w.written = true
	return w.buf.WriteString(s)
}

func (w *bufferedWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *bufferedWriter) Size() int {
	if !w.written {
		return -1
	}
	return w.buf.Len()
}

func (w *bufferedWriter) Written() bool { return w.written }

// Flush holds on: nothing leaves before the audit entry is written.
func (w *bufferedWriter) Flush() {}

// commit sends the held answer.
func (w *bufferedWriter) commit() {
	w.ResponseWriter.WriteHeader(w.Status())
	if w.buf.Len() > 0 {
		_, _ = w.ResponseWriter.Write(w.buf.Bytes())
	} else {
		w.ResponseWriter.WriteHeaderNow()
	}
}

// China Standard Time: a date in a query is a day in China.
var cst = time.FixedZone("CST", 8*3600)

var actionParamRE = regexp.MustCompile(`^[a-z]+\.[a-z]+$`)

// auditQuery reads the audit filters shared by GET /audit and GET
// /firms/{uscc}/lookups: since (RFC 3339, or a date meaning its start in
// China; in the years 1900–2100, as every date of the API) and limit
// (1–1000, default 100).
func auditQuery(c *gin.Context, f *registry.AuditFilter) error {
	if v := c.Query("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t, err = time.ParseInLocation(time.DateOnly, v, cst)
		}
		if err == nil && (t.Year() < 1900 || t.Year() > 2100) {
			err = errors.New("year out of range")
		}
		if err != nil {
			return badRequest("since", "应为日期（2026-06-30）或 RFC 3339 时间（2026-06-30T08:00:00+08:00）",
				"must be a date or an RFC 3339 time")
		}
		f.Since = t
	}
	n, err := intQuery(c, "limit", 100, 1, 1000)
	f.Limit = n
	return err
}

// handleAuditList answers GET /audit?actor_role=&uscc=&action=&since=&limit=:
// entries newest first. A staff key sees the entries about firms of its
// region only.
func (s *Server) handleAuditList(c *gin.Context) {
	if !allowQuery(c, "actor_role", "uscc", "action", "since", "limit") {
		return
	}
	if s.cfg.Audit == nil {
		writeError(c, errNoAudit)
		return
	}
	f := registry.AuditFilter{Role: registry.Role(c.Query("actor_role")), Action: c.Query("action")}
	if f.Role != "" && !f.Role.Valid() {
		writeError(c, badRequest("actor_role", "角色应为 admin、staff、enterprise 或 bank", "must be admin, staff, enterprise or bank"))
		return
	}
	if f.Action != "" && !actionParamRE.MatchString(f.Action) {
		writeError(c, badRequest("action", "操作应形如 firm.update、whitelist.lookup", "must look like firm.update"))
		return
	}
	if v := c.Query("uscc"); v != "" {
		code, err := registry.ParseUSCC(v)
		if err != nil {
			writeError(c, err)
			return
		}
		f.USCC = code
	}
	if err := auditQuery(c, &f); err != nil {
		writeError(c, err)
		return
	}
	if k := apiKey(c); k != nil && k.Role == registry.RoleStaff {
		f.RegionCode = k.Scope.RegionCode
	}
	entries, err := s.cfg.Audit.ListAudit(c.Request.Context(), f)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": entries})
}

// lookupView is one whitelist lookup of a firm as the firm sees it: who
// looked, when, and the answer's status.
type lookupView struct {
	Time    time.Time     `json:"time"`
	KeyName string        `json:"key_name"`
	Role    registry.Role `json:"role"`
	Outcome int           `json:"outcome"`
}

// handleFirmLookups answers GET /firms/{uscc}/lookups?since=&limit=: who
// looked the firm up on the whitelist, newest first. 404 for a firm not in
// the registry.
func (s *Server) handleFirmLookups(c *gin.Context) {
	if !allowQuery(c, "since", "limit") {
		return
	}
	code, err := usccParam(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if s.cfg.Audit == nil {
		writeError(c, errNoAudit)
		return
	}
	f := registry.AuditFilter{USCC: code, Action: "whitelist.lookup"}
	if err := auditQuery(c, &f); err != nil {
		writeError(c, err)
		return
	}
	if _, err := s.cfg.Firms.GetFirm(c.Request.Context(), code); err != nil {
		writeError(c, err)
		return
	}
	entries, err := s.cfg.Audit.ListAudit(c.Request.Context(), f)
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]lookupView, len(entries))
	for i, e := range entries {
		items[i] = lookupView{Time: e.Time, KeyName: e.KeyName, Role: e.Role, Outcome: e.Outcome}
	}
	c.JSON(http.StatusOK, gin.H{"uscc": code, "items": items})
}
