package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
)

// Access control: who may call which route, in one table, applied by one
// middleware (access) on every /api/v1 route.
//
// A request carries an API key as "Authorization: Bearer <key>" or
// "X-API-Key: <key>". No key on a route that needs one, or a key that is
// unknown or revoked, is 401 (code unauthorized, with WWW-Authenticate); a
// key whose role may not use the route, or a firm or region outside its
// scope, is 403 (code forbidden). A route the router has and the table
// lacks is refused to all but admin keys, and TestAccessTableCoversRoutes
// fails.

// KeyStore keeps the API keys. *store.Store implements it. Keys are stored
// and looked up by registry.HashKey of the secret, never the secret.
type KeyStore interface {
	// CreateKey errors: registry.ErrInvalid, registry.ErrConflict,
	// registry.ErrUnavailable.
	CreateKey(ctx context.Context, k registry.APIKey, hash string) (*registry.APIKey, error)
	// KeyByHash returns revoked keys too. Errors: registry.ErrNotFound,
	// registry.ErrUnavailable.
	KeyByHash(ctx context.Context, hash string) (*registry.APIKey, error)
	// ListKeys errors: registry.ErrUnavailable.
	ListKeys(ctx context.Context) ([]registry.APIKey, error)
	// RevokeKey errors: registry.ErrNotFound, registry.ErrUnavailable.
	RevokeKey(ctx context.Context, id, by string) (*registry.APIKey, error)
}

// roleSet is who may use a route: roles, and anonymous callers.
type roleSet uint8

const (
	anonymous roleSet = 1 << iota
	roleAdmin
	roleStaff
	roleEnterprise
	roleBank
)

// The role sets of the table.
const (
	// public: anyone, with or without a key.
	public    = anonymous | roleAdmin | roleStaff | roleEnterprise | roleBank
	adminOnly = roleAdmin
	// staffUp: bureau staff (within their region) and admins.
	staffUp = roleAdmin | roleStaff
	// ownFirm: staff and admins, and the enterprise the firm is.
	ownFirm = roleAdmin | roleStaff | roleEnterprise
	// bankUp: the bank whitelist endpoints.
	bankUp = roleAdmin | roleStaff | roleBank
	// keyed: any key, of any role.
	keyed = public &^ anonymous
)

func roleBit(r registry.Role) roleSet {
	switch r {
	case registry.RoleAdmin:
		return roleAdmin
	case registry.RoleStaff:
		return roleStaff
	case registry.RoleEnterprise:
		return roleEnterprise
	case registry.RoleBank:
		return roleBank
	}
	return 0
}

// scopeRule narrows a route for scoped keys once the role is allowed.
type scopeRule struct {
	// firm: the :uscc path parameter names the firm; an enterprise key
	// reaches only its own, a staff key only firms of its region (the
	// firm is read to know; an unknown firm is left to the handler's 404).
	firm bool
	// query: a staff key's region_code query parameter must lie within
	// its region, and defaults to it.
	query bool
	// body is the dotted JSON path of a region code in the request body
	// that a staff key's region must contain; absent, it is set to the
	// key's region, unless bodyNeeded (a firm's own region: a staff key
	// must state it).
	body       string
	bodyNeeded bool
	// handler: the handler applies the scope itself (GET /audit keeps a
	// staff key to its region's entries).
	handler bool
}

var (
	unscoped    = scopeRule{}
	firmScope   = scopeRule{firm: true}
	firmReplace = scopeRule{firm: true, body: "region_code", bodyNeeded: true}
	firmCreate  = scopeRule{body: "region_code", bodyNeeded: true}
	regionQuery = scopeRule{query: true}
	regionBody  = scopeRule{body: "region_code"}
	filterBody  = scopeRule{body: "filter.region_code"}
	byHandler   = scopeRule{handler: true}
)

// routeFlags are the rest of a route's access rules.
type routeFlags uint8

const (
	// rateLimited: anonymous calls are rate limited per client address.
	rateLimited routeFlags = 1 << iota
	// auditAfter: the route's audit entries are written behind the answer
	// (bank queries, served from memory: see auditBehind).
	auditAfter
)

