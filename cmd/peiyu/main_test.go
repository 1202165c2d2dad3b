package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/storetest"
)

// startServe runs the real program — run("serve", …) — on 127.0.0.1:0 and
// returns its base URL. It stops the program when the test ends and checks
// that it shut down cleanly.
func startServe(t *testing.T, extra ...string) string {
	t.Helper()
	base, stop := startServeStop(t, extra...)
	t.Cleanup(stop)
	return base
}

// testAdminKey is the PEIYU_BOOTSTRAP_ADMIN_KEY of the programs the tests
// start; call sends it unless told otherwise.
const testAdminKey = "py_e2e-admin-key-of-the-serve-tests-0000"

// startServeStop is startServe with an explicit stop, for tests that
// restart the program. The program has testAdminKey as its bootstrap key.
func startServeStop(t *testing.T, extra ...string) (base string, stop func()) {
	t.Helper()
	base, _, stop = startServeEnv(t, map[string]string{"PEIYU_BOOTSTRAP_ADMIN_KEY": testAdminKey}, extra...)
	return base, stop
}

// startServeEnv is startServeStop with the environment env (and the test
// database's) and the lines the program prints after its URL.
func startServeEnv(t *testing.T, env map[string]string, extra ...string) (base string, lines <-chan string, stop func()) {
	t.Helper()
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-level", "warn"}
	env = maps.Clone(env)
	if u := os.Getenv(storetest.EnvURI); u != "" {
		env["PEIYU_MONGODB_URI"] = u
		env["PEIYU_DB"] = storetest.DBName(t)
	}
	args = append(args, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, func(k string) string { return env[k] }, pw, io.Discard)
		pw.Close()
		done <- err
	}()
	urlc := make(chan string, 1)
	more := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		seen := false
		for sc.Scan() {
			i := strings.Index(sc.Text(), "http://")
			switch {
			case i >= 0 && !seen:
				seen = true
				urlc <- sc.Text()[i:]
			case seen:
				select {
				case more <- sc.Text():
				default: // nobody reads them: keep draining the pipe
				}
			}
		}
		close(urlc)
		close(more)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("run returned %v after shutdown", err)
				}
			case <-time.After(30 * time.Second):
				t.Error("run did not return within 30s of cancel")
			}
		})
	}
	select {
	case u, ok := <-urlc:
		if !ok {
			t.Fatalf("serve exited before listening: %v", <-done)
		}
		return u, more, stop
	case err := <-done:
		t.Fatalf("serve exited: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not print its URL within 60s")
	}
	return "", more, stop
}

