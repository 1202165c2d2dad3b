package sheet_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/sheet"
	"github.com/peiyu/peiyu/seeds"
)

// usccIn builds a valid code of a division from a serial number.
func usccIn(region string, serial int) string {
	body := fmt.Sprintf("91%sMA%07d", region, serial)
	c, ok := registry.USCCCheckChar(body)
	if !ok {
		panic("bad body " + body)
	}
	return body + string(c)
}

// canonical is a firm as a sheet holds it: normalized, empty niche and IP
// blocks dropped (they mean the same as absent ones).
func canonical(f registry.Firm) registry.Firm {
	f.Normalize()
	if f.Niche != nil && *f.Niche == (registry.Niche{}) {
		f.Niche = nil
	}
	if f.IP != nil && *f.IP == (registry.IP{}) {
		f.IP = nil
	}
	return f
}

// firmsOf returns the file's firms, failing on any problem.
func firmsOf(t *testing.T, file *sheet.File) []registry.Firm {
	t.Helper()
	var out []registry.Firm
	for _, e := range file.Firms {
		if len(e.Problems) > 0 {
			t.Errorf("firm %s: problems %v", e.USCC, e.Problems)
		}
		out = append(out, canonical(e.Firm))
	}
	if len(file.Problems) > 0 {
		t.Errorf("file problems: %v", file.Problems)
	}
	return out
}