// routeAccess is one row of the access table. action, when set, is the
// audit action written for every keyed call of the route (see audit.go).
type routeAccess struct {
	method, path string
	roles        roleSet
	scope        scopeRule
	action       string
	flags        routeFlags
}

// accessTable is who may call what: every route of routes.go, by method
// and gin pattern. Keep it in step with the router (TestAccessTableCoversRoutes).
var accessTable = []routeAccess{
	// Health and the public surface: self-check, programs, the receipts'
	// public key.
	{"GET", "/healthz", public, unscoped, "", 0},
	{"GET", "/readyz", public, unscoped, "", 0},
	// The web UI: its pages and assets are public; what they show comes
	// from the API, with the signed-in user's key.
	{"GET", "/", public, unscoped, "", 0},
	{"GET", "/web/*path", public, unscoped, "", 0},
	{"POST", "/api/v1/self-check", public, unscoped, "", rateLimited},
	{"GET", "/api/v1/programs", public, unscoped, "", 0},
	{"GET", "/api/v1/programs/:id", public, unscoped, "", 0},
	{"GET", "/api/v1/metrics", public, unscoped, "", 0},
	{"GET", "/api/v1/receipts/public-key", public, unscoped, "", 0},

	// The registry. An enterprise reads and updates its own firm, never
	// lists, creates or deletes firms.
	{"GET", "/api/v1/firms", staffUp, regionQuery, "", 0},
	{"POST", "/api/v1/firms", staffUp, firmCreate, "firm.create", 0},
	// Spreadsheets: the import handler keeps a staff key to its region
	// row by row; an export is a listing.
	{"GET", "/api/v1/firms/import-template.xlsx", staffUp, unscoped, "", 0},
	{"POST", "/api/v1/firms/import", staffUp, byHandler, "firm.import", 0},
	{"GET", "/api/v1/firms/export.xlsx", staffUp, regionQuery, "", 0},
	{"GET", "/api/v1/firms/export.csv", staffUp, regionQuery, "", 0},
	{"GET", "/api/v1/firms/:uscc", ownFirm, firmScope, "", 0},
	{"PUT", "/api/v1/firms/:uscc", ownFirm, firmReplace, "firm.update", 0},
	{"DELETE", "/api/v1/firms/:uscc", staffUp, firmScope, "firm.delete", 0},
	{"PUT", "/api/v1/firms/:uscc/years/:year", ownFirm, firmScope, "year.put", 0},
	{"GET", "/api/v1/firms/:uscc/eligibility", ownFirm, firmScope, "", 0},
	{"GET", "/api/v1/firms/:uscc/eligibility/history", ownFirm, firmScope, "", 0},
	{"GET", "/api/v1/firms/:uscc/lookups", ownFirm, firmScope, "", 0},

	// Policy simulation, drafts and publishing: bureau work. Packs are
	// not regional; a simulation's firms are.
	{"POST", "/api/v1/programs/:id/simulate", staffUp, filterBody, "", 0},
	{"GET", "/api/v1/programs/:id/drafts", staffUp, unscoped, "", 0},
	{"POST", "/api/v1/programs/:id/drafts", staffUp, unscoped, "draft.create", 0},
	{"GET", "/api/v1/programs/:id/drafts/:draft", staffUp, unscoped, "", 0},
	{"POST", "/api/v1/programs/:id/drafts/:draft/publish", staffUp, unscoped, "draft.publish", 0},
	{"GET", "/api/v1/programs/:id/revisions", staffUp, unscoped, "", 0},
	{"GET", "/api/v1/programs/:id/revisions/:rev", staffUp, unscoped, "", 0},

	// Screening. A job's state and counts are not about one firm; its
	// per-firm results are kept to the staff key's region.
	{"POST", "/api/v1/screenings", staffUp, filterBody, "screening.create", 0},
	{"GET", "/api/v1/screenings", staffUp, unscoped, "", 0},
	{"GET", "/api/v1/screenings/:id", staffUp, unscoped, "", 0},
	{"GET", "/api/v1/screenings/:id/results", staffUp, regionQuery, "", 0},
	{"GET", "/api/v1/screenings/:id/results.csv", staffUp, regionQuery, "", 0},
	{"GET", "/api/v1/screenings/:id/results.xlsx", staffUp, regionQuery, "", 0},
	{"GET", "/api/v1/near-misses", staffUp, regionQuery, "", 0},

	// The targets ledger.
	{"GET", "/api/v1/targets", staffUp, regionQuery, "", 0},
	{"POST", "/api/v1/targets/snapshots", staffUp, regionBody, "snapshot.create", 0},
	{"GET", "/api/v1/targets/snapshots", staffUp, regionQuery, "", 0},

	// The finance whitelist. Banks see only what it publishes, which is
	// the same for every bank and region, so staff keys are not narrowed
	// here. Every bank query is audited; the lookups name their firms with
	// auditLookup (one entry per USCC of a batch).
	{"POST", "/api/v1/whitelists/:list/publish", staffUp, unscoped, "whitelist.publish", 0},
	{"GET", "/api/v1/whitelists/:list/versions", bankUp, unscoped, "whitelist.versions", auditAfter},
	{"GET", "/api/v1/whitelists/:list/versions/:v", bankUp, unscoped, "whitelist.download", auditAfter},
	{"GET", "/api/v1/whitelists/:list/changes", bankUp, unscoped, "whitelist.changes", auditAfter},
	{"GET", "/api/v1/whitelist/:uscc", bankUp, unscoped, "whitelist.lookup", auditAfter},
	{"POST", "/api/v1/whitelist/lookup", bankUp, unscoped, "whitelist.lookup", auditAfter},
	{"POST", "/api/v1/receipts/rotate", adminOnly, unscoped, "receipt.rotate", 0},

	// Keys and the audit log.
	// Who the caller's key is (the web UI's sign-in): any key.
	{"GET", "/api/v1/me", keyed, unscoped, "", 0},
	{"POST", "/api/v1/keys", adminOnly, unscoped, "key.create", 0},
	{"GET", "/api/v1/keys", adminOnly, unscoped, "", 0},
	{"DELETE", "/api/v1/keys/:id", adminOnly, unscoped, "key.revoke", 0},
	{"GET", "/api/v1/audit", staffUp, byHandler, "", 0},
}

