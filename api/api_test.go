package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/api"
	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// today is the fixed clock of these tests.
var today = time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC)

func newAPI(t *testing.T) http.Handler {
	t.Helper()
	st := storetest.New(t)
	return newServer(t, st, api.Config{
		Firms:       st,
		Evaluations: st,
		Rules:       rules.NewHolder(testEngine(t)),
		Targets:     st,
		Ready:       []api.Checker{{Name: "database", Check: st.Ping}},
		Now:         func() time.Time { return today },
	}).Handler()
}

// testAdminKey is the admin key of every test server: do sends it unless
// the request names another key or none.
const testAdminKey = "py_test-admin-key-of-the-api-tests-000000"

// newServer builds the API with st as its key store and audit log, in
// which it registers testAdminKey.
func newServer(t *testing.T, st *store.Store, cfg api.Config) *api.Server {
	t.Helper()
	if _, err := st.EnsureAdminKey(context.Background(), registry.HashKey(testAdminKey), "测试管理员", "test"); err != nil {
		t.Fatalf("register the test admin key: %v", err)
	}
	cfg.Keys, cfg.Audit = st, st
	return api.New(cfg)
}

// newKey makes a key through the API (as the test admin) and returns it:
// role, name, and the region (staff) or USCC (enterprise) as scope.
func newKey(t *testing.T, h http.Handler, role registry.Role, name, scope string) string {
	t.Helper()
	body := map[string]string{"role": string(role), "name": name}
	switch role {
	case registry.RoleStaff:
		body["region_code"] = scope
	case registry.RoleEnterprise:
		body["uscc"] = scope
	}
	b, _ := json.Marshal(body)
	w := do(t, h, req{method: "POST", path: "/api/v1/keys", body: string(b)})
	var k struct {
		Key string `json:"key"`
	}
	if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &k) != nil || k.Key == "" {
		t.Fatalf("POST /keys %s = %d %s", b, w.Code, w.Body)
	}
	return k.Key
}

var (
	engineOnce sync.Once
	engine     *rules.Engine
	engineErr  error
)

// testEngine compiles the embedded packs once per test binary.
func testEngine(t *testing.T) *rules.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = rules.Default() })
	if engineErr != nil {
		t.Fatalf("rule packs: %v", engineErr)
	}
	return engine
}

// uscc builds a valid code for county 431202 from a serial number.
func uscc(serial int) string {
	return usccIn("431202", serial)
}

func usccIn(region string, serial int) string {
	body := fmt.Sprintf("91%sMA%07d", region, serial)
	c, ok := registry.USCCCheckChar(body)
	if !ok {
		panic("bad body " + body)
	}
	return body + string(c)
}

// firmJSON is a valid profile as a client would send it.
func firmJSON(code, name string) string {
	return `{"uscc":"` + code + `","name":"` + name + `","region_code":"431202","industry_code":"C3562",
	"chain":"机械装备","established":"2015-03-01",
	"niche":{"market":"精密减速器","since":"2016-01-01","share":0.12,"domestic_rank":3,"key_field":true},
	"years":[{"year":2025,"employees":120,"tech_staff":30,"rd_staff":25,"revenue":56000000,"main_revenue":52000000,
	          "rd_expense":3000000,"total_assets":80000000,"total_liabilities":30000000,"net_profit":5000000}],
	"ip":{"class1":3,"class2":10},
	"honors":[{"kind":"hnte","level":"national","issued":"2024-12-01","expires":"2027-11-30","number":"GR2024001"}],
	"compliance":{"abnormal_list":false,"serious_dishonesty":false,"prohibited_industry":false}}`
}

type req struct {
	method, path, body string
	header             map[string]string
	// key is sent as "Authorization: Bearer key" instead of testAdminKey;
	// anon sends no key. A header Authorization or X-API-Key (even empty)
	// wins over both.
	key  string
	anon bool
	// remote is the client's address, "192.0.2.1:1234" by default.
	remote string
}

