package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/peiyu/peiyu/api"
	"github.com/peiyu/peiyu/registry/embedded"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
)

// TestDatabaseOutage stops the embedded server under a running API: every
// database-backed answer must be a prompt 503 with the envelope, never a
// 500 or a hang, and the API must recover by itself once the server is back
// on the same address.
func TestDatabaseOutage(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("outage test needs the embedded server; PEIYU_TEST_MONGODB_URI is set")
	}
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := embedded.Start(ctx, embedded.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	st := storetest.Open(t, srv.URI(), "outage", store.Options{Timeout: 700 * time.Millisecond, Embedded: true})
	h := newServer(t, st, api.Config{
		Firms: st,
		Ready: []api.Checker{{Name: "database", Check: st.Ping}},
		Now:   func() time.Time { return today },
	}).Handler()

	code := uscc(42)
	if w := do(t, h, req{method: "POST", path: "/api/v1/firms", body: firmJSON(code, "演示公司")}); w.Code != 201 {
		t.Fatalf("POST = %d %s", w.Code, w.Body)
	}

	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	down := []req{
		{method: "GET", path: "/api/v1/firms/" + code},
		{method: "GET", path: "/api/v1/firms"},
		{method: "PUT", path: "/api/v1/firms/" + code, body: firmJSON(code, "停机时的修改")},
		{method: "POST", path: "/api/v1/firms", body: firmJSON(uscc(43), "停机时的新企业")},
		{method: "PUT", path: "/api/v1/firms/" + code + "/years/2024", body: `{"employees":3}`},
		{method: "DELETE", path: "/api/v1/firms/" + code},
	}
	for _, r := range down {
		start := time.Now()
		w := do(t, h, r)
		t.Logf("%s %s while down: %d in %v", r.method, r.path, w.Code, time.Since(start).Round(time.Millisecond))
		mustEnvelope(t, w, http.StatusServiceUnavailable, api.CodeUnavailable)
		if w.Header().Get("Retry-After") == "" {
			t.Errorf("%s %s: no Retry-After on 503", r.method, r.path)
		}
	}
	e := mustEnvelope(t, do(t, h, req{method: "GET", path: "/readyz"}), http.StatusServiceUnavailable, api.CodeUnavailable)
	if len(e.Error.Details) != 1 || e.Error.Details[0].Field != "database" {
		t.Errorf("readyz details = %+v, want the database check", e.Error.Details)
	}
	if w := do(t, h, req{method: "GET", path: "/healthz"}); w.Code != 200 {
		t.Errorf("healthz while the database is down = %d, want 200", w.Code)
	}

	// Back on the same address and data: the driver reconnects by itself.
	srv2, err := embedded.Start(ctx, embedded.Config{DataDir: dir, Addr: addr})
	if err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = srv2.Stop(context.Background()) })
	restarted := time.Now()
	deadline := time.Now().Add(20 * time.Second)
	for {
		w := do(t, h, req{method: "GET", path: "/readyz"})
		if w.Code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz did not recover: %d %s", w.Code, w.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("ready again %v after restart", time.Since(restarted).Round(time.Millisecond))
	w := do(t, h, req{method: "GET", path: "/api/v1/firms/" + code})
	if w.Code != 200 {
		t.Fatalf("GET after recovery = %d %s", w.Code, w.Body)
	}
	if f := decodeFirm(t, w); f.Name != "演示公司" {
		t.Errorf("after outage name = %q: a write made while down went through", f.Name)
	}
	if w := do(t, h, req{method: "GET", path: "/api/v1/firms/" + uscc(43)}); w.Code != 404 {
		t.Errorf("firm posted while down: GET = %d, want 404", w.Code)
	}
}
