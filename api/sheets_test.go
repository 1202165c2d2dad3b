package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/api"
	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/sheet"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/seeds"
)

// sheetAPI is a server whose registry is firms, usually st itself.
func sheetAPI(t *testing.T, st *store.Store, firms api.FirmService) http.Handler {
	t.Helper()
	return newServer(t, st, api.Config{
		Firms: firms, Evaluations: st, Rules: rules.NewHolder(testEngine(t)),
		Now: func() time.Time { return today },
	}).Handler()
}

// importResult is the answer of POST /firms/import.
type importResult struct {
	Rows          int             `json:"rows"`
	Firms         int             `json:"firms"`
	Created       int             `json:"created"`
	Updated       int             `json:"updated"`
	Unchanged     int             `json:"unchanged"`
	Failed        int             `json:"failed"`
	Problems      []sheet.Problem `json:"problems"`
	ProblemsTotal int             `json:"problems_total"`
	DryRun        bool            `json:"dry_run"`
}

// counts is the result without its problems.
func (r importResult) counts() string {
	return fmt.Sprintf("firms %d: created %d, updated %d, unchanged %d, failed %d", r.Firms, r.Created, r.Updated, r.Unchanged, r.Failed)
}

// upload posts a file as multipart/form-data, field "file".
func upload(t *testing.T, h http.Handler, query, key string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("note", "ignored")
	fw, err := mw.CreateFormFile("file", "firms.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return do(t, h, req{method: "POST", path: "/api/v1/firms/import" + query, body: body.String(), key: key,
		header: map[string]string{"Content-Type": mw.FormDataContentType()}})
}

// importOK uploads and decodes a 200 answer.
func importOK(t *testing.T, h http.Handler, query, key string, data []byte) importResult {
	t.Helper()
	w := upload(t, h, query, key, data)
	if w.Code != http.StatusOK {
		t.Fatalf("POST /firms/import = %d %s", w.Code, w.Body)
	}
	var r importResult
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("import answer: %v", err)
	}
	return r
}

func workbook(t *testing.T, firms []registry.Firm) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, firms); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func getFirm(t *testing.T, h http.Handler, code string) (registry.Firm, string) {
	t.Helper()
	w := do(t, h, req{method: "GET", path: "/api/v1/firms/" + code})
	if w.Code != http.StatusOK {
		t.Fatalf("GET /firms/%s = %d %s", code, w.Code, w.Body)
	}
	return decodeFirm(t, w), w.Header().Get("ETag")
}

// The template downloads, and imports as it is, raw or as a form upload.
func TestImportTemplate(t *testing.T) {
	st := storetest.New(t)
	h := sheetAPI(t, st, st)
	w := do(t, h, req{method: "GET", path: "/api/v1/firms/import-template.xlsx"})
	if w.Code != 200 || w.Header().Get("Content-Type") != sheet.ContentTypeXLSX ||
		!strings.Contains(w.Header().Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("GET template = %d %v", w.Code, w.Header())
	}
	tmpl := w.Body.Bytes()
	raw := do(t, h, req{method: "POST", path: "/api/v1/firms/import?dry_run=true", body: string(tmpl),
		header: map[string]string{"Content-Type": sheet.ContentTypeXLSX}})
	var dry importResult
	if raw.Code != 200 || json.Unmarshal(raw.Body.Bytes(), &dry) != nil || !dry.DryRun || dry.Created != 1 || len(dry.Problems) != 0 {
		t.Fatalf("raw dry run = %d %s", raw.Code, raw.Body)
	}
	r := importOK(t, h, "", "", tmpl)
	if r.counts() != "firms 1: created 1, updated 0, unchanged 0, failed 0" || len(r.Problems) != 0 || r.Rows != 8 {
		t.Fatalf("template import: %s, rows %d, problems %v", r.counts(), r.Rows, r.Problems)
	}
	ex := sheet.Example()
	got, _ := getFirm(t, h, ex.USCC)
	if got.Name != ex.Name || len(got.Years) != 2 || len(got.Honors) != 4 || len(got.Compliance.Incidents) != 1 {
		t.Errorf("imported example = %+v", got)
	}
}

