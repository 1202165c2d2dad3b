package store_test

import (
	"context"
	"testing"

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
