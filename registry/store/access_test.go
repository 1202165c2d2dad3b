package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
)

func TestKeys(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC)
	s := storetest.New(t, store.Options{Now: func() time.Time { return clock }})

	secret := registry.NewKeySecret()
	k, err := s.CreateKey(ctx, registry.APIKey{Name: " 鹤城区工信局 ", Role: registry.RoleStaff,
		Scope: registry.KeyScope{RegionCode: "431202"}, CreatedBy: "admin"}, registry.HashKey(secret))
	if err != nil {
		t.Fatal(err)
	}
	want := registry.APIKey{ID: k.ID, Name: "鹤城区工信局", Role: registry.RoleStaff,
		Scope: registry.KeyScope{RegionCode: "431202"}, CreatedAt: clock, CreatedBy: "admin"}
	if diff := cmp.Diff(want, *k); diff != "" {
		t.Errorf("CreateKey (-want +got):\n%s", diff)
	}
	got, err := s.KeyByHash(ctx, registry.HashKey(secret))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("KeyByHash (-want +got):\n%s", diff)
	}
	if _, err := s.KeyByHash(ctx, registry.HashKey("py_unknown")); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("KeyByHash(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := s.CreateKey(ctx, registry.APIKey{Name: "again", Role: registry.RoleBank}, registry.HashKey(secret)); !errors.Is(err, registry.ErrConflict) {
		t.Errorf("CreateKey with a taken hash = %v, want ErrConflict", err)
	}
	_, err = s.CreateKey(ctx, registry.APIKey{Name: "x", Role: "root"}, registry.HashKey("py_x"))
	var ve *registry.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != "role" {
		t.Errorf("CreateKey with a bad role = %v, want a problem on role", err)
	}

	clock = clock.Add(time.Hour)
	bank, err := s.CreateKey(ctx, registry.APIKey{Name: "怀化某银行", Role: registry.RoleBank, CreatedBy: "admin"}, registry.HashKey("py_bank_secret_0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := s.RevokeKey(ctx, k.ID, "admin2")
	if err != nil {
		t.Fatal(err)
	}
	if revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(clock) || revoked.RevokedBy != "admin2" {
		t.Errorf("RevokeKey = %+v", revoked)
	}
	clock = clock.Add(time.Hour)
	again, err := s.RevokeKey(ctx, k.ID, "admin3")
	if err != nil || !again.RevokedAt.Equal(*revoked.RevokedAt) || again.RevokedBy != "admin2" {
		t.Errorf("second RevokeKey = %+v, %v: want the first revocation kept", again, err)
	}
	if _, err := s.RevokeKey(ctx, "no-such-id", "admin"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("RevokeKey(unknown) = %v, want ErrNotFound", err)
	}
	if got, _ := s.KeyByHash(ctx, registry.HashKey(secret)); got == nil || got.Active() {
		t.Errorf("after revoke KeyByHash = %+v, want a revoked key", got)
	}
	list, err := s.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range list {
		names = append(names, k.Name)
	}
	if diff := cmp.Diff([]string{"鹤城区工信局", "怀化某银行"}, names); diff != "" || list[1].ID != bank.ID {
		t.Errorf("ListKeys names (-want +got):\n%s", diff)
	}
}

func TestEnsureAdminKey(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	boot := registry.HashKey("bootstrap-key-of-the-operator-0001")
	created, err := s.EnsureAdminKey(ctx, boot, "bootstrap", "PEIYU_BOOTSTRAP_ADMIN_KEY")
	if err != nil || !created {
		t.Fatalf("first EnsureAdminKey = %v, %v; want it registered", created, err)
	}
	created, err = s.EnsureAdminKey(ctx, boot, "bootstrap", "PEIYU_BOOTSTRAP_ADMIN_KEY")
	if err != nil || created {
		t.Errorf("second EnsureAdminKey = %v, %v; want nothing done", created, err)
	}
	// Another key while an admin exists: not registered.
	created, err = s.EnsureAdminKey(ctx, registry.HashKey("another-operator-key-00002"), "bootstrap", "env")
	if err != nil || created {
		t.Errorf("EnsureAdminKey with an admin present = %v, %v; want nothing done", created, err)
	}
	k, err := s.KeyByHash(ctx, boot)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeKey(ctx, k.ID, "test"); err != nil {
		t.Fatal(err)
	}
	// The only admin was revoked: the same key is not revived…
	if _, err := s.EnsureAdminKey(ctx, boot, "bootstrap", "env"); !errors.Is(err, registry.ErrConflict) {
		t.Errorf("EnsureAdminKey of a revoked key = %v, want ErrConflict", err)
	}
	// …but a new one is registered.
	created, err = s.EnsureAdminKey(ctx, registry.HashKey("a-fresh-operator-key-000003"), "bootstrap", "env")
	if err != nil || !created {
		t.Errorf("EnsureAdminKey after revocation = %v, %v; want it registered", created, err)
	}
}

func TestAudit(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC)
	s := storetest.New(t, store.Options{Now: func() time.Time { return clock }})
	if got, err := s.ListAudit(ctx, registry.AuditFilter{}); err != nil || len(got) != 0 {
		t.Fatalf("empty ListAudit = %v, %v", got, err)
	}
	a, b, c := uscc(t, 1), uscc(t, 2), "91431281MA0000001X"
	entry := func(role registry.Role, action, code, region string) registry.AuditEntry {
		return registry.AuditEntry{KeyID: "k-" + string(role), KeyName: string(role) + " key", Role: role, Action: action,
			USCC: code, RegionCode: region, Outcome: 200, RequestID: "r", Method: "GET", Path: "/p"}
	}
	steps := [][]registry.AuditEntry{
		{entry(registry.RoleAdmin, "firm.create", a, "431202")},
		{entry(registry.RoleBank, "whitelist.lookup", a, "431202"), entry(registry.RoleBank, "whitelist.lookup", b, "431202"),
			entry(registry.RoleBank, "whitelist.lookup", c, "431281")},
		{entry(registry.RoleStaff, "firm.update", c, "431281")},
		{entry(registry.RoleAdmin, "key.create", "", "")},
	}
	for _, es := range steps {
		if err := s.AppendAudit(ctx, es...); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Minute)
	}
	type row struct {
		Action, USCC string
		Minute       int
	}
	tests := []struct {
		name string
		f    registry.AuditFilter
		want []row
	}{
		{"all, newest first", registry.AuditFilter{}, []row{{"key.create", "", 3}, {"firm.update", c, 2},
			{"whitelist.lookup", c, 1}, {"whitelist.lookup", b, 1}, {"whitelist.lookup", a, 1}, {"firm.create", a, 0}}},
		{"limit", registry.AuditFilter{Limit: 2}, []row{{"key.create", "", 3}, {"firm.update", c, 2}}},
		{"by uscc", registry.AuditFilter{USCC: a}, []row{{"whitelist.lookup", a, 1}, {"firm.create", a, 0}}},
		{"by role", registry.AuditFilter{Role: registry.RoleStaff}, []row{{"firm.update", c, 2}}},
		{"by action", registry.AuditFilter{Action: "firm.create"}, []row{{"firm.create", a, 0}}},
		{"since", registry.AuditFilter{Since: clock.Add(-2 * time.Minute)}, []row{{"key.create", "", 3}, {"firm.update", c, 2}}},
		{"region and limit", registry.AuditFilter{RegionCode: "431202", Limit: 2}, []row{{"whitelist.lookup", b, 1}, {"whitelist.lookup", a, 1}}},
		{"city", registry.AuditFilter{RegionCode: "431200", Action: "firm.update"}, []row{{"firm.update", c, 2}}},
	}
	start := clock.Add(-4 * time.Minute)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.ListAudit(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []row
			for _, e := range list {
				got = append(got, row{e.Action, e.USCC, int(e.Time.Sub(start) / time.Minute)})
				if e.ID == "" || e.Time.Location() != time.UTC {
					t.Errorf("entry %+v: want an ID and a UTC time", e)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListAudit (-want +got):\n%s", diff)
			}
		})
	}
}
