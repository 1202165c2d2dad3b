package main

// The browser harness: tests that drive the real web UI in headless
// Chromium through the DevTools protocol (chromedp), against the real
// program — run("serve", "--demo") on 127.0.0.1:0 with its embedded
// database. The pages' tests are in browser_*_test.go.
//
// Chromium is Debian's (/usr/bin/chromium; .ci/run installs it). Without
// it the tests skip, unless PEIYU_REQUIRE_BROWSER=1 (as in CI), when they
// fail. Every page a test looks at is saved as a PNG under screenshots/ at
// the repository root (git-ignored; PEIYU_SCREENSHOTS overrides), so a
// person can look at what the tests saw.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browserEnv is one running program and one browser tab on it.
type browserEnv struct {
	t    *testing.T
	Base string // the program's base URL
	Ctx  context.Context

	mu     sync.Mutex
	errors []string // the page's uncaught exceptions and console errors
}

// chromiumPath finds the browser, or skips (fails when required).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("PEIYU_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("PEIYU_REQUIRE_BROWSER") == "1" {
		t.Fatal("Chromium not found and PEIYU_REQUIRE_BROWSER=1 (install Debian's chromium package)")
	}
	t.Skip("Chromium not found: install Debian's chromium package to run the browser tests")
	return ""
}

// newBrowser starts the program with demo firms (firms of them; 0 means
// the default 500) and a headless browser tab, and waits until the demo
// data are loaded. Both stop when the test ends.
func newBrowser(t *testing.T, firms int) *browserEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	chrome := chromiumPath(t)
	extra := []string{"--demo"}
	if firms > 0 {
		extra = append(extra, "--demo-firms", fmt.Sprint(firms))
	} else {
		firms = 500
	}
	base := startServe(t, extra...)
	waitFirms(t, base, firms)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	b := &browserEnv{t: t, Base: base, Ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.addError("uncaught: " + ev.ExceptionDetails.Text + " " + exceptionText(ev.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
				}
				b.addError("console.error: " + strings.Join(parts, " "))
			}
		}
	})
	if err := chromedp.Run(ctx); err != nil { // start the browser
		cancelTime()
		cancelTab()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
	})
	return b
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

func (b *browserEnv) addError(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, s)
}

// NoPageErrors fails the test if a page threw or logged an error so far.
// Errors the test provoked on purpose (an API refusal the page shows) do
// not reach the console: pages show them in the page.
func (b *browserEnv) NoPageErrors() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		b.t.Errorf("page error: %s", e)
	}
	b.errors = nil
}

// Run runs chromedp actions on the tab, failing the test with what.
func (b *browserEnv) Run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	if err := chromedp.Run(b.Ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// Open loads path (relative to the base URL) and waits for its body.
func (b *browserEnv) Open(path string) {
	b.t.Helper()
	b.Run("open "+path, chromedp.Navigate(b.Base+path), chromedp.WaitReady("body", chromedp.ByQuery))
}

// SignIn signs in through the login page with key and waits until the
// page it lands on has loaded.
func (b *browserEnv) SignIn(key string) {
	b.t.Helper()
	b.Open("/web/login")
	b.Run("sign in",
		chromedp.SendKeys("#key", key, chromedp.ByQuery),
		chromedp.Click("#login button[type=submit]", chromedp.ByQuery))
	if err := b.waitJS(`location.pathname !== "/web/login" && document.readyState === "complete"`, 20*time.Second); err != nil {
		b.t.Fatalf("still on the login page after signing in: %v", err)
	}
}

// waitJS evaluates the boolean expression js until it is true, through
// page loads (an evaluation during a navigation fails and is retried).
func (b *browserEnv) waitJS(js string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		var ok bool
		last = chromedp.Run(b.Ctx, chromedp.Evaluate(js, &ok))
		if last == nil && ok {
			return nil
		}
		if b.Ctx.Err() != nil {
			return b.Ctx.Err()
		}
		time.Sleep(100 * time.Millisecond)
	}
	if last == nil {
		last = fmt.Errorf("still false after %s", timeout)
	}
	return last
}

