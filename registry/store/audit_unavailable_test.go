package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/embedded"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
)

// ListAudit on the embedded server's SQLite indexes reports a database it
// cannot read as unavailable (the API's 503), not as an internal error.
func TestListAuditByIDsUnavailable(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("stops an embedded server of its own")
	}
	ctx := context.Background()
	srv, err := embedded.Start(ctx, embedded.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	s := storetest.Open(t, srv.URI(), "unavailable", store.Options{Timeout: time.Second, Embedded: true,
		FindIDs: srv.FindIDs,
		IndexFields: func(ctx context.Context, db, coll string, fields ...string) error {
			_, err := srv.IndexFields(ctx, db, coll, fields...)
			return err
		}})
	if err := s.AppendAudit(ctx, registry.AuditEntry{Action: "firm.create", Role: registry.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ListAudit(ctx, registry.AuditFilter{}); err != nil || len(got) != 1 {
		t.Fatalf("ListAudit = %v, %v; want one entry", got, err)
	}
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []registry.AuditFilter{{}, {Action: "firm.create"}} {
		if _, err := s.ListAudit(ctx, f); !errors.Is(err, registry.ErrUnavailable) {
			t.Errorf("ListAudit(%+v) with the server stopped = %v, want ErrUnavailable", f, err)
		}
	}
}
