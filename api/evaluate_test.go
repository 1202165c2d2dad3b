package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkResponse is the SPEC §4 response, decoded strictly enough to catch
// a renamed field.
type checkResponse struct {
	AsOf    string  `json:"as_of"`
	USCC    *string `json:"uscc"`
	Results []struct {
		Program   string            `json:"program"`
		Edition   string            `json:"edition"`
		Name      string            `json:"name"`
		Status    string            `json:"status"`
		Score     *float64          `json:"score"`
		Route     *string           `json:"route"`
		Criteria  []json.RawMessage `json:"criteria"`
		NextSteps []string          `json:"next_steps"`
	} `json:"results"`
}

func decodeCheck(t *testing.T, w interface{ Bytes() []byte }) checkResponse {
	t.Helper()
	var r checkResponse
	if err := json.Unmarshal(w.Bytes(), &r); err != nil {
		t.Fatalf("decode: %v\n%s", err, w.Bytes())
	}
	return r
}

func selfCheckBody(profile, asOf string, programs ...string) string {
	b, _ := json.Marshal(programs)
	s := `{"profile":` + profile + `,"as_of":"` + asOf + `"`
	if len(programs) > 0 {
		s += `,"programs":` + string(b)
	}
	return s + "}"
}

func TestSelfCheck(t *testing.T) {
	h := newAPI(t)
	w := do(t, h, req{method: "POST", path: "/api/v1/self-check",
		body: selfCheckBody(firmJSON(uscc(1), "怀化某某科技有限公司"), "2026-06-30", "tech-sme", "little-giant@2022")})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	r := decodeCheck(t, w.Body)
	if r.AsOf != "2026-06-30" || r.USCC == nil || *r.USCC != uscc(1) {
		t.Errorf("as_of, uscc = %q, %v", r.AsOf, r.USCC)
	}
	var got []string
	for _, x := range r.Results {
		got = append(got, x.Program+"@"+x.Edition)
	}
	if diff := cmp.Diff([]string{"tech-sme@2017", "little-giant@2022"}, got); diff != "" {
		t.Fatalf("programs (-want +got):\n%s", diff)
	}
	ts := r.Results[0]
	// 30/120 = 25% → 16; R&D 3.0M/56M = 5.36% → 40; Class I IP → 30.
	if ts.Score == nil || *ts.Score != 86 {
		t.Errorf("tech-sme score = %v, want 86", ts.Score)
	}
	// The firm holds a valid HNTE, so 直通 applies too; the score route
	// comes first. 会计核算健全 is a declaration: needs_review.
	if ts.Status != "needs_review" || ts.Route == nil || *ts.Route != "score" {
		t.Errorf("tech-sme status, route = %s, %v", ts.Status, ts.Route)
	}
	// Every criterion carries the contract's keys.
	for _, raw := range ts.Criteria {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "title", "status", "actual", "threshold", "points", "gap", "basis"} {
			if _, ok := m[k]; !ok {
				t.Errorf("criterion %v lacks %q", m["id"], k)
			}
		}
		if m["basis"] == "" {
			t.Errorf("criterion %v has no basis", m["id"])
		}
	}
	// The little giant prerequisite (专精特新) is missing.
	if lg := r.Results[1]; lg.Status != "ineligible" {
		t.Errorf("little-giant status = %s, want ineligible", lg.Status)
	}
}

func TestSelfCheckDefaultsToEveryProgram(t *testing.T) {
	h := newAPI(t)
	w := do(t, h, req{method: "POST", path: "/api/v1/self-check",
		body: `{"profile":{"years":[{"year":2025,"employees":10}]}}`})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	r := decodeCheck(t, w.Body)
	if r.AsOf != "2026-06-30" {
		t.Errorf("as_of = %q, want today", r.AsOf)
	}
	if r.USCC != nil {
		t.Errorf("uscc = %v, want null for an anonymous profile", *r.USCC)
	}
	// Every pack, then innovation-points (a native program, not a pack).
	want := len(testEngine(t).IDs()) + 1
	if len(r.Results) != want {
		t.Errorf("%d results, want one per program (%d)", len(r.Results), want)
	}
	if last := r.Results[len(r.Results)-1]; last.Program != "innovation-points" {
		t.Errorf("last result is %s, want innovation-points", last.Program)
	}
	for _, x := range r.Results {
		if x.Status == "eligible" || x.Status == "needs_review" {
			t.Errorf("%s: %s for a near-empty profile", x.Program, x.Status)
		}
	}
}

