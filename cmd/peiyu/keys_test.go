package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry/storetest"
)

// waitReady waits for /readyz.
func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, body := call(t, "GET", base+"/readyz", "", map[string]string{"Authorization": ""})
		if resp.StatusCode == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 60s: %d %s", resp.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func bearer(key string) map[string]string { return map[string]string{"Authorization": "Bearer " + key} }

// TestServeDemoKey starts --demo without a bootstrap key: the program
// prints an admin key on the line after its URL, and that key works.
func TestServeDemoKey(t *testing.T) {
	base, lines, stop := startServeEnv(t, map[string]string{}, "--demo", "--demo-firms", "5")
	t.Cleanup(stop)
	var key string
	select {
	case line := <-lines:
		if !strings.HasPrefix(line, "demo admin key") || strings.Contains(line, "http://") {
			t.Fatalf("line after the URL: %q", line)
		}
		key = line[strings.LastIndex(line, " ")+1:]
	case <-time.After(10 * time.Second):
		t.Fatal("no demo key printed")
	}
	if !strings.HasPrefix(key, "py_") {
		t.Fatalf("demo key %q", key)
	}
	waitReady(t, base)
	if resp, body := call(t, "GET", base+"/api/v1/firms", "", map[string]string{"Authorization": ""}); resp.StatusCode != 401 {
		t.Errorf("without a key: %d %s", resp.StatusCode, body)
	}
	if resp, body := call(t, "GET", base+"/api/v1/keys", "", bearer(key)); resp.StatusCode != 200 || !strings.Contains(string(body), `"name":"demo"`) {
		t.Errorf("GET /keys with the demo key: %d %s", resp.StatusCode, body)
	}
	if resp, body := call(t, "GET", base+"/api/v1/keys", "", nil); resp.StatusCode != 401 {
		t.Errorf("no bootstrap key was set, yet testAdminKey works: %d %s", resp.StatusCode, body)
	}
}

func TestServeRefusesWeakBootstrapKey(t *testing.T) {
	env := func(k string) string {
		if k == "PEIYU_BOOTSTRAP_ADMIN_KEY" {
			return "admin123"
		}
		return ""
	}
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, env, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PEIYU_BOOTSTRAP_ADMIN_KEY") || strings.Contains(err.Error(), "admin123") {
		t.Errorf("serve with a weak bootstrap key: %v", err)
	}
}

// TestKeysCommand makes keys with `peiyu keys` on a data directory, revokes
// one, then serves the directory: the staff key works within its region,
// the revoked one does not.
func TestKeysCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{}
	if u := os.Getenv(storetest.EnvURI); u != "" {
		env["PEIYU_MONGODB_URI"] = u
		env["PEIYU_DB"] = storetest.DBName(t)
	}
	keys := func(args ...string) (string, error) {
		t.Helper()
		var out strings.Builder
		args = append(append([]string{"keys"}, args...), "--data-dir", dir, "--log-level", "warn")
		err := run(context.Background(), args, func(k string) string { return env[k] }, &out, io.Discard)
		return out.String(), err
	}
	field := func(out, name string) string {
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) == 2 && f[0] == name {
				return f[1]
			}
		}
		t.Fatalf("no %s in:\n%s", name, out)
		return ""
	}
	out, err := keys("create", "--role", "staff", "--name", "鹤城区工信局", "--region", "431202")
	if err != nil {
		t.Fatalf("keys create: %v\n%s", err, out)
	}
	staff := field(out, "key")
	out, err = keys("create", "--role", "bank", "--name", "怀化某银行")
	if err != nil {
		t.Fatal(err)
	}
	bank, bankID := field(out, "key"), field(out, "id")
	if _, err := keys("create", "--role", "staff", "--name", "无区划"); err == nil || !strings.Contains(err.Error(), "--region") {
		t.Errorf("staff key without --region: %v", err)
	}
	if out, err := keys("revoke", bankID); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("keys revoke: %v %s", err, out)
	}
	if _, err := keys("revoke", "00000000-0000-7000-8000-000000000000"); err == nil {
		t.Error("revoking an unknown key succeeded")
	}
	out, err = keys("list")
	if err != nil || !strings.Contains(out, "鹤城区工信局") || !strings.Contains(out, "region 431202") ||
		!strings.Contains(out, "revoked") || strings.Contains(out, "py_") {
		t.Errorf("keys list: %v\n%s", err, out)
	}

	base, _, stop := startServeEnv(t, env, "--data-dir", dir)
	t.Cleanup(stop)
	waitReady(t, base)
	if resp, body := call(t, "GET", base+"/api/v1/firms", "", bearer(staff)); resp.StatusCode != 200 {
		t.Errorf("staff key: %d %s", resp.StatusCode, body)
	}
	if resp, body := call(t, "GET", base+"/api/v1/firms?region_code=431281", "", bearer(staff)); resp.StatusCode != 403 {
		t.Errorf("staff key outside its region: %d %s", resp.StatusCode, body)
	}
	if resp, body := call(t, "GET", base+"/api/v1/whitelists/finance-whitelist/changes", "", bearer(bank)); resp.StatusCode != 401 {
		t.Errorf("revoked bank key: %d %s", resp.StatusCode, body)
	}
	// No admin key was ever registered here: the bootstrap key does not work
	// either, since none was configured.
	if resp, _ := call(t, "GET", base+"/api/v1/keys", "", nil); resp.StatusCode != 401 {
		t.Errorf("testAdminKey without PEIYU_BOOTSTRAP_ADMIN_KEY: %d", resp.StatusCode)
	}
}
