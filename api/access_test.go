package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/api"
	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/seeds"
)

// firmIn is firmJSON with the firm in region.
func firmIn(code, region, name string) string {
	return strings.Replace(firmJSON(code, name), `"region_code":"431202"`, `"region_code":"`+region+`"`, 1)
}

// accessFixture is a registry of three firms and a key of every kind.
type accessFixture struct {
	h       http.Handler
	st      *store.Store
	a, b, c string // firms in 431202, 431281 and 431202
	keys    map[string]string
}

// principals name the callers of the matrix, in the order of its columns.
var principals = []string{"anon", "admin", "staff", "staffX", "ent", "entX", "bank"}

func newAccessFixture(t *testing.T) *accessFixture {
	t.Helper()
	st := storetest.New(t)
	h := newServer(t, st, api.Config{
		Firms:          st,
		Evaluations:    st,
		Rules:          rules.NewHolder(testEngine(t)),
		Targets:        st,
		Packs:          st,
		ScreeningStore: st,
		Ready:          []api.Checker{{Name: "database", Check: st.Ping}},
		Now:            func() time.Time { return today },
	}).Handler()
	if _, _, err := st.LoadTargets(context.Background(), seeds.Targets()); err != nil {
		t.Fatal(err)
	}
	f := &accessFixture{h: h, st: st, a: usccIn("431202", 1), b: usccIn("431281", 2), c: usccIn("431202", 3)}
	for code, region := range map[string]string{f.a: "431202", f.b: "431281", f.c: "431202"} {
		if w := do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmIn(code, region, "企业"+code[10:17])}); w.Code != 201 {
			t.Fatalf("POST firm = %d %s", w.Code, w.Body)
		}
	}
	f.keys = map[string]string{
		"admin":  testAdminKey,
		"staff":  newKey(t, h, registry.RoleStaff, "鹤城区工信局", "431202"),
		"staffX": newKey(t, h, registry.RoleStaff, "洪江市工信局", "431281"),
		"ent":    newKey(t, h, registry.RoleEnterprise, "企业甲", f.a),
		"entX":   newKey(t, h, registry.RoleEnterprise, "企业乙", f.b),
		"bank":   newKey(t, h, registry.RoleBank, "怀化某银行", ""),
	}
	return f
}

func (f *accessFixture) as(who string, r req) req {
	if who == "anon" {
		r.anon = true
	} else {
		r.key = f.keys[who]
	}
	return r
}

