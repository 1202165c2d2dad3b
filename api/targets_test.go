package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/api"
	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/seeds"
)

// newTargetsAPI serves a registry holding the seed targets and the 500 demo
// firms of seed 1, as `peiyu serve --demo` has them, on a clock the test
// moves.
func newTargetsAPI(t *testing.T, clock *time.Time) http.Handler {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	if _, _, err := st.LoadTargets(ctx, seeds.Targets()); err != nil {
		t.Fatal(err)
	}
	if _, err := seeds.Load(ctx, st, 500, 1); err != nil {
		t.Fatal(err)
	}
	return newServer(t, st, api.Config{
		Firms:       st,
		Evaluations: st,
		Rules:       rules.NewHolder(testEngine(t)),
		Targets:     st,
		Now:         func() time.Time { return *clock },
	}).Handler()
}

// ledgerBody is GET /targets.
type ledgerBody struct {
	AsOf  string                    `json:"as_of"`
	Items []registry.TargetProgress `json:"items"`
}

type changeBody struct {
	Actual   *float64 `json:"actual"`
	Pipeline *int     `json:"pipeline"`
	NearMiss *int     `json:"near_miss"`
}

// snapshotsBody is GET /targets/snapshots.
type snapshotsBody struct {
	Items []struct {
		registry.Snapshot
		PreviousID string `json:"previous_id"`
		Items      []struct {
			registry.TargetProgress
			Change *changeBody `json:"change"`
		} `json:"items"`
	} `json:"items"`
}

func decodeBody(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode: %v; body %s", err, b)
	}
}

