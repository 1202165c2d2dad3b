package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
)

// screened is firm i's outcome in job for ten programs, the size of a
// real screening's result document.
func screened(job string, i int, status string) registry.ScreenedFirm {
	sf := registry.ScreenedFirm{Job: job, USCC: fmt.Sprintf("91431202MA%08d", i), Name: "测试企业", RegionCode: "431202"}
	d := 0.5
	for p := range 10 {
		sf.Results = append(sf.Results, registry.ScreenedResult{Program: fmt.Sprintf("p%d@1", p), Edition: "1", Status: status,
			Failing: []string{"a", "b"}, Distance: &d, Gaps: []registry.ScreenGap{{Criterion: "a", Unit: "yuan"}}})
	}
	return sf
}

// A screening job resumed after a crash evaluates again the firms of the
// chunk it had not sealed and rewrites their stored results. On the
// embedded server the rewrite deleted them with one DeleteMany by $in,
// which it answers by reading the job's whole results collection (about
// 1 ms a result), under a timeout that grows with the batch only: late in
// a large job the rewrite timed out at every retry, and the job, resumed
// again and again, never finished (found by api/faults_test.go
// TestFaultScreeningWhileStopping on a loaded machine). Now its cost
// follows the batch, not the collection.
func TestRewriteResultsAfterCrashIsBoundByTheBatch(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t, store.Options{Timeout: 500 * time.Millisecond})
	const stored, again = 2000, 20
	var first []registry.ScreenedFirm
	for i := range stored {
		first = append(first, screened("job", i, "ineligible"))
	}
	if err := st.WriteResults(ctx, first); err != nil {
		t.Fatal(err)
	}
	// The last chunk again, its firms now eligible, and a few new ones.
	var batch []registry.ScreenedFirm
	for i := stored - again; i < stored+5; i++ {
		batch = append(batch, screened("job", i, "eligible"))
	}
	start := time.Now()
	if err := st.WriteResults(ctx, batch); err != nil {
		t.Fatalf("rewriting %d results among %d: %v", again, stored, err)
	}
	t.Logf("rewrote %d results among %d in %v", again, stored, time.Since(start).Round(time.Millisecond))
	n, eligible := 0, 0
	if err := st.ScreeningResults(ctx, "job", func(f *registry.ScreenedFirm) error {
		n++
		if f.Results[0].Status == "eligible" {
			eligible++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != stored+5 || eligible != again+5 {
		t.Errorf("%d results, %d rewritten or new; want %d and %d (replaced, not duplicated)", n, eligible, stored+5, again+5)
	}
}