// TestAccessMatrix calls every route as every kind of caller: anonymous,
// admin, staff of the firm's region and of another, the enterprise itself
// and another, and a bank. Each column of want is one caller: u = 401, f =
// 403, o = let through (any other status: the handler's answer).
func TestAccessMatrix(t *testing.T) {
	f := newAccessFixture(t)
	const noID = "/00000000-0000-7000-8000-000000000000"
	d := usccIn("431202", 4)
	rows := []struct {
		route string // the gin pattern, to check every route has a row
		r     req
		want  string
	}{
		{"GET /healthz", req{method: "GET", path: "/healthz"}, "ooooooo"},
		{"GET /readyz", req{method: "GET", path: "/readyz"}, "ooooooo"},
		{"GET /", req{method: "GET", path: "/"}, "ooooooo"},
		{"GET /web/*path", req{method: "GET", path: "/web/app.css"}, "ooooooo"},
		{"POST /api/v1/self-check", req{method: "POST", path: "/api/v1/self-check", body: `{"profile":{},"programs":["tech-sme"]}`}, "ooooooo"},
		{"GET /api/v1/programs", req{method: "GET", path: "/api/v1/programs"}, "ooooooo"},
		{"GET /api/v1/programs/:id", req{method: "GET", path: "/api/v1/programs/tech-sme"}, "ooooooo"},
		{"GET /api/v1/metrics", req{method: "GET", path: "/api/v1/metrics"}, "ooooooo"},
		{"GET /api/v1/receipts/public-key", req{method: "GET", path: "/api/v1/receipts/public-key"}, "ooooooo"},

		{"GET /api/v1/firms", req{method: "GET", path: "/api/v1/firms"}, "uooofff"},
		{"GET /api/v1/firms", req{method: "GET", path: "/api/v1/firms?region_code=431202"}, "uooffff"},
		{"POST /api/v1/firms", req{method: "POST", path: "/api/v1/firms", body: firmIn(d, "431202", "新企业")}, "uooffff"},
		{"GET /api/v1/firms/import-template.xlsx", req{method: "GET", path: "/api/v1/firms/import-template.xlsx"}, "uooofff"},
		{"POST /api/v1/firms/import", req{method: "POST", path: "/api/v1/firms/import", body: "{}"}, "uooofff"},
		{"GET /api/v1/firms/export.xlsx", req{method: "GET", path: "/api/v1/firms/export.xlsx"}, "uooofff"},
		{"GET /api/v1/firms/export.csv", req{method: "GET", path: "/api/v1/firms/export.csv?region_code=431202"}, "uooffff"},
		{"GET /api/v1/firms/:uscc", req{method: "GET", path: "/api/v1/firms/" + f.a}, "uoofoff"},
		{"GET /api/v1/firms/:uscc", req{method: "GET", path: "/api/v1/firms/" + f.b}, "uofofof"},
		{"PUT /api/v1/firms/:uscc", req{method: "PUT", path: "/api/v1/firms/" + f.a, body: firmIn(f.a, "431202", "企业甲")}, "uoofoff"},
		// A stale If-Match: who may delete gets 409, and the firm stays.
		{"DELETE /api/v1/firms/:uscc", req{method: "DELETE", path: "/api/v1/firms/" + f.c, header: map[string]string{"If-Match": `"99"`}}, "uooffff"},
		{"PUT /api/v1/firms/:uscc/years/:year", req{method: "PUT", path: "/api/v1/firms/" + f.a + "/years/2024", body: `{"employees":50}`}, "uoofoff"},
		{"GET /api/v1/firms/:uscc/eligibility", req{method: "GET", path: "/api/v1/firms/" + f.a + "/eligibility?programs=tech-sme"}, "uoofoff"},
		{"GET /api/v1/firms/:uscc/eligibility/history", req{method: "GET", path: "/api/v1/firms/" + f.a + "/eligibility/history"}, "uoofoff"},
		{"GET /api/v1/firms/:uscc/lookups", req{method: "GET", path: "/api/v1/firms/" + f.a + "/lookups"}, "uoofoff"},
		{"GET /api/v1/firms/:uscc/lookups", req{method: "GET", path: "/api/v1/firms/" + f.b + "/lookups"}, "uofofof"},

		{"POST /api/v1/programs/:id/simulate", req{method: "POST", path: "/api/v1/programs/above-size/simulate", body: `{"overrides":{"min_main_revenue":15000000}}`}, "uooofff"},
		{"GET /api/v1/programs/:id/drafts", req{method: "GET", path: "/api/v1/programs/above-size/drafts"}, "uooofff"},
		{"POST /api/v1/programs/:id/drafts", req{method: "POST", path: "/api/v1/programs/above-size/drafts", body: `{"overrides":{"min_main_revenue":15000000}}`}, "uooofff"},
		{"GET /api/v1/programs/:id/drafts/:draft", req{method: "GET", path: "/api/v1/programs/above-size/drafts" + noID}, "uooofff"},
		{"POST /api/v1/programs/:id/drafts/:draft/publish", req{method: "POST", path: "/api/v1/programs/above-size/drafts" + noID + "/publish"}, "uooofff"},
		{"GET /api/v1/programs/:id/revisions", req{method: "GET", path: "/api/v1/programs/above-size/revisions"}, "uooofff"},
		{"GET /api/v1/programs/:id/revisions/:rev", req{method: "GET", path: "/api/v1/programs/above-size@2011/revisions/1"}, "uooofff"},

		{"POST /api/v1/screenings", req{method: "POST", path: "/api/v1/screenings", body: `{}`}, "uooofff"},
		{"GET /api/v1/screenings", req{method: "GET", path: "/api/v1/screenings"}, "uooofff"},
		{"GET /api/v1/screenings/:id", req{method: "GET", path: "/api/v1/screenings" + noID}, "uooofff"},
		{"GET /api/v1/screenings/:id/results", req{method: "GET", path: "/api/v1/screenings" + noID + "/results"}, "uooofff"},
		{"GET /api/v1/screenings/:id/results.csv", req{method: "GET", path: "/api/v1/screenings" + noID + "/results.csv"}, "uooofff"},
		{"GET /api/v1/screenings/:id/results.xlsx", req{method: "GET", path: "/api/v1/screenings" + noID + "/results.xlsx?region_code=431281"}, "uofofff"},
		{"GET /api/v1/near-misses", req{method: "GET", path: "/api/v1/near-misses?program=tech-sme"}, "uooofff"},
		{"GET /api/v1/near-misses", req{method: "GET", path: "/api/v1/near-misses?program=tech-sme&region_code=431202"}, "uooffff"},

		{"GET /api/v1/targets", req{method: "GET", path: "/api/v1/targets"}, "uooofff"},
		{"POST /api/v1/targets/snapshots", req{method: "POST", path: "/api/v1/targets/snapshots", body: `{"region_code":"431202","year":2024}`}, "uooffff"},
		{"GET /api/v1/targets/snapshots", req{method: "GET", path: "/api/v1/targets/snapshots"}, "uooofff"},

		{"POST /api/v1/whitelists/:list/publish", req{method: "POST", path: "/api/v1/whitelists/finance-whitelist/publish"}, "uooofff"},
		{"GET /api/v1/whitelists/:list/versions", req{method: "GET", path: "/api/v1/whitelists/finance-whitelist/versions"}, "uoooffo"},
		{"GET /api/v1/whitelists/:list/versions/:v", req{method: "GET", path: "/api/v1/whitelists/finance-whitelist/versions/1"}, "uoooffo"},
		{"GET /api/v1/whitelists/:list/changes", req{method: "GET", path: "/api/v1/whitelists/finance-whitelist/changes?since=0"}, "uoooffo"},
		{"GET /api/v1/whitelist/:uscc", req{method: "GET", path: "/api/v1/whitelist/" + f.a}, "uoooffo"},
		{"POST /api/v1/whitelist/lookup", req{method: "POST", path: "/api/v1/whitelist/lookup", body: `{"usccs":["` + f.a + `"]}`}, "uoooffo"},
		{"POST /api/v1/receipts/rotate", req{method: "POST", path: "/api/v1/receipts/rotate"}, "uofffff"},

		{"POST /api/v1/keys", req{method: "POST", path: "/api/v1/keys", body: `{"role":"bank","name":"某银行"}`}, "uofffff"},
		{"GET /api/v1/keys", req{method: "GET", path: "/api/v1/keys"}, "uofffff"},
		{"DELETE /api/v1/keys/:id", req{method: "DELETE", path: "/api/v1/keys" + noID}, "uofffff"},
		{"GET /api/v1/audit", req{method: "GET", path: "/api/v1/audit"}, "uooofff"},
		{"GET /api/v1/me", req{method: "GET", path: "/api/v1/me"}, "uoooooo"},
	}
	covered := map[string]bool{}
	for _, row := range rows {
		covered[row.route] = true
		if len(row.want) != len(principals) {
			t.Fatalf("%s %s: want %q has %d columns, not %d", row.r.method, row.r.path, row.want, len(row.want), len(principals))
		}
		for i, who := range principals {
			w := do(t, f.h, f.as(who, row.r))
			got := "o"
			switch w.Code {
			case http.StatusUnauthorized:
				got = "u"
				mustEnvelope(t, w, 401, api.CodeUnauthorized)
				if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s %s as %s: 401 without WWW-Authenticate: Bearer", row.r.method, row.r.path, who)
				}
			case http.StatusForbidden:
				got = "f"
				mustEnvelope(t, w, 403, api.CodeForbidden)
			}
			if got != row.want[i:i+1] {
				t.Errorf("%s %s as %s = %d (%s), want %s; body %s", row.r.method, row.r.path, who, w.Code, got, row.want[i:i+1], w.Body)
			}
		}
	}
	for _, r := range f.h.(*gin.Engine).Routes() {
		if !covered[r.Method+" "+r.Path] {
			t.Errorf("route %s %s has no row in the access matrix", r.Method, r.Path)
		}
	}
}

