package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/api"
	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
)

// newPacksAPI is newAPI with the draft store and a holder of its own, for
// tests that publish.
func newPacksAPI(t *testing.T) (http.Handler, *rules.Holder, interface {
	CreateFirm(context.Context, registry.Firm) (*registry.Record, error)
}) {
	t.Helper()
	st := storetest.New(t)
	h := rules.NewHolder(testEngine(t))
	return newServer(t, st, api.Config{
		Firms:       st,
		Evaluations: st,
		Packs:       st,
		Rules:       h,
		Now:         func() time.Time { return today },
	}).Handler(), h, st
}

func i64(v int64) *int64 { return &v }

// industrialFirm is a hand-built firm for above-size: its 2025 main-business
// revenue (nil: not reported) in industry ind.
func industrialFirm(code, ind string, mainRevenue *int64) registry.Firm {
	return registry.Firm{USCC: code, Name: "测试企业" + code[10:17], RegionCode: code[2:8], IndustryCode: ind,
		Chain: "机械装备", Established: "2015-03-01",
		Years: []registry.Year{{Year: 2025, Revenue: i64(60_000_000), MainRevenue: mainRevenue}}}
}

// The registry of the simulation tests, by role.
var (
	firmBig       = usccIn("431202", 1) // 2500万: above the line either way
	firmAt1800    = usccIn("431202", 2) // 1800万
	firmAt1500    = usccIn("431202", 3) // exactly 1500万
	firmShort     = usccIn("431202", 4) // 1500万 less one yuan
	firmWholesale = usccIn("431202", 5) // 1800万 but wholesale, not industrial
	firmNoData    = usccIn("431202", 6) // main revenue not reported
	firmCounty    = usccIn("431221", 7) // 1600万, in 中方县
)

func seedAboveSize(t *testing.T, st interface {
	CreateFirm(context.Context, registry.Firm) (*registry.Record, error)
}) {
	t.Helper()
	for _, f := range []registry.Firm{
		industrialFirm(firmBig, "C3562", i64(25_000_000)),
		industrialFirm(firmAt1800, "C3562", i64(18_000_000)),
		industrialFirm(firmAt1500, "C1713", i64(15_000_000)),
		industrialFirm(firmShort, "C3562", i64(14_999_999)),
		industrialFirm(firmWholesale, "F5191", i64(18_000_000)),
		industrialFirm(firmNoData, "C3562", nil),
		industrialFirm(firmCounty, "C3562", i64(16_000_000)),
	} {
		if _, err := st.CreateFirm(context.Background(), f); err != nil {
			t.Fatalf("seed %s: %v", f.USCC, err)
		}
	}
}

type simState struct {
	Status    string   `json:"status"`
	Actual    *float64 `json:"actual"`
	Threshold *float64 `json:"threshold"`
}

type simChange struct {
	ID  string    `json:"id"`
	Old *simState `json:"old"`
	New *simState `json:"new"`
}

type simFlip struct {
	USCC       string      `json:"uscc"`
	RegionCode string      `json:"region_code"`
	OldStatus  string      `json:"old_status"`
	NewStatus  string      `json:"new_status"`
	Criteria   []simChange `json:"criteria"`
}

type simResponse struct {
	Program string `json:"program"`
	AsOf    string `json:"as_of"`
	Old     struct {
		Edition  string `json:"edition"`
		Revision int    `json:"revision"`
	} `json:"old"`
	New struct {
		Edition  string `json:"edition"`
		Revision int    `json:"revision"`
		Draft    string `json:"draft"`
	} `json:"new"`
	Firms           int       `json:"firms"`
	NewlyEligible   []simFlip `json:"newly_eligible"`
	NewlyIneligible []simFlip `json:"newly_ineligible"`
	OtherChanges    []simFlip `json:"other_changes"`
	Unchanged       int       `json:"unchanged"`
	Truncated       bool      `json:"truncated"`
}

func decodeSim(t *testing.T, w *httptest.ResponseRecorder) simResponse {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("simulate: %d %s", w.Code, w.Body)
	}
	var r simResponse
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func fp(v float64) *float64 { return &v }

