package dbg

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

func TestDump(t *testing.T) {
	e, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	var f registry.Firm
	b, _ := os.ReadFile(os.Getenv("PROFILE"))
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	asOf, _ := time.Parse("2006-01-02", os.Getenv("ASOF"))
	res, err := e.Evaluate(rules.Request{Firm: &f, AsOf: asOf, Programs: []string{os.Getenv("PROG")}, Explain: true, Review: os.Getenv("REVIEW") != ""})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.MarshalIndent(res, "", " ")
	os.Stdout.Write(out)
}