// Bad rows are reported by sheet, row and column; the good firms land.
func TestImportBadRows(t *testing.T) {
	st := storetest.New(t)
	h := sheetAPI(t, st, st)
	firms := seeds.Generate(3, 21)
	bad := &firms[0]
	bad.Years[0].MainRevenue = ptrTo(*bad.Years[0].Revenue + 1)
	bad.Established = "2015-02-30"
	r := importOK(t, h, "", "", workbook(t, firms))
	if r.counts() != "firms 3: created 2, updated 0, unchanged 0, failed 1" {
		t.Fatalf("import: %s %v", r.counts(), r.Problems)
	}
	want := []sheet.Problem{
		{Sheet: "企业", Row: 2, Field: "established", Column: "成立日期", Problem: "日期“2015-02-30”格式应为 YYYY-MM-DD 且为有效日期 (date \"2015-02-30\" must be a valid YYYY-MM-DD date)"},
		{Sheet: "财务年度", Row: 2, Field: "years[0].main_revenue", Column: "主营业务收入（元）",
			Problem: fmt.Sprintf("主营业务收入（%d）不能大于营业收入（%d） (main_revenue (%d) must not exceed revenue (%d))",
				*bad.Years[0].MainRevenue, *bad.Years[0].Revenue, *bad.Years[0].MainRevenue, *bad.Years[0].Revenue)},
	}
	if diff := cmp.Diff(want, r.Problems); diff != "" || r.ProblemsTotal != 2 {
		t.Errorf("problems_total %d, problems (-want +got):\n%s", r.ProblemsTotal, diff)
	}
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/" + bad.USCC}), 404, api.CodeNotFound)
	for _, f := range firms[1:] {
		if got, etag := getFirm(t, h, f.USCC); got.Name != f.Name || etag != `"1"` {
			t.Errorf("%s: %q %s", f.USCC, got.Name, etag)
		}
	}
}

// Importing the same file again changes nothing: every firm unchanged, no
// revision bumped. Changing one firm updates that one.
func TestImportAgainIsUnchanged(t *testing.T) {
	st := storetest.New(t)
	h := sheetAPI(t, st, st)
	firms := seeds.Generate(25, 22)
	data := workbook(t, firms)
	if r := importOK(t, h, "", "", data); r.Created != 25 {
		t.Fatalf("first import: %s", r.counts())
	}
	if r := importOK(t, h, "", "", data); r.counts() != "firms 25: created 0, updated 0, unchanged 25, failed 0" {
		t.Fatalf("second import: %s", r.counts())
	}
	for _, f := range firms {
		if _, etag := getFirm(t, h, f.USCC); etag != `"1"` {
			t.Errorf("%s: ETag %s after an unchanged re-import, want \"1\"", f.USCC, etag)
		}
	}
	firms[7].Years[2].RDExpense = ptrTo(*firms[7].Years[2].RDExpense + 100)
	if r := importOK(t, h, "?dry_run=false", "", workbook(t, firms)); r.counts() != "firms 25: created 0, updated 1, unchanged 24, failed 0" {
		t.Fatalf("import with one change: %s", r.counts())
	}
	if got, etag := getFirm(t, h, firms[7].USCC); etag != `"2"` || *got.Years[2].RDExpense != *firms[7].Years[2].RDExpense {
		t.Errorf("changed firm: ETag %s, years %+v", etag, got.Years[2])
	}
}

// failingStore is the real store with a fault injected: every write after
// the first left ones fails as an outage would.
type failingStore struct {
	*store.Store
	mu   sync.Mutex
	left int
}

func (f *failingStore) UpsertFirm(ctx context.Context, firm registry.Firm, dryRun bool) (string, error) {
	if !dryRun {
		f.mu.Lock()
		left := f.left
		f.left = max(f.left-1, 0)
		f.mu.Unlock()
		if left == 0 {
			return "", fmt.Errorf("injected outage: %w", registry.ErrUnavailable)
		}
	}
	return f.Store.UpsertFirm(ctx, firm, dryRun)
}