func do(t *testing.T, h http.Handler, r req) *httptest.ResponseRecorder {
	t.Helper()
	var body *strings.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	} else {
		body = strings.NewReader("")
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	}
	_, auth := r.header["Authorization"]
	_, xkey := r.header["X-API-Key"]
	switch {
	case auth || xkey || r.anon:
	case r.key != "":
		hr.Header.Set("Authorization", "Bearer "+r.key)
	default:
		hr.Header.Set("Authorization", "Bearer "+testAdminKey)
	}
	for k, v := range r.header {
		if v == "" {
			hr.Header.Del(k)
			continue
		}
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hr)
	return w
}

type envelope struct {
	Error struct {
		Code    string             `json:"code"`
		Message string             `json:"message"`
		Details []registry.Problem `json:"details"`
	} `json:"error"`
}

// mustEnvelope decodes an error answer and checks its status and code.
func mustEnvelope(t *testing.T, w *httptest.ResponseRecorder, status int, code string) envelope {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body %s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	var e envelope
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("body is not the error envelope: %v", err)
	}
	if e.Error.Code != code {
		t.Errorf("error.code = %q, want %q (message %q)", e.Error.Code, code, e.Error.Message)
	}
	if e.Error.Message == "" {
		t.Error("error.message is empty")
	}
	if e.Error.Details == nil {
		t.Error("error.details is null, want an array")
	}
	return e
}

// fields lists the details' field names, sorted.
func fields(e envelope) []string {
	var out []string
	for _, d := range e.Error.Details {
		out = append(out, d.Field)
	}
	sort.Strings(out)
	return out
}

func decodeFirm(t *testing.T, w *httptest.ResponseRecorder) registry.Firm {
	t.Helper()
	var f registry.Firm
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decode firm: %v; body %s", err, w.Body)
	}
	return f
}

func TestHealthz(t *testing.T) {
	h := newAPI(t)
	w := do(t, h, req{method: "GET", path: "/healthz"})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"version"`) {
		t.Errorf("GET /healthz = %d %s", w.Code, w.Body)
	}
	w = do(t, h, req{method: "GET", path: "/readyz"})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"database":"ok"`) {
		t.Errorf("GET /readyz = %d %s", w.Code, w.Body)
	}
}

func TestRouterErrorsUseEnvelope(t *testing.T) {
	h := newAPI(t)
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/nothing"}), 404, api.CodeNotFound)
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/nothing"}), 404, api.CodeNotFound)
	w := do(t, h, req{method: "PATCH", path: "/api/v1/firms"})
	mustEnvelope(t, w, 405, api.CodeMethodNotAllowed)
	mustEnvelope(t, do(t, h, req{method: "POST", path: "/api/v1/firms/" + uscc(1)}), 405, api.CodeMethodNotAllowed)
}

