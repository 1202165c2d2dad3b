package store_test

import (
	"context"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/peiyu/peiyu/registry/storetest"
)

// TestEnsureIndexesTwice is the regression test for a restart that crashed
// the embedded server: creating the indexes again on a database that has
// them must be a no-op.
func TestEnsureIndexesTwice(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	for i := 0; i < 2; i++ {
		if err := s.EnsureIndexes(ctx); err != nil {
			t.Fatalf("EnsureIndexes #%d: %v", i+2, err)
		}
	}
}

// TestIndexesMatchTheServer checks which indexes EnsureIndexes leaves: on
// MongoDB every index of the store, on the embedded server only the unique
// ones (it answers no query through a secondary index, so those would only
// slow its writes), and non-unique ones an earlier version made there are
// dropped.
func TestIndexesMatchTheServer(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	firms := s.Database().Collection("firms")
	names := func() []string {
		specs, err := firms.Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, sp := range specs {
			out = append(out, sp.Name)
		}
		slices.Sort(out)
		return out
	}
	want := []string{"_id_", "chain", "honors_kind", "industry_code", "region_code", "uscc_unique"}
	if storetest.Embedded() {
		want = []string{"_id_", "uscc_unique"}
		// What an earlier version left on an existing data directory.
		if _, err := firms.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "chain", Value: 1}},
			Options: options.Index().SetName("chain")}); err != nil {
			t.Fatal(err)
		}
		if err := s.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := names(); !slices.Equal(got, want) {
		t.Errorf("firms indexes = %v, want %v", got, want)
	}
}