// An import cut off by an outage is a 503 saying the firms so far are
// whole; the same file imported again completes it, to the same registry
// as an import that never failed.
func TestImportInterrupted(t *testing.T) {
	firms := seeds.Generate(20, 23)
	data := workbook(t, firms)
	st := storetest.New(t)
	broken := sheetAPI(t, st, &failingStore{Store: st, left: 7})
	e := mustEnvelope(t, upload(t, broken, "", "", data), http.StatusServiceUnavailable, api.CodeUnavailable)
	if !strings.Contains(e.Error.Message, "已导入 7 家企业") {
		t.Errorf("message = %q", e.Error.Message)
	}
	if n, _ := st.CountFirms(context.Background()); n != 7 {
		t.Fatalf("after the outage the registry holds %d firms, want 7", n)
	}
	h := sheetAPI(t, st, st)
	if r := importOK(t, h, "", "", data); r.counts() != "firms 20: created 13, updated 0, unchanged 7, failed 0" {
		t.Fatalf("rerun: %s", r.counts())
	}
	cleanStore := storetest.New(t)
	clean := sheetAPI(t, cleanStore, cleanStore)
	importOK(t, clean, "", "", data)
	for _, f := range firms {
		a, etagA := getFirm(t, h, f.USCC)
		b, etagB := getFirm(t, clean, f.USCC)
		if diff := cmp.Diff(b, a); diff != "" || etagA != etagB {
			t.Errorf("%s: ETag %s vs %s; rerun differs from a clean import (-clean +rerun):\n%s", f.USCC, etagA, etagB, diff)
		}
	}
}

// A staff key imports firms of its region only; the others are refused
// as row problems and the import is audited.
func TestImportStaffRegion(t *testing.T) {
	st := storetest.New(t)
	h := sheetAPI(t, st, st)
	staff := newKey(t, h, registry.RoleStaff, "鹤城区工信局", "431202")
	mine, theirs := seeds.Generate(1, 24)[0], seeds.Generate(1, 25)[0]
	mine.USCC, mine.RegionCode = usccIn("431202", 501), "431202"
	theirs.USCC, theirs.RegionCode = usccIn("431281", 502), "431281"
	r := importOK(t, h, "", staff, workbook(t, []registry.Firm{mine, theirs}))
	want := []sheet.Problem{{Sheet: "企业", Row: 3, Field: "region_code", Column: "所属区县代码",
		Problem: "所属区县代码 431281 不在本密钥的管辖区域（431202）内，不能导入 (outside this key's region 431202)"}}
	if diff := cmp.Diff(want, r.Problems); diff != "" || r.Created != 1 || r.Failed != 1 {
		t.Errorf("%s, problems (-want +got):\n%s", r.counts(), diff)
	}
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/" + theirs.USCC}), 404, api.CodeNotFound)
	entries := auditList(t, h, testAdminKey, "action=firm.import")
	if len(entries) != 1 || entries[0].KeyName != "鹤城区工信局" || entries[0].Outcome != 200 {
		t.Errorf("audit = %+v", entries)
	}
}

func TestImportRefusesBadUploads(t *testing.T) {
	st := storetest.New(t)
	h := sheetAPI(t, st, st)
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	big := strings.Repeat("x", api.MaxImportBytes+1)
	ct := func(v string) map[string]string { return map[string]string{"Content-Type": v} }
	tests := []struct {
		name   string
		r      req
		status int
		code   string
		field  string
	}{
		{"not a spreadsheet", req{body: png, header: ct(sheet.ContentTypeXLSX)}, 400, api.CodeBadRequest, "file"},
		{"json", req{body: `{"uscc":"x"}`}, 415, api.CodeUnsupportedMedia, ""},
		{"prose as csv", req{body: "hello, world\n", header: ct("text/csv")}, 400, api.CodeBadRequest, "file"},
		{"empty", req{body: "", header: ct("text/csv")}, 400, api.CodeBadRequest, "file"},
		{"oversize", req{body: big, header: ct("text/csv")}, 413, api.CodeTooLarge, "file"},
		{"multipart without file", req{body: "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n",
			header: ct("multipart/form-data; boundary=b")}, 400, api.CodeBadRequest, "file"},
		{"bad dry_run", req{path: "?dry_run=maybe", body: "a", header: ct("text/csv")}, 400, api.CodeBadRequest, "dry_run"},
		{"unknown parameter", req{path: "?force=1", body: "a", header: ct("text/csv")}, 400, api.CodeInvalid, "force"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.method, tt.r.path = "POST", "/api/v1/firms/import"+tt.r.path
			e := mustEnvelope(t, do(t, h, tt.r), tt.status, tt.code)
			if tt.field != "" && (len(e.Error.Details) == 0 || e.Error.Details[0].Field != tt.field) {
				t.Errorf("details = %+v, want field %s", e.Error.Details, tt.field)
			}
		})
	}
	// An oversize multipart upload too.
	mustEnvelope(t, upload(t, h, "", "", []byte(big)), 413, api.CodeTooLarge)
}