func TestFirmCRUD(t *testing.T) {
	h := newAPI(t)
	code := uscc(7)

	w := do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmJSON(code, "演示精工机械有限公司")})
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /firms = %d %s", w.Code, w.Body)
	}
	if got, want := w.Header().Get("Location"), "/api/v1/firms/"+code; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := w.Header().Get("ETag"); got != `"1"` {
		t.Errorf("ETag after create = %q, want %q", got, `"1"`)
	}
	created := decodeFirm(t, w)

	// Duplicate USCC.
	w = do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmJSON(code, "另一家公司")})
	mustEnvelope(t, w, http.StatusConflict, api.CodeConflict)

	// Get, with a lower-case path that is normalized.
	w = do(t, h, req{method: "GET", path: "/api/v1/firms/" + strings.ToLower(code)})
	if w.Code != 200 {
		t.Fatalf("GET = %d %s", w.Code, w.Body)
	}
	etag := w.Header().Get("ETag")
	if diff := cmp.Diff(created, decodeFirm(t, w)); diff != "" {
		t.Errorf("GET differs from POST answer (-post +get):\n%s", diff)
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/firms/" + code, header: map[string]string{"If-None-Match": etag}})
	if w.Code != http.StatusNotModified {
		t.Errorf("GET with If-None-Match = %d, want 304", w.Code)
	}

	// Replace with the current ETag, then a stale one.
	updated := strings.Replace(firmJSON(code, "演示精工机械股份有限公司"), `"chain":"机械装备"`, `"chain":"电子元器件"`, 1)
	w = do(t, h, req{method: "PUT", path: "/api/v1/firms/" + code, body: updated, header: map[string]string{"If-Match": etag}})
	if w.Code != 200 {
		t.Fatalf("PUT = %d %s", w.Code, w.Body)
	}
	if got := w.Header().Get("ETag"); got != `"2"` {
		t.Errorf("ETag after PUT = %q, want %q", got, `"2"`)
	}
	if f := decodeFirm(t, w); f.Name != "演示精工机械股份有限公司" || f.Chain != "电子元器件" {
		t.Errorf("PUT answer = %+v", f)
	}
	stale := firmJSON(code, "覆盖不该成功")
	w = do(t, h, req{method: "PUT", path: "/api/v1/firms/" + code, body: stale, header: map[string]string{"If-Match": etag}})
	mustEnvelope(t, w, http.StatusConflict, api.CodeConflict)
	w = do(t, h, req{method: "GET", path: "/api/v1/firms/" + code})
	if f := decodeFirm(t, w); f.Name != "演示精工机械股份有限公司" {
		t.Errorf("after stale PUT, name = %q: the stale write went through", f.Name)
	}

	// Delete with a stale ETag, then for real, then again.
	w = do(t, h, req{method: "DELETE", path: "/api/v1/firms/" + code, header: map[string]string{"If-Match": `"1"`}})
	mustEnvelope(t, w, http.StatusConflict, api.CodeConflict)
	w = do(t, h, req{method: "DELETE", path: "/api/v1/firms/" + code, header: map[string]string{"If-Match": `"2"`}})
	if w.Code != http.StatusNoContent {
		t.Fatalf("DELETE = %d %s", w.Code, w.Body)
	}
	mustEnvelope(t, do(t, h, req{method: "DELETE", path: "/api/v1/firms/" + code}), 404, api.CodeNotFound)
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/" + code}), 404, api.CodeNotFound)
	mustEnvelope(t, do(t, h, req{method: "PUT", path: "/api/v1/firms/" + code, body: firmJSON(code, "x")}), 404, api.CodeNotFound)
}

