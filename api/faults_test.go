package api_test

// Fault tests: the embedded database is stopped under a running API while
// operations are in flight, then restarted on the same address and data
// directory (the driver reconnects by itself). Each test checks what the
// client saw (a prompt 503 with the envelope or a success, never a 500 or a
// hang) and what the database holds afterwards (whole documents, no half-
// published version, no double counting), and that the API and its
// background workers recover without being restarted.
//
// They need the embedded server: a real MongoDB cannot be stopped by a test.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/peiyu/peiyu/api"
	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/embedded"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/points"
	"github.com/peiyu/peiyu/rules/screening"
	"github.com/peiyu/peiyu/rules/whitelist"
	"github.com/peiyu/peiyu/seeds"
)

// faultTimeout is the store's per-operation timeout in these tests: how
// long one database round trip waits for a server that is gone.
const faultTimeout = 700 * time.Millisecond

// answerWithin bounds every request of these tests: longer is a hang.
const answerWithin = 10 * time.Second

// faultDB is an embedded server of one test, which the test stops and
// restarts on the same address and data directory, behind a TCP proxy
// that the driver connects through.
//
// The proxy is there because the embedded server stops gracefully: FerretDB
// closes its listener at once but serves the connections it has for three
// more seconds, so the driver's pooled connections keep working and an
// operation in flight almost always completes. A crashed database or a
// broken network drops them at once; the proxy does that, mid-operation,
// and refuses new connections until the restart.
type faultDB struct {
	t    *testing.T
	dir  string
	addr string // the embedded server's
	uri  string // the proxy's, for the stores
	// first is the first server, whose IndexIDs (it opens the SQLite
	// files of dir directly) serves the stores of every restart.
	first *embedded.Server
	proxy *cutProxy
	mu    sync.Mutex
	srv   *embedded.Server // nil while stopped
}

func newFaultDB(t *testing.T) *faultDB {
	t.Helper()
	if !storetest.Embedded() {
		t.Skip("fault tests stop the embedded server; PEIYU_TEST_MONGODB_URI names a server a test cannot stop")
	}
	d := &faultDB{t: t, dir: t.TempDir()}
	srv, err := embedded.Start(context.Background(), embedded.Config{DataDir: d.dir})
	if err != nil {
		t.Fatal(err)
	}
	d.first, d.srv, d.addr = srv, srv, srv.Addr()
	d.proxy, err = newCutProxy(d.addr)
	if err != nil {
		_ = srv.Stop(context.Background())
		t.Fatal(err)
	}
	d.uri = strings.Replace(srv.URI(), d.addr, d.proxy.addr, 1)
	// Registered before any store's cleanup, so it runs after them: the
	// stores drop their databases while the server still runs.
	t.Cleanup(func() {
		d.proxy.close()
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = d.srv.Stop(ctx)
		}
	})
	return d
}

// open connects a store with the short timeout to database name.
func (d *faultDB) open(name string) *store.Store {
	d.t.Helper()
	return storetest.Open(d.t, d.uri, name, store.Options{Timeout: faultTimeout, Embedded: true,
		IndexIDs: func(ctx context.Context, db string) error { _, err := d.first.IndexIDs(ctx, db); return err }})
}

// stop drops every connection at once and stops the server; safe to
// call from any goroutine.
func (d *faultDB) stop() error {
	d.proxy.cut()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := d.srv.Stop(ctx)
	d.srv = nil
	return err
}

// restart starts the server again on the same address and data, and lets
// connections through again.
func (d *faultDB) restart() {
	d.t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.srv != nil {
		d.t.Fatal("restart: the server is running")
	}
	srv, err := embedded.Start(context.Background(), embedded.Config{DataDir: d.dir, Addr: d.addr})
	if err != nil {
		d.t.Fatalf("restart on %s: %v", d.addr, err)
	}
	d.srv = srv
	if err := d.proxy.resume(); err != nil {
		d.t.Fatalf("proxy: %v", err)
	}
}

// stopNow stops the server or fails the test.
func (d *faultDB) stopNow() {
	d.t.Helper()
	if err := d.stop(); err != nil {
		d.t.Fatalf("stop the embedded server: %v", err)
	}
}

// cutProxy forwards TCP connections from its own address to target until
// cut, which closes the listener and every connection; resume listens on
// the same address again.
type cutProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func newCutProxy(target string) (*cutProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &cutProxy{addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]bool{}}
	go p.accept(ln)
	return p, nil
}

func (p *cutProxy) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go p.forward(ln, c)
	}
}

// track registers conns while ln is the live listener, and says whether
// it still is.
func (p *cutProxy) track(ln net.Listener, conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != ln {
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

func (p *cutProxy) forward(ln net.Listener, c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(ln, c, s) {
		c.Close()
		s.Close()
		return
	}
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		dst.Close()
		src.Close()
	}
	go pipe(s, c)
	pipe(c, s)
}

// cut closes the listener and drops every connection.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

// resume listens on the proxy's address again.
func (p *cutProxy) resume() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return err
	}
	p.ln = ln
	go p.accept(ln)
	return nil
}

func (p *cutProxy) close() { p.cut() }

// internalErrors is a logger for the API that reports each 500 the API
// logs, with its cause, to the test; Logger in the api.Config of every
// fault test.
func internalErrors(t *testing.T) *slog.Logger {
	return slog.New(&internalLog{t: t})
}

type internalLog struct {
	t     *testing.T
	attrs []slog.Attr
}

func (l *internalLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelError }

func (l *internalLog) Handle(_ context.Context, r slog.Record) error {
	status, msg := int64(0), ""
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "status":
			status = a.Value.Int64()
		case "error":
			msg = a.Value.String()
		}
		return true
	})
	if status == http.StatusInternalServerError {
		l.t.Logf("500 logged by the API: %s %s", r.Message, msg)
	}
	return nil
}

