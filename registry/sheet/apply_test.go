package sheet_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/sheet"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/seeds"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var today = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func apply(t *testing.T, st sheet.Store, data []byte, o sheet.Options) sheet.Report {
	t.Helper()
	if o.Now.IsZero() {
		o.Now = today
	}
	rep, err := sheet.Apply(context.Background(), st, mustParse(t, data), o)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return rep
}

// counts is a report without its problems.
func counts(r sheet.Report) sheet.Report {
	r.Problems = nil
	return r
}

func TestApplyIsIdempotent(t *testing.T) {
	st := storetest.New(t)
	firms := seeds.Generate(40, 5)
	data := xlsxOf(t, firms)
	rows := mustParse(t, data).Rows

	dry := apply(t, st, data, sheet.Options{DryRun: true})
	if want := (sheet.Report{Rows: rows, Firms: 40, Created: 40, DryRun: true}); !cmp.Equal(want, counts(dry)) || len(dry.Problems) != 0 {
		t.Fatalf("dry run = %+v, want %+v", dry, want)
	}
	if n, _ := st.CountFirms(context.Background()); n != 0 {
		t.Fatalf("a dry run wrote %d firms", n)
	}
	first := apply(t, st, data, sheet.Options{})
	if want := (sheet.Report{Rows: rows, Firms: 40, Created: 40}); !cmp.Equal(want, counts(first)) {
		t.Fatalf("first import = %+v", first)
	}
	again := apply(t, st, data, sheet.Options{})
	if want := (sheet.Report{Rows: rows, Firms: 40, Unchanged: 40}); !cmp.Equal(want, counts(again)) {
		t.Fatalf("second import = %+v", again)
	}
	for _, f := range firms {
		rec, err := st.GetFirm(context.Background(), f.USCC)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Revision != 1 {
			t.Errorf("%s: revision %d after an unchanged re-import, want 1", f.USCC, rec.Revision)
		}
		if diff := cmp.Diff(canonical(f), canonical(rec.Firm)); diff != "" {
			t.Errorf("%s stored (-want +got):\n%s", f.USCC, diff)
		}
	}
	// One change: one update, one revision.
	firms[3].Name += "（更名）"
	changed := apply(t, st, xlsxOf(t, firms), sheet.Options{})
	if want := (sheet.Report{Rows: rows, Firms: 40, Updated: 1, Unchanged: 39}); !cmp.Equal(want, counts(changed)) {
		t.Fatalf("import with one change = %+v", changed)
	}
	if rec, _ := st.GetFirm(context.Background(), firms[3].USCC); rec.Revision != 2 || rec.Firm.Name != firms[3].Name {
		t.Errorf("changed firm: revision %d, name %q", rec.Revision, rec.Firm.Name)
	}
}