// revenueFlip is a firm that flips on the main-revenue criterion alone.
func revenueFlip(code string, actual, oldTh, newTh float64, from, to string) simFlip {
	crit := map[string]string{"eligible": "pass", "ineligible": "fail"}
	return simFlip{USCC: code, RegionCode: code[2:8], OldStatus: from, NewStatus: to, Criteria: []simChange{{ID: "main-revenue",
		Old: &simState{Status: crit[from], Actual: fp(actual), Threshold: fp(oldTh)},
		New: &simState{Status: crit[to], Actual: fp(actual), Threshold: fp(newTh)}}}}
}

// TestSimulateLoweringThreshold is the acceptance test: lowering
// above-size's main-revenue line from 2000万 to 1500万 makes exactly the
// industrial firms between the two lines eligible, each through the
// main-revenue criterion.
func TestSimulateLoweringThreshold(t *testing.T) {
	h, _, st := newPacksAPI(t)
	seedAboveSize(t, st)

	w := do(t, h, req{method: "POST", path: "/api/v1/programs/above-size/simulate",
		body: `{"overrides": {"min_main_revenue": 15000000}}`})
	got := decodeSim(t, w)
	want := simResponse{Program: "above-size", AsOf: "2026-06-30", Firms: 7, Unchanged: 4,
		NewlyEligible: []simFlip{
			revenueFlip(firmAt1800, 18_000_000, 20_000_000, 15_000_000, "ineligible", "eligible"),
			revenueFlip(firmAt1500, 15_000_000, 20_000_000, 15_000_000, "ineligible", "eligible"),
			revenueFlip(firmCounty, 16_000_000, 20_000_000, 15_000_000, "ineligible", "eligible"),
		},
		NewlyIneligible: []simFlip{}, OtherChanges: []simFlip{}}
	want.Old.Edition, want.Old.Revision, want.New.Edition = "2011", 1, "2011"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lowering to 1500万 (-want +got):\n%s", diff)
	}

	// The same change for 鹤城区 only.
	w = do(t, h, req{method: "POST", path: "/api/v1/programs/above-size@2011/simulate",
		body: `{"overrides": {"min_main_revenue": 15000000}, "filter": {"region_code": "431202"}, "as_of": "2026-06-30"}`})
	got = decodeSim(t, w)
	var flipped []string
	for _, f := range got.NewlyEligible {
		flipped = append(flipped, f.USCC)
	}
	if diff := cmp.Diff([]string{firmAt1800, firmAt1500}, flipped); diff != "" || got.Firms != 6 || got.Unchanged != 4 {
		t.Errorf("鹤城区: firms %d, unchanged %d, newly eligible (-want +got):\n%s", got.Firms, got.Unchanged, diff)
	}

	// Raising the line to 2500万 and one yuan loses exactly the big firm.
	w = do(t, h, req{method: "POST", path: "/api/v1/programs/above-size/simulate",
		body: `{"overrides": {"min_main_revenue": 25000001}}`})
	got = decodeSim(t, w)
	if diff := cmp.Diff([]simFlip{revenueFlip(firmBig, 25_000_000, 20_000_000, 25_000_001, "eligible", "ineligible")},
		got.NewlyIneligible); diff != "" || len(got.NewlyEligible) != 0 || got.Unchanged != 6 {
		t.Errorf("raising to 2500万+1: unchanged %d, newly eligible %d, newly ineligible (-want +got):\n%s",
			got.Unchanged, len(got.NewlyEligible), diff)
	}
}

// aboveSize1500 is above-size rewritten by staff for a 1500万 line, its
// cases moved with it, so they pass.
func aboveSize1500(t *testing.T) string {
	t.Helper()
	p, _ := testEngine(t).Program("above-size@2011")
	src := string(p.Pack().Source())
	for _, r := range [][2]string{
		{"{value: 20000000, unit: yuan", "{value: 15000000, unit: yuan"},
		{"{year: 2025, revenue: 20000000, main_revenue: 20000000}", "{year: 2025, revenue: 15000000, main_revenue: 15000000}"},
		{"main_revenue: 19999999", "main_revenue: 14999999"},
		{"revenue: 50000000, main_revenue: 15000000", "revenue: 50000000, main_revenue: 12000000"},
	} {
		if !strings.Contains(src, r[0]) {
			t.Fatalf("above-size pack lacks %q", r[0])
		}
		src = strings.Replace(src, r[0], r[1], 1)
	}
	return src
}