func TestAuthentication(t *testing.T) {
	f := newAccessFixture(t)
	h := f.h
	w := do(t, h, req{method: "GET", path: "/api/v1/firms", anon: true})
	mustEnvelope(t, w, 401, api.CodeUnauthorized)
	if got := w.Header().Get("WWW-Authenticate"); got != `Bearer realm="peiyu"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	bad := []map[string]string{
		{"Authorization": "Basic YWRtaW46YWRtaW4="},
		{"Authorization": "Bearer"},
		{"Authorization": "Bearer py_not-a-key"},
		{"X-API-Key": "py_not-a-key"},
		{"Authorization": "Bearer " + strings.Repeat("k", 300)},
	}
	for _, hd := range bad {
		w := do(t, h, req{method: "GET", path: "/api/v1/firms", header: hd})
		mustEnvelope(t, w, 401, api.CodeUnauthorized)
		if got := w.Header().Get("WWW-Authenticate"); got != `Bearer realm="peiyu", error="invalid_token"` {
			t.Errorf("%v: WWW-Authenticate = %q", hd, got)
		}
	}
	// X-API-Key works as well as Authorization; the scheme is case-blind.
	for _, hd := range []map[string]string{{"X-API-Key": testAdminKey}, {"Authorization": "bearer " + testAdminKey}} {
		if w := do(t, h, req{method: "GET", path: "/api/v1/firms", header: hd}); w.Code != 200 {
			t.Errorf("%v: %d %s", hd, w.Code, w.Body)
		}
	}
	// Unknown routes and methods keep their answers, with or without a key.
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/nothing", anon: true}), 404, api.CodeNotFound)
	mustEnvelope(t, do(t, h, req{method: "PATCH", path: "/api/v1/firms", anon: true}), 405, api.CodeMethodNotAllowed)

	// A revoked key is refused at once, even on a public route.
	key := newKey(t, h, registry.RoleBank, "将被吊销", "")
	if w := do(t, h, req{method: "GET", path: "/api/v1/whitelist/" + f.a, key: key}); w.Code == 401 || w.Code == 403 {
		t.Fatalf("bank key before revocation: %d %s", w.Code, w.Body)
	}
	id := keyID(t, h, "将被吊销")
	if w := do(t, h, req{method: "DELETE", path: "/api/v1/keys/" + id}); w.Code != http.StatusNoContent {
		t.Fatalf("DELETE /keys/%s = %d %s", id, w.Code, w.Body)
	}
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/whitelist/" + f.a, key: key}), 401, api.CodeUnauthorized)
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/programs", key: key}), 401, api.CodeUnauthorized)
	if w := do(t, h, req{method: "GET", path: "/api/v1/programs", anon: true}); w.Code != 200 {
		t.Errorf("anonymous GET /programs = %d", w.Code)
	}
}

// keyID finds a key's ID by its name in GET /keys.
func keyID(t *testing.T, h http.Handler, name string) string {
	t.Helper()
	var list struct {
		Items []registry.APIKey `json:"items"`
	}
	w := do(t, h, req{method: "GET", path: "/api/v1/keys"})
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
		t.Fatalf("GET /keys: %v %s", err, w.Body)
	}
	for _, k := range list.Items {
		if k.Name == name {
			return k.ID
		}
	}
	t.Fatalf("no key named %s", name)
	return ""
}

func TestKeysAPI(t *testing.T) {
	h := newAPI(t)
	code := uscc(70)
	w := do(t, h, req{method: "POST", path: "/api/v1/keys", body: `{"role":"enterprise","name":"企业丙","uscc":"` + strings.ToLower(code) + `"}`})
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /keys = %d %s", w.Code, w.Body)
	}
	var created map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &created)
	secret, _ := created["key"].(string)
	id, _ := created["id"].(string)
	if !strings.HasPrefix(secret, registry.KeyPrefix) || len(secret) != 46 || w.Header().Get("Location") != "/api/v1/keys/"+id {
		t.Errorf("created key %q, Location %q", secret, w.Header().Get("Location"))
	}
	if created["created_at"] == nil {
		t.Error("no created_at")
	}
	delete(created, "key")
	delete(created, "id")
	delete(created, "created_at") // the store's clock
	want := map[string]any{"name": "企业丙", "role": "enterprise", "scope": map[string]any{"uscc": code},
		"created_by": "测试管理员"}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("POST /keys answer (-want +got):\n%s", diff)
	}

	w = do(t, h, req{method: "GET", path: "/api/v1/keys"})
	if w.Code != 200 || strings.Contains(w.Body.String(), secret) || strings.Contains(w.Body.String(), registry.HashKey(secret)) ||
		strings.Contains(w.Body.String(), registry.HashKey(testAdminKey)) || !strings.Contains(w.Body.String(), "企业丙") {
		t.Errorf("GET /keys shows a key or a hash, or misses one: %s", w.Body)
	}

	tests := []struct {
		name   string
		body   string
		status int
		code   string
		fields []string
	}{
		{"staff without region", `{"role":"staff","name":"x"}`, 400, api.CodeInvalid, []string{"region_code"}},
		{"enterprise bad uscc", `{"role":"enterprise","name":"x","uscc":"123"}`, 400, api.CodeInvalid, []string{"uscc"}},
		{"unknown role", `{"role":"root","name":"x"}`, 400, api.CodeInvalid, []string{"role"}},
		{"no name", `{"role":"bank"}`, 400, api.CodeInvalid, []string{"name"}},
		{"unknown field", `{"role":"bank","name":"x","hash":"y"}`, 400, api.CodeBadRequest, []string{"hash"}},
		{"wrong type", `{"role":"bank","name":1}`, 400, api.CodeBadRequest, []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEnvelope(t, do(t, h, req{method: "POST", path: "/api/v1/keys", body: tt.body}), tt.status, tt.code)
			if diff := cmp.Diff(tt.fields, fields(e)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}

	mustEnvelope(t, do(t, h, req{method: "DELETE", path: "/api/v1/keys/not-an-id"}), 404, api.CodeNotFound)
	mustEnvelope(t, do(t, h, req{method: "DELETE", path: "/api/v1/keys/00000000-0000-7000-8000-000000000000"}), 404, api.CodeNotFound)
	for i := 0; i < 2; i++ {
		if w := do(t, h, req{method: "DELETE", path: "/api/v1/keys/" + id}); w.Code != http.StatusNoContent {
			t.Errorf("DELETE #%d = %d %s", i+1, w.Code, w.Body)
		}
	}
	var list struct {
		Items []registry.APIKey `json:"items"`
	}
	_ = json.Unmarshal(do(t, h, req{method: "GET", path: "/api/v1/keys"}).Body.Bytes(), &list)
	if len(list.Items) != 2 || list.Items[1].RevokedAt == nil || list.Items[1].RevokedBy != "测试管理员" || list.Items[0].RevokedAt != nil {
		t.Errorf("keys after revocation: %+v", list.Items)
	}
}

func TestStaffScope(t *testing.T) {
	f := newAccessFixture(t)
	h := f.h
	e := usccIn("431221", 5)
	if w := do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmIn(e, "431221", "中方企业")}); w.Code != 201 {
		t.Fatal(w.Body)
	}
	city := newKey(t, h, registry.RoleStaff, "怀化市工信局", "431200")
	list := func(key, query string) []string {
		t.Helper()
		w := do(t, h, req{method: "GET", path: "/api/v1/firms?" + query, key: key})
		if w.Code != 200 {
			t.Fatalf("GET /firms?%s = %d %s", query, w.Code, w.Body)
		}
		var l struct {
			Items []registry.Firm `json:"items"`
		}
		_ = json.Unmarshal(w.Body.Bytes(), &l)
		var out []string
		for _, it := range l.Items {
			out = append(out, it.USCC)
		}
		sort.Strings(out)
		return out
	}
	sorted := func(s ...string) []string { sort.Strings(s); return s }
	for _, tt := range []struct {
		who, query string
		want       []string
	}{
		{f.keys["staff"], "", sorted(f.a, f.c)},
		{f.keys["staffX"], "", []string{f.b}},
		{city, "", sorted(f.a, f.b, f.c, e)},
		{city, "region_code=431281", []string{f.b}},
		{f.keys["staff"], "region_code=431202&q=企业", sorted(f.a, f.c)},
	} {
		if diff := cmp.Diff(tt.want, list(tt.who, tt.query)); diff != "" {
			t.Errorf("GET /firms?%s (-want +got):\n%s", tt.query, diff)
		}
	}

	staff := f.keys["staff"]
	for _, tt := range []struct {
		name  string
		r     req
		field string
	}{
		{"list wider than the region", req{method: "GET", path: "/api/v1/firms?region_code=431200"}, "region_code"},
		{"create without region", req{method: "POST", path: "/api/v1/firms", body: `{"uscc":"` + usccIn("431202", 6) + `","name":"无区划"}`}, "region_code"},
		{"create elsewhere", req{method: "POST", path: "/api/v1/firms", body: firmIn(usccIn("431281", 6), "431281", "外地")}, "region_code"},
		{"move a firm out", req{method: "PUT", path: "/api/v1/firms/" + f.a, body: firmIn(f.a, "431281", "迁出")}, "region_code"},
		{"snapshot elsewhere", req{method: "POST", path: "/api/v1/targets/snapshots", body: `{"region_code":"431200","year":2026}`}, "region_code"},
		{"screen elsewhere", req{method: "POST", path: "/api/v1/screenings", body: `{"filter":{"region_code":"431281"}}`}, "filter.region_code"},
		{"near-misses elsewhere", req{method: "GET", path: "/api/v1/near-misses?region_code=431281"}, "region_code"},
		{"simulate elsewhere", req{method: "POST", path: "/api/v1/programs/above-size/simulate", body: `{"overrides":{"min_main_revenue":1},"filter":{"region_code":"431281"}}`}, "filter.region_code"},
	} {
		tt.r.key = staff
		e := mustEnvelope(t, do(t, h, tt.r), 403, api.CodeForbidden)
		if diff := cmp.Diff([]string{tt.field}, fields(e)); diff != "" {
			t.Errorf("%s: fields (-want +got):\n%s", tt.name, diff)
		}
	}
	// Malformed values are still the handlers' 400s.
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms?region_code=abc", key: staff}), 400, api.CodeInvalid)
	mustEnvelope(t, do(t, h, req{method: "POST", path: "/api/v1/firms", body: `{"uscc":`, key: staff}), 400, api.CodeBadRequest)
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/123", key: staff}), 400, api.CodeInvalid)
	// An unknown firm is a 404, as for an admin.
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/" + usccIn("431281", 99), key: staff}), 404, api.CodeNotFound)

	// A body without a region gets the key's.
	w := do(t, h, req{method: "POST", path: "/api/v1/targets/snapshots", body: ` {"year": 2024} `, key: staff})
	var snap struct {
		RegionCode string `json:"region_code"`
	}
	if _ = json.Unmarshal(w.Body.Bytes(), &snap); w.Code != http.StatusCreated || snap.RegionCode != "431202" {
		t.Errorf("snapshot without region as staff = %d %s", w.Code, w.Body)
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/targets", key: staff})
	var ledger ledgerBody
	if err := json.Unmarshal(w.Body.Bytes(), &ledger); err != nil || w.Code != 200 {
		t.Fatalf("GET /targets as staff = %d %s", w.Code, w.Body)
	}
	for _, it := range ledger.Items {
		if it.RegionCode != "431202" {
			t.Errorf("staff of 431202 sees a target of %s", it.RegionCode)
		}
	}
	// The near-miss pool of the region only.
	w = do(t, h, req{method: "GET", path: "/api/v1/near-misses?program=above-size", key: f.keys["staffX"]})
	var pool struct {
		Items []struct {
			RegionCode string `json:"region_code"`
		} `json:"items"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &pool)
	for _, it := range pool.Items {
		if it.RegionCode != "431281" {
			t.Errorf("staff of 431281 sees a near-miss in %s", it.RegionCode)
		}
	}
}

