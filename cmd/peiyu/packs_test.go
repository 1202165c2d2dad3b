package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/embedded"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
)

// aboveSizeAt is the above-size pack with its line and cases moved from
// 2000万 to line (whole 万).
func aboveSizeAt(t *testing.T, line string) string {
	t.Helper()
	e, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.Program("above-size@2011")
	src := string(p.Pack().Source())
	for _, r := range [][2]string{
		{"{value: 20000000, unit: yuan", "{value: " + line + "0000, unit: yuan"},
		{"{year: 2025, revenue: 20000000, main_revenue: 20000000}", "{year: 2025, revenue: " + line + "0000, main_revenue: " + line + "0000}"},
		{"main_revenue: 19999999", "main_revenue: " + line + "0000 - 1"},
		{"revenue: 50000000, main_revenue: 15000000", "revenue: 50000000, main_revenue: 10000000"},
	} {
		src = strings.Replace(src, r[0], r[1], 1)
	}
	// YAML has no arithmetic: write the yuan below the line out.
	n := map[string]string{"1500": "14999999", "1800": "17999999"}[line]
	return strings.Replace(src, line+"0000 - 1", n, 1)
}

// readyAndRevision waits for /readyz and returns above-size@2011's revision
// and line as GET /programs says.
func readyAndRevision(t *testing.T, base string) (int, float64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, _ := call(t, "GET", base+"/readyz", "", nil)
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 60s: %d", resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, body := call(t, "GET", base+"/api/v1/programs/above-size", "", nil)
	var prog struct {
		Editions []struct {
			Revision   int `json:"revision"`
			Parameters map[string]struct {
				Value float64 `json:"value"`
			} `json:"parameters"`
		} `json:"editions"`
	}
	if err := json.Unmarshal(body, &prog); err != nil || len(prog.Editions) != 1 {
		t.Fatalf("GET /programs/above-size: %v %s", err, body)
	}
	return prog.Editions[0].Revision, prog.Editions[0].Parameters["min_main_revenue"].Value
}

// TestServePublishSurvivesRestart publishes a draft over HTTP, restarts
// the program on the same data and finds the published revision in use; a
// stored revision that does not compile is skipped for the one before it.
func TestServePublishSurvivesRestart(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("restart test is about the embedded data directory")
	}
	dir := t.TempDir()
	base, stop := startServeStop(t, "--data-dir", dir)
	if rev, line := readyAndRevision(t, base); rev != 1 || line != 20_000_000 {
		t.Fatalf("fresh start: revision %d, line %v", rev, line)
	}
	body, _ := json.Marshal(map[string]string{"pack": aboveSizeAt(t, "1500"), "note": "下调至1500万"})
	resp, b := call(t, "POST", base+"/api/v1/programs/above-size/drafts", string(body), map[string]string{"X-Peiyu-Actor": "张三"})
	if resp.StatusCode != 201 {
		t.Fatalf("create draft: %d %s", resp.StatusCode, b)
	}
	var d struct{ ID string }
	_ = json.Unmarshal(b, &d)
	resp, b = call(t, "POST", base+"/api/v1/programs/above-size/drafts/"+d.ID+"/publish", "", nil)
	if resp.StatusCode != 201 {
		t.Fatalf("publish: %d %s", resp.StatusCode, b)
	}
	if rev, line := readyAndRevision(t, base); rev != 2 || line != 15_000_000 {
		t.Errorf("after publish: revision %d, line %v; want 2, 15000000", rev, line)
	}
	stop()

	// Between runs, a revision 3 appears that the engine cannot compile.
	addBrokenRevision(t, dir)

	base, stop = startServeStop(t, "--data-dir", dir)
	defer stop()
	if rev, line := readyAndRevision(t, base); rev != 2 || line != 15_000_000 {
		t.Errorf("after restart: revision %d, line %v; want revision 2 (3 does not compile), 15000000", rev, line)
	}
}

func addBrokenRevision(t *testing.T, dir string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err := embedded.Start(ctx, embedded.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	st, err := store.Connect(ctx, srv.URI(), "peiyu", store.Options{Embedded: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	broken := strings.Replace(aboveSizeAt(t, "1800"), "expr: main_revenue_prev >= min_main_revenue",
		"expr: main_revenue_previous >= min_main_revenue", 1)
	dr, err := st.CreateDraft(ctx, registry.PackDraft{Program: "above-size", Edition: "2011", BaseRevision: 2, YAML: broken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PublishDraft(ctx, registry.PackRevision{Program: "above-size", Edition: "2011", Revision: 3,
		YAML: broken, DraftID: dr.ID, PublishedBy: "test", PublishedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
}