// Problems of the validator come back on the row and column they were
// read from; the firm is not written, the others are.
func TestApplyLocatesProblems(t *testing.T) {
	st := storetest.New(t)
	firms := seeds.Generate(3, 9)
	bad := &firms[1]
	bad.RegionCode = "4312"
	bad.Years[2].TechStaff = ptr(*bad.Years[2].Employees + 1)
	bad.Honors = append(bad.Honors, registry.Honor{Kind: "hnte", Issued: "2024-01-01", Expires: "2023-01-01"})
	rep := apply(t, st, xlsxOf(t, firms), sheet.Options{})
	if rep.Created != 2 || rep.Failed != 1 {
		t.Fatalf("report = %+v", rep)
	}
	// 企业 row 3; years rows 2–4 are the first firm's, 5–7 the second's;
	// the new honor is the last of the second firm's.
	honorRow := 1 + len(firms[0].Honors) + len(bad.Honors)
	want := []sheet.Problem{
		{Sheet: "企业", Row: 3, Field: "region_code", Column: "所属区县代码", Problem: "行政区划代码应为6位数字 (must be a 6-digit administrative division code)"},
		{Sheet: "财务年度", Row: 7, Field: "years[2].tech_staff", Column: "科技人员数",
			Problem: fmt.Sprintf("科技人员数（%d）不能大于职工总数（%d） (tech_staff (%d) must not exceed employees (%d))",
				*bad.Years[2].TechStaff, *bad.Years[2].Employees, *bad.Years[2].TechStaff, *bad.Years[2].Employees)},
		{Sheet: "资质荣誉", Row: honorRow, Field: fmt.Sprintf("honors[%d].expires", len(bad.Honors)-1), Column: "有效期至", Problem: "有效期截止日不能早于发证日期 (expires must not be before issued)"},
	}
	if diff := cmp.Diff(want, rep.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if _, err := st.GetFirm(context.Background(), bad.USCC); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("the bad firm was written: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// A file that lacks a sheet (or a column of 企业) leaves that part of the
// stored firms as it is; a sheet it has replaces that part.
func TestApplyKeepsWhatTheFileLacks(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	f := seeds.Generate(1, 11)[0]
	if _, err := st.CreateFirm(ctx, f); err != nil {
		t.Fatal(err)
	}
	// A CSV of 企业 with three columns renames the firm.
	csv := "统一社会信用代码,企业名称,所属产业链\n" + f.USCC + ",新名称有限公司,竹业\n"
	rep := apply(t, st, []byte(csv), sheet.Options{})
	if rep.Updated != 1 || len(rep.Problems) > 0 {
		t.Fatalf("report = %+v", rep)
	}
	rec, _ := st.GetFirm(ctx, f.USCC)
	want := canonical(f)
	want.Name, want.Chain = "新名称有限公司", "竹业"
	if diff := cmp.Diff(want, canonical(rec.Firm)); diff != "" {
		t.Errorf("after a 企业 CSV (-want +got):\n%s", diff)
	}

	// A CSV of 财务年度 replaces the years and nothing else.
	csv = "统一社会信用代码,年度,营业收入（元）\n" + f.USCC + ",2025,5000000\n"
	if rep := apply(t, st, []byte(csv), sheet.Options{}); rep.Updated != 1 {
		t.Fatalf("report = %+v", rep)
	}
	rec, _ = st.GetFirm(ctx, f.USCC)
	want.Years = []registry.Year{{Year: 2025, Revenue: ptr[int64](5_000_000)}}
	if diff := cmp.Diff(want, canonical(rec.Firm)); diff != "" {
		t.Errorf("after a 财务年度 CSV (-want +got):\n%s", diff)
	}

	// Years of a firm that is not registered cannot stand alone.
	other := usccIn("431202", 77)
	rep = apply(t, st, []byte("统一社会信用代码,年度\n"+other+",2025\n"), sheet.Options{})
	wantP := []sheet.Problem{{Sheet: "财务年度", Row: 2, Field: "uscc", Column: "统一社会信用代码",
		Problem: "该企业尚未登记：请在“企业”表中填写它的一行（名称、区县等）再导入 (the firm is not registered: import its row of the firms sheet first)"}}
	if diff := cmp.Diff(wantP, rep.Problems); diff != "" || rep.Failed != 1 {
		t.Errorf("failed %d, problems (-want +got):\n%s", rep.Failed, diff)
	}
}

// A problem with a value of 企业 that the file has no column for (the
// value is the stored firm's) says the column must be added: the clerk
// cannot find it in the file.
func TestApplyLocatesProblemInMissingColumn(t *testing.T) {
	st := storetest.New(t)
	uscc := usccIn("431202", 5)
	if _, err := st.CreateFirm(context.Background(), registry.Firm{USCC: uscc, Name: "甲", Established: "2020-05-01"}); err != nil {
		t.Fatal(err)
	}
	csv := "统一社会信用代码,企业名称\n" + uscc + ",乙\n"
	rep := apply(t, st, []byte(csv), sheet.Options{Now: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	want := []sheet.Problem{{Sheet: "企业", Row: 2, Field: "established", Column: "成立日期",
		Problem: "成立日期不能晚于今天 (must not be in the future)（本文件的“企业”表没有“成立日期”列：请加上该列并填写正确的值）"}}
	if diff := cmp.Diff(want, rep.Problems); diff != "" || rep.Failed != 1 {
		t.Errorf("failed %d, problems (-want +got):\n%s", rep.Failed, diff)
	}
}

// A problem with stored data of a sheet the file has not says which sheet
// the file must hold to correct it.
func TestApplyLocatesProblemInMissingSheet(t *testing.T) {
	st := storetest.New(t)
	uscc := usccIn("431202", 6)
	if _, err := st.CreateFirm(context.Background(), registry.Firm{USCC: uscc, Name: "甲", Years: []registry.Year{{Year: 2024}}}); err != nil {
		t.Fatal(err)
	}
	csv := "统一社会信用代码,企业名称\n" + uscc + ",乙\n"
	rep := apply(t, st, []byte(csv), sheet.Options{Now: time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)})
	want := []sheet.Problem{{Sheet: "企业", Row: 2, Field: "years[0].year",
		Problem: "年度2024是未来年份 (year 2024 is in the future)（已登记的数据，本文件没有“财务年度”表：请加上该表和该企业的全部行，并改正此项）"}}
	if diff := cmp.Diff(want, rep.Problems); diff != "" || rep.Failed != 1 {
		t.Errorf("failed %d, problems (-want +got):\n%s", rep.Failed, diff)
	}
}

// With a region, firms outside it — as imported or as stored — are
// refused on their rows.
func TestApplyRegion(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	stored := usccIn("431281", 1)
	if _, err := st.CreateFirm(ctx, registry.Firm{USCC: stored, Name: "洪江企业", RegionCode: "431281"}); err != nil {
		t.Fatal(err)
	}
	in, out, none := usccIn("431202", 2), usccIn("431202", 3), usccIn("431202", 4)
	csv := "统一社会信用代码,企业名称,所属区县代码\n" +
		in + ",鹤城企业,431202\n" +
		out + ",洪江新企业,431281\n" +
		stored + ",改到鹤城,431202\n" +
		none + ",无区县,\n"
	rep := apply(t, st, []byte(csv), sheet.Options{Region: "431202"})
	want := []sheet.Problem{
		{Sheet: "企业", Row: 3, Field: "region_code", Column: "所属区县代码", Problem: "所属区县代码 431281 不在本密钥的管辖区域（431202）内，不能导入 (outside this key's region 431202)"},
		{Sheet: "企业", Row: 4, Field: "region_code", Column: "所属区县代码", Problem: "该企业已登记在本密钥管辖区域（431202）之外（431281），不能导入 (the firm is registered outside this key's region 431202)"},
		{Sheet: "企业", Row: 5, Field: "region_code", Column: "所属区县代码", Problem: "所属区县代码必填：本密钥只能导入本辖区（431202）的企业 (required: this key imports firms of region 431202 only)"},
	}
	if diff := cmp.Diff(want, rep.Problems); diff != "" || rep.Created != 1 || rep.Failed != 3 {
		t.Errorf("report %+v, problems (-want +got):\n%s", counts(rep), diff)
	}
	if rec, _ := st.GetFirm(ctx, stored); rec.Firm.RegionCode != "431281" {
		t.Errorf("the stored firm moved to %s", rec.Firm.RegionCode)
	}
}

// A header problem writes nothing.
func TestApplyBlockedFile(t *testing.T) {
	st := storetest.New(t)
	csv := "统一社会信用代码,企业名称,营收\n" + usccIn("431202", 1) + ",甲,1\n"
	rep := apply(t, st, []byte(csv), sheet.Options{})
	if rep.Failed != 1 || rep.Created != 0 || len(rep.Problems) != 1 {
		t.Errorf("report = %+v", rep)
	}
	if n, _ := st.CountFirms(context.Background()); n != 0 {
		t.Errorf("a blocked file wrote %d firms", n)
	}
}

// failAfter is the real store with a fault injected: every write after
// the first n fails as an outage would.
type failAfter struct {
	*store.Store
	mu sync.Mutex
	n  int
}

func (f *failAfter) UpsertFirm(ctx context.Context, firm registry.Firm, dryRun bool) (string, error) {
	if !dryRun {
		f.mu.Lock()
		left := f.n
		f.n = max(f.n-1, 0)
		f.mu.Unlock()
		if left == 0 {
			return "", fmt.Errorf("injected outage: %w", registry.ErrUnavailable)
		}
	}
	return f.Store.UpsertFirm(ctx, firm, dryRun)
}

// An import that stops part way has written whole firms only; running it
// again completes it, to the same registry as an uninterrupted import.
func TestApplyInterrupted(t *testing.T) {
	firms := seeds.Generate(30, 13)
	data := xlsxOf(t, firms)
	st := storetest.New(t)
	rep, err := sheet.Apply(context.Background(), &failAfter{Store: st, n: 12}, mustParse(t, data), sheet.Options{Now: today})
	if !errors.Is(err, registry.ErrUnavailable) || rep.Created != 12 {
		t.Fatalf("interrupted import: %+v, %v", counts(rep), err)
	}
	rep = apply(t, st, data, sheet.Options{})
	if rep.Unchanged != 12 || rep.Created != 18 || rep.Failed != 0 {
		t.Fatalf("rerun = %+v", counts(rep))
	}
	clean := storetest.New(t)
	apply(t, clean, data, sheet.Options{})
	for _, f := range firms {
		a, err1 := st.GetFirm(context.Background(), f.USCC)
		b, err2 := clean.GetFirm(context.Background(), f.USCC)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if diff := cmp.Diff(b.Firm, a.Firm); diff != "" || a.Revision != 1 {
			t.Errorf("%s: revision %d, differs from a clean import (-clean +rerun):\n%s", f.USCC, a.Revision, diff)
		}
	}

	// A cancelled context stops it the same way.
	ctx, cancel := context.WithCancel(context.Background())
	fresh := storetest.New(t)
	rep, err = sheet.Apply(ctx, fresh, mustParse(t, data), sheet.Options{Now: today, Workers: 1, Progress: func(done int) {
		if done == 5 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || rep.Created != 5 || !strings.Contains(err.Error(), "after 5 of 30") {
		t.Errorf("cancelled import: %+v, %v", counts(rep), err)
	}
}