func TestSelfCheckErrors(t *testing.T) {
	h := newAPI(t)
	good := firmJSON(uscc(1), "甲")
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
		fields     []string
	}{
		{"no profile", `{"as_of":"2026-06-30"}`, 400, "bad_request", []string{"profile"}},
		{"bad as_of", selfCheckBody(good, "2026-13-01"), 400, "bad_request", []string{"as_of"}},
		{"unknown program", selfCheckBody(good, "2026-06-30", "tech-sme", "nope"), 404, "not_found", []string{"programs[1]"}},
		{"unknown edition", selfCheckBody(good, "2026-06-30", "little-giant@1999"), 404, "not_found", []string{"programs[0]"}},
		{"empty program", selfCheckBody(good, "2026-06-30", ""), 400, "bad_request", []string{"programs[0]"}},
		{"inconsistent profile", selfCheckBody(`{"years":[{"year":2025,"employees":10,"tech_staff":11}]}`, "2026-06-30"),
			400, "invalid", []string{"profile.years[0].tech_staff"}},
		{"unknown field", `{"profile":{},"asof":"2026-06-30"}`, 400, "bad_request", []string{"asof"}},
		{"wrong type", `{"profile":{"years":[{"year":2025,"employees":"many"}]}}`, 400, "bad_request", []string{"profile.years.employees"}},
		{"programs not a list", `{"profile":{},"programs":"tech-sme"}`, 400, "bad_request", []string{"programs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, h, req{method: "POST", path: "/api/v1/self-check", body: tc.body})
			e := mustEnvelope(t, w, tc.status, tc.code)
			if diff := cmp.Diff(tc.fields, fields(e)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	w := do(t, h, req{method: "POST", path: "/api/v1/self-check", body: selfCheckBody(good, "2026-06-30", "nope")})
	if !strings.Contains(w.Body.String(), "little-giant@2026") {
		t.Errorf("unknown-program error does not list the known programs: %s", w.Body)
	}
}

func TestEligibilityAndHistory(t *testing.T) {
	h := newAPI(t)
	code := uscc(7)
	if w := do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmJSON(code, "乙")}); w.Code != 201 {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	get := func(q string) checkResponse {
		t.Helper()
		w := do(t, h, req{method: "GET", path: "/api/v1/firms/" + code + "/eligibility" + q})
		if w.Code != 200 {
			t.Fatalf("eligibility%s: %d %s", q, w.Code, w.Body)
		}
		return decodeCheck(t, w.Body)
	}
	r := get("?as_of=2026-06-30&programs=tech-sme,hnte")
	if len(r.Results) != 2 || r.Results[0].Program != "tech-sme" {
		t.Fatalf("results: %+v", r.Results)
	}
	get("?as_of=2026-06-30&programs=tech-sme,hnte") // same inputs: no new entry
	get("?as_of=2026-07-31&programs=tech-sme")

	history := func(q string) []map[string]any {
		t.Helper()
		w := do(t, h, req{method: "GET", path: "/api/v1/firms/" + code + "/eligibility/history" + q})
		if w.Code != 200 {
			t.Fatalf("history: %d %s", w.Code, w.Body)
		}
		var body struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		return body.Items
	}
	items := history("")
	var got []string
	for _, it := range items {
		got = append(got, it["program"].(string)+" "+it["as_of"].(string))
		for _, k := range []string{"edition", "status", "input_hash", "pack_hash", "evaluated_at"} {
			if it[k] == nil || it[k] == "" {
				t.Errorf("history entry lacks %s: %v", k, it)
			}
		}
	}
	slices.Sort(got)
	want := []string{"hnte 2026-06-30", "tech-sme 2026-06-30", "tech-sme 2026-07-31"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if n := len(history("?programs=hnte")); n != 1 {
		t.Errorf("hnte history has %d entries, want 1", n)
	}

	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/firms/" + uscc(8) + "/eligibility", 404, "not_found"},
		{"/api/v1/firms/" + code + "/eligibility?programs=nope", 404, "not_found"},
		{"/api/v1/firms/" + code + "/eligibility?as_of=yesterday", 400, "bad_request"},
		{"/api/v1/firms/" + code + "/eligibility?review=maybe", 400, "bad_request"},
		{"/api/v1/firms/" + code + "/eligibility?program=tech-sme", 400, "invalid"},
		{"/api/v1/firms/" + code + "/eligibility/history?programs=nope", 404, "not_found"},
		{"/api/v1/firms/NOT-A-USCC/eligibility", 400, "invalid"},
	} {
		mustEnvelope(t, do(t, h, req{method: "GET", path: tc.path}), tc.status, tc.code)
	}
}

func TestPrograms(t *testing.T) {
	h := newAPI(t)
	w := do(t, h, req{method: "GET", path: "/api/v1/programs?as_of=2026-06-30"})
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var list struct {
		Items []struct {
			ID       string `json:"id"`
			InForce  string `json:"in_force"`
			Editions []struct{ Edition string }
		} `json:"items"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	inForce := map[string]string{}
	for _, it := range list.Items {
		inForce[it.ID] = it.InForce
	}
	if inForce["little-giant"] != "2026" || inForce["tech-sme"] != "2017" {
		t.Errorf("editions in force on 2026-06-30: %v", inForce)
	}

	w = do(t, h, req{method: "GET", path: "/api/v1/programs/little-giant@2022"})
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var detail struct {
		Editions []struct {
			Edition    string                     `json:"edition"`
			Parameters map[string]json.RawMessage `json:"parameters"`
			Criteria   []struct {
				ID, Basis string
			} `json:"criteria"`
		} `json:"editions"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &detail); err != nil {
		t.Fatal(err)
	}
	if len(detail.Editions) != 1 || detail.Editions[0].Edition != "2022" || len(detail.Editions[0].Criteria) == 0 {
		t.Fatalf("detail: %s", w.Body)
	}
	for _, c := range detail.Editions[0].Criteria {
		if c.Basis == "" {
			t.Errorf("criterion %s has no basis", c.ID)
		}
	}
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/programs/nope"}), 404, "not_found")
	mustEnvelope(t, do(t, h, req{method: "GET", path: "/api/v1/programs?x=1"}), 400, "invalid")
	if w := do(t, h, req{method: "GET", path: "/api/v1/metrics"}); w.Code != 200 || !strings.Contains(w.Body.String(), "rd_expense_prev") {
		t.Errorf("metrics: %d %s", w.Code, w.Body)
	}
}
