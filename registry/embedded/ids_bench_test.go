package embedded_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkFindIDs measures FindIDs alone (the SQL, no document read) for
// a page of 20 of a 50,000-document audit log of lookups of 2,000 firms:
// unfiltered, for one firm, for one firm and the action nearly every
// document has (two indexed equalities: the choice between the indexes
// counts both), by time only, and two bounds that match nothing: of a
// province's region codes, and a time after every document.
func BenchmarkFindIDs(b *testing.B) {
	ctx := context.Background()
	srv, client := startServer(b)
	coll := client.Database("bench").Collection("audit")
	start := time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC)
	const n = 50_000
	for from := 0; from < n; from += 1000 {
		docs := make([]any, 1000)
		for i := range docs {
			k := from + i
			docs[i] = bson.D{{Key: "_id", Value: fmt.Sprintf("%012d", k)}, {Key: "time", Value: start.Add(time.Duration(k) * time.Millisecond)},
				{Key: "role", Value: "bank"}, {Key: "action", Value: "whitelist.lookup"}, {Key: "uscc", Value: fmt.Sprintf("u%04d", k*7919%2000)},
				{Key: "region_code", Value: "431202"}, {Key: "outcome", Value: int32(200)}, {Key: "path", Value: "/api/v1/whitelist/lookup"}}
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := srv.IndexIDs(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if _, err := srv.IndexFields(ctx, "bench", "audit", "uscc", "action", "role", "region_code", "time"); err != nil {
		b.Fatal(err)
	}
	b.Logf("IndexFields on %d documents: %v", n, time.Since(t0))
	for _, tt := range []struct {
		name   string
		filter bson.D
		want   int
	}{
		{"all", nil, 20},
		{"uscc", bson.D{{Key: "uscc", Value: "u0042"}}, 20},
		{"uscc+action", bson.D{{Key: "action", Value: "whitelist.lookup"}, {Key: "uscc", Value: "u0042"}}, 20},
		{"since", bson.D{{Key: "time", Value: bson.D{{Key: "$gte", Value: start}}}}, 20},
		// A province's range of region codes, in which no document is.
		{"empty-range", bson.D{{Key: "region_code", Value: bson.D{{Key: "$gte", Value: "44"}, {Key: "$lt", Value: "45"}}}}, 0},
		// A time after every document.
		{"empty-since", bson.D{{Key: "time", Value: bson.D{{Key: "$gte", Value: start.Add(time.Hour)}}}}, 0},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				ids, err := srv.FindIDs(ctx, "bench", "audit", tt.filter, 20)
				if err != nil || len(ids) != tt.want {
					b.Fatalf("FindIDs = %d IDs, %v; want %d", len(ids), err, tt.want)
				}
			}
		})
	}
}