// WaitText waits until the element sel contains text.
func (b *browserEnv) WaitText(sel, text string, timeout time.Duration) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const n = document.querySelector(%q); return !!n && n.innerText.includes(%q); })()`, sel, text)
	if err := b.waitJS(js, timeout); err != nil {
		var got string
		_ = chromedp.Run(b.Ctx, chromedp.Evaluate(fmt.Sprintf(`(document.querySelector(%q) || {innerText: "(no such element)"}).innerText`, sel), &got))
		b.t.Fatalf("%s never contained %q within %s (%v); it has: %.600s", sel, text, timeout, err, got)
	}
}

// WaitVisible waits until an element matching sel exists and is shown.
func (b *browserEnv) WaitVisible(sel string, timeout time.Duration) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const n = document.querySelector(%q); return !!n && n.offsetParent !== null; })()`, sel)
	if err := b.waitJS(js, timeout); err != nil {
		b.t.Fatalf("%s not visible within %s: %v", sel, timeout, err)
	}
}

// Eval evaluates a JavaScript expression and decodes its value into out.
func (b *browserEnv) Eval(js string, out any) {
	b.t.Helper()
	b.Run("evaluate "+js, chromedp.Evaluate(js, out))
}

// Shot saves a full-page screenshot as screenshots/NAME.png.
func (b *browserEnv) Shot(name string) {
	b.t.Helper()
	var png []byte
	// Quality 100 is PNG (below it, JPEG).
	b.Run("screenshot "+name, chromedp.FullScreenshot(&png, 100))
	p := filepath.Join(screenshotDir(b.t), name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
	b.t.Logf("screenshot %s", p)
}

// screenshotDir is PEIYU_SCREENSHOTS, else screenshots/ at the repository
// root (where go.mod is).
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("PEIYU_SCREENSHOTS")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, "screenshots")
				break
			}
			if filepath.Dir(d) == d {
				dir = filepath.Join(wd, "screenshots")
				break
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	return dir
}

// newKeyFor makes an API key of role with the admin key and returns it;
// scope is the staff key's region or the enterprise's USCC.
func newKeyFor(t *testing.T, base, role, name, scope string) string {
	t.Helper()
	body := map[string]string{"role": role, "name": name}
	switch role {
	case "staff":
		body["region_code"] = scope
	case "enterprise":
		body["uscc"] = scope
	}
	b, _ := json.Marshal(body)
	resp, out := call(t, "POST", base+"/api/v1/keys", string(b), nil)
	if resp.StatusCode != 201 {
		t.Fatalf("POST /keys %s = %d %s", role, resp.StatusCode, out)
	}
	var k struct{ Key string }
	if err := json.Unmarshal(out, &k); err != nil || k.Key == "" {
		t.Fatalf("POST /keys: %v %s", err, out)
	}
	return k.Key
}

// TestBrowserLogin checks the harness and the sign-in page: a wrong key is
// refused in plain Chinese, the admin key signs in and the navigation
// shows the staff pages, and the security headers let the page's own
// script run (a CSP violation would show as a page error).
func TestBrowserLogin(t *testing.T) {
	b := newBrowser(t, 20)
	b.Open("/web/login")
	b.Run("wrong key",
		chromedp.SendKeys("#key", "py_not-a-real-key-000000000000", chromedp.ByQuery),
		chromedp.Click("#login button[type=submit]", chromedp.ByQuery))
	b.WaitText("#msg", "密钥无效", 10*time.Second)
	b.Shot("login-refused")
	b.SignIn(testAdminKey)
	b.WaitText("header.top", "管理员", 10*time.Second)
	b.WaitText("header.top nav", "企业库", 10*time.Second)
	b.Open("/web/no-such-page")
	b.WaitText("main", "页面不存在", 5*time.Second)
	b.NoPageErrors()
}
