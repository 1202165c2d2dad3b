package store_test

import (
	"context"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/peiyu/peiyu/registry/storetest"
)

// On the embedded server EnsureIndexes created no collection whose indexes
// are all non-unique (it makes none of those there), so the audit log's
// table came from its first insert, after IndexIDs had indexed the tables
// that existed: every _id lookup of an entry, and every audit query, read
// the whole log until the next start.
func TestRegressionEnsureIndexesCreatesEveryCollection(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	names, err := s.Database().ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"audit", "screenings", "target_snapshots", "firms", "api_keys"} {
		if !slices.Contains(names, want) {
			t.Errorf("collections after EnsureIndexes = %v, want %s among them", names, want)
		}
	}
}