// accessByRoute indexes accessTable by "METHOD pattern".
var accessByRoute = func() map[string]*routeAccess {
	m := make(map[string]*routeAccess, len(accessTable))
	for i := range accessTable {
		ra := &accessTable[i]
		k := ra.method + " " + ra.path
		if m[k] != nil {
			panic("api: access table lists " + k + " twice")
		}
		m[k] = ra
	}
	return m
}()

// unlisted is the rule of a route missing from the table: admin keys only.
var unlisted = routeAccess{roles: adminOnly}

const ctxKey = "peiyu.key"

// apiKey returns the request's authenticated key, nil when anonymous.
func apiKey(c *gin.Context) *registry.APIKey {
	if k, ok := c.Get(ctxKey); ok {
		return k.(*registry.APIKey)
	}
	return nil
}

func unauthorized(c *gin.Context, invalid bool, zh, en string) error {
	h := `Bearer realm="peiyu"`
	if invalid {
		h += `, error="invalid_token"`
	}
	c.Header("WWW-Authenticate", h)
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: zh + " (" + en + ")"}
}

func forbidden(zh, en string) error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: zh + " (" + en + ")"}
}

// maxKeyLength bounds what is hashed and looked up.
const maxKeyLength = 256

// keySecret reads the key of a request: "" when it carries none.
func keySecret(c *gin.Context) (string, error) {
	if h := strings.TrimSpace(c.GetHeader("Authorization")); h != "" {
		scheme, secret, _ := strings.Cut(h, " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			return "", unauthorized(c, true, "Authorization 应为“Bearer <API 密钥>”", `Authorization must be "Bearer <API key>"`)
		}
		return secret, nil
	}
	return strings.TrimSpace(c.GetHeader("X-API-Key")), nil
}