func (l *internalLog) WithAttrs(as []slog.Attr) slog.Handler {
	return &internalLog{t: l.t, attrs: append(slices.Clone(l.attrs), as...)}
}

func (l *internalLog) WithGroup(string) slog.Handler { return l }

// testLog passes a background worker's records at level and above to the
// test's log.
type testLog struct {
	t     *testing.T
	level slog.Level
}

func (l *testLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= l.level }

func (l *testLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.t.Logf("%s %s%s", r.Time.Format("15:04:05.000"), r.Message, b.String())
	return nil
}

func (l *testLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *testLog) WithGroup(string) slog.Handler      { return l }

// faultAPI is the API of a fault test on st (its key store and audit log
// too), logging its 500s to the test. It is closed before st: the audit
// entries queued behind bank queries' answers are written.
func faultAPI(t *testing.T, st *store.Store, cfg api.Config) http.Handler {
	t.Helper()
	cfg.Logger = internalErrors(t)
	srv := newServer(t, st, cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close the API: %v", err)
		}
	})
	return srv.Handler()
}

// doWithin serves r and fails the test when the answer takes longer than
// limit: a hang. It returns the answer and how long it took.
func doWithin(t *testing.T, h http.Handler, r req, limit time.Duration) (*httptest.ResponseRecorder, time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- do(t, h, r) }()
	select {
	case w := <-done:
		return w, time.Since(start)
	case <-time.After(limit):
		t.Fatalf("%s %s: no answer within %v (a hang)", r.method, r.path, limit)
		return nil, 0
	}
}

// pending is a request served in the background (async); await returns
// its answer, or fails the test when there is none within answerWithin.
type pending struct {
	r     req
	start time.Time
	took  time.Duration
	done  chan *httptest.ResponseRecorder
}

func async(t *testing.T, h http.Handler, r req) *pending {
	p := &pending{r: r, start: time.Now(), done: make(chan *httptest.ResponseRecorder, 1)}
	go func() {
		w := do(t, h, r)
		p.took = time.Since(p.start)
		p.done <- w
	}()
	return p
}

func (p *pending) await(t *testing.T) (*httptest.ResponseRecorder, time.Duration) {
	t.Helper()
	select {
	case w := <-p.done:
		return w, p.took
	case <-time.After(answerWithin - time.Since(p.start)):
		t.Fatalf("%s %s: no answer within %v (a hang)", p.r.method, p.r.path, answerWithin)
		return nil, 0
	}
}

// mustUnavailable checks a 503 with the envelope and Retry-After.
func mustUnavailable(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("%s: %d %s, want 503", what, w.Code, w.Body)
		return
	}
	mustEnvelope(t, w, http.StatusServiceUnavailable, api.CodeUnavailable)
	if w.Header().Get("Retry-After") == "" {
		t.Errorf("%s: 503 without Retry-After", what)
	}
}