// manyKeys is an indented block mapping of n keys.
func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  k%d: %d\n", i, i)
	}
	return b.String()
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

type draftBody struct {
	ID           string             `json:"id"`
	Program      string             `json:"program"`
	Edition      string             `json:"edition"`
	BaseRevision int                `json:"base_revision"`
	YAML         string             `json:"yaml"`
	Overrides    map[string]float64 `json:"overrides"`
	Note         string             `json:"note"`
	CreatedBy    string             `json:"created_by"`
	Status       string             `json:"status"`
	Published    int                `json:"published_revision"`
	PublishedBy  string             `json:"published_by"`
	Cases        struct {
		Total  int `json:"total"`
		Passed int `json:"passed"`
		Failed []struct {
			Name string `json:"name"`
		} `json:"failed"`
	} `json:"cases"`
}

func createDraft(t *testing.T, h http.Handler, path, body, who string) draftBody {
	t.Helper()
	w := do(t, h, req{method: "POST", path: path, body: body, key: newKey(t, h, registry.RoleStaff, who, "431200")})
	if w.Code != http.StatusCreated {
		t.Fatalf("create draft: %d %s", w.Code, w.Body)
	}
	var d draftBody
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if loc := w.Header().Get("Location"); loc != "/api/v1/programs/"+d.Program+"/drafts/"+d.ID {
		t.Errorf("Location = %q", loc)
	}
	return d
}

