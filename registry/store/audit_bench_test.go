package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
)

// benchAuditEntries is the size of the log BenchmarkListAudit queries.
const benchAuditEntries = 50_000

// lookupEntries makes n entries like a bank's whitelist lookups, spread
// over 2,000 firms and ten districts, one a millisecond from start.
func lookupEntries(tb testing.TB, rng *rand.Rand, start time.Time, from, n int) []registry.AuditEntry {
	regions := []string{"431202", "431221", "431222", "431223", "431224", "431225", "431226", "431227", "431228", "431281"}
	es := make([]registry.AuditEntry, n)
	for i := range es {
		serial := 1 + rng.IntN(2000)
		es[i] = registry.AuditEntry{Time: start.Add(time.Duration(from+i) * time.Millisecond),
			KeyID: "k-bank", KeyName: "怀化某银行", Role: registry.RoleBank, Action: "whitelist.lookup",
			USCC: uscc(tb, serial), RegionCode: regions[serial%len(regions)], Outcome: 200,
			RequestID: fmt.Sprintf("req-%d", from+i), Method: "POST", Path: "/api/v1/whitelist/lookup"}
	}
	return es
}

// BenchmarkListAudit measures one audit page (limit 20) of a 50,000-entry
// log, unfiltered and for one firm. On the embedded server "indexed" is
// ListAudit with Options.FindIDs, "find" without it: FerretDB's find,
// which reads the whole log. Against a MongoDB both are the find.
func BenchmarkListAudit(b *testing.B) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 8))
	indexed := storetest.New(b)
	db := indexed.Database().Name()
	start := time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC)
	for from := 0; from < benchAuditEntries; from += 1000 {
		if err := indexed.AppendAudit(ctx, lookupEntries(b, rng, start, from, 1000)...); err != nil {
			b.Fatal(err)
		}
	}
	// The same database through a store without FindIDs.
	find := storetest.Open(b, storetest.URI(b), db, store.Options{Embedded: storetest.Embedded()})
	firm := uscc(b, 42)
	for _, s := range []struct {
		name string
		s    *store.Store
	}{{"indexed", indexed}, {"find", find}} {
		for _, f := range []struct {
			name string
			f    registry.AuditFilter
		}{{"all", registry.AuditFilter{Limit: 20}}, {"uscc", registry.AuditFilter{USCC: firm, Limit: 20}}} {
			b.Run(s.name+"/"+f.name, func(b *testing.B) {
				for b.Loop() {
					got, err := s.s.ListAudit(ctx, f.f)
					if err != nil || len(got) != 20 {
						b.Fatalf("ListAudit = %d entries, %v; want 20", len(got), err)
					}
				}
			})
		}
	}
}

// BenchmarkAppendAudit measures writing the audit log in batches of 100
// entries: on the embedded server with the SQLite indexes FindIDs reads
// ("indexed") and with the _id index only ("plain"). Against a MongoDB
// both are the same.
func BenchmarkAppendAudit(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"indexed", "plain"} {
		b.Run(name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(9, 10))
			s := storetest.New(b)
			if srv := storetest.Server(); name == "plain" && srv != nil {
				// The _id index only, as before FindIDs.
				s = storetest.Open(b, storetest.URI(b), storetest.DBName(b), store.Options{Embedded: true,
					IndexIDs: func(ctx context.Context, db string) error { _, err := srv.IndexIDs(ctx, db); return err }})
			}
			start := time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC)
			from := 0
			for b.Loop() {
				if err := s.AppendAudit(ctx, lookupEntries(b, rng, start, from, 100)...); err != nil {
					b.Fatal(err)
				}
				from += 100
			}
			b.ReportMetric(float64(from)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}
