package rules_test

import (
	"strings"
	"testing"

	"github.com/peiyu/peiyu/rules"
)

func defaultEngine(tb testing.TB) *rules.Engine {
	tb.Helper()
	e, err := rules.Default()
	if err != nil {
		tb.Fatalf("loading the embedded packs:\n%v", err)
	}
	return e
}

// TestPackCases runs every pack's embedded cases (what `peiyu rules test`
// runs), one subtest per case.
func TestPackCases(t *testing.T) {
	e := defaultEngine(t)
	results := e.RunCases()
	if len(results) == 0 {
		t.Fatal("no pack cases")
	}
	for _, r := range results {
		t.Run(r.Pack+"/"+r.Name, func(t *testing.T) {
			if !r.Passed() {
				t.Error(strings.Join(r.Problems, "\n"))
			}
		})
	}
}