// authenticate returns the request's key: nil for none, a 401 *Error for
// an unknown or revoked one.
//
// The key is looked up by its SHA-256, so no comparison ever runs between
// the caller's input and a stored secret: what a lookup's timing could
// reveal is how a hash of the caller's own guess compares with stored
// hashes, which tells nothing about any key.
func (s *Server) authenticate(c *gin.Context) (*registry.APIKey, error) {
	secret, err := keySecret(c)
	if err != nil || secret == "" {
		return nil, err
	}
	if len(secret) > maxKeyLength {
		return nil, unauthorized(c, true, "API 密钥无效", "invalid API key")
	}
	hash := registry.HashKey(secret)
	now := s.cfg.Now()
	k := s.keys.get(hash, now)
	if k == nil {
		if s.cfg.Keys == nil {
			return nil, unauthorized(c, true, "API 密钥无效（本服务未配置密钥存储）", "invalid API key: no key store configured")
		}
		k, err = s.cfg.Keys.KeyByHash(c.Request.Context(), hash)
		if errors.Is(err, registry.ErrNotFound) {
			return nil, unauthorized(c, true, "API 密钥无效", "invalid API key")
		}
		if err != nil {
			return nil, err
		}
		s.keys.put(hash, k, now)
	}
	if !k.Active() {
		return nil, unauthorized(c, true, "API 密钥已被吊销", "API key revoked")
	}
	return k, nil
}

// access is the middleware of every /api/v1 route: it authenticates the
// key, rate-limits anonymous self-checks, checks the route's roles and
// scope, and writes the audit entry of audited routes (audit.go).
func (s *Server) access(c *gin.Context) {
	ra := accessByRoute[c.Request.Method+" "+c.FullPath()]
	if ra == nil {
		logger(c).Warn("route missing from the access table: admin keys only", "method", c.Request.Method, "route", c.FullPath())
		ra = &unlisted
	}
	k, err := s.authenticate(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if k == nil {
		switch {
		case ra.roles&anonymous == 0:
			writeError(c, unauthorized(c, false, "需要 API 密钥：请在请求头 Authorization: Bearer <密钥> 中提供",
				"API key required: send Authorization: Bearer <key>"))
		case ra.flags&rateLimited != 0 && !s.allowAnonymous(c):
		default:
			c.Next()
		}
		return
	}
	c.Set(ctxKey, k)
	c.Set("actor", k.Name)
	if ra.action == "" {
		if err := s.authorize(c, k, ra, nil); err != nil {
			logDenied(c, k, err)
			writeError(c, err)
			return
		}
		c.Next()
		return
	}
	s.audited(c, k, ra)
}

// authorize checks the key's role and scope for the route. It may narrow
// the request to the key's region (query or body) and notes the firm in
// ae for the audit entry. Errors: a 403 *Error, registry.ErrUnavailable.
func (s *Server) authorize(c *gin.Context, k *registry.APIKey, ra *routeAccess, ae *auditNote) error {
	if ra.roles&roleBit(k.Role) == 0 {
		return forbidden("该密钥的角色（"+string(k.Role)+"）无权使用此接口", "this key's role may not use this endpoint")
	}
	staff := k.Role == registry.RoleStaff
	if ra.scope.firm {
		if err := s.authorizeFirm(c, k, ae); err != nil {
			return err
		}
	}
	if ra.scope.query && staff {
		if err := narrowQuery(c, k.Scope.RegionCode); err != nil {
			return err
		}
	}
	if ra.scope.body != "" && (staff || ae != nil) {
		if err := narrowBody(c, k, ra.scope, ae); err != nil {
			return err
		}
	}
	return nil
}

// authorizeFirm keeps an enterprise key to its own firm and a staff key to
// its region's firms. A malformed USCC or an unknown firm is left to the
// handler (400, 404).
func (s *Server) authorizeFirm(c *gin.Context, k *registry.APIKey, ae *auditNote) error {
	code, err := usccParam(c)
	if err != nil {
		return nil
	}
	if ae != nil {
		ae.uscc = code
	}
	if k.Role == registry.RoleEnterprise && code != k.Scope.USCC {
		return forbidden("企业密钥只能访问本企业的数据", "an enterprise key reaches its own firm only")
	}
	if k.Role != registry.RoleStaff && ae == nil {
		return nil
	}
	// Staff keys need the firm's region; audited writes record it.
	rec, err := s.cfg.Firms.GetFirm(c.Request.Context(), code)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return nil
	case err != nil && k.Role == registry.RoleStaff:
		return err
	case err != nil:
		// The handler meets the same outage and answers it.
		return nil
	}
	if ae != nil {
		ae.region = rec.Firm.RegionCode
	}
	if k.Role == registry.RoleStaff && !registry.RegionWithin(rec.Firm.RegionCode, k.Scope.RegionCode) {
		return forbidden("该企业不在本密钥的管辖区域（"+k.Scope.RegionCode+"）内", "the firm is outside this key's region")
	}
	return nil
}