func TestDraftPublish(t *testing.T) {
	h, holder, st := newPacksAPI(t)
	seedAboveSize(t, st)

	// Overrides that break two of the pack's own cases: saved, but not
	// publishable.
	bad := createDraft(t, h, "/api/v1/programs/above-size/drafts",
		`{"overrides": {"min_main_revenue": 15000000}, "note": "下调至1500万"}`, "张三")
	if bad.Status != "draft" || bad.BaseRevision != 1 || bad.CreatedBy != "张三" || bad.Edition != "2011" ||
		bad.Overrides["min_main_revenue"] != 15_000_000 || bad.Cases.Total != 11 || bad.Cases.Passed != 9 || len(bad.Cases.Failed) != 2 {
		t.Errorf("override draft: %+v", bad)
	}
	if !strings.Contains(bad.YAML, "{value: 15000000, unit: yuan") {
		t.Errorf("draft YAML does not hold the new value:\n%s", bad.YAML)
	}
	w := do(t, h, req{method: "POST", path: "/api/v1/programs/above-size/drafts/" + bad.ID + "/publish"})
	e := mustEnvelope(t, w, http.StatusUnprocessableEntity, api.CodeCasesFailed)
	if diff := cmp.Diff([]string{"cases.one yuan below 2000万 fails",
		"cases.operating revenue above 2000万 does not count, main-business revenue does"}, fields(e)); diff != "" {
		t.Errorf("failing cases (-want +got):\n%s", diff)
	}

	// A whole pack whose cases were moved with the line.
	good := createDraft(t, h, "/api/v1/programs/above-size/drafts",
		`{"pack": `+jsonString(aboveSize1500(t))+`, "note": "规模以上工业统计起点调整（演示）"}`, "张三")
	late := createDraft(t, h, "/api/v1/programs/above-size@2011/drafts", `{"pack": `+jsonString(aboveSize1500(t))+`}`, "王五")
	if good.Cases.Passed != 11 || len(good.Cases.Failed) != 0 || good.Overrides != nil {
		t.Errorf("whole-pack draft: %+v", good.Cases)
	}

	w = do(t, h, req{method: "POST", path: "/api/v1/programs/above-size/drafts/" + good.ID + "/publish",
		key: newKey(t, h, registry.RoleAdmin, "李四", "")})
	if w.Code != http.StatusCreated {
		t.Fatalf("publish: %d %s", w.Code, w.Body)
	}
	var pub map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &pub)
	delete(pub, "hash")
	want := map[string]any{"program": "above-size", "edition": "2011", "revision": 2.0, "draft_id": good.ID,
		"note": "规模以上工业统计起点调整（演示）", "published_by": "李四", "published_at": "2026-06-30T09:00:00Z"}
	if diff := cmp.Diff(want, pub); diff != "" {
		t.Errorf("publish answer (-want +got):\n%s", diff)
	}
	if loc := w.Header().Get("Location"); loc != "/api/v1/programs/above-size@2011/revisions/2" {
		t.Errorf("Location = %q", loc)
	}

	// The program now answers with revision 2 and the new line.
	w = do(t, h, req{method: "GET", path: "/api/v1/programs/above-size"})
	var prog struct {
		Editions []struct {
			Edition    string `json:"edition"`
			Revision   int    `json:"revision"`
			Parameters map[string]struct {
				Value float64 `json:"value"`
			} `json:"parameters"`
		} `json:"editions"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &prog)
	if len(prog.Editions) != 1 || prog.Editions[0].Revision != 2 || prog.Editions[0].Parameters["min_main_revenue"].Value != 15_000_000 {
		t.Errorf("GET /programs/above-size after publish: %s", w.Body)
	}
	if p, _ := holder.Load().Program("above-size@2011"); p.Revision() != 2 {
		t.Errorf("engine in use: revision %d", p.Revision())
	}
	w = do(t, h, req{method: "POST", path: "/api/v1/self-check", body: `{"profile": {"industry_code": "C3562",
		"years": [{"year": 2025, "revenue": 16000000, "main_revenue": 16000000}]}, "programs": ["above-size"]}`})
	var res struct {
		Results []struct {
			Status   string `json:"status"`
			Revision int    `json:"revision"`
		} `json:"results"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || len(res.Results) != 1 {
		t.Fatalf("self-check: %v %s", err, w.Body)
	}
	if r := res.Results[0]; r.Status != "eligible" || r.Revision != 2 {
		t.Errorf("self-check at 1600万: %s, revision %d; want eligible under revision 2", r.Status, r.Revision)
	}

	// A second publish of the same draft is a conflict; so is a draft of
	// revision 1 made before the publish.
	w = do(t, h, req{method: "POST", path: "/api/v1/programs/above-size/drafts/" + good.ID + "/publish"})
	mustEnvelope(t, w, http.StatusConflict, api.CodeConflict)
	w = do(t, h, req{method: "POST", path: "/api/v1/programs/above-size/drafts/" + late.ID + "/publish"})
	mustEnvelope(t, w, http.StatusConflict, api.CodeConflict)

	// History and drafts.
	w = do(t, h, req{method: "GET", path: "/api/v1/programs/above-size/revisions"})
	var revs struct {
		Current map[string]int          `json:"current"`
		Items   []registry.PackRevision `json:"items"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &revs)
	if diff := cmp.Diff(map[string]int{"2011": 2}, revs.Current); diff != "" || len(revs.Items) != 1 ||
		revs.Items[0].Revision != 2 || revs.Items[0].PublishedBy != "李四" || revs.Items[0].YAML != "" {
		t.Errorf("revisions: %s", w.Body)
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/programs/above-size@2011/revisions/2"})
	var rev registry.PackRevision
	_ = json.Unmarshal(w.Body.Bytes(), &rev)
	if rev.YAML != aboveSize1500(t) || rev.DraftID != good.ID {
		t.Errorf("revision 2: %s", w.Body)
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/programs/above-size/revisions/1"})
	mustEnvelope(t, w, http.StatusNotFound, api.CodeNotFound)

	w = do(t, h, req{method: "GET", path: "/api/v1/programs/above-size/drafts"})
	var list struct{ Items []draftBody }
	_ = json.Unmarshal(w.Body.Bytes(), &list)
	var states []string
	for _, d := range list.Items {
		states = append(states, d.ID+" "+d.Status+" "+strconv.Itoa(d.Published))
	}
	wantStates := []string{late.ID + " draft 0", good.ID + " published 2", bad.ID + " draft 0"}
	if diff := cmp.Diff(wantStates, states); diff != "" {
		t.Errorf("drafts, newest first (-want +got):\n%s", diff)
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/programs/above-size/drafts/" + good.ID})
	var got draftBody
	_ = json.Unmarshal(w.Body.Bytes(), &got)
	if got.Status != "published" || got.PublishedBy != "李四" || got.YAML == "" {
		t.Errorf("published draft: %s", w.Body)
	}

	// Simulating against the published revision: old is revision 2, and
	// the stored draft of the old line changes nothing.
	w = do(t, h, req{method: "POST", path: "/api/v1/programs/above-size/simulate", body: `{"draft": "` + bad.ID + `"}`})
	sim := decodeSim(t, w)
	if sim.Old.Revision != 2 || sim.New.Draft != bad.ID || len(sim.NewlyEligible)+len(sim.NewlyIneligible)+len(sim.OtherChanges) != 0 || sim.Unchanged != 7 {
		t.Errorf("simulate a stored draft: %s", w.Body)
	}
}

func TestDraftBadInput(t *testing.T) {
	h, _, _ := newPacksAPI(t)
	src := aboveSize1500(t)
	typo := strings.Replace(src, "expr: main_revenue_prev >= min_main_revenue", "expr: main_revenu_prev >= min_main_revenue", 1)
	typoLine := strconv.Itoa(strings.Count(typo[:strings.Index(typo, "main_revenu_prev")], "\n") + 1)
	tests := []struct {
		name, path, body string
		status           int
		code             string
		field            string
		problem          string // a part of the first detail
	}{
		{"unknown parameter", "drafts", `{"overrides": {"min_revenue": 1}}`, 400, api.CodeInvalid, "overrides.min_revenue", "min_main_revenue"},
		{"parameter of the wrong kind", "simulate", `{"overrides": {"min_main_revenue": "很多"}}`, 400, api.CodeInvalid, "overrides.min_main_revenue", "must be a number"},
		{"fraction of a yuan", "drafts", `{"overrides": {"min_main_revenue": 0.5}}`, 400, api.CodeInvalid, "overrides.min_main_revenue", "whole number"},
		{"overrides not an object", "drafts", `{"overrides": [1]}`, 400, api.CodeBadRequest, "overrides", ""},
		{"empty overrides", "simulate", `{"overrides": {}}`, 400, api.CodeBadRequest, "overrides", ""},
		{"neither pack nor overrides", "drafts", `{"note": "x"}`, 400, api.CodeBadRequest, "pack", ""},
		{"both pack and overrides", "simulate", `{"pack": "id: x", "overrides": {"a": 1}}`, 400, api.CodeBadRequest, "overrides", ""},
		{"bad YAML", "drafts", `{"pack": "id: [above-size"}`, 400, api.CodeInvalid, "pack", "draft.yaml"},
		{"unknown YAML field", "simulate", `{"pack": ` + jsonString(src+"\nrevision: 7\n") + `}`, 400, api.CodeInvalid, "pack", "revision"},
		{"YAML alias", "drafts", `{"pack": ` + jsonString(strings.Replace(src, "title: 属于工业", "title: &t 属于工业", 1)) + `}`, 400, api.CodeInvalid, "pack", "anchors and aliases"},
		{"another program's id", "drafts", `{"pack": ` + jsonString(strings.Replace(src, "id: above-size", "id: tech-sme", 1)) + `}`, 400, api.CodeInvalid, "pack.id", "above-size"},
		{"compile error with its position", "simulate", `{"pack": ` + jsonString(typo) + `}`, 400, api.CodeInvalid, "pack", "draft.yaml:" + typoLine + ":"},
		{"unknown body field", "simulate", `{"overides": {"min_main_revenue": 1}}`, 400, api.CodeBadRequest, "overides", ""},
		{"bad as_of", "simulate", `{"overrides": {"min_main_revenue": 1}, "as_of": "2026-13-01"}`, 400, api.CodeBadRequest, "as_of", ""},
		{"bad region filter", "simulate", `{"overrides": {"min_main_revenue": 1}, "filter": {"region_code": "4312"}}`, 400, api.CodeBadRequest, "filter.region_code", ""},
		{"unknown filter field", "simulate", `{"overrides": {"min_main_revenue": 1}, "filter": {"industry": "C"}}`, 400, api.CodeBadRequest, "industry", ""},
		{"draft that is not a UUID", "simulate", `{"draft": "x"}`, 404, api.CodeNotFound, "draft", ""},
		// The YAML parser's quadratic shapes, refused before it parses
		// them (rules.checkShape), with the envelope naming the pack.
		{"a mapping of 6000 keys", "drafts", `{"pack": ` + jsonString(src+"\nextra:\n"+manyKeys(6000)) + `}`, 400, api.CodeInvalid, "pack", "超过5000个; more than 5000 mapping keys"},
		{"a second YAML document", "simulate", `{"pack": ` + jsonString(src+"\n---\n"+src) + `}`, 400, api.CodeInvalid, "pack", "one YAML document"},
		{"2000 tokens on one line", "drafts", `{"pack": ` + jsonString(src+"\nx: ["+strings.Repeat("1, ", 2000)+"1]\n") + `}`, 400, api.CodeInvalid, "pack", "tokens on one line"},
		{"note too long", "drafts", `{"overrides": {"min_main_revenue": 1}, "note": "` + strings.Repeat("长", 501) + `"}`, 400, api.CodeBadRequest, "note", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, h, req{method: "POST", path: "/api/v1/programs/above-size/" + tc.path, body: tc.body})
			e := mustEnvelope(t, w, tc.status, tc.code)
			if len(e.Error.Details) == 0 || e.Error.Details[0].Field != tc.field || !strings.Contains(e.Error.Details[0].Problem, tc.problem) {
				t.Errorf("details = %+v, want field %q with %q", e.Error.Details, tc.field, tc.problem)
			}
		})
	}

	paths := []struct {
		name, method, path string
		status             int
		field              string
	}{
		{"unknown program", "POST", "/api/v1/programs/no-such/simulate", 404, "id"},
		{"unknown edition", "POST", "/api/v1/programs/above-size@1999/simulate", 404, "id"},
		{"drafts of an unknown program", "GET", "/api/v1/programs/no-such/drafts", 404, "id"},
		{"draft not found", "GET", "/api/v1/programs/above-size/drafts/00000000-0000-4000-8000-000000000000", 404, "draft"},
		{"malformed draft id", "POST", "/api/v1/programs/above-size/drafts/x/publish", 404, "draft"},
		{"revision not a number", "GET", "/api/v1/programs/above-size/revisions/x", 400, "rev"},
		{"revision not found", "GET", "/api/v1/programs/above-size/revisions/9", 404, "rev"},
	}
	for _, tc := range paths {
		t.Run(tc.name, func(t *testing.T) {
			body := ""
			if tc.method == "POST" && strings.HasSuffix(tc.path, "simulate") {
				body = `{"overrides": {"min_main_revenue": 1}}`
			}
			w := do(t, h, req{method: tc.method, path: tc.path, body: body})
			code := api.CodeNotFound
			if tc.status == 400 {
				code = api.CodeBadRequest
			}
			e := mustEnvelope(t, w, tc.status, code)
			if len(e.Error.Details) == 0 || e.Error.Details[0].Field != tc.field {
				t.Errorf("details = %+v, want field %q", e.Error.Details, tc.field)
			}
		})
	}
}

// TestDraftsWithoutStore: without a draft store the draft endpoints answer
// 503, and simulation still works.
func TestDraftsWithoutStore(t *testing.T) {
	h := newAPI(t)
	w := do(t, h, req{method: "GET", path: "/api/v1/programs/above-size/drafts"})
	mustEnvelope(t, w, http.StatusServiceUnavailable, api.CodeUnavailable)
	w = do(t, h, req{method: "POST", path: "/api/v1/programs/above-size/simulate", body: `{"overrides": {"min_main_revenue": 1}}`})
	if w.Code != http.StatusOK {
		t.Errorf("simulate without a draft store: %d %s", w.Code, w.Body)
	}
}