// awaitReady polls /readyz until it answers 200 and returns how long that
// took.
func awaitReady(t *testing.T, h http.Handler) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		w, _ := doWithin(t, h, req{method: "GET", path: "/readyz"}, answerWithin)
		if w.Code == http.StatusOK {
			return time.Since(start)
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("/readyz did not recover after the restart: %d %s", w.Code, w.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// firmState is what a GET of a firm shows: the profile as JSON and the
// revision (ETag).
type firmState struct {
	body string
	rev  string
}

func getFirmState(t *testing.T, h http.Handler, code string) firmState {
	t.Helper()
	w, _ := doWithin(t, h, req{method: "GET", path: "/api/v1/firms/" + code}, answerWithin)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /firms/%s = %d %s", code, w.Code, w.Body)
	}
	return firmState{body: w.Body.String(), rev: w.Header().Get("ETag")}
}

func etagNext(t *testing.T, etag string) string {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(etag, `"%d"`, &n); err != nil {
		t.Fatalf("ETag %q: %v", etag, err)
	}
	return fmt.Sprintf(`"%d"`, n+1)
}

// Scenario 1. A firm update and a fiscal-year update are in flight when
// the server stops. Each answer is 200 (committed before) or 503 with the
// envelope, within the deadline; after the restart each firm is wholly its
// old or wholly its new profile, and its revision grew by one exactly when
// the profile changed.
func TestFaultFirmWritesWhileStopping(t *testing.T) {
	db := newFaultDB(t)
	st := db.open("faultfirms")
	h := faultAPI(t, st, api.Config{Firms: st, Ready: []api.Checker{{Name: "database", Check: st.Ping}},
		Now: func() time.Time { return today }})

	// Firm A alternates between two whole profiles; firm B between two
	// versions of its 2024 fiscal year.
	a, b := uscc(71), uscc(72)
	profiles := [2]string{firmJSON(a, "停机测试甲公司"), strings.NewReplacer(
		`"停机测试甲公司"`, `"停机测试甲公司（更名）"`, `"employees":120`, `"employees":155`, `"revenue":56000000`, `"revenue":61000000`,
		`"share":0.12`, `"share":0.14`, `"class2":10`, `"class2":12`).Replace(firmJSON(a, "停机测试甲公司"))}
	years := [2]string{`{"employees":90,"revenue":41000000,"main_revenue":39000000,"rd_expense":2100000}`,
		`{"employees":95,"revenue":47000000,"main_revenue":45000000,"rd_expense":2600000}`}
	for _, r := range []req{
		{method: "POST", path: "/api/v1/firms", body: profiles[0]},
		{method: "POST", path: "/api/v1/firms", body: firmJSON(b, "停机测试乙公司")},
	} {
		if w, _ := doWithin(t, h, r, answerWithin); w.Code != http.StatusCreated {
			t.Fatalf("POST = %d %s", w.Code, w.Body)
		}
	}
	// The two states of each firm as GET shows them, made by clean writes.
	// took is how long the two writes take side by side.
	var statesA, statesB [2]string
	var took time.Duration
	for i := range 2 {
		pa := async(t, h, req{method: "PUT", path: "/api/v1/firms/" + a, body: profiles[1-i]})
		pb := async(t, h, req{method: "PUT", path: "/api/v1/firms/" + b + "/years/2024", body: years[1-i]})
		for _, p := range []*pending{pa, pb} {
			w, d := p.await(t)
			if w.Code/100 != 2 {
				t.Fatalf("%s %s = %d %s", p.r.method, p.r.path, w.Code, w.Body)
			}
			took = max(took, d)
		}
		statesA[1-i], statesB[1-i] = getFirmState(t, h, a).body, getFirmState(t, h, b).body
	}
	t.Logf("the two writes take %v side by side", took.Round(100*time.Microsecond))
	// Both firms are now in state 0.
	cur := map[string]firmState{a: getFirmState(t, h, a), b: getFirmState(t, h, b)}
	at := map[string]int{a: 0, b: 0}
	states := map[string][2]string{a: statesA, b: statesB}
	if cur[a].body != statesA[0] || cur[b].body != statesB[0] {
		t.Fatal("set-up: the firms are not in their first state")
	}

	outcomes := map[string]int{}
	for _, delay := range []time.Duration{0, took / 4, took / 2, took * 3 / 4, took, took * 2} {
		delay = delay.Round(100 * time.Microsecond)
		next := map[string]int{a: 1 - at[a], b: 1 - at[b]}
		answers := map[string]string{} // the status and message of each answer
		pa := async(t, h, req{method: "PUT", path: "/api/v1/firms/" + a, body: profiles[next[a]]})
		pb := async(t, h, req{method: "PUT", path: "/api/v1/firms/" + b + "/years/2024", body: years[next[b]]})
		time.Sleep(delay)
		db.stopNow()
		for code, p := range map[string]*pending{a: pa, b: pb} {
			w, took := p.await(t)
			what := fmt.Sprintf("delay %v: %s %s", delay, p.r.method, p.r.path)
			answers[code] = fmt.Sprintf("%d %s", w.Code, w.Body)
			switch w.Code {
			case http.StatusOK, http.StatusCreated:
				outcomes["2xx"]++
			case http.StatusServiceUnavailable:
				outcomes["503"]++
				mustUnavailable(t, what, w)
			default:
				t.Errorf("%s: %d %s, want 200 or 503", what, w.Code, w.Body)
			}
			t.Logf("%s: %d in %v", what, w.Code, took.Round(time.Millisecond))
		}
		db.restart()
		ready := awaitReady(t, h)
		for _, code := range []string{a, b} {
			got := getFirmState(t, h, code)
			switch got.body {
			case states[code][at[code]]:
				if got.rev != cur[code].rev {
					t.Errorf("delay %v: firm %s kept its profile but its revision moved %s → %s", delay, code, cur[code].rev, got.rev)
				}
				outcomes["kept old"]++
			case states[code][next[code]]:
				if want := etagNext(t, cur[code].rev); got.rev != want {
					t.Errorf("delay %v: firm %s took the new profile with revision %s, want %s", delay, code, got.rev, want)
				}
				at[code] = next[code]
				outcomes["took new"]++
				if ans := answers[code]; strings.HasPrefix(ans, "503") {
					// The write committed; its answer, or the audit
					// entry's write, was lost with the connection.
					outcomes["503 but written"]++
					t.Logf("delay %v: firm %s was written though the answer was %s", delay, code, ans)
				}
			default:
				t.Errorf("delay %v: firm %s is neither its old nor its new profile (half-written):\n%s", delay, code,
					cmp.Diff(states[code][next[code]], got.body))
			}
			cur[code] = got
		}
		t.Logf("delay %v: ready %v after the restart", delay, ready.Round(time.Millisecond))
	}
	t.Logf("outcomes: %v", outcomes)
	// Writes work again, without restarting the API.
	if w, _ := doWithin(t, h, req{method: "PUT", path: "/api/v1/firms/" + a, body: profiles[1-at[a]],
		header: map[string]string{"If-Match": cur[a].rev}}, answerWithin); w.Code != http.StatusOK {
		t.Errorf("PUT after the faults = %d %s", w.Code, w.Body)
	}
}

// getScreening reads a job through the API: the job (on 200) and the status.
func getScreening(t *testing.T, h http.Handler, id string) (screeningJSON, int) {
	t.Helper()
	w, _ := doWithin(t, h, req{method: "GET", path: "/api/v1/screenings/" + id}, answerWithin)
	var sc screeningJSON
	if w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &sc); err != nil {
			t.Fatal(err)
		}
	}
	return sc, w.Code
}