func TestFirmErrors(t *testing.T) {
	h := newAPI(t)
	code := uscc(9)
	if w := do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmJSON(code, "演示公司")}); w.Code != 201 {
		t.Fatalf("setup POST = %d %s", w.Code, w.Body)
	}
	wrongCheck := code[:17] + string(nextChar(code[17]))
	tests := []struct {
		name   string
		r      req
		status int
		code   string
		fields []string
	}{
		{"malformed json", req{method: "POST", path: "/api/v1/firms", body: `{"uscc": `}, 400, api.CodeBadRequest, nil},
		{"syntax error", req{method: "POST", path: "/api/v1/firms", body: `{"uscc" "x"}`}, 400, api.CodeBadRequest, nil},
		{"not an object", req{method: "POST", path: "/api/v1/firms", body: `[1,2]`}, 400, api.CodeBadRequest, nil},
		{"trailing data", req{method: "POST", path: "/api/v1/firms", body: firmJSON(uscc(10), "甲") + ` {}`}, 400, api.CodeBadRequest, nil},
		{"empty body", req{method: "POST", path: "/api/v1/firms", body: ""}, 400, api.CodeBadRequest, nil},
		{"unknown field", req{method: "POST", path: "/api/v1/firms", body: `{"uscc":"` + uscc(11) + `","name":"甲","revenue":1}`}, 400, api.CodeBadRequest, []string{"revenue"}},
		{"wrong type", req{method: "POST", path: "/api/v1/firms", body: `{"uscc":"` + uscc(11) + `","name":"甲","years":[{"year":2025,"revenue":"很多"}]}`}, 400, api.CodeBadRequest, []string{"years.revenue"}},
		{"fractional amount", req{method: "POST", path: "/api/v1/firms", body: `{"uscc":"` + uscc(11) + `","name":"甲","years":[{"year":2025,"revenue":1.5}]}`}, 400, api.CodeBadRequest, []string{"years.revenue"}},
		{"operator injection", req{method: "POST", path: "/api/v1/firms", body: `{"uscc":{"$ne":null},"name":"甲"}`}, 400, api.CodeBadRequest, []string{"uscc"}},
		{"invalid utf-8", req{method: "POST", path: "/api/v1/firms", body: "{\"uscc\":\"" + uscc(11) + "\",\"name\":\"\xff\xfe\"}"}, 400, api.CodeBadRequest, nil},
		{"wrong content type", req{method: "POST", path: "/api/v1/firms", body: firmJSON(uscc(11), "甲"), header: map[string]string{"Content-Type": "text/plain"}}, 415, api.CodeUnsupportedMedia, nil},
		// curl -d sends a form type; the body must still be one JSON value.
		{"curl default type, not json", req{method: "POST", path: "/api/v1/firms", body: "uscc=1&name=x", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 400, api.CodeBadRequest, nil},
		{"oversized body", req{method: "POST", path: "/api/v1/firms", body: `{"name":"` + strings.Repeat("长", api.MaxBodyBytes/3+10) + `"}`}, 413, api.CodeTooLarge, nil},
		{"deep nesting", req{method: "POST", path: "/api/v1/firms", body: strings.Repeat(`{"niche":`, 20000)}, 400, api.CodeBadRequest, nil},
		{"usc check digit", req{method: "POST", path: "/api/v1/firms", body: firmJSON(wrongCheck, "甲")}, 400, api.CodeInvalid, []string{"uscc"}},
		{"usc forbidden letter", req{method: "POST", path: "/api/v1/firms", body: firmJSON("91431202MA4L0OOOO1", "甲")}, 400, api.CodeInvalid, []string{"uscc"}},
		{"missing name", req{method: "POST", path: "/api/v1/firms", body: `{"uscc":"` + uscc(12) + `"}`}, 400, api.CodeInvalid, []string{"name"}},
		{"many problems", req{method: "POST", path: "/api/v1/firms", body: `{"uscc":"` + uscc(12) + `","name":"甲","region_code":"4312","established":"2015-13-01",
			"years":[{"year":2025,"employees":10,"tech_staff":11,"revenue":-1},{"year":2025}],
			"honors":[{"kind":"hnte","issued":"2024-12-01","expires":"2023-01-01"}]}`}, 400, api.CodeInvalid,
			[]string{"established", "honors[0].expires", "region_code", "years[0].revenue", "years[0].tech_staff", "years[1].year"}},
		{"future year", req{method: "POST", path: "/api/v1/firms", body: `{"uscc":"` + uscc(12) + `","name":"甲","years":[{"year":2027}]}`}, 400, api.CodeInvalid, []string{"years[0].year"}},
		{"bad path uscc check digit", req{method: "GET", path: "/api/v1/firms/" + wrongCheck}, 400, api.CodeInvalid, []string{"uscc"}},
		{"bad path uscc letter", req{method: "GET", path: "/api/v1/firms/91431202MA4L0IIII1"}, 400, api.CodeInvalid, []string{"uscc"}},
		{"path traversal", req{method: "GET", path: "/api/v1/firms/..%2F..%2Fetc%2Fpasswd"}, 404, api.CodeNotFound, nil},
		{"path traversal in segment", req{method: "GET", path: "/api/v1/firms/..%5Cpasswd"}, 400, api.CodeInvalid, []string{"uscc"}},
		{"body uscc differs", req{method: "PUT", path: "/api/v1/firms/" + code, body: firmJSON(uscc(13), "甲")}, 400, api.CodeBadRequest, []string{"uscc"}},
		{"malformed If-Match", req{method: "PUT", path: "/api/v1/firms/" + code, body: firmJSON(code, "甲"), header: map[string]string{"If-Match": "abc"}}, 400, api.CodeBadRequest, []string{"If-Match"}},
		{"year path not a number", req{method: "PUT", path: "/api/v1/firms/" + code + "/years/abc", body: `{}`}, 400, api.CodeBadRequest, []string{"year"}},
		{"year body differs", req{method: "PUT", path: "/api/v1/firms/" + code + "/years/2024", body: `{"year":2023}`}, 400, api.CodeBadRequest, []string{"year"}},
		{"year inconsistent", req{method: "PUT", path: "/api/v1/firms/" + code + "/years/2024", body: `{"employees":5,"tech_staff":6}`}, 400, api.CodeInvalid, []string{"years[0].tech_staff"}},
		{"year unknown firm", req{method: "PUT", path: "/api/v1/firms/" + uscc(99) + "/years/2024", body: `{"employees":5}`}, 404, api.CodeNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEnvelope(t, do(t, h, tt.r), tt.status, tt.code)
			if tt.fields != nil {
				if diff := cmp.Diff(tt.fields, fields(e)); diff != "" {
					t.Errorf("detail fields (-want +got):\n%s", diff)
				}
			}
		})
	}
	// None of the bad requests wrote anything.
	w := do(t, h, req{method: "GET", path: "/api/v1/firms?limit=200"})
	var list struct {
		Items []registry.Firm `json:"items"`
		Total int             `json:"total"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || list.Total != 1 {
		t.Errorf("after bad requests: total = %d (%v), want 1", list.Total, err)
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/firms/" + code})
	if got := w.Header().Get("ETag"); got != `"1"` {
		t.Errorf("after bad requests ETag = %q, want %q", got, `"1"`)
	}
}

// nextChar returns another character of the USCC alphabet.
func nextChar(c byte) byte {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	i := strings.IndexByte(alphabet, c)
	return alphabet[(i+1)%len(alphabet)]
}

func TestYearPut(t *testing.T) {
	h := newAPI(t)
	code := uscc(20)
	if w := do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmJSON(code, "演示公司")}); w.Code != 201 {
		t.Fatalf("setup POST = %d %s", w.Code, w.Body)
	}
	w := do(t, h, req{method: "PUT", path: "/api/v1/firms/" + code + "/years/2024", body: `{"employees":100,"revenue":40000000}`})
	if w.Code != http.StatusCreated {
		t.Fatalf("PUT new year = %d %s", w.Code, w.Body)
	}
	f := decodeFirm(t, w)
	if len(f.Years) != 2 || f.Years[0].Year != 2024 || *f.Years[0].Revenue != 40_000_000 {
		t.Errorf("years after insert = %+v", f.Years)
	}
	etag := w.Header().Get("ETag")
	w = do(t, h, req{method: "PUT", path: "/api/v1/firms/" + code + "/years/2024", body: `{"year":2024,"employees":101}`,
		header: map[string]string{"If-Match": etag}})
	if w.Code != http.StatusOK {
		t.Fatalf("PUT existing year = %d %s", w.Code, w.Body)
	}
	f = decodeFirm(t, w)
	if len(f.Years) != 2 || *f.Years[0].Employees != 101 || f.Years[0].Revenue != nil {
		t.Errorf("years after replace = %+v", f.Years)
	}
	w = do(t, h, req{method: "PUT", path: "/api/v1/firms/" + code + "/years/2024", body: `{"employees":102}`,
		header: map[string]string{"If-Match": etag}})
	mustEnvelope(t, w, http.StatusConflict, api.CodeConflict)
}

func TestFirmList(t *testing.T) {
	h := newAPI(t)
	post := func(code, region, chain, industry, name string, honors string) {
		t.Helper()
		body := `{"uscc":"` + code + `","name":"` + name + `","region_code":"` + region + `","chain":"` + chain +
			`","industry_code":"` + industry + `","honors":[` + honors + `]}`
		if w := do(t, h, req{method: "POST", path: "/api/v1/firms", body: body}); w.Code != 201 {
			t.Fatalf("POST %s = %d %s", name, w.Code, w.Body)
		}
	}
	valid := `{"kind":"hnte","level":"national","issued":"2024-12-01","expires":"2027-11-30"}`
	expired := `{"kind":"hnte","level":"national","issued":"2020-12-01","expires":"2023-11-30"}`
	post(usccIn("431202", 1), "431202", "机械装备", "C3562", "鹤城精工", valid)
	post(usccIn("431202", 2), "431202", "食品", "C1391", "鹤城食品", expired)
	post(usccIn("431281", 3), "431281", "机械装备", "C3411", "洪江机械", "")
	post(usccIn("431222", 4), "431222", "竹业", "C2041", "沅陵竹业", valid)
	post(usccIn("110105", 5), "110105", "电子元器件", "C3971", "北京元件", "")

	names := func(w *httptest.ResponseRecorder) (int, []string) {
		t.Helper()
		if w.Code != 200 {
			t.Fatalf("list = %d %s", w.Code, w.Body)
		}
		var list struct {
			Items []registry.Firm `json:"items"`
			Total int             `json:"total"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range list.Items {
			out = append(out, f.Name)
		}
		return list.Total, out
	}
	tests := []struct {
		query string
		total int
		want  []string
	}{
		{"", 5, []string{"北京元件", "鹤城精工", "鹤城食品", "沅陵竹业", "洪江机械"}},
		{"region_code=431202", 2, []string{"鹤城精工", "鹤城食品"}},
		{"region_code=431200", 4, []string{"鹤城精工", "鹤城食品", "沅陵竹业", "洪江机械"}},
		{"region_code=430000", 4, []string{"鹤城精工", "鹤城食品", "沅陵竹业", "洪江机械"}},
		{"chain=机械装备", 2, []string{"鹤城精工", "洪江机械"}},
		{"industry_code=C35", 1, []string{"鹤城精工"}},
		{"industry_code=C", 5, []string{"北京元件", "鹤城精工", "鹤城食品", "沅陵竹业", "洪江机械"}},
		{"q=鹤城", 2, []string{"鹤城精工", "鹤城食品"}},
		{"q=.*", 0, nil},
		{"q=" + usccIn("431281", 3)[:10], 1, []string{"洪江机械"}},
		{"honor=hnte", 2, []string{"鹤城精工", "沅陵竹业"}},
		{"honor=hnte&region_code=431222", 1, []string{"沅陵竹业"}},
		{"limit=2", 5, []string{"北京元件", "鹤城精工"}},
		{"limit=2&page=3", 5, []string{"洪江机械"}},
		{"limit=2&page=4", 5, nil},
		{"limit=100000", 5, []string{"北京元件", "鹤城精工", "鹤城食品", "沅陵竹业", "洪江机械"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			total, got := names(do(t, h, req{method: "GET", path: "/api/v1/firms?" + tt.query}))
			if total != tt.total {
				t.Errorf("total = %d, want %d", total, tt.total)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
		})
	}
	w := do(t, h, req{method: "GET", path: "/api/v1/firms?limit=100000"})
	if !strings.Contains(w.Body.String(), `"limit":200`) {
		t.Errorf("limit not capped at 200: %s", w.Body)
	}

	bad := []struct {
		query  string
		fields []string
	}{
		{"region_code[$ne]=1", []string{"region_code[$ne]"}},
		{"region_code=abc", []string{"region_code"}},
		{"industry_code=$where", []string{"industry_code"}},
		{"page=0&limit=-1", []string{"limit", "page"}},
		{"page=x", []string{"page"}},
		{"honor=HNTE", []string{"honor"}},
		{"chain=a&chain=b", []string{"chain"}},
		{"q=" + strings.Repeat("长", 101), []string{"q"}},
	}
	for _, tt := range bad {
		t.Run("bad "+tt.query, func(t *testing.T) {
			e := mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms?" + tt.query}), 400, api.CodeInvalid)
			if diff := cmp.Diff(tt.fields, fields(e)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}