func xlsxOf(t testing.TB, firms []registry.Firm) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, firms); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func csvOf(t testing.TB, k sheet.Kind, firms []registry.Firm) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := sheet.WriteCSV(&buf, k, firms); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustParse(t *testing.T, data []byte) *sheet.File {
	t.Helper()
	f, err := sheet.Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func TestTemplateParsesToExample(t *testing.T) {
	var buf bytes.Buffer
	if err := sheet.WriteTemplate(&buf); err != nil {
		t.Fatal(err)
	}
	file := mustParse(t, buf.Bytes())
	if diff := cmp.Diff([]registry.Firm{canonical(sheet.Example())}, firmsOf(t, file)); diff != "" {
		t.Errorf("template firms (-want +got):\n%s", diff)
	}
	if file.Format != "xlsx" || file.Rows != 1+2+4+1 {
		t.Errorf("format %s, rows %d, want xlsx and 8", file.Format, file.Rows)
	}
	for _, k := range sheet.Kinds {
		if !file.Has(k) {
			t.Errorf("the template lacks sheet %s", k.Name())
		}
	}
	ex := sheet.Example()
	if err := ex.Validate(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("the example does not validate: %v", err)
	}
	// The instructions sheet is there, and skipped.
	x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	want := []string{"企业", "财务年度", "资质荣誉", "合规事件", "填写说明"}
	if diff := cmp.Diff(want, x.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	if i := x.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active sheet %d, want 0 (企业)", i)
	}
}

// The demo firms exercise every field; an export parses back to them.
func TestRoundTripXLSX(t *testing.T) {
	firms := seeds.Generate(300, 7)
	file := mustParse(t, xlsxOf(t, firms))
	want := make([]registry.Firm, len(firms))
	for i := range firms {
		want[i] = canonical(firms[i])
	}
	if diff := cmp.Diff(want, firmsOf(t, file)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// part is what sheet k holds of f.
func part(k sheet.Kind, f registry.Firm) registry.Firm {
	f = canonical(f)
	out := registry.Firm{USCC: f.USCC}
	switch k {
	case sheet.Firms:
		out = f
		out.Years, out.Honors = nil, nil
		if f.Compliance != nil {
			c := *f.Compliance
			c.Incidents = nil
			out.Compliance = &c
		}
	case sheet.Years:
		out.Years = f.Years
	case sheet.Honors:
		out.Honors = f.Honors
	case sheet.Incidents:
		if f.Compliance != nil && len(f.Compliance.Incidents) > 0 {
			out.Compliance = &registry.Compliance{Incidents: f.Compliance.Incidents}
		}
	}
	return out
}

func TestRoundTripCSV(t *testing.T) {
	firms := seeds.Generate(120, 3)
	// A name that a spreadsheet would run as a formula survives too.
	firms[0].Name = "=HYPERLINK(\"http://example.com\")"
	for _, k := range sheet.Kinds {
		t.Run(k.Key(), func(t *testing.T) {
			data := csvOf(t, k, firms)
			if !bytes.HasPrefix(data, []byte("\ufeff"+sheet.Headers(k)[0])) {
				t.Errorf("CSV does not start with a BOM and the header: %q", data[:min(len(data), 40)])
			}
			file := mustParse(t, data)
			if file.Format != "csv" || !file.Has(k) {
				t.Fatalf("read as format %s, has %s: %v", file.Format, k.Name(), file.Has(k))
			}
			var want []registry.Firm
			for _, f := range firms {
				if p := part(k, f); k == sheet.Firms || !reflect.DeepEqual(p, registry.Firm{USCC: f.USCC}) {
					want = append(want, p)
				}
			}
			if diff := cmp.Diff(want, firmsOf(t, file)); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// Every field of the profile has a column: a field added to the profile
// without one fails here, before an export silently drops it.
func TestColumnsCoverProfile(t *testing.T) {
	var paths []string
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			path := prefix + name
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.Struct:
				walk(path+".", ft)
			case ft.Kind() == reflect.Slice:
				walk(path+"[].", ft.Elem())
			default:
				paths = append(paths, path)
			}
		}
	}
	walk("", reflect.TypeFor[registry.Firm]())
	var have []string
	prefix := map[sheet.Kind]string{sheet.Firms: "", sheet.Years: "years[].", sheet.Honors: "honors[].", sheet.Incidents: "compliance.incidents[]."}
	for _, k := range sheet.Kinds {
		for _, key := range sheet.Keys(k) {
			if k != sheet.Firms && key == "uscc" {
				continue
			}
			have = append(have, prefix[k]+key)
		}
	}
	slices.Sort(paths)
	slices.Sort(have)
	if diff := cmp.Diff(paths, have); diff != "" {
		t.Errorf("profile fields (-) without a column, columns (+) without a field:\n%s", diff)
	}
}

func TestParseCells(t *testing.T) {
	a, b := usccIn("431202", 1), usccIn("431202", 2)
	csv := "统一社会信用代码,企业名称,所属区县代码,国民经济行业代码,成立日期,细分市场占有率,细分市场国内排名,主导产品属于重点领域,Ⅰ类知识产权数\n" +
		strings.ToLower(a) + ", 甲公司 ,431202,c3562,2015/3/1,12%,3,是,1\n" +
		b + ",乙公司,431202,C35,2015年3月1日,0.5,三,也许,1.5\n"
	file := mustParse(t, []byte(csv))
	if len(file.Firms) != 2 {
		t.Fatalf("firms = %d, want 2", len(file.Firms))
	}
	share, rank, yes, ip := 0.12, 3, true, 1
	want := registry.Firm{USCC: a, Name: "甲公司", RegionCode: "431202", IndustryCode: "C3562", Established: "2015-03-01",
		Niche: &registry.Niche{Share: &share, DomesticRank: &rank, KeyField: &yes}, IP: &registry.IP{Class1: &ip}}
	if diff := cmp.Diff(want, file.Firms[0].Firm); diff != "" {
		t.Errorf("firm (-want +got):\n%s", diff)
	}
	if len(file.Firms[0].Problems) != 0 {
		t.Errorf("problems of a good row: %v", file.Firms[0].Problems)
	}
	wantProblems := []sheet.Problem{
		{Sheet: "企业", Row: 3, Field: "niche.domestic_rank", Column: "细分市场国内排名", Problem: "“三”不是整数 (must be a whole number)"},
		{Sheet: "企业", Row: 3, Field: "niche.key_field", Column: "主导产品属于重点领域", Problem: "“也许”应填“是”或“否” (must be 是 (yes) or 否 (no))"},
		{Sheet: "企业", Row: 3, Field: "ip.class1", Column: "Ⅰ类知识产权数", Problem: "“1.5”应为整数 (must be a whole number)"},
	}
	if diff := cmp.Diff(wantProblems, file.Firms[1].Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got := file.Firms[1].Firm.Established; got != "2015-03-01" {
		t.Errorf("2015年3月1日 read as %q", got)
	}
}

func TestParseRowProblems(t *testing.T) {
	a, b := usccIn("431202", 1), usccIn("431202", 2)
	// Headers without the unit and in English are accepted.
	years := "统一社会信用代码,年度,营业收入,tech_staff,研发费用总额（元）\n" +
		a + ",2024,1200.5,3,\n" +
		a + ",2025,\"1,300,000\",x,100元\n" +
		",2025,1,1,1\n" +
		b + ",2023,1,1,1,extra\n"
	file := mustParse(t, []byte(years))
	want := []sheet.Problem{{Sheet: "财务年度", Row: 4, Field: "uscc", Column: "统一社会信用代码", Problem: "统一社会信用代码必填 (required)"}}
	if diff := cmp.Diff(want, file.Problems); diff != "" {
		t.Errorf("file problems (-want +got):\n%s", diff)
	}
	if file.Blocked || file.Rows != 4 || len(file.Firms) != 2 {
		t.Fatalf("blocked %v, rows %d, firms %d", file.Blocked, file.Rows, len(file.Firms))
	}
	wantA := []sheet.Problem{
		{Sheet: "财务年度", Row: 2, Field: "years[0].revenue", Column: "营业收入", Problem: "金额“1200.5”应为以元为单位的整数，不带小数 (amounts are whole yuan, without decimals)"},
		{Sheet: "财务年度", Row: 3, Field: "years[1].tech_staff", Column: "tech_staff", Problem: "“x”不是整数 (must be a whole number)"},
	}
	if diff := cmp.Diff(wantA, file.Firms[0].Problems); diff != "" {
		t.Errorf("problems of %s (-want +got):\n%s", a, diff)
	}
	if y := file.Firms[0].Firm.Years; len(y) != 2 || *y[1].Revenue != 1_300_000 || *y[1].RDExpense != 100 {
		t.Errorf("years = %+v", y)
	}
	wantB := []sheet.Problem{{Sheet: "财务年度", Row: 5, Column: "F", Problem: "F列有内容但没有表头 (column F has a value but no header)"}}
	if diff := cmp.Diff(wantB, file.Firms[1].Problems); diff != "" {
		t.Errorf("problems of %s (-want +got):\n%s", b, diff)
	}

	// In a workbook with a 企业 sheet, every firm needs a row there, and
	// only one.
	firms := []registry.Firm{{USCC: a, Name: "甲"}, {USCC: a, Name: "甲again"}}
	x := xlsxOf(t, firms)
	file = mustParse(t, x)
	wantDup := []sheet.Problem{{Sheet: "企业", Row: 3, Field: "uscc", Column: "统一社会信用代码", Problem: "与第2行是同一企业：每家企业只能有一行 (the same firm as row 2)"}}
	if diff := cmp.Diff(wantDup, file.Firms[0].Problems); diff != "" {
		t.Errorf("duplicate (-want +got):\n%s", diff)
	}
}

// An honor row for a firm missing from 企业 is refused on that row.
func TestParseOrphanHonor(t *testing.T) {
	a := usccIn("431202", 1)
	x := excelize.NewFile()
	defer x.Close()
	_ = x.SetSheetName("Sheet1", "企业")
	_ = x.SetSheetRow("企业", "A1", &[]any{"统一社会信用代码", "企业名称"})
	_, _ = x.NewSheet("资质荣誉")
	_ = x.SetSheetRow("资质荣誉", "A1", &[]any{"统一社会信用代码", "资质类型", "级别"})
	_ = x.SetSheetRow("资质荣誉", "A2", &[]any{a, "高新技术企业", "国家级"})
	_ = x.SetSheetRow("资质荣誉", "A3", &[]any{a, "专精特新“小巨人”企业", "省"})
	_ = x.SetSheetRow("资质荣誉", "A4", &[]any{a, "先进单位", "市级"})
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	file := mustParse(t, buf.Bytes())
	e := file.Firms[0]
	want := []sheet.Problem{
		{Sheet: "资质荣誉", Row: 4, Field: "honors[2].kind", Column: "资质类型", Problem: "未知的资质类型“先进单位”：请填写代码或“填写说明”表中的名称 (unknown honor kind: use a code or a name listed in 填写说明)"},
		{Sheet: "资质荣誉", Row: 2, Field: "uscc", Column: "统一社会信用代码", Problem: "“企业”表中没有该企业：请先在“企业”表中填写它的一行 (no row for this firm in the firms sheet)"},
	}
	if diff := cmp.Diff(want, e.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	wantHonors := []registry.Honor{{Kind: "hnte", Level: "national"}, {Kind: "little_giant", Level: "provincial"}, {Level: "city"}}
	if diff := cmp.Diff(wantHonors, e.Firm.Honors); diff != "" {
		t.Errorf("honors (-want +got):\n%s", diff)
	}
}

func TestParseHeaderProblems(t *testing.T) {
	a := usccIn("431202", 1)
	tests := []struct {
		name string
		data string
		want []sheet.Problem
	}{
		{"unknown column", "统一社会信用代码,企业名称,营收\n" + a + ",甲,1\n",
			[]sheet.Problem{{Sheet: "企业", Row: 1, Column: "营收", Problem: "未知的列“营收”：请使用导入模板中的列名（见“填写说明”） (unknown column: use the template's column names)"}}},
		{"same column twice", "统一社会信用代码,企业名称,名称\n" + a + ",甲,乙\n",
			[]sheet.Problem{{Sheet: "企业", Row: 1, Column: "名称", Problem: "列“名称”重复（与“企业名称”是同一列） (the same column twice)"}}},
		{"required column missing", "企业名称,所属区县代码\n甲,431202\n",
			[]sheet.Problem{{Sheet: "企业", Row: 1, Column: "统一社会信用代码", Problem: "缺少必填列“统一社会信用代码” (required column missing)"}}},
		{"header after blank lines", "\n\n统一社会信用代码,年度,营业收入,利润率\n" + a + ",2025,1,2\n",
			[]sheet.Problem{{Sheet: "财务年度", Row: 3, Column: "利润率", Problem: "未知的列“利润率”：请使用导入模板中的列名（见“填写说明”） (unknown column: use the template's column names)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := mustParse(t, []byte(tt.data))
			if !file.Blocked {
				t.Error("not blocked")
			}
			if diff := cmp.Diff(tt.want, file.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}

	// A workbook: a sheet that is none of ours blocks it; a second 企业
	// sheet too.
	x := excelize.NewFile()
	defer x.Close()
	_ = x.SetSheetName("Sheet1", "企业")
	_ = x.SetSheetRow("企业", "A1", &[]any{"统一社会信用代码", "企业名称"})
	_ = x.SetSheetRow("企业", "A2", &[]any{a, "甲"})
	_, _ = x.NewSheet("草稿")
	_ = x.SetSheetRow("草稿", "A1", &[]any{"备注", "金额"})
	_, _ = x.NewSheet("企业名单")
	_ = x.SetSheetRow("企业名单", "B2", &[]any{"统一社会信用代码", "企业名称"})
	var buf bytes.Buffer
	_, _ = x.WriteTo(&buf)
	file := mustParse(t, buf.Bytes())
	want := []sheet.Problem{
		{Sheet: "草稿", Row: 1, Problem: "无法识别的工作表：表头应为模板中的列名，如“统一社会信用代码”“企业名称”（可下载导入模板）；若不需导入，请删除该表 (unrecognised sheet: the header row must hold the template's column names)"},
		{Sheet: "企业名单", Row: 2, Problem: "与工作表“企业”重复：同一种表只能有一张 (a second firms sheet (also \"企业\"))"},
	}
	if diff := cmp.Diff(want, file.Problems); diff != "" || !file.Blocked {
		t.Errorf("blocked %v, problems (-want +got):\n%s", file.Blocked, diff)
	}
}

// Dates come as text in several spellings or as Excel date cells, in the
// 1900 and the 1904 date systems.
func TestParseDateCells(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		t.Run(fmt.Sprint("1904=", date1904), func(t *testing.T) {
			x := excelize.NewFile()
			defer x.Close()
			if date1904 {
				if err := x.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
					t.Fatal(err)
				}
			}
			_ = x.SetSheetName("Sheet1", "资质荣誉")
			_ = x.SetSheetRow("资质荣誉", "A1", &[]any{"统一社会信用代码", "资质类型", "认定日期", "有效期至"})
			a := usccIn("431202", 1)
			day := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
			_ = x.SetSheetRow("资质荣誉", "A2", &[]any{a, "hnte", day, "2027/11/30"})
			_ = x.SetSheetRow("资质荣誉", "A3", &[]any{a, "HNTE", "20241201", "2027-11-30T00:00:00Z"})
			// A date typed with a time keeps its date.
			_ = x.SetSheetRow("资质荣誉", "A4", &[]any{a, "hnte", day.Add(15 * time.Hour), "2027年11月30日"})
			var buf bytes.Buffer
			if _, err := x.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			file := mustParse(t, buf.Bytes())
			h := registry.Honor{Kind: "hnte", Issued: "2024-12-01", Expires: "2027-11-30"}
			if diff := cmp.Diff([]registry.Honor{h, h, h}, file.Firms[0].Firm.Honors); diff != "" {
				t.Errorf("honors (-want +got):\n%s", diff)
			}
			if len(file.Firms[0].Problems) > 0 {
				t.Errorf("problems: %v", file.Firms[0].Problems)
			}
		})
	}
}

func TestParseEncodings(t *testing.T) {
	a := usccIn("431202", 1)
	text := "统一社会信用代码,企业名称,所属产业链\r\n" + a + ",怀化甲乙科技有限公司,中医药\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	tsv := strings.ReplaceAll(text, ",", "\t")
	for name, data := range map[string]string{
		"utf-8": text, "utf-8 with bom": "\ufeff" + text, "gbk": gbk, "tab-separated": tsv,
		"utf-16le": utf16LE(text),
	} {
		t.Run(name, func(t *testing.T) {
			file := mustParse(t, []byte(data))
			want := []registry.Firm{{USCC: a, Name: "怀化甲乙科技有限公司", Chain: "中医药"}}
			if diff := cmp.Diff(want, firmsOf(t, file)); diff != "" {
				t.Errorf("firms (-want +got):\n%s", diff)
			}
		})
	}
}

func utf16LE(s string) string {
	out := []byte{0xFF, 0xFE}
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return string(out)
}

func TestParseRefusesFiles(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("hello.txt")
	_, _ = w.Write([]byte("not a workbook"))
	_ = zw.Close()
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"png", png, "文件不是 XLSX 或 CSV 表格"},
		{"xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), "另存为 .xlsx"},
		{"a zip that is no workbook", zipped.Bytes(), "不是有效的 XLSX 文件"},
		{"truncated xlsx", xlsxOf(t, seeds.Generate(3, 1))[:600], "不是有效的 XLSX 文件"},
		{"json", []byte(`{"uscc":"x"}`), "没有可识别的表"},
		{"prose", []byte("Dear staff,\nplease find attached the list.\n"), "没有可识别的表"},
		{"bad gbk", []byte("统一社会信用代码\n\x81\x20\x81\x20"), "无法识别文件的编码"},
		{"bare quote", []byte("统一社会信用代码,企业名称\n\"a\"b\"\n"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sheet.Parse(tt.data)
			if tt.want == "" {
				// Lazy quotes read it; what matters is no crash.
				return
			}
			var fe *sheet.FileError
			if !errors.As(err, &fe) || !errors.Is(err, sheet.ErrUnreadable) || !strings.Contains(fe.Message, tt.want) {
				t.Errorf("Parse = %v, want ErrUnreadable with %q", err, tt.want)
			}
		})
	}
}

// A small file that inflates past the limit is refused before it is
// inflated.
func TestParseRefusesZipBomb(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte(`<?xml version="1.0"?><x/>`))
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range sheet.MaxUnzippedBytes>>20 + 8 {
		_, _ = w.Write(chunk)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes", buf.Len())
	}
	_, err = sheet.Parse(buf.Bytes())
	if !errors.Is(err, sheet.ErrTooLarge) {
		t.Errorf("Parse(%d-byte bomb) = %v, want ErrTooLarge", buf.Len(), err)
	}
}

func TestParseRefusesTooManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("统一社会信用代码,企业名称\n")
	for i := range sheet.MaxRows + 1 {
		fmt.Fprintf(&b, "%s,企业%d\n", usccIn("431202", i), i)
	}
	_, err := sheet.Parse([]byte(b.String()))
	if !errors.Is(err, sheet.ErrTooLarge) {
		t.Errorf("Parse(%d rows) = %v, want ErrTooLarge", sheet.MaxRows+1, err)
	}
}

// BenchmarkParseXLSX reads an export of 1,000 demo firms (about 7,500
// rows).
func BenchmarkParseXLSX(b *testing.B) {
	data := xlsxOf(b, seeds.Generate(1000, 1))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := sheet.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteXLSX writes an export of 1,000 demo firms.
func BenchmarkWriteXLSX(b *testing.B) {
	firms := seeds.Generate(1000, 1)
	for b.Loop() {
		if err := sheet.WriteXLSX(io.Discard, firms); err != nil {
			b.Fatal(err)
		}
	}
}
