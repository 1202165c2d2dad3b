package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/peiyu/peiyu/api"
	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/screening"
	"github.com/peiyu/peiyu/seeds"
)

// newScreeningAPI serves a registry of n demo firms with a screening
// runner working in the background.
func newScreeningAPI(t *testing.T, n int) (http.Handler, *store.Store) {
	t.Helper()
	st := storetest.New(t)
	if n > 0 {
		if _, err := seeds.Load(context.Background(), st, n, 1); err != nil {
			t.Fatal(err)
		}
	}
	h := rules.NewHolder(testEngine(t))
	runner := screening.New(st, h, screening.Config{ScanMode: storetest.Embedded(), ChunkSize: 100, Poll: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); runner.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return newServer(t, st, api.Config{
		Firms:          st,
		Evaluations:    st,
		Rules:          h,
		Screenings:     runner,
		ScreeningStore: st,
		Now:            func() time.Time { return today },
	}).Handler(), st
}

type screeningJSON struct {
	ID         string                    `json:"id"`
	Status     string                    `json:"status"`
	Programs   []string                  `json:"programs"`
	Total      int                       `json:"total"`
	Done       int                       `json:"done"`
	TotalExact bool                      `json:"total_exact"`
	Summary    map[string]map[string]int `json:"summary"`
	StartedAt  *time.Time                `json:"started_at"`
	FinishedAt *time.Time                `json:"finished_at"`
}

// awaitScreening polls a job until it is done.
func awaitScreening(t *testing.T, h http.Handler, id string) screeningJSON {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		w := do(t, h, req{method: "GET", path: "/api/v1/screenings/" + id})
		if w.Code != http.StatusOK {
			t.Fatalf("GET screening = %d %s", w.Code, w.Body)
		}
		var sc screeningJSON
		if err := json.Unmarshal(w.Body.Bytes(), &sc); err != nil {
			t.Fatal(err)
		}
		if sc.Status == registry.ScreeningDone || sc.Status == registry.ScreeningFailed {
			return sc
		}
		if time.Now().After(deadline) {
			t.Fatalf("screening not done: %+v", sc)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestScreeningEndToEnd(t *testing.T) {
	const n = 500
	h, _ := newScreeningAPI(t, n)
	ladder := []string{"tech-sme", "innovative-sme", "specialized-sme", "little-giant", "champion"}
	body, _ := json.Marshal(map[string]any{"programs": ladder, "as_of": "2026-06-30"})
	w := do(t, h, req{method: "POST", path: "/api/v1/screenings", body: string(body)})
	if w.Code != http.StatusAccepted {
		t.Fatalf("POST = %d %s", w.Code, w.Body)
	}
	var created screeningJSON
	if err := json.Unmarshal(w.Body.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	if created.Status != registry.ScreeningQueued || created.ID == "" || w.Header().Get("Location") != "/api/v1/screenings/"+created.ID {
		t.Fatalf("created = %+v, Location %q", created, w.Header().Get("Location"))
	}

	sc := awaitScreening(t, h, created.ID)
	if sc.Status != registry.ScreeningDone || sc.Total != n || sc.Done != n || !sc.TotalExact || sc.FinishedAt == nil {
		t.Fatalf("job = %+v", sc)
	}
	// Every ladder program sums to the registry; across the ladder the
	// demo data has firms in every status.
	seen := map[string]int{}
	for _, p := range ladder {
		sum := 0
		for st, k := range sc.Summary[p] {
			sum += k
			seen[st] += k
		}
		if sum != n {
			t.Errorf("%s: summary %v sums to %d, want %d", p, sc.Summary[p], sum, n)
		}
	}
	for _, st := range []string{"eligible", "needs_review", "ineligible", "insufficient_data"} {
		if seen[st] == 0 {
			t.Errorf("no %s firm in any ladder program: %v", st, sc.Summary)
		}
	}

	// Results: filtered and paged, the total matching the summary.
	w = do(t, h, req{method: "GET", path: "/api/v1/screenings/" + sc.ID + "/results?program=tech-sme&status=ineligible&limit=7&page=2"})
	if w.Code != http.StatusOK {
		t.Fatalf("results = %d %s", w.Code, w.Body)
	}
	var page struct {
		Items []api.ScreeningItem `json:"items"`
		Total int                 `json:"total"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	if page.Total != sc.Summary["tech-sme"]["ineligible"] || len(page.Items) != min(7, max(page.Total-7, 0)) {
		t.Errorf("page: %d items of %d; summary says %d", len(page.Items), page.Total, sc.Summary["tech-sme"]["ineligible"])
	}
	for _, it := range page.Items {
		if it.Program != "tech-sme" || it.Status != "ineligible" || it.Edition != "2017" || len(it.Failing) == 0 {
			t.Errorf("item %+v does not match the filter or lacks its failing criteria", it)
		}
	}

	// Exports carry every matching row under Chinese headers.
	w = do(t, h, req{method: "GET", path: "/api/v1/screenings/" + sc.ID + "/results.csv?program=little-giant"})
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(w.Body.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 || rows[0][0] != "统一社会信用代码" || rows[1][3] != "little-giant" {
		t.Errorf("csv: %d rows, header %q, first %q", len(rows), rows[0], rows[1])
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/screenings/" + sc.ID + "/results.xlsx?status=eligible"})
	if w.Code != http.StatusOK {
		t.Fatalf("xlsx = %d %s", w.Code, w.Body)
	}
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := x.GetRows("筛查结果")
	if err != nil {
		t.Fatal(err)
	}
	eligible := 0
	for _, p := range ladder {
		eligible += sc.Summary[p]["eligible"]
	}
	if len(xrows) != eligible+1 || xrows[0][5] != "结论" {
		t.Errorf("xlsx: %d rows, want %d eligible + header; header %q", len(xrows), eligible, xrows[0])
	}

	// The near-miss list comes from this screening, closest first, each
	// with the gaps and next steps the engine computes.
	w = do(t, h, req{method: "GET", path: "/api/v1/near-misses?program=specialized-sme&limit=10"})
	if w.Code != http.StatusOK {
		t.Fatalf("near-misses = %d %s", w.Code, w.Body)
	}
	var nm struct {
		Source struct {
			Screening *string `json:"screening"`
			AsOf      string  `json:"as_of"`
		} `json:"source"`
		Total int `json:"total"`
		Items []struct {
			USCC      string                  `json:"uscc"`
			Program   string                  `json:"program"`
			Distance  float64                 `json:"distance"`
			Failing   []rules.CriterionResult `json:"failing"`
			NextSteps []string                `json:"next_steps"`
		} `json:"items"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &nm); err != nil {
		t.Fatal(err)
	}
	if nm.Source.Screening == nil || *nm.Source.Screening != sc.ID || nm.Source.AsOf != "2026-06-30" {
		t.Errorf("source = %+v, want screening %s", nm.Source, sc.ID)
	}
	if nm.Total == 0 || len(nm.Items) == 0 {
		t.Fatalf("no near-misses for specialized-sme in the demo data: %s", w.Body)
	}
	for i, it := range nm.Items {
		if it.Program != "specialized-sme" || it.Distance > rules.NearMissDistance || len(it.Failing) == 0 || len(it.NextSteps) == 0 {
			t.Errorf("item %d: %+v", i, it)
		}
		if i > 0 && it.Distance < nm.Items[i-1].Distance {
			t.Errorf("item %d is closer (%v) than item %d (%v)", i, it.Distance, i-1, nm.Items[i-1].Distance)
		}
		for _, f := range it.Failing {
			if f.Status != rules.Fail {
				t.Errorf("%s: failing criterion %s is %s", it.USCC, f.ID, f.Status)
			}
		}
	}
}

// Without a screening the near-miss list evaluates the registry live.
func TestNearMissesLive(t *testing.T) {
	h, _ := newScreeningAPI(t, 150)
	w := do(t, h, req{method: "GET", path: "/api/v1/near-misses?program=tech-sme&region_code=431200"})
	if w.Code != http.StatusOK {
		t.Fatalf("near-misses = %d %s", w.Code, w.Body)
	}
	var nm struct {
		Source struct {
			Screening *string `json:"screening"`
			Live      bool    `json:"live"`
		} `json:"source"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &nm); err != nil {
		t.Fatal(err)
	}
	if nm.Source.Screening != nil || !nm.Source.Live {
		t.Errorf("source = %+v, want a live evaluation", nm.Source)
	}
}

func TestScreeningBadInput(t *testing.T) {
	h, _ := newScreeningAPI(t, 0)
	w := do(t, h, req{method: "POST", path: "/api/v1/screenings", body: `{}`})
	if w.Code != http.StatusAccepted {
		t.Fatalf("empty body (all defaults) = %d %s", w.Code, w.Body)
	}
	var sc screeningJSON
	_ = json.Unmarshal(w.Body.Bytes(), &sc)
	for _, tc := range []struct {
		name   string
		r      req
		status int
		code   string
		field  string
	}{
		{"unknown program", req{method: "POST", path: "/api/v1/screenings", body: `{"programs":["tech-sme","nope"]}`}, 404, api.CodeNotFound, "programs[1]"},
		{"bad region", req{method: "POST", path: "/api/v1/screenings", body: `{"filter":{"region_code":"43"}}`}, 400, api.CodeBadRequest, "filter.region_code"},
		{"operator in filter", req{method: "POST", path: "/api/v1/screenings", body: `{"filter":{"chain":{"$ne":null}}}`}, 400, api.CodeBadRequest, "filter.chain"},
		{"unknown field", req{method: "POST", path: "/api/v1/screenings", body: `{"filters":{}}`}, 400, api.CodeBadRequest, "filters"},
		{"bad as_of", req{method: "POST", path: "/api/v1/screenings", body: `{"as_of":"2026-02-30"}`}, 400, api.CodeBadRequest, "as_of"},
		{"not a job id", req{method: "GET", path: "/api/v1/screenings/..%2Fetc"}, 404, api.CodeNotFound, ""},
		{"unknown job", req{method: "GET", path: "/api/v1/screenings/00000000-0000-0000-0000-000000000000"}, 404, api.CodeNotFound, ""},
		{"bad status filter", req{method: "GET", path: "/api/v1/screenings/" + sc.ID + "/results?status=good"}, 400, api.CodeBadRequest, "status"},
		{"program not screened", req{method: "GET", path: "/api/v1/screenings/" + sc.ID + "/results?program=nope"}, 400, api.CodeBadRequest, "program"},
		{"bad limit", req{method: "GET", path: "/api/v1/screenings/" + sc.ID + "/results?limit=0"}, 400, api.CodeBadRequest, "limit"},
		{"unknown parameter", req{method: "GET", path: "/api/v1/screenings/" + sc.ID + "/results?sort=name"}, 400, api.CodeInvalid, "sort"},
		{"near-miss unknown program", req{method: "GET", path: "/api/v1/near-misses?program=nope"}, 404, api.CodeNotFound, "program"},
		{"near-miss bad region", req{method: "GET", path: "/api/v1/near-misses?region_code=abc"}, 400, api.CodeBadRequest, "region_code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustEnvelope(t, do(t, h, tc.r), tc.status, tc.code)
			if tc.field != "" && !strings.Contains(strings.Join(fields(e), ","), tc.field) {
				t.Errorf("details %v do not name %s", fields(e), tc.field)
			}
		})
	}
}