func outOfRegion(field, region string) error {
	e := forbidden("只能查询或操作本辖区（"+region+"）及下级区划", "region_code must lie within this key's region "+region).(*Error)
	e.Details = []registry.Problem{{Field: field, Problem: e.Message}}
	return e
}

// narrowQuery keeps a staff key's region_code query parameter within its
// region, defaulting to the region. A malformed value is left to the
// handler's 400. It rewrites the query before any handler reads it.
func narrowQuery(c *gin.Context, region string) error {
	q := c.Request.URL.Query()
	vs := q["region_code"]
	if len(vs) == 0 || len(vs) == 1 && vs[0] == "" {
		q.Set("region_code", region)
		c.Request.URL.RawQuery = q.Encode()
		return nil
	}
	for _, v := range vs {
		if regionParamRE.MatchString(v) && !registry.RegionWithin(v, region) {
			return outOfRegion("region_code", region)
		}
	}
	return nil
}

// narrowBody applies a body scope rule: a staff key's region in the body
// must lie within its region, and is set to it when absent (unless the
// rule needs it stated). For audited routes it also notes the body's USCC
// and region. A body that is not a JSON object is put back untouched for
// the handler to refuse, but for a staff key it is refused here, as is a
// body whose keys spell the scoped field in another case (JSON decoding
// folds case): what the handler decodes must be what was checked.
func narrowBody(c *gin.Context, k *registry.APIKey, rule scopeRule, ae *auditNote) error {
	b, ok := readBody(c)
	if !ok {
		if k.Role == registry.RoleStaff && b != nil {
			return badRequest("", "请求体应为 JSON 对象", "the body must be a JSON object")
		}
		return nil
	}
	if k.Role == registry.RoleStaff {
		if f := b.folded(rule.body); f != "" {
			return badRequest(f, "字段名大小写有误，应为 "+rule.body, "unknown field; did you mean "+rule.body)
		}
	}
	v, present := b.get(rule.body)
	if ae != nil && rule.body == "region_code" {
		if code, err := registry.ParseUSCC(b.str("uscc")); err == nil && ae.uscc == "" {
			ae.uscc = code
		}
		if regionParamRE.MatchString(v) && ae.region == "" {
			ae.region = v
		}
	}
	if k.Role != registry.RoleStaff {
		return nil
	}
	region := k.Scope.RegionCode
	switch {
	case !present && rule.bodyNeeded:
		return outOfRegion(rule.body, region)
	case !present:
		b.set(rule.body, region)
		b.restore(c)
	case regionParamRE.MatchString(v) && !registry.RegionWithin(v, region):
		return outOfRegion(rule.body, region)
	}
	return nil
}

// jsonBody is a request body read by the access middleware: the bytes, and
// the object they hold.
type jsonBody struct {
	raw []byte
	obj map[string]json.RawMessage
}

// readBody reads the body and puts it back; ok is false when it is not a
// JSON object (b is then the bytes read, without obj), or when it cannot
// be read (b is nil: the handler then meets the same error, a 413 say).
func readBody(c *gin.Context) (*jsonBody, bool) {
	if c.Request.Body == nil {
		return nil, false
	}
	raw, err := io.ReadAll(c.Request.Body)
	b := &jsonBody{raw: raw}
	if err != nil {
		c.Request.Body = io.NopCloser(io.MultiReader(bytes.NewReader(raw), errReader{err}))
		return nil, false
	}
	b.restore(c)
	if json.Unmarshal(raw, &b.obj) != nil || b.obj == nil {
		return b, false
	}
	return b, true
}