// call makes a request with testAdminKey, unless header has an
// Authorization (an empty one: no key).
func call(t *testing.T, method, url, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if _, ok := header["Authorization"]; !ok {
		req.Header.Set("Authorization", "Bearer "+testAdminKey)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestServeEndToEnd runs the program with demo data and walks a firm
// through create → get → update → list over real HTTP.
func TestServeEndToEnd(t *testing.T) {
	base := startServe(t, "--demo", "--demo-firms", "40")

	// The demo firms load in the background after start-up.
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, body := call(t, "GET", base+"/api/v1/firms?limit=1", "", nil)
		var list struct{ Total int }
		_ = json.Unmarshal(body, &list)
		if resp.StatusCode == 200 && list.Total == 40 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo firms not loaded: %d %s", resp.StatusCode, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if resp, body := call(t, "GET", base+"/readyz", "", nil); resp.StatusCode != 200 {
		t.Fatalf("readyz = %d %s", resp.StatusCode, body)
	}

	body17 := "91431221MA0E2E001"
	c, _ := registry.USCCCheckChar(body17)
	code := body17 + string(c)
	firm := func(name string) string {
		return fmt.Sprintf(`{"uscc":%q,"name":%q,"region_code":"431221","chain":"中医药","industry_code":"C2740",
			"years":[{"year":2025,"employees":40,"tech_staff":9,"revenue":18000000,"rd_expense":700000}]}`, code, name)
	}
	resp, body := call(t, "POST", base+"/api/v1/firms", firm("【演示】中方端到端药业有限公司"), nil)
	if resp.StatusCode != 201 {
		t.Fatalf("POST = %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, "GET", base+"/api/v1/firms/"+code, "", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "中方端到端药业") {
		t.Fatalf("GET = %d %s", resp.StatusCode, body)
	}
	etag := resp.Header.Get("ETag")
	resp, body = call(t, "PUT", base+"/api/v1/firms/"+code, firm("【演示】中方端到端制药有限公司"), map[string]string{"If-Match": etag})
	if resp.StatusCode != 200 {
		t.Fatalf("PUT = %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, "PUT", base+"/api/v1/firms/"+code, firm("过期的修改"), map[string]string{"If-Match": etag})
	if resp.StatusCode != 409 {
		t.Fatalf("stale PUT = %d %s, want 409", resp.StatusCode, body)
	}
	resp, body = call(t, "GET", base+"/api/v1/firms?region_code=431221&q=端到端", "", nil)
	var list struct {
		Items []registry.Firm `json:"items"`
		Total int             `json:"total"`
	}
	if err := json.Unmarshal(body, &list); err != nil || resp.StatusCode != 200 {
		t.Fatalf("list = %d %s", resp.StatusCode, body)
	}
	if list.Total != 1 || list.Items[0].Name != "【演示】中方端到端制药有限公司" {
		t.Errorf("list = %+v", list)
	}

	// The firm's eligibility is evaluated, stored and kept in its history;
	// a self-check of the same profile agrees.
	resp, body = call(t, "GET", base+"/api/v1/firms/"+code+"/eligibility?as_of=2026-06-30&programs=tech-sme", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"program":"tech-sme"`) {
		t.Fatalf("eligibility = %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, "GET", base+"/api/v1/firms/"+code+"/eligibility/history", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"as_of":"2026-06-30"`) {
		t.Fatalf("history = %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, "POST", base+"/api/v1/self-check",
		`{"profile":`+firm("x")+`,"as_of":"2026-06-30","programs":["tech-sme"]}`, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"insufficient_data"`) {
		t.Fatalf("self-check = %d %s", resp.StatusCode, body)
	}
}

func TestRulesCommands(t *testing.T) {
	env := func(string) string { return "" }
	var out strings.Builder
	if err := run(context.Background(), []string{"rules", "test"}, env, &out, io.Discard); err != nil {
		t.Fatalf("rules test: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "tech-sme@2017") || !strings.Contains(out.String(), "0 failed") {
		t.Errorf("rules test output:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"rules", "lint"}, env, &out, io.Discard); err != nil {
		t.Fatalf("rules lint: %v\n%s", err, out.String())
	}

	// A pack with a typo: both commands fail and name file, line and column.
	dir := t.TempDir()
	src, err := os.ReadFile("../../rules/packs/above-size-2011.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(src), "main_revenue_prev >=", "main_revenu_prev >=", 1)
	if broken == string(src) {
		t.Fatal("the typo was not introduced")
	}
	if err := os.WriteFile(filepath.Join(dir, "above-size-2011.yaml"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"test", "lint"} {
		out.Reset()
		err := run(context.Background(), []string{"rules", sub, "--packs", dir}, env, &out, io.Discard)
		msg := fmt.Sprint(err) + out.String()
		if err == nil || !strings.Contains(msg, "above-size-2011.yaml:") || !strings.Contains(msg, "main_revenu_prev") {
			t.Errorf("rules %s on a broken pack: %v\n%s", sub, err, out.String())
		}
	}

	// rules eval prints the SPEC §4 results for a profile file.
	profile := filepath.Join(dir, "firm.json")
	if err := os.WriteFile(profile, []byte(`{"industry_code":"C3562","years":[{"year":2025,"main_revenue":20000000}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"rules", "eval", "--profile", profile, "--as-of", "2026-06-30", "--programs", "above-size"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"status": "eligible"`) {
		t.Errorf("rules eval:\n%s", out.String())
	}
}

func TestRunUsage(t *testing.T) {
	env := func(string) string { return "" }
	if err := run(context.Background(), nil, env, io.Discard, io.Discard); err == nil {
		t.Error("run with no command succeeded")
	}
	if err := run(context.Background(), []string{"frobnicate"}, env, io.Discard, io.Discard); err == nil {
		t.Error("run with an unknown command succeeded")
	}
	var out strings.Builder
	if err := run(context.Background(), []string{"version"}, env, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "peiyu ") {
		t.Errorf("version: %v %q", err, out.String())
	}
}

func TestServeAddressInUse(t *testing.T) {
	base := startServe(t)
	addr := strings.TrimPrefix(base, "http://")
	err := run(context.Background(), []string{"serve", "--addr", addr, "--data-dir", t.TempDir()},
		func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("second serve on %s: err = %v, want a listen error", addr, err)
	}
}

// TestServeRestart is the regression test for a restart on an existing
// embedded data directory, which failed while re-creating the indexes: the
// second start must become ready and still hold the demo firms.
func TestServeRestart(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("restart test is about the embedded data directory")
	}
	dir := t.TempDir()
	for round := 1; round <= 2; round++ {
		base, stop := startServeStop(t, "--demo", "--demo-firms", "10", "--data-dir", dir)
		deadline := time.Now().Add(60 * time.Second)
		for {
			resp, body := call(t, "GET", base+"/api/v1/firms?limit=1", "", nil)
			var list struct{ Total int }
			_ = json.Unmarshal(body, &list)
			ready, _ := call(t, "GET", base+"/readyz", "", nil)
			if resp.StatusCode == 200 && list.Total == 10 && ready.StatusCode == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("start %d: firms %d (%d), readyz %d", round, list.Total, resp.StatusCode, ready.StatusCode)
			}
			time.Sleep(100 * time.Millisecond)
		}
		stop()
	}
}

// A screening interrupted by a shutdown resumes when the service starts
// again on the same data, and ends with every firm counted once.
func TestServeScreeningSurvivesRestart(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("restart test is about the embedded data directory")
	}
	const firms = 300
	dir := t.TempDir()
	args := []string{"--demo", "--demo-firms", strconv.Itoa(firms), "--data-dir", dir, "--screening-chunk", "10", "--screening-lease", "2s"}
	base, stop := startServeStop(t, args...)
	waitFirms(t, base, firms)
	resp, body := call(t, "POST", base+"/api/v1/screenings", `{"as_of":"2026-06-30"}`, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /screenings = %d %s", resp.StatusCode, body)
	}
	var job struct {
		ID      string                    `json:"id"`
		Status  string                    `json:"status"`
		Total   int                       `json:"total"`
		Done    int                       `json:"done"`
		Summary map[string]map[string]int `json:"summary"`
	}
	_ = json.Unmarshal(body, &job)
	get := func(base string) {
		t.Helper()
		resp, body := call(t, "GET", base+"/api/v1/screenings/"+job.ID, "", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET screening = %d %s", resp.StatusCode, body)
		}
		_ = json.Unmarshal(body, &job)
	}
	// Stop as soon as some chunks are done.
	deadline := time.Now().Add(60 * time.Second)
	for get(base); job.Done == 0 && job.Status != "done"; get(base) {
		if time.Now().After(deadline) {
			t.Fatalf("no progress: %+v", job)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	if job.Status == "done" {
		t.Logf("the job finished before the shutdown; resume is exercised by rules/screening tests")
	} else {
		t.Logf("stopped at %d of %d firms", job.Done, firms)
	}

	base = startServe(t, args...)
	deadline = time.Now().Add(90 * time.Second)
	for get(base); job.Status != "done"; get(base) {
		if job.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("after restart: %+v", job)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if job.Total != firms || job.Done != firms {
		t.Errorf("total %d done %d, want %d each", job.Total, job.Done, firms)
	}
	for p, m := range job.Summary {
		sum := 0
		for _, n := range m {
			sum += n
		}
		if sum != firms {
			t.Errorf("%s: %v sums to %d, want %d", p, m, sum, firms)
		}
	}
}

// waitFirms waits until the demo firms are loaded and the service is ready.
func waitFirms(t *testing.T, base string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, body := call(t, "GET", base+"/api/v1/firms?limit=1", "", nil)
		var list struct{ Total int }
		_ = json.Unmarshal(body, &list)
		if resp.StatusCode == 200 && list.Total == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("firms %d (%d), want %d", list.Total, resp.StatusCode, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The bank's path through the real program: staff publish the whitelist
// from the demo registry, a bank key looks firms up, the receipts verify
// offline with `peiyu receipts verify`, a tampered one does not, the
// changes since version 0 list the version, and the lookup is audited.
func TestServeWhitelistEndToEnd(t *testing.T) {
	base := startServe(t, "--demo", "--demo-firms", "120")
	waitFirms(t, base, 120)
	resp, body := call(t, "POST", base+"/api/v1/whitelists/finance-whitelist/publish", `{"as_of":"2026-06-30"}`, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("publish = %d %s", resp.StatusCode, body)
	}
	var v struct {
		Version int      `json:"version"`
		Count   int      `json:"count"`
		Added   []string `json:"added"`
	}
	_ = json.Unmarshal(body, &v)
	if v.Version != 1 || v.Count == 0 || len(v.Added) != v.Count {
		t.Fatalf("version = %s", body)
	}

	resp, body = call(t, "POST", base+"/api/v1/keys", `{"role":"bank","name":"某银行怀化分行"}`, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("bank key = %d %s", resp.StatusCode, body)
	}
	var key struct {
		Key string `json:"key"`
	}
	_ = json.Unmarshal(body, &key)
	bank := map[string]string{"Authorization": "Bearer " + key.Key}

	listed := v.Added[0]
	resp, answer := call(t, "POST", base+"/api/v1/whitelist/lookup", `{"usccs":["`+listed+`"]}`, bank)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), `"listed":true`) {
		t.Fatalf("lookup = %d %s", resp.StatusCode, answer)
	}
	if resp, _ := call(t, "GET", base+"/api/v1/firms/"+listed, "", bank); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a bank reading a firm's profile: %d, want 403", resp.StatusCode)
	}
	_, keys := call(t, "GET", base+"/api/v1/receipts/public-key", "", map[string]string{"Authorization": ""})

	dir := t.TempDir()
	keysFile, answerFile, forged := filepath.Join(dir, "keys.json"), filepath.Join(dir, "answer.json"), filepath.Join(dir, "forged.json")
	for f, b := range map[string][]byte{keysFile: keys, answerFile: answer,
		forged: []byte(strings.Replace(string(answer), `\"listed\":true`, `\"listed\":false`, 1))} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	if err := run(context.Background(), []string{"receipts", "verify", "--keys", keysFile, answerFile}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("verify: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "OK      "+listed) {
		t.Errorf("verify output: %s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"receipts", "verify", "--keys", keysFile, forged}, func(string) string { return "" }, &out, io.Discard); err == nil ||
		!strings.Contains(out.String(), "FAILED") {
		t.Errorf("a tampered receipt verified: %v\n%s", err, out.String())
	}

	resp, body = call(t, "GET", base+"/api/v1/whitelists/finance-whitelist/changes?since=0", "", bank)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), listed) {
		t.Errorf("changes = %d %s", resp.StatusCode, body)
	}
	// A bank query's entry is written just behind its answer.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, body = call(t, "GET", base+"/api/v1/audit?uscc="+listed, "", nil)
		ok := resp.StatusCode == http.StatusOK && strings.Contains(string(body), "whitelist.lookup") && strings.Contains(string(body), "某银行怀化分行")
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("audit of the lookup = %d %s", resp.StatusCode, body)
			break
		}
	}
}