func TestStaffScreeningScope(t *testing.T) {
	h, _ := newScreeningAPI(t, 0)
	staff := newKey(t, h, registry.RoleStaff, "鹤城区工信局", "431202")
	w := do(t, h, req{method: "POST", path: "/api/v1/screenings", body: `{"programs":["tech-sme"],"as_of":"2026-06-30"}`, key: staff})
	var sc struct {
		ID        string                   `json:"id"`
		Filter    registry.ScreeningFilter `json:"filter"`
		CreatedBy string                   `json:"created_by"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &sc); err != nil || w.Code != http.StatusAccepted {
		t.Fatalf("POST /screenings as staff = %d %s", w.Code, w.Body)
	}
	if sc.Filter.RegionCode != "431202" || sc.CreatedBy != "鹤城区工信局" {
		t.Errorf("screening by staff: filter %+v, created_by %q; want the key's region and name", sc.Filter, sc.CreatedBy)
	}
	awaitScreening(t, h, sc.ID)
}

func TestEnterpriseScope(t *testing.T) {
	f := newAccessFixture(t)
	ent := f.keys["ent"]
	for _, tt := range []struct {
		r    req
		want int
	}{
		{req{method: "GET", path: "/api/v1/firms/" + strings.ToLower(f.a)}, 200},
		{req{method: "PUT", path: "/api/v1/firms/" + f.a + "/years/2024", body: `{"employees":60}`}, 201},
		{req{method: "PUT", path: "/api/v1/firms/" + f.a, body: firmIn(f.a, "431202", "企业甲（更名）")}, 200},
		{req{method: "GET", path: "/api/v1/firms/" + f.a + "/eligibility?programs=tech-sme"}, 200},
		{req{method: "GET", path: "/api/v1/firms/" + f.a + "/eligibility/history"}, 200},
		{req{method: "GET", path: "/api/v1/firms/" + f.a + "/lookups"}, 200},
		{req{method: "POST", path: "/api/v1/self-check", body: `{"profile":{},"programs":["tech-sme"]}`}, 200},
		{req{method: "GET", path: "/api/v1/firms/" + f.b}, 403},
		{req{method: "PUT", path: "/api/v1/firms/" + f.b + "/years/2024", body: `{"employees":60}`}, 403},
		{req{method: "DELETE", path: "/api/v1/firms/" + f.a}, 403},
		{req{method: "GET", path: "/api/v1/firms"}, 403},
		{req{method: "POST", path: "/api/v1/firms", body: firmIn(usccIn("431202", 8), "431202", "新")}, 403},
		{req{method: "GET", path: "/api/v1/whitelist/" + f.a}, 403},
		{req{method: "GET", path: "/api/v1/audit"}, 403},
	} {
		tt.r.key = ent
		if w := do(t, f.h, tt.r); w.Code != tt.want {
			t.Errorf("%s %s as the enterprise = %d, want %d; %s", tt.r.method, tt.r.path, w.Code, tt.want, w.Body)
		}
	}
}

func TestSelfCheckRateLimit(t *testing.T) {
	st := storetest.New(t)
	clock := today
	h := newServer(t, st, api.Config{Firms: st, Evaluations: st, Rules: rules.NewHolder(testEngine(t)),
		SelfCheckLimit: api.RateLimit{PerSecond: 1, Burst: 3}, Now: func() time.Time { return clock }}).Handler()
	check := func(r req) *httptest.ResponseRecorder {
		r.method, r.path, r.body = "POST", "/api/v1/self-check", `{"profile":{},"programs":["tech-sme"]}`
		if r.key == "" {
			r.anon = true
		}
		return do(t, h, r)
	}
	for i := 0; i < 3; i++ {
		if w := check(req{remote: "192.0.2.1:1000"}); w.Code != 200 {
			t.Fatalf("self-check #%d = %d %s", i+1, w.Code, w.Body)
		}
	}
	w := check(req{remote: "192.0.2.1:1001"})
	mustEnvelope(t, w, http.StatusTooManyRequests, api.CodeTooManyRequests)
	if got := w.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After = %q, want 1", got)
	}
	// A forged X-Forwarded-For does not help: no proxy is trusted.
	if w := check(req{remote: "192.0.2.1:1002", header: map[string]string{"X-Forwarded-For": "198.51.100.7"}}); w.Code != 429 {
		t.Errorf("with a forged X-Forwarded-For = %d, want 429", w.Code)
	}
	// Another address has its own bucket; a key is not limited.
	if w := check(req{remote: "192.0.2.2:1000"}); w.Code != 200 {
		t.Errorf("another client = %d", w.Code)
	}
	if w := check(req{remote: "192.0.2.1:1000", key: testAdminKey}); w.Code != 200 {
		t.Errorf("with a key = %d", w.Code)
	}
	// Other routes are not limited.
	if w := do(t, h, req{method: "GET", path: "/api/v1/programs", anon: true, remote: "192.0.2.1:1000"}); w.Code != 200 {
		t.Errorf("GET /programs = %d", w.Code)
	}
	// An IPv6 /64 is one client.
	for i := 0; i < 3; i++ {
		check(req{remote: "[2001:db8:1:2::1]:1000"})
	}
	if w := check(req{remote: "[2001:db8:1:2::99]:1000"}); w.Code != 429 {
		t.Errorf("same /64 = %d, want 429", w.Code)
	}
	// A second later there is a token again, one.
	clock = clock.Add(time.Second)
	if w := check(req{remote: "192.0.2.1:1000"}); w.Code != 200 {
		t.Errorf("a second later = %d", w.Code)
	}
	if w := check(req{remote: "192.0.2.1:1000"}); w.Code != 429 {
		t.Errorf("twice a second later = %d, want 429", w.Code)
	}
}

// auditList reads GET /audit?query as key.
func auditList(t *testing.T, h http.Handler, key, query string) []registry.AuditEntry {
	t.Helper()
	w := do(t, h, req{method: "GET", path: "/api/v1/audit?" + query, key: key})
	var l struct {
		Items []registry.AuditEntry `json:"items"`
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &l) != nil {
		t.Fatalf("GET /audit?%s = %d %s", query, w.Code, w.Body)
	}
	return l.Items
}

// auditListN is auditList once it has n entries: bank queries' entries
// are written just after their answers.
func auditListN(t *testing.T, h http.Handler, key, query string, n int) []registry.AuditEntry {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := auditList(t, h, key, query)
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAuditTrail(t *testing.T) {
	f := newAccessFixture(t)
	h := f.h
	staff := f.keys["staff"]
	// A write as staff, one refused, one that fails, a read.
	w := do(t, h, req{method: "PUT", path: "/api/v1/firms/" + f.a + "/years/2024", body: `{"employees":70}`, key: staff,
		header: map[string]string{"X-Request-ID": "req-year-put"}})
	if w.Code != 201 {
		t.Fatal(w.Body)
	}
	mustEnvelope(t, do(t, h, req{method: "DELETE", path: "/api/v1/firms/" + f.b, key: staff}), 403, api.CodeForbidden)
	mustEnvelope(t, do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmIn(f.a, "431202", "重复")}), 409, api.CodeConflict)
	do(t, h, req{method: "GET", path: "/api/v1/firms/" + f.a, key: staff})
	if w := do(t, h, req{method: "DELETE", path: "/api/v1/firms/" + f.c}); w.Code != 204 {
		t.Fatal(w.Body)
	}

	type row struct {
		Action, KeyName string
		Role            registry.Role
		USCC, Region    string
		Outcome         int
		Method, Path    string
	}
	rows := func(es []registry.AuditEntry) []row {
		var out []row
		for _, e := range es {
			if e.ID == "" || e.RequestID == "" || !e.Time.Equal(today) {
				t.Errorf("entry without ID, request ID or time: %+v", e)
			}
			out = append(out, row{e.Action, e.KeyName, e.Role, e.USCC, e.RegionCode, e.Outcome, e.Method, e.Path})
		}
		return out
	}
	all := auditList(t, h, testAdminKey, "")
	want := []row{
		{"firm.delete", "测试管理员", "admin", f.c, "431202", 204, "DELETE", "/api/v1/firms/" + f.c},
		{"firm.create", "测试管理员", "admin", f.a, "431202", 409, "POST", "/api/v1/firms"},
		{"firm.delete", "鹤城区工信局", "staff", f.b, "431281", 403, "DELETE", "/api/v1/firms/" + f.b},
		{"year.put", "鹤城区工信局", "staff", f.a, "431202", 201, "PUT", "/api/v1/firms/" + f.a + "/years/2024"},
	}
	if diff := cmp.Diff(want, rows(all[:4])); diff != "" {
		t.Errorf("latest entries (-want +got):\n%s", diff)
	}
	if all[3].RequestID != "req-year-put" {
		t.Errorf("request_id = %q", all[3].RequestID)
	}
	// Filters, and the staff of 431281 see only their region's entries.
	if got := auditList(t, h, testAdminKey, "action=year.put&actor_role=staff&uscc="+f.a); len(got) != 1 {
		t.Errorf("filtered: %d entries, want 1", len(got))
	}
	if got := auditList(t, h, testAdminKey, "since=2026-07-01"); len(got) != 0 {
		t.Errorf("since tomorrow: %d entries", len(got))
	}
	if got := auditList(t, h, testAdminKey, "limit=2"); len(got) != 2 {
		t.Errorf("limit=2: %d entries", len(got))
	}
	forB := auditList(t, h, f.keys["staffX"], "")
	if diff := cmp.Diff([]row{{"firm.delete", "鹤城区工信局", "staff", f.b, "431281", 403, "DELETE", "/api/v1/firms/" + f.b},
		{"key.create", "测试管理员", "admin", f.b, "431281", 201, "POST", "/api/v1/keys"},
		{"firm.create", "测试管理员", "admin", f.b, "431281", 201, "POST", "/api/v1/firms"}}, rows(forB)); diff != "" {
		t.Errorf("staff of 431281 (-want +got):\n%s", diff)
	}
	// Keys are audited; nothing of a key or a body is stored.
	secret := newKey(t, h, registry.RoleBank, "审计测试银行", "")
	raw := do(t, h, req{method: "GET", path: "/api/v1/audit?limit=1000"}).Body.String()
	for _, leak := range []string{secret, registry.HashKey(secret), testAdminKey, "重复", `"employees"`} {
		if strings.Contains(raw, leak) {
			t.Errorf("the audit log holds %q", leak)
		}
	}
	if got := auditList(t, h, testAdminKey, "action=key.create"); len(got) != 6 {
		t.Errorf("key.create entries: %d, want 6", len(got))
	}
	for _, tt := range []struct {
		query, code, field string
	}{
		{"actor_role=root", api.CodeBadRequest, "actor_role"}, {"action=drop", api.CodeBadRequest, "action"},
		{"uscc=123", api.CodeInvalid, "uscc"}, {"since=yesterday", api.CodeBadRequest, "since"},
		{"limit=0", api.CodeBadRequest, "limit"}, {"who=x", api.CodeInvalid, "who"},
	} {
		e := mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/audit?" + tt.query}), 400, tt.code)
		if diff := cmp.Diff([]string{tt.field}, fields(e)); diff != "" {
			t.Errorf("%s: fields (-want +got):\n%s", tt.query, diff)
		}
	}
	// No route changes the log.
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		mustEnvelope(t, do(t, h, req{method: m, path: "/api/v1/audit"}), 405, api.CodeMethodNotAllowed)
	}
}

func TestBankLookupAudit(t *testing.T) {
	h, codes := newWhitelistAPI(t, true, false, true)
	if w := do(t, h, req{method: "POST", path: "/api/v1/whitelists/finance-whitelist/publish", body: `{"as_of":"2026-06-30"}`}); w.Code != 201 {
		t.Fatalf("publish = %d %s", w.Code, w.Body)
	}
	bank := newKey(t, h, registry.RoleBank, "怀化某银行", "")
	ent := newKey(t, h, registry.RoleEnterprise, "白名单企业甲", codes[0])
	other := newKey(t, h, registry.RoleEnterprise, "白名单企业乙", codes[1])
	if w := do(t, h, req{method: "GET", path: "/api/v1/whitelist/" + codes[0], key: bank}); w.Code != 200 {
		t.Fatalf("bank lookup = %d %s", w.Code, w.Body)
	}
	body, _ := json.Marshal(map[string]any{"usccs": codes})
	if w := do(t, h, req{method: "POST", path: "/api/v1/whitelist/lookup", body: string(body), key: bank}); w.Code != 200 {
		t.Fatalf("bank batch = %d %s", w.Code, w.Body)
	}
	if w := do(t, h, req{method: "GET", path: "/api/v1/whitelists/finance-whitelist/changes?since=0", key: bank}); w.Code != 200 {
		t.Fatalf("bank changes = %d %s", w.Code, w.Body)
	}
	// The bank sees nothing else.
	for _, r := range []req{
		{method: "GET", path: "/api/v1/firms/" + codes[0]},
		{method: "GET", path: "/api/v1/firms/" + codes[0] + "/lookups"},
		{method: "GET", path: "/api/v1/audit"},
		{method: "POST", path: "/api/v1/whitelists/finance-whitelist/publish"},
	} {
		r.key = bank
		mustEnvelope(t, do(t, h, r), 403, api.CodeForbidden)
	}

	// One entry per USCC looked up, the batch's included.
	lookups := auditListN(t, h, testAdminKey, "action=whitelist.lookup&actor_role=bank", 4)
	var got []string
	for _, e := range lookups {
		got = append(got, e.USCC)
		if e.KeyName != "怀化某银行" || e.Outcome != 200 || e.RegionCode != "431202" {
			t.Errorf("lookup entry %+v", e)
		}
	}
	if diff := cmp.Diff([]string{codes[2], codes[1], codes[0], codes[0]}, got); diff != "" {
		t.Errorf("lookup entries, newest first (-want +got):\n%s", diff)
	}
	if got := auditListN(t, h, testAdminKey, "action=whitelist.changes", 1); len(got) != 1 || got[0].USCC != "" {
		t.Errorf("changes entries: %+v", got)
	}

	// The firm sees who looked it up; another firm may not.
	w := do(t, h, req{method: "GET", path: "/api/v1/firms/" + codes[0] + "/lookups", key: ent})
	var seen struct {
		USCC  string           `json:"uscc"`
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &seen); err != nil || w.Code != 200 {
		t.Fatalf("lookups = %d %s", w.Code, w.Body)
	}
	wantItem := map[string]any{"time": "2026-06-30T09:00:00Z", "key_name": "怀化某银行", "role": "bank", "outcome": 200.0}
	if diff := cmp.Diff([]map[string]any{wantItem, wantItem}, seen.Items); diff != "" || seen.USCC != codes[0] {
		t.Errorf("lookups of %s (-want +got):\n%s", seen.USCC, diff)
	}
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/" + codes[0] + "/lookups", key: other}), 403, api.CodeForbidden)
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/" + usccIn("431202", 777) + "/lookups"}), 404, api.CodeNotFound)
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/" + codes[0] + "/lookups?since=x"}), 400, api.CodeBadRequest)
}

// failingAudit is the real store with an audit log that cannot be written,
// as when the database fails between a write and its entry.
type failingAudit struct{ *store.Store }

func (failingAudit) AppendAudit(context.Context, ...registry.AuditEntry) error {
	return errors.Join(errors.New("append audit: injected"), registry.ErrUnavailable)
}

func TestAuditWriteFailure(t *testing.T) {
	st := storetest.New(t)
	if _, err := st.EnsureAdminKey(context.Background(), registry.HashKey(testAdminKey), "测试管理员", "test"); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h := api.New(api.Config{Firms: st, Evaluations: st, Rules: rules.NewHolder(testEngine(t)), Keys: st, Audit: failingAudit{st},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: func() time.Time { return today }}).Handler()
	code := uscc(80)
	w := do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmJSON(code, "审计失败时的企业")})
	mustEnvelope(t, w, http.StatusServiceUnavailable, api.CodeUnavailable)
	if w.Header().Get("Location") != "" || w.Header().Get("ETag") != "" || w.Header().Get("Retry-After") == "" {
		t.Errorf("503 headers: %v", w.Header())
	}
	// The write itself went through (the message says it may have); the
	// failure is logged at error level, without the body or the key.
	if w := do(t, h, req{method: "GET", path: "/api/v1/firms/" + code}); w.Code != 200 {
		t.Errorf("GET after the failed audit = %d", w.Code)
	}
	log := logs.String()
	if !strings.Contains(log, "level=ERROR msg=\"audit write failed\"") || !strings.Contains(log, "action=firm.create") {
		t.Errorf("log:\n%s", log)
	}
	if strings.Contains(log, testAdminKey) || strings.Contains(log, "审计失败时的企业") {
		t.Errorf("the log holds the key or the body:\n%s", log)
	}
	// A failed write keeps its own answer.
	mustEnvelope(t, do(t, h, req{method: "POST", path: "/api/v1/firms", body: `{"uscc":"x"}`}), 400, api.CodeInvalid)
	// Without an audit log, audited routes are refused before they run.
	bare := api.New(api.Config{Firms: st, Evaluations: st, Rules: rules.NewHolder(testEngine(t)), Keys: st}).Handler()
	mustEnvelope(t, do(t, bare, req{method: "DELETE", path: "/api/v1/firms/" + code}), 503, api.CodeUnavailable)
	if w := do(t, h, req{method: "GET", path: "/api/v1/firms/" + code}); w.Code != 200 {
		t.Errorf("firm deleted although the audit log was missing: %d", w.Code)
	}
}