// folded returns the dotted path of a key on the way to path that equals
// a step of it only when case is ignored ("Filter.region_code"), "" when
// there is none.
func (b *jsonBody) folded(path string) string {
	obj := b.obj
	var at []string
	for _, p := range strings.Split(path, ".") {
		for k := range obj {
			if k != p && strings.EqualFold(k, p) {
				return strings.Join(append(at, k), ".")
			}
		}
		at = append(at, p)
		var next map[string]json.RawMessage
		if json.Unmarshal(obj[p], &next) != nil {
			return ""
		}
		obj = next
	}
	return ""
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func (b *jsonBody) restore(c *gin.Context) {
	c.Request.Body = io.NopCloser(bytes.NewReader(b.raw))
	c.Request.ContentLength = int64(len(b.raw))
}

// get returns the string at a dotted path; present is false when the path
// is absent, null or "". A value that is not a string, or a step on the way
// that is not an object, is present with v "": the handler refuses it.
func (b *jsonBody) get(path string) (v string, present bool) {
	obj := b.obj
	parts := strings.Split(path, ".")
	for i, p := range parts {
		raw, ok := obj[p]
		if !ok || string(raw) == "null" {
			return "", false
		}
		if i == len(parts)-1 {
			if json.Unmarshal(raw, &v) != nil {
				return "", true
			}
			return v, v != ""
		}
		obj = nil
		if json.Unmarshal(raw, &obj) != nil || obj == nil {
			return "", true
		}
	}
	return "", false
}

func (b *jsonBody) str(path string) string {
	v, _ := b.get(path)
	return v
}

// set writes a string at a dotted path, creating objects on the way, and
// re-encodes the body.
func (b *jsonBody) set(path string, v string) {
	parts := strings.Split(path, ".")
	var put func(obj map[string]json.RawMessage, parts []string) map[string]json.RawMessage
	put = func(obj map[string]json.RawMessage, parts []string) map[string]json.RawMessage {
		if obj == nil {
			obj = map[string]json.RawMessage{}
		}
		if len(parts) == 1 {
			obj[parts[0]], _ = json.Marshal(v)
			return obj
		}
		var inner map[string]json.RawMessage
		_ = json.Unmarshal(obj[parts[0]], &inner)
		obj[parts[0]], _ = json.Marshal(put(inner, parts[1:]))
		return obj
	}
	b.obj = put(b.obj, parts)
	b.raw, _ = json.Marshal(b.obj)
}

// keyCacheTTL is how long an authenticated key is trusted without asking
// the database again: a key revoked through another replica (or the CLI)
// stops working here within this time; one revoked through this process
// at once.
const keyCacheTTL = 30 * time.Second

// maxCachedKeys bounds the cache; past it, the cache starts afresh.
const maxCachedKeys = 10_000

// keyCache keeps recently authenticated keys by hash. Only keys found in
// the database are kept (revoked ones too: revocation is final), so
// guessing keys fills nothing.
type keyCache struct {
	mu sync.Mutex
	m  map[string]cachedKey
}

type cachedKey struct {
	key   *registry.APIKey
	until time.Time
}

func (kc *keyCache) get(hash string, now time.Time) *registry.APIKey {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	e, ok := kc.m[hash]
	if !ok || !now.Before(e.until) {
		return nil
	}
	return e.key
}

func (kc *keyCache) put(hash string, k *registry.APIKey, now time.Time) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if kc.m == nil || len(kc.m) >= maxCachedKeys {
		kc.m = make(map[string]cachedKey)
	}
	kc.m[hash] = cachedKey{key: k, until: now.Add(keyCacheTTL)}
}

// forget drops the key with the public ID id.
func (kc *keyCache) forget(id string) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	for h, e := range kc.m {
		if e.key.ID == id {
			delete(kc.m, h)
		}
	}
}

// logDenied records refusals at debug level, for operators chasing a
// misconfigured key; never the key itself.
func logDenied(c *gin.Context, k *registry.APIKey, err error) {
	var ae *Error
	if errors.As(err, &ae) && ae.Status == http.StatusForbidden {
		logger(c).LogAttrs(c.Request.Context(), slog.LevelDebug, "forbidden",
			slog.String("request_id", c.GetString(ctxRequestID)), slog.String("key_id", k.ID),
			slog.String("role", string(k.Role)), slog.String("route", c.FullPath()))
	}
}