// The export holds every firm the filters select, across pages, in the
// template's layout, and imports back unchanged.
func TestExportRoundTrip(t *testing.T) {
	st := storetest.New(t)
	h := sheetAPI(t, st, st)
	firms := seeds.Generate(230, 26)
	if _, err := st.InsertMissing(context.Background(), firms); err != nil {
		t.Fatal(err)
	}
	w := do(t, h, req{method: "GET", path: "/api/v1/firms/export.xlsx"})
	if w.Code != 200 || w.Header().Get("Content-Type") != sheet.ContentTypeXLSX {
		t.Fatalf("GET export.xlsx = %d %s", w.Code, w.Header())
	}
	export := w.Body.Bytes()
	file, err := sheet.Parse(export)
	if err != nil || len(file.Firms) != 230 {
		t.Fatalf("export parses to %v firms (%v), want 230", len(file.Firms), err)
	}
	r := importOK(t, h, "", "", export)
	if r.counts() != "firms 230: created 0, updated 0, unchanged 230, failed 0" || len(r.Problems) != 0 {
		t.Fatalf("re-import of the export: %s %v", r.counts(), r.Problems)
	}

	// The listing's filters select the same firms as GET /firms.
	staff := newKey(t, h, registry.RoleStaff, "沅陵县工信局", "431222")
	for _, tc := range []struct{ query, key string }{
		{"region_code=431202&chain=机械装备", ""}, {"industry_code=C35", ""}, {"honor=hnte", ""}, {"", staff},
	} {
		list := do(t, h, req{method: "GET", path: "/api/v1/firms?limit=200&" + tc.query, key: tc.key})
		var l struct {
			Items []registry.Firm `json:"items"`
			Total int             `json:"total"`
		}
		_ = json.Unmarshal(list.Body.Bytes(), &l)
		w := do(t, h, req{method: "GET", path: "/api/v1/firms/export.csv?" + tc.query, key: tc.key})
		if w.Code != 200 || !strings.HasPrefix(w.Body.String(), "\ufeff统一社会信用代码,企业名称") {
			t.Fatalf("export.csv?%s = %d %.80s", tc.query, w.Code, w.Body)
		}
		file, err := sheet.Parse(w.Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, e := range file.Firms {
			got = append(got, e.USCC)
		}
		for _, f := range l.Items {
			want = append(want, f.USCC)
		}
		if l.Total == 0 || l.Total > 200 || cmp.Diff(want, got) != "" {
			t.Errorf("export.csv?%s: %d firms, listing %d: (-list +export)\n%s", tc.query, len(got), l.Total, cmp.Diff(want, got))
		}
	}
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/export.xlsx?region_code=431281", key: staff}), 403, api.CodeForbidden)

	// The other sheets as CSV.
	w = do(t, h, req{method: "GET", path: "/api/v1/firms/export.csv?sheet=years&region_code=431202"})
	if w.Code != 200 || !strings.HasPrefix(w.Body.String(), "\ufeff统一社会信用代码,年度,") ||
		!strings.Contains(w.Header().Get("Content-Disposition"), "-years.csv") {
		t.Errorf("export.csv?sheet=years = %d %.60s %v", w.Code, w.Body, w.Header())
	}
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/export.csv?sheet=people"}), 400, api.CodeBadRequest)
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/firms/export.xlsx?sheet=years"}), 400, api.CodeInvalid)
}
