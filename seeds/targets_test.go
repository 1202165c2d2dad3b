package seeds_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peiyu/peiyu/seeds"
)

// seedDocuments is where the seed documents live beside the repository.
const seedDocuments = "../../shared/seed-documents"

func TestTargets(t *testing.T) {
	ts := seeds.Targets()
	if len(ts) != 20 {
		t.Errorf("Targets() has %d entries, want 20 (14 of Huaihua for 2026, 6 of Hecheng for 2024)", len(ts))
	}
	// The plan years: seed 000 works on 2026 (“力争2026年新增…”), seed 001
	// on the end of 2024 (“到2024年末”).
	years := map[string]int{"431200": 2026, "431202": 2024}
	docs := map[string]string{"431200": "000_0e85125c4322f1fb.txt", "431202": "001_c0332240f7fc81c8.txt"}
	seen := map[string]bool{}
	for _, tg := range ts {
		if err := tg.Validate(); err != nil {
			t.Errorf("target %s: %v", tg.ID, err)
		}
		if seen[tg.ID] {
			t.Errorf("duplicate target %s", tg.ID)
		}
		seen[tg.ID] = true
		if r, ok := seeds.RegionByCode(tg.RegionCode); !ok || tg.RegionName != r.Name {
			t.Errorf("target %s: region %s name %q, want a known region with its name", tg.ID, tg.RegionCode, tg.RegionName)
		}
		if want := fmt.Sprintf("%s-%d-", tg.RegionCode, tg.Year); !strings.HasPrefix(tg.ID, want) {
			t.Errorf("target %s: id should start with %s", tg.ID, want)
		}
		if tg.Year != years[tg.RegionCode] || tg.Source.Document != docs[tg.RegionCode] {
			t.Errorf("target %s: year %d from %s, want %d from %s", tg.ID, tg.Year, tg.Source.Document,
				years[tg.RegionCode], docs[tg.RegionCode])
		}
		if c := tg.Metric.Chain; c != "" {
			if _, ok := seeds.ChainByKey(c); !ok {
				t.Errorf("target %s: chain %q is not in Chains()", tg.ID, c)
			}
		}
		if !strings.ContainsAny(tg.Title, "0123456789") {
			t.Errorf("target %s: title %q names no number", tg.ID, tg.Title)
		}
	}
	ts[0].Metric.Honors[0] = "changed"
	if seeds.Targets()[0].Metric.Honors[0] == "changed" {
		t.Error("modifying the result of Targets() changed the table")
	}
}

// TestTargetQuotes: every target quotes its seed document verbatim.
func TestTargetQuotes(t *testing.T) {
	texts := map[string]string{}
	for _, tg := range seeds.Targets() {
		doc, ok := texts[tg.Source.Document]
		if !ok {
			b, err := os.ReadFile(filepath.Join(seedDocuments, tg.Source.Document))
			if os.IsNotExist(err) {
				t.Skipf("seed documents not beside the repository (%s)", seedDocuments)
			}
			if err != nil {
				t.Fatal(err)
			}
			doc = string(b)
			texts[tg.Source.Document] = doc
		}
		if !strings.Contains(doc, tg.Source.Quote) {
			t.Errorf("target %s: quote not found verbatim in %s: %q", tg.ID, tg.Source.Document, tg.Source.Quote)
		}
	}
}