// Scenario 2. A screening job is running when the server stops: while it
// is down GET /screenings/{id} is a prompt 503; after the restart the same
// runner finishes the job by itself, with one result per firm and the
// summary of a clean job over the same firms. In scan mode (what the
// embedded server uses) and in chunk mode (replicas on MongoDB).
func TestFaultScreeningWhileStopping(t *testing.T) {
	// Chunk mode is slow on the embedded server (each claim reads every
	// chunk's state, each chunk's firms cost a scan): fewer firms there.
	for _, mode := range []struct {
		name         string
		scan         bool
		firms, chunk int
	}{{"scan mode", true, 300, 10}, {"chunk mode", false, 200, 25}} {
		t.Run(mode.name, func(t *testing.T) {
			firms := mode.firms
			db := newFaultDB(t)
			st := db.open("faultscreen")
			ctx := context.Background()
			if n, err := seeds.Load(ctx, st, firms, 1); err != nil || n != firms {
				t.Fatalf("seeds.Load = %d, %v", n, err)
			}
			holder := rules.NewHolder(testEngine(t))
			runner := screening.New(st, holder, screening.Config{ScanMode: mode.scan, ChunkSize: mode.chunk, Lease: 2 * time.Second,
				Poll: 100 * time.Millisecond, Natives: []screening.Native{points.NewScreener(points.New(points.Default(), nil), st, nil)},
				Logger: slog.New(&testLog{t: t, level: slog.LevelWarn})})
			runCtx, cancel := context.WithCancel(ctx)
			runDone := make(chan struct{})
			go func() { defer close(runDone); runner.Run(runCtx) }()
			t.Cleanup(func() { cancel(); <-runDone })
			h := faultAPI(t, st, api.Config{Firms: st, Evaluations: st, Rules: holder, Screenings: runner, ScreeningStore: st,
				Ready: []api.Checker{{Name: "database", Check: st.Ping}}, Now: func() time.Time { return today }})

			post := func() string {
				t.Helper()
				w, _ := doWithin(t, h, req{method: "POST", path: "/api/v1/screenings", body: `{"as_of":"2026-06-30"}`}, answerWithin)
				var sc screeningJSON
				if w.Code != http.StatusAccepted || json.Unmarshal(w.Body.Bytes(), &sc) != nil {
					t.Fatalf("POST /screenings = %d %s", w.Code, w.Body)
				}
				return sc.ID
			}
			id := post()
			// Stop once some chunks are done.
			var sc screeningJSON
			deadline := time.Now().Add(30 * time.Second)
			for {
				var code int
				sc, code = getScreening(t, h, id)
				if code != http.StatusOK {
					t.Fatalf("GET screening = %d", code)
				}
				if sc.Status == registry.ScreeningDone {
					t.Fatalf("the job finished before the stop: %+v", sc)
				}
				if sc.Done >= firms/4 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no progress: %+v", sc)
				}
				time.Sleep(2 * time.Millisecond)
			}
			db.stopNow()
			t.Logf("stopped at %d of %d firms", sc.Done, firms)

			for i := range 3 {
				w, took := doWithin(t, h, req{method: "GET", path: "/api/v1/screenings/" + id}, answerWithin)
				mustUnavailable(t, "GET /screenings/{id} while down", w)
				if took > 2*faultTimeout {
					t.Errorf("GET /screenings/{id} while down took %v, want about the store timeout %v", took, faultTimeout)
				}
				t.Logf("GET /screenings/{id} while down (%d): %d in %v", i+1, w.Code, took.Round(time.Millisecond))
			}

			db.restart()
			restarted := time.Now()
			t.Logf("ready %v after the restart", awaitReady(t, h).Round(time.Millisecond))
			deadline = time.Now().Add(30 * time.Second)
			for {
				var code int
				sc, code = getScreening(t, h, id)
				if code == http.StatusOK && (sc.Status == registry.ScreeningDone || sc.Status == registry.ScreeningFailed) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the job did not finish after the restart: %d %+v", code, sc)
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Logf("job finished %v after the restart", time.Since(restarted).Round(time.Millisecond))
			if sc.Status != registry.ScreeningDone || sc.Total != firms || sc.Done != firms || !sc.TotalExact {
				t.Fatalf("after the restart: %+v", sc)
			}
			// One result per firm, every firm.
			seen := map[string]int{}
			if err := st.ScreeningResults(ctx, id, func(f *registry.ScreenedFirm) error {
				seen[f.USCC]++
				if len(f.Results) != len(sc.Programs) {
					t.Errorf("firm %s: %d results, want one per program (%d)", f.USCC, len(f.Results), len(sc.Programs))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			for u, n := range seen {
				if n != 1 {
					t.Errorf("firm %s has %d results", u, n)
				}
			}
			if len(seen) != firms {
				t.Errorf("%d firms have results, want %d", len(seen), firms)
			}
			// A clean job over the same firms counts the same.
			clean := awaitScreening(t, h, post())
			if diff := cmp.Diff(clean.Summary, sc.Summary); diff != "" {
				t.Errorf("summary of the interrupted job differs from a clean one (-clean +interrupted):\n%s", diff)
			}
			for p, m := range sc.Summary {
				sum := 0
				for _, n := range m {
					sum += n
				}
				if sum != firms {
					t.Errorf("%s: %v sums to %d, want %d (double counting)", p, m, sum, firms)
				}
			}
		})
	}
}

// publishHook is the store of the whitelist service, calling onPublish
// (when set) as PublishWhitelist begins: after the registry is screened,
// before the version's writes (its entries, then its summary — the commit
// point; the service then advances the head pointer).
type publishHook struct {
	*store.Store
	onPublish atomic.Pointer[func()]
}

func (p *publishHook) PublishWhitelist(ctx context.Context, v registry.WhitelistVersion, entries []registry.WhitelistEntry) error {
	if f := p.onPublish.Swap(nil); f != nil {
		(*f)()
	}
	return p.Store.PublishWhitelist(ctx, v, entries)
}

// Scenario 3. A whitelist publish is in flight when the server stops: at
// several delays after the request is sent (while it screens the
// registry), and at several delays after it begins to write the version.
// After the restart every stored version is complete (its count is its
// entries', its hash theirs), the numbers have no gap, what the bank API
// lists has none either, and a retry publishes the next number, complete,
// which lookups answer from.
func TestFaultWhitelistPublishWhileStopping(t *testing.T) {
	db := newFaultDB(t)
	st := db.open("faultwl")
	ctx := context.Background()
	if _, err := seeds.Load(ctx, st, 200, 1); err != nil {
		t.Fatal(err)
	}
	holder := rules.NewHolder(testEngine(t))
	hook := &publishHook{Store: st}
	wl := whitelist.New(hook, holder, whitelist.Config{Now: func() time.Time { return today }})
	if err := wl.Load(ctx); err != nil {
		t.Fatal(err)
	}
	h := faultAPI(t, st, api.Config{Firms: st, Evaluations: st, Rules: holder, Whitelist: wl,
		Ready: []api.Checker{{Name: "database", Check: st.Ping}}, Now: func() time.Time { return today }})
	const publish = "/api/v1/whitelists/finance-whitelist/publish"

	// checkStored checks every stored version 1..latest: present, and
	// complete.
	checkStored := func(when string) int {
		t.Helper()
		latest, err := st.LatestWhitelist(ctx, whitelist.List)
		if err != nil {
			t.Fatal(err)
		}
		for v := 1; v <= latest; v++ {
			ver, entries, err := st.WhitelistVersion(ctx, whitelist.List, v)
			if err != nil {
				t.Errorf("%s: version %d of %d: %v (a gap)", when, v, latest, err)
				continue
			}
			if ver.Version != v || ver.Count != len(entries) || ver.Hash != whitelist.HashEntries(entries) {
				t.Errorf("%s: version %d is partial: number %d, count %d, %d entries, hash ok %v", when, v, ver.Version, ver.Count,
					len(entries), ver.Hash == whitelist.HashEntries(entries))
			}
		}
		return latest
	}
	// phase tells how far the publish of version n got.
	phase := func(n int) string {
		t.Helper()
		id := fmt.Sprintf("%s#%d", whitelist.List, n)
		count := func(coll string, filter bson.D) int64 {
			c, err := st.Database().Collection(coll).CountDocuments(ctx, filter)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		switch {
		case count("whitelist_entries", bson.D{{Key: "_id", Value: id}}) == 0:
			return "nothing written"
		case count("whitelist_versions", bson.D{{Key: "_id", Value: id}}) == 0:
			return "entries written, not committed"
		case count("whitelist_heads", bson.D{{Key: "_id", Value: whitelist.List}, {Key: "latest", Value: n}}) == 0:
			return "committed, head not advanced"
		}
		return "committed, head advanced"
	}
	// publishOK publishes cleanly and checks what the bank API serves.
	publishOK := func(want int) (registry.WhitelistVersion, time.Duration) {
		t.Helper()
		w, took := doWithin(t, h, req{method: "POST", path: publish, body: `{"as_of":"2026-06-30"}`}, answerWithin)
		var v registry.WhitelistVersion
		if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &v) != nil {
			t.Fatalf("publish = %d %s", w.Code, w.Body)
		}
		if v.Version != want || v.Count == 0 {
			t.Fatalf("published version %d with %d entries, want version %d with some", v.Version, v.Count, want)
		}
		_, entries, err := st.WhitelistVersion(ctx, whitelist.List, v.Version)
		if err != nil || len(entries) != v.Count {
			t.Fatalf("version %d: %d entries, %v; count %d", v.Version, len(entries), err, v.Count)
		}
		w, _ = doWithin(t, h, req{method: "GET", path: "/api/v1/whitelist/" + entries[0].USCC}, answerWithin)
		var a whitelist.Answer
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &a) != nil || !a.Listed || a.Version != v.Version {
			t.Errorf("lookup after publishing version %d = %d %s", v.Version, w.Code, w.Body)
		}
		return v, took
	}
	v1, took := publishOK(1)
	t.Logf("a clean publish takes %v (%d entries)", took.Round(time.Millisecond), v1.Count)

	// Where each stop falls: delay after the request is sent (while it
	// screens the registry); delay after its writes begin; or as soon as
	// the version's summary (the commit point) is seen in the database.
	type fault struct {
		delay     time.Duration
		writing   bool
		committed bool
	}
	faults := []fault{{delay: 0}, {delay: took / 2},
		{writing: true}, {delay: 3 * time.Millisecond, writing: true}, {delay: 8 * time.Millisecond, writing: true},
		{committed: true}}
	latest, phases := 1, map[string]int{}
	for _, f := range faults {
		what := fmt.Sprintf("stopped %v after the request", f.delay.Round(time.Millisecond))
		var stopped chan struct{}
		switch {
		case f.writing:
			what = fmt.Sprintf("stopped %v after the writes began", f.delay)
			stopped = make(chan struct{})
			stop := func() {
				go func() {
					defer close(stopped)
					time.Sleep(f.delay)
					_ = db.stop()
				}()
			}
			hook.onPublish.Store(&stop)
		case f.committed:
			what = "stopped once the version was committed"
			stopped = make(chan struct{})
			id := fmt.Sprintf("%s#%d", whitelist.List, latest+1)
			stop := func() {
				go func() {
					defer close(stopped)
					for range 2000 {
						n, err := st.Database().Collection("whitelist_versions").CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
						if err != nil || n > 0 {
							break
						}
					}
					_ = db.stop()
				}()
			}
			hook.onPublish.Store(&stop)
		}
		p := async(t, h, req{method: "POST", path: publish, body: `{"as_of":"2026-06-30"}`})
		if stopped == nil {
			time.Sleep(f.delay)
			db.stopNow()
		}
		w, answered := p.await(t)
		if stopped != nil {
			if hook.onPublish.Swap(nil) == nil {
				<-stopped
			}
			db.stopNow() // a no-op, unless the publish failed before its writes
		}
		switch w.Code {
		case http.StatusCreated:
		case http.StatusServiceUnavailable:
			mustUnavailable(t, what, w)
		default:
			t.Errorf("%s: %d %s, want 201 or 503", what, w.Code, w.Body)
		}
		db.restart()
		ready := awaitReady(t, h)
		stored := checkStored(what)
		reached := phase(latest + 1)
		phases[reached]++
		if stored != latest && stored != latest+1 {
			t.Errorf("%s: latest version %d, was %d", what, stored, latest)
		}
		if w.Code == http.StatusCreated && stored != latest+1 {
			t.Errorf("%s: answered 201 but version %d is not stored", what, latest+1)
		}
		cur, _ := wl.Current()
		if reached == "committed, head advanced" && cur.Version != stored {
			// The head moves only after the store reported the commit:
			// the service must serve what it published, whatever the
			// answer (TestPublishSurvivesHeadPointerFailure).
			t.Errorf("%s: version %d is published but the service serves %d", what, stored, cur.Version)
		}
		t.Logf("%s: %d in %v, %s; stored latest %d (was %d), served %d; ready %v after the restart", what, w.Code,
			answered.Round(time.Millisecond), reached, stored, latest, cur.Version, ready.Round(time.Millisecond))
		// The versions a bank lists have no gap.
		w, _ = doWithin(t, h, req{method: "GET", path: "/api/v1/whitelists/finance-whitelist/versions?limit=200"}, answerWithin)
		var list struct {
			Items []registry.WhitelistVersion `json:"items"`
		}
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &list) != nil {
			t.Fatalf("versions = %d %s", w.Code, w.Body)
		}
		for i, v := range list.Items {
			if v.Version != cur.Version-i {
				t.Errorf("%s: versions listed %v: a gap at %d", what, list.Items, cur.Version-i)
				break
			}
		}
		// A retry publishes the next number, complete.
		v, _ := publishOK(stored + 1)
		if v.Count != v1.Count {
			t.Errorf("retry: %d entries, want %d as in version 1 (same registry)", v.Count, v1.Count)
		}
		latest = v.Version
	}
	checkStored("at the end")
	t.Logf("phases reached: %v", phases)
}

// multipartFile is a multipart/form-data body with the file in field
// "file", and its content type.
func multipartFile(t *testing.T, data []byte) (string, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "firms.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return body.String(), mw.FormDataContentType()
}

// registrySnapshot is every firm's profile (JSON) and revision.
func registrySnapshot(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := st.ScanFirms(context.Background(), registry.FirmFilter{}, func(r *registry.Record) error {
		b, err := json.Marshal(r.Firm)
		out[r.Firm.USCC] = fmt.Sprintf("rev %d %s", r.Revision, b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Scenario 4. An import of 200 firms is stopped part way: the answer is a
// prompt 503; after the restart a rerun of the same file creates the rest
// and leaves the firms already written unchanged, and the registry equals
// that of a clean import.
func TestFaultImportWhileStopping(t *testing.T) {
	const firms = 200
	db := newFaultDB(t)
	st, cleanSt := db.open("faultimport"), db.open("faultimportclean")
	ready := []api.Checker{{Name: "database", Check: st.Ping}}
	h := faultAPI(t, st, api.Config{Firms: st, Evaluations: st, Rules: rules.NewHolder(testEngine(t)), Ready: ready,
		Now: func() time.Time { return today }})
	clean := faultAPI(t, cleanSt, api.Config{Firms: cleanSt, Evaluations: cleanSt, Rules: rules.NewHolder(testEngine(t)),
		Now: func() time.Time { return today }})
	body, ctype := multipartFile(t, workbook(t, seeds.Generate(firms, 3)))
	imp := req{method: "POST", path: "/api/v1/firms/import", body: body, header: map[string]string{"Content-Type": ctype}}
	decode := func(w *httptest.ResponseRecorder) importResult {
		t.Helper()
		var r importResult
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &r) != nil {
			t.Fatalf("POST /firms/import = %d %s", w.Code, w.Body)
		}
		return r
	}

	w, took := doWithin(t, clean, imp, 60*time.Second)
	if w.Code == http.StatusNotImplemented {
		t.Skip("POST /firms/import answers 501: the import is not finished yet")
	}
	r := decode(w)
	if r.Created != firms || r.Failed != 0 {
		t.Fatalf("clean import: %s; problems %v", r.counts(), r.Problems)
	}
	t.Logf("a clean import of %d firms takes %v", firms, took.Round(time.Millisecond))

	p := async(t, h, imp)
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := st.CountFirms(context.Background())
		if err == nil && n >= firms/10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import wrote no firm: %d, %v", n, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	db.stopNow()
	w, answered := p.await(t)
	if w.Code == http.StatusOK {
		t.Fatalf("the import finished before the stop: %s", decode(w).counts())
	}
	msg := w.Body.String()
	mustUnavailable(t, "import stopped part way", w)
	t.Logf("interrupted import: %d in %v: %s", w.Code, answered.Round(time.Millisecond), msg)

	db.restart()
	t.Logf("ready %v after the restart", awaitReady(t, h).Round(time.Millisecond))
	written, err := st.CountFirms(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	w, _ = doWithin(t, h, imp, 60*time.Second)
	r = decode(w)
	t.Logf("%d firms written before the stop; rerun: %s", written, r.counts())
	if r.Created != firms-int(written) || r.Unchanged != int(written) || r.Updated != 0 || r.Failed != 0 {
		t.Errorf("rerun: %s, want %d created and %d unchanged", r.counts(), firms-int(written), written)
	}
	if diff := cmp.Diff(registrySnapshot(t, cleanSt), registrySnapshot(t, st)); diff != "" {
		t.Errorf("registry after the interrupted import and its rerun differs from a clean import (-clean +rerun):\n%s", diff)
	}
}

// Scenario 5. While the server is down every database-backed route answers
// a prompt 503 with Retry-After — keys not yet cached included — while the
// routes that need no database still answer (bank queries from the version
// in memory, their audit entries queued); after the restart /readyz and the
// same routes recover without restarting the API, and the queued audit
// entries are written by themselves.
func TestFaultEveryRouteWhileDown(t *testing.T) {
	db := newFaultDB(t)
	st := db.open("faultroutes")
	ctx := context.Background()
	if _, err := seeds.Load(ctx, st, 60, 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.LoadTargets(ctx, seeds.Targets()); err != nil {
		t.Fatal(err)
	}
	holder := rules.NewHolder(testEngine(t))
	runner := screening.New(st, holder, screening.Config{ScanMode: true, Poll: 100 * time.Millisecond,
		Natives: []screening.Native{points.NewScreener(points.New(points.Default(), nil), st, nil)}})
	runCtx, cancel := context.WithCancel(ctx)
	runDone := make(chan struct{})
	go func() { defer close(runDone); runner.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-runDone })
	wl := whitelist.New(st, holder, whitelist.Config{Now: func() time.Time { return today }})
	if err := wl.Load(ctx); err != nil {
		t.Fatal(err)
	}
	h := faultAPI(t, st, api.Config{Firms: st, Evaluations: st, Rules: holder, Screenings: runner, ScreeningStore: st,
		Whitelist: wl, Packs: st, Targets: st, Cohorts: st, Ready: []api.Checker{{Name: "database", Check: st.Ping}},
		Now: func() time.Time { return today }})

	// Data for every route: a finished screening (whose cohorts the
	// innovation-points self-check reads), a published whitelist, keys.
	w, _ := doWithin(t, h, req{method: "POST", path: "/api/v1/screenings", body: `{"as_of":"2026-06-30"}`}, answerWithin)
	var job screeningJSON
	if w.Code != http.StatusAccepted || json.Unmarshal(w.Body.Bytes(), &job) != nil {
		t.Fatalf("POST /screenings = %d %s", w.Code, w.Body)
	}
	if sc := awaitScreening(t, h, job.ID); sc.Status != registry.ScreeningDone {
		t.Fatalf("screening: %+v", sc)
	}
	if w, _ := doWithin(t, h, req{method: "POST", path: "/api/v1/whitelists/finance-whitelist/publish", body: `{"as_of":"2026-06-30"}`}, answerWithin); w.Code != http.StatusCreated {
		t.Fatalf("publish = %d %s", w.Code, w.Body)
	}
	var code string
	if err := st.ScanFirms(ctx, registry.FirmFilter{}, func(r *registry.Record) error {
		if code == "" {
			code = r.Firm.USCC
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	bank := newKey(t, h, registry.RoleBank, "停机测试银行", "")
	staff := newKey(t, h, registry.RoleStaff, "停机测试工作人员", "431200") // never used before the stop: not cached
	w, _ = doWithin(t, h, req{method: "GET", path: "/api/v1/keys"}, answerWithin)
	var keys struct {
		Items []registry.APIKey `json:"items"`
	}
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &keys) != nil || len(keys.Items) == 0 {
		t.Fatalf("GET /keys = %d %s", w.Code, w.Body)
	}
	keyID := keys.Items[len(keys.Items)-1].ID
	// The bank key is used once so that it is cached: while down its
	// lookups fail on the audit log, not on the key.
	if w, _ := doWithin(t, h, req{method: "GET", path: "/api/v1/whitelist/" + code, key: bank}, answerWithin); w.Code != http.StatusOK {
		t.Fatalf("bank lookup = %d %s", w.Code, w.Body)
	}
	// Innovation-points self-checks read stored cohort distributions,
	// which the API caches a few seconds (api/points.go): the growth-stage
	// cohort is read now, so while down that self-check may be answered
	// from the cache; the start-up stage's is never read before the stop,
	// so its self-check must reach the database.
	var growth registry.Firm
	_ = json.Unmarshal([]byte(firmJSON(uscc(99), "自测企业")), &growth)
	startup := growth
	startup.Years = []registry.Year{growth.Years[0]}
	y := &startup.Years[0]
	y.Revenue, y.MainRevenue, y.RDExpense, y.NetProfit = i64ptr(3_000_000), i64ptr(2_800_000), i64ptr(300_000), i64ptr(200_000)
	selfCheck := func(profile registry.Firm, program string) string {
		b, _ := json.Marshal(map[string]any{"profile": profile, "as_of": "2026-06-30", "programs": []string{program}})
		return string(b)
	}
	pointsCached := req{method: "POST", path: "/api/v1/self-check", body: selfCheck(growth, "innovation-points"), anon: true}
	pointsUncached := req{method: "POST", path: "/api/v1/self-check", body: selfCheck(startup, "innovation-points"), anon: true}
	if w, _ := doWithin(t, h, pointsCached, answerWithin); w.Code != http.StatusOK {
		t.Fatalf("innovation-points self-check = %d %s", w.Code, w.Body)
	}

	routes := []req{
		{method: "GET", path: "/api/v1/firms/" + code + "/eligibility?as_of=2026-06-30"},
		{method: "GET", path: "/api/v1/firms/" + code + "/eligibility/history"},
		{method: "GET", path: "/api/v1/firms/" + code + "/lookups"},
		{method: "GET", path: "/api/v1/firms/export.csv"},
		{method: "GET", path: "/api/v1/firms", key: staff},
		{method: "POST", path: "/api/v1/screenings", body: `{"as_of":"2026-06-30"}`},
		{method: "GET", path: "/api/v1/screenings"},
		{method: "GET", path: "/api/v1/screenings/" + job.ID},
		{method: "GET", path: "/api/v1/screenings/" + job.ID + "/results"},
		{method: "GET", path: "/api/v1/screenings/" + job.ID + "/results.csv"},
		{method: "GET", path: "/api/v1/near-misses"},
		{method: "GET", path: "/api/v1/targets?region_code=431200&year=2026"},
		{method: "POST", path: "/api/v1/targets/snapshots", body: `{"region_code":"431200","year":2026}`},
		{method: "GET", path: "/api/v1/targets/snapshots"},
		{method: "POST", path: "/api/v1/programs/tech-sme/simulate", body: `{"overrides":{"pass_score":70}}`},
		{method: "GET", path: "/api/v1/programs/tech-sme/drafts"},
		{method: "GET", path: "/api/v1/programs/tech-sme/revisions"},
		{method: "POST", path: "/api/v1/whitelists/finance-whitelist/publish", body: `{"as_of":"2026-06-30"}`},
		{method: "GET", path: "/api/v1/whitelists/finance-whitelist/versions"},
		{method: "GET", path: "/api/v1/whitelists/finance-whitelist/versions/1"},
		{method: "POST", path: "/api/v1/receipts/rotate"},
		{method: "POST", path: "/api/v1/keys", body: `{"role":"bank","name":"停机时的新密钥"}`},
		{method: "GET", path: "/api/v1/keys"},
		{method: "DELETE", path: "/api/v1/keys/" + keyID},
		{method: "GET", path: "/api/v1/audit"},
		pointsUncached,
	}
	// What needs no database still answers: bank queries are answered
	// from the version held in memory, their audit entries written behind
	// the answer (api/auditgroup.go) once the database is back.
	bankQueries := []req{
		{method: "GET", path: "/api/v1/whitelists/finance-whitelist/changes?since=0", key: bank},
		{method: "GET", path: "/api/v1/whitelist/" + code, key: bank},
		{method: "POST", path: "/api/v1/whitelist/lookup", body: `{"usccs":["` + code + `"]}`, key: bank},
	}
	alive := append([]req{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/api/v1/programs", anon: true},
		{method: "GET", path: "/api/v1/receipts/public-key", anon: true},
		{method: "POST", path: "/api/v1/self-check", body: selfCheck(growth, "tech-sme"), anon: true},
	}, bankQueries...)
	lookups := func() int {
		t.Helper()
		w, _ := doWithin(t, h, req{method: "GET", path: "/api/v1/audit?action=whitelist.lookup&uscc=" + code}, answerWithin)
		var list struct {
			Items []registry.AuditEntry `json:"items"`
		}
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &list) != nil {
			t.Fatalf("GET /audit = %d %s", w.Code, w.Body)
		}
		return len(list.Items)
	}
	// The bank's lookup above is in the audit log (written behind its
	// answer: wait for it).
	deadline := time.Now().Add(answerWithin)
	lookedUp := lookups()
	for ; lookedUp == 0 && time.Now().Before(deadline); lookedUp = lookups() {
		time.Sleep(20 * time.Millisecond)
	}

	db.stopNow()
	stopped := time.Now()
	type answer struct {
		w    *httptest.ResponseRecorder
		took time.Duration
	}
	answers := make([]answer, len(routes)+len(alive))
	var wg sync.WaitGroup
	for i, r := range slices.Concat(routes, alive) {
		wg.Go(func() {
			start := time.Now()
			answers[i] = answer{do(t, h, r), time.Since(start)}
		})
	}
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(answerWithin):
		t.Fatalf("some routes did not answer within %v while the database was down (a hang)", answerWithin)
	}
	var slowest time.Duration
	for i, r := range routes {
		a := answers[i]
		what := r.method + " " + r.path
		mustUnavailable(t, what+" while down", a.w)
		slowest = max(slowest, a.took)
		t.Logf("%s while down: %d in %v", what, a.w.Code, a.took.Round(time.Millisecond))
		// One round trip to a stopped server waits the store timeout; an
		// audited call makes up to three (the key's firm, the work, the
		// audit entry), a listing up to a few more.
		if a.took > 4*faultTimeout+time.Second {
			t.Errorf("%s while down took %v", what, a.took)
		}
	}
	for i, r := range alive {
		a := answers[len(routes)+i]
		if a.w.Code != http.StatusOK {
			t.Errorf("%s %s while down = %d %s, want 200 (no database needed)", r.method, r.path, a.w.Code, a.w.Body)
		}
		t.Logf("%s %s while down: %d in %v", r.method, r.path, a.w.Code, a.took.Round(time.Millisecond))
	}
	t.Logf("%d routes answered 503 concurrently within %v (slowest %v)", len(routes), time.Since(stopped).Round(time.Millisecond), slowest.Round(time.Millisecond))
	mustUnavailable(t, "/readyz while down", do(t, h, req{method: "GET", path: "/readyz"}))
	// The cohort read just before the stop: from the API's cache, or 503.
	if w, took := doWithin(t, h, pointsCached, answerWithin); w.Code != http.StatusOK && w.Code != http.StatusServiceUnavailable {
		t.Errorf("innovation-points self-check of a cached cohort while down = %d %s", w.Code, w.Body)
	} else {
		t.Logf("innovation-points self-check of a cohort read before the stop, while down: %d in %v", w.Code, took.Round(time.Millisecond))
	}

	db.restart()
	restarted := time.Now()
	t.Logf("ready %v after the restart", awaitReady(t, h).Round(time.Millisecond))
	// The two lookups answered while down reach the audit log by themselves.
	for n := lookups(); n != lookedUp+2; n = lookups() {
		if time.Since(restarted) > answerWithin {
			t.Fatalf("%d whitelist.lookup entries %v after the restart, want %d: the lookups answered while down are not audited", n, answerWithin, lookedUp+2)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the lookups answered while down were in the audit log %v after the restart", time.Since(restarted).Round(time.Millisecond))
	for _, r := range []req{
		{method: "GET", path: "/api/v1/screenings/" + job.ID},
		{method: "GET", path: "/api/v1/screenings/" + job.ID + "/results"},
		{method: "GET", path: "/api/v1/near-misses"},
		{method: "GET", path: "/api/v1/targets?region_code=431200&year=2026"},
		{method: "GET", path: "/api/v1/firms", key: staff},
		{method: "GET", path: "/api/v1/whitelist/" + code, key: bank},
		{method: "GET", path: "/api/v1/whitelists/finance-whitelist/versions"},
		{method: "GET", path: "/api/v1/audit"},
		{method: "GET", path: "/api/v1/keys"},
		pointsUncached,
	} {
		if w, _ := doWithin(t, h, r, answerWithin); w.Code != http.StatusOK {
			t.Errorf("%s %s after the restart = %d %s", r.method, r.path, w.Code, w.Body)
		}
	}
}
