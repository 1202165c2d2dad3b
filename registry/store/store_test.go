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
}

func TestErrorsKinds(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	f := sampleFirm(t, 1)
	if _, err := s.CreateFirm(ctx, f); err != nil {
		t.Fatal(err)
	}
	other := sampleFirm(t, 2)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"duplicate uscc", second(s.CreateFirm(ctx, f)), registry.ErrConflict},
		{"get missing", second(s.GetFirm(ctx, other.USCC)), registry.ErrNotFound},
		{"replace missing", second(s.ReplaceFirm(ctx, other, 0)), registry.ErrNotFound},
		{"replace missing with revision", second(s.ReplaceFirm(ctx, other, 1)), registry.ErrNotFound},
		{"replace stale", second(s.ReplaceFirm(ctx, f, 7)), registry.ErrConflict},
		{"delete missing", s.DeleteFirm(ctx, other.USCC, 0), registry.ErrNotFound},
		{"delete stale", s.DeleteFirm(ctx, f.USCC, 7), registry.ErrConflict},
		{"create invalid", second(s.CreateFirm(ctx, registry.Firm{USCC: "bad"})), registry.ErrInvalid},
		{"put year missing firm", third(s.PutYear(ctx, other.USCC, registry.Year{Year: 2024}, 0)), registry.ErrNotFound},
		{"put year stale", third(s.PutYear(ctx, f.USCC, registry.Year{Year: 2024}, 9)), registry.ErrConflict},
		{"put year invalid", third(s.PutYear(ctx, f.USCC, registry.Year{Year: 2024, Employees: ptr[int64](-1)}, 0)), registry.ErrInvalid},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	// None of the failed writes changed the stored firm.
	rec, err := s.GetFirm(ctx, f.USCC)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Revision != 1 {
		t.Errorf("revision after failed writes = %d, want 1", rec.Revision)
	}
}

func second[T any](_ T, err error) error        { return err }
func third[T, U any](_ T, _ U, err error) error { return err }

func TestReplaceAndDelete(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	f := sampleFirm(t, 1)
	rec, err := s.CreateFirm(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	// Replacing drops optional parts that the new profile leaves out.
	g := f
	g.Name = "改名后的公司"
	g.IP = nil
	g.Honors = nil
	rec2, err := s.ReplaceFirm(ctx, g, rec.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if rec2.Revision != 2 || !rec2.CreatedAt.Equal(rec.CreatedAt) {
		t.Errorf("after replace: revision %d created %v, want 2 and %v", rec2.Revision, rec2.CreatedAt, rec.CreatedAt)
	}
	got, err := s.GetFirm(ctx, f.USCC)
	if err != nil {
		t.Fatal(err)
	}
	if got.Firm.Name != "改名后的公司" || got.Firm.IP != nil || got.Firm.Honors != nil {
		t.Errorf("after replace got %+v", got.Firm)
	}
	// Unconditional replace still bumps the revision.
	if rec3, err := s.ReplaceFirm(ctx, g, 0); err != nil || rec3.Revision != 3 {
		t.Errorf("unconditional replace: %v, %v", rec3, err)
	}
	if err := s.DeleteFirm(ctx, f.USCC, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetFirm(ctx, f.USCC); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("get after delete: %v", err)
	}
}

// TestPutYearConcurrent runs unconditional year upserts in parallel: each
// must land, none may overwrite another's year.
func TestPutYearConcurrent(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	f := sampleFirm(t, 1)
	f.Years = nil
	if _, err := s.CreateFirm(ctx, f); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error)
	years := []int{2019, 2020, 2021, 2022}
	for _, y := range years {
		go func() {
			_, _, err := s.PutYear(ctx, f.USCC, registry.Year{Year: y, Employees: ptr[int64](int64(y))}, 0)
			errc <- err
		}()
	}
	for range years {
		if err := <-errc; err != nil {
			t.Errorf("PutYear: %v", err)
		}
	}
	rec, err := s.GetFirm(ctx, f.USCC)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, y := range rec.Firm.Years {
		got = append(got, y.Year)
	}
	if diff := cmp.Diff(years, got); diff != "" {
		t.Errorf("years (-want +got):\n%s", diff)
	}
	if rec.Revision != 5 {
		t.Errorf("revision = %d, want 5", rec.Revision)
	}
}

func TestListFilters(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	var firms []registry.Firm
	for i := 1; i <= 30; i++ {
		f := sampleFirm(t, i)
		if i%3 == 0 {
			f.Chain = "食品"
		}
		if i%5 == 0 {
			f.Honors = nil
		}
		firms = append(firms, f)
	}
	n, err := s.InsertMissing(ctx, firms)
	if err != nil || n != 30 {
		t.Fatalf("InsertMissing = %d, %v", n, err)
	}
	// Idempotent: the same batch again inserts nothing and changes nothing.
	if n, err := s.InsertMissing(ctx, firms); err != nil || n != 0 {
		t.Fatalf("InsertMissing again = %d, %v; want 0", n, err)
	}
	if rec, _ := s.GetFirm(ctx, firms[0].USCC); rec == nil || rec.Revision != 1 {
		t.Errorf("after second load: %+v", rec)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		filter    registry.FirmFilter
		total     int64
		firstUSCC string
		items     int
	}{
		{"all", registry.FirmFilter{}, 30, firms[0].USCC, registry.DefaultLimit},
		{"chain", registry.FirmFilter{Chain: "食品"}, 10, firms[2].USCC, 10},
		{"honor page 2", registry.FirmFilter{Honor: "hnte", HonorAt: at, Offset: 20, Limit: 20}, 24, firms[25].USCC, 4},
		{"honor and chain", registry.FirmFilter{Honor: "hnte", HonorAt: at, Chain: "食品"}, 8, firms[2].USCC, 8},
		{"honor before issue", registry.FirmFilter{Honor: "hnte", HonorAt: at.AddDate(-3, 0, 0)}, 0, "", 0},
		{"page past end", registry.FirmFilter{Offset: 40}, 30, "", 0},
		{"region city", registry.FirmFilter{RegionCode: "431200"}, 30, firms[0].USCC, 20},
		{"region other", registry.FirmFilter{RegionCode: "431221"}, 0, "", 0},
		{"query name", registry.FirmFilter{Query: "0007"}, 1, firms[6].USCC, 1},
		{"query regex chars", registry.FirmFilter{Query: "(.*)"}, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, total, err := s.ListFirms(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if total != tt.total || len(recs) != tt.items {
				t.Errorf("total %d, items %d; want %d, %d", total, len(recs), tt.total, tt.items)
			}
			if len(recs) > 0 && recs[0].Firm.USCC != tt.firstUSCC {
				t.Errorf("first = %s, want %s", recs[0].Firm.USCC, tt.firstUSCC)
			}
		})
	}
	if n, err := s.CountFirms(ctx); err != nil || n != 30 {
		t.Errorf("CountFirms = %d, %v", n, err)
	}
}

func TestInsertMissingRejectsInvalidBatch(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	good := sampleFirm(t, 1)
	bad := sampleFirm(t, 2)
	bad.Years[0].TechStaff = ptr[int64](1000)
	if _, err := s.InsertMissing(ctx, []registry.Firm{good, bad}); !errors.Is(err, registry.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	if n, _ := s.CountFirms(ctx); n != 0 {
		t.Errorf("%d firms written from an invalid batch, want 0", n)
	}
}

func TestPing(t *testing.T) {
	s := storetest.New(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = store.DefaultTimeout
}