func TestTargetLedger(t *testing.T) {
	clock := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	h := newTargetsAPI(t, &clock)

	w := do(t, h, req{method: "GET", path: "/api/v1/targets"})
	if w.Code != http.StatusOK {
		t.Fatalf("GET /targets = %d %s", w.Code, w.Body)
	}
	var all ledgerBody
	decodeBody(t, w.Body.Bytes(), &all)
	if all.AsOf != "2026-11-22" || len(all.Items) != len(seeds.Targets()) {
		t.Fatalf("GET /targets: as_of %s, %d items; want 2026-11-22 and every seed target", all.AsOf, len(all.Items))
	}
	nonZero := 0
	for _, it := range all.Items {
		if it.Actual != nil && *it.Actual != 0 {
			nonZero++
		}
		if it.Status == "" || it.Reason == "" {
			t.Errorf("%s: status %q, reason %q", it.ID, it.Status, it.Reason)
		}
	}
	// Only the two Huaihua titles newly issued in 2026 are zero: the demo
	// data end on 2025-12-31.
	if nonZero != len(all.Items)-2 {
		t.Errorf("%d of %d targets have a non-zero actual on the demo data, want all but 2", nonZero, len(all.Items))
	}

	for _, tt := range []struct {
		query string
		n     int
	}{
		{"?region_code=431200", 20}, // the city covers the district's
		{"?region_code=431202", 6},
		{"?region_code=431202&year=2024", 6},
		{"?year=2026", 14},
		{"?region_code=431221", 0},
	} {
		w := do(t, h, req{method: "GET", path: "/api/v1/targets" + tt.query})
		var b ledgerBody
		decodeBody(t, w.Body.Bytes(), &b)
		if w.Code != http.StatusOK || len(b.Items) != tt.n || b.Items == nil {
			t.Errorf("GET /targets%s = %d with %d items, want 200 with %d", tt.query, w.Code, len(b.Items), tt.n)
		}
	}

	// The district's 2024 ledger, snapshotted twice with a new HNTE firm
	// (certified 2024-12-01) registered in between.
	body := `{"region_code":"431202","year":2024}`
	w = do(t, h, req{method: "POST", path: "/api/v1/targets/snapshots", body: body})
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /targets/snapshots = %d %s", w.Code, w.Body)
	}
	var first registry.Snapshot
	decodeBody(t, w.Body.Bytes(), &first)
	if first.ID != "431202-2024-20261122T100000.000Z" || first.AsOf != "2026-11-22" || len(first.Items) != 6 {
		t.Errorf("snapshot = %s as of %s with %d items", first.ID, first.AsOf, len(first.Items))
	}
	if w := do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmJSON(usccIn("431202", 9001), "鹤城新高企有限公司")}); w.Code != http.StatusCreated {
		t.Fatalf("POST /firms = %d %s", w.Code, w.Body)
	}
	clock = clock.AddDate(0, 0, 8)
	if w := do(t, h, req{method: "POST", path: "/api/v1/targets/snapshots", body: body}); w.Code != http.StatusCreated {
		t.Fatalf("second POST /targets/snapshots = %d %s", w.Code, w.Body)
	}
	// A snapshot of another year is listed apart.
	if w := do(t, h, req{method: "POST", path: "/api/v1/targets/snapshots", body: `{"region_code":"431200","year":2026}`}); w.Code != http.StatusCreated {
		t.Fatalf("POST /targets/snapshots (city) = %d %s", w.Code, w.Body)
	}

	w = do(t, h, req{method: "GET", path: "/api/v1/targets/snapshots?region_code=431202&year=2024"})
	if w.Code != http.StatusOK {
		t.Fatalf("GET /targets/snapshots = %d %s", w.Code, w.Body)
	}
	var list snapshotsBody
	decodeBody(t, w.Body.Bytes(), &list)
	if len(list.Items) != 2 {
		t.Fatalf("GET /targets/snapshots: %d snapshots, want 2", len(list.Items))
	}
	newest, oldest := list.Items[0], list.Items[1]
	if newest.ID != "431202-2024-20261130T100000.000Z" || newest.PreviousID != first.ID || oldest.PreviousID != "" {
		t.Errorf("order: %s (previous %q), %s (previous %q); want newest first, linked to the older",
			newest.ID, newest.PreviousID, oldest.ID, oldest.PreviousID)
	}
	changes := map[string]changeBody{}
	for _, it := range newest.Items {
		if it.Change == nil {
			t.Fatalf("%s: no change since the previous snapshot", it.ID)
		}
		changes[it.ID] = *it.Change
	}
	zero, fz := 0, 0.0
	for _, it := range oldest.Items {
		if it.Change != nil {
			t.Errorf("%s: the oldest snapshot has a change", it.ID)
		}
	}
	// The new firm: one more HNTE issued in 2024 (and so not in the
	// pipeline); it has no 2023–2024 figures, so R&D growth stands still.
	want := map[string]changeBody{
		"431202-2024-hnte-applications": {Actual: ptrTo(1.0), Pipeline: &zero, NearMiss: &zero},
		"431202-2024-rd-growth":         {Actual: &fz},
	}
	for id, w := range want {
		if diff := cmp.Diff(w, changes[id]); diff != "" {
			t.Errorf("%s change mismatch (-want +got):\n%s", id, diff)
		}
	}

	// All snapshots of the district, any year: the same two.
	w = do(t, h, req{method: "GET", path: "/api/v1/targets/snapshots?region_code=431202"})
	decodeBody(t, w.Body.Bytes(), &list)
	if len(list.Items) != 2 {
		t.Errorf("GET /targets/snapshots?region_code=431202: %d snapshots, want 2", len(list.Items))
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestTargetErrors(t *testing.T) {
	clock := today
	h := newAPIWithTargets(t, &clock)
	tests := []struct {
		name   string
		r      req
		status int
		code   string
		fields []string
	}{
		{"bad region", req{method: "GET", path: "/api/v1/targets?region_code=4312"}, 400, api.CodeInvalid, []string{"region_code"}},
		{"bad year", req{method: "GET", path: "/api/v1/targets?year=26"}, 400, api.CodeInvalid, []string{"year"}},
		{"year not a number", req{method: "GET", path: "/api/v1/targets?year=abc&region_code=x"}, 400, api.CodeInvalid, []string{"region_code", "year"}},
		{"unknown parameter", req{method: "GET", path: "/api/v1/targets?region=431200"}, 400, api.CodeInvalid, []string{"region"}},
		{"snapshots: bad year", req{method: "GET", path: "/api/v1/targets/snapshots?year=0"}, 400, api.CodeInvalid, []string{"year"}},
		{"snapshot: empty body", req{method: "POST", path: "/api/v1/targets/snapshots", body: `{}`}, 400, api.CodeInvalid, []string{"region_code", "year"}},
		{"snapshot: wrong type", req{method: "POST", path: "/api/v1/targets/snapshots", body: `{"region_code":"431202","year":"2024"}`}, 400, api.CodeBadRequest, []string{"year"}},
		{"snapshot: unknown field", req{method: "POST", path: "/api/v1/targets/snapshots", body: `{"region_code":"431202","year":2024,"month":11}`}, 400, api.CodeBadRequest, []string{"month"}},
		{"snapshot: malformed", req{method: "POST", path: "/api/v1/targets/snapshots", body: `{"region_code":`}, 400, api.CodeBadRequest, nil},
		{"snapshot: no targets there", req{method: "POST", path: "/api/v1/targets/snapshots", body: `{"region_code":"431221","year":2026}`}, 404, api.CodeNotFound, nil},
		{"snapshot: wrong method", req{method: "DELETE", path: "/api/v1/targets/snapshots"}, 405, api.CodeMethodNotAllowed, nil},
	}
	for _, tt := range tests {
		e := mustEnvelope(t, do(t, h, tt.r), tt.status, tt.code)
		if diff := cmp.Diff(tt.fields, fields(e)); diff != "" {
			t.Errorf("%s: fields mismatch (-want +got):\n%s", tt.name, diff)
		}
	}

	// Without a target store the endpoints say so.
	st := storetest.New(t)
	bare := newServer(t, st, api.Config{Firms: st, Evaluations: st, Rules: rules.NewHolder(testEngine(t))}).Handler()
	mustEnvelope(t, do(t, bare, req{method: "GET", path: "/api/v1/targets"}), http.StatusServiceUnavailable, api.CodeUnavailable)
}

// newAPIWithTargets serves an empty registry with the seed targets.
func newAPIWithTargets(t *testing.T, clock *time.Time) http.Handler {
	t.Helper()
	st := storetest.New(t)
	if _, _, err := st.LoadTargets(context.Background(), seeds.Targets()); err != nil {
		t.Fatal(err)
	}
	return newServer(t, st, api.Config{Firms: st, Evaluations: st, Rules: rules.NewHolder(testEngine(t)), Targets: st,
		Now: func() time.Time { return *clock }}).Handler()
}
