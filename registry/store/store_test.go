package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func ptr[T any](v T) *T { return &v }

// uscc builds a valid code for county 431202 from a serial number.
func uscc(t testing.TB, serial int) string {
	t.Helper()
	body := fmt.Sprintf("91431202MA%07d", serial)
	c, ok := registry.USCCCheckChar(body)
	if !ok {
		t.Fatalf("bad body %q", body)
	}
	return body + string(c)
}

func sampleFirm(t testing.TB, serial int) registry.Firm {
	return registry.Firm{
		USCC:         uscc(t, serial),
		Name:         fmt.Sprintf("演示精工机械有限公司%04d", serial),
		RegionCode:   "431202",
		IndustryCode: "C3562",
		Chain:        "机械装备",
		Established:  "2015-03-01",
		Years: []registry.Year{
			{Year: 2025, Employees: ptr[int64](120), TechStaff: ptr[int64](30), Revenue: ptr[int64](56_000_000), RDExpense: ptr[int64](3_000_000)},
			{Year: 2024, Employees: ptr[int64](110), Revenue: ptr[int64](50_000_000)},
		},
		IP: &registry.IP{Class1: ptr(3), Class2: ptr(10)},
		Honors: []registry.Honor{
			{Kind: "hnte", Level: "national", Issued: "2024-12-01", Expires: "2027-11-30"},
		},
	}
}

func TestCreateGet(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	f := sampleFirm(t, 1)
	rec, err := s.CreateFirm(ctx, f)
	if err != nil {
		t.Fatalf("CreateFirm: %v", err)
	}
	if rec.Revision != 1 {
		t.Errorf("revision = %d, want 1", rec.Revision)
	}
	got, err := s.GetFirm(ctx, f.USCC)
	if err != nil {
		t.Fatalf("GetFirm: %v", err)
	}
	// Stored years come back sorted ascending.
	want := f
	want.Years = []registry.Year{f.Years[1], f.Years[0]}
	if diff := cmp.Diff(want, got.Firm); diff != "" {
		t.Errorf("GetFirm mismatch (-want +got):\n%s", diff)
	}
	if got.CreatedAt.IsZero() || !got.CreatedAt.Equal(got.UpdatedAt) {
		t.Errorf("timestamps = %v, %v", got.CreatedAt, got.UpdatedAt)
	}
}

func TestHonorFilter(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	a := sampleFirm(t, 1)
	b := sampleFirm(t, 2)
	b.Honors = []registry.Honor{{Kind: "hnte", Level: "national", Issued: "2020-01-01", Expires: "2022-12-31"}}
	for _, f := range []registry.Firm{a, b} {
		if _, err := s.CreateFirm(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	recs, total, err := s.ListFirms(ctx, registry.FirmFilter{Honor: "hnte", HonorAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(recs) != 1 || recs[0].Firm.USCC != a.USCC {
		t.Errorf("honor filter: total %d, %v", total, recs)
	}
	_ = errors.Is
	_ = store.DefaultTimeout
}
