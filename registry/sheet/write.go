package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/peiyu/peiyu/registry"
)

// ContentTypeXLSX is the media type of an XLSX workbook.
const ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Example is the firm of the template's example rows: the profile of SPEC
// §3, with a valid USCC and a name that marks it as an example. It passes
// validation, so the template imports as it is.
func Example() registry.Firm {
	body := "91431202MA4L0A8C2"
	check, _ := registry.USCCCheckChar(body)
	i := func(v int) *int { return &v }
	n := func(v int64) *int64 { return &v }
	b := func(v bool) *bool { return &v }
	share, srdi := 0.12, 63.5
	return registry.Firm{
		USCC: body + string(check), Name: "【示例】怀化某某科技有限公司", RegionCode: "431202",
		IndustryCode: "C3562", Chain: "机械装备", Established: "2015-03-01",
		Niche: &registry.Niche{Market: "精密减速器", Since: "2016-01-01", Share: &share, DomesticRank: i(3), GlobalRank: i(0),
			KeyField: b(true), StrategicEmerging: b(true), GapFilling: b(false), YearsInField: i(10)},
		Years: []registry.Year{
			{Year: 2024, Employees: n(110), TechStaff: n(26), RDStaff: n(22), Revenue: n(48_000_000), MainRevenue: n(45_000_000),
				HighTechRevenue: n(33_000_000), TotalCost: n(40_000_000), RDExpense: n(2_500_000), DomesticRDExpense: n(2_500_000),
				TotalAssets: n(72_000_000), TotalLiabilities: n(28_000_000), NetProfit: n(4_000_000), EquityFinancing: n(0),
				TechContractTurnover: n(0), SRDIScore: &srdi, DigitalLevel: i(2)},
			{Year: 2025, Employees: n(120), TechStaff: n(30), RDStaff: n(25), Revenue: n(56_000_000), MainRevenue: n(52_000_000),
				HighTechRevenue: n(40_000_000), TotalCost: n(45_000_000), RDExpense: n(3_000_000), DomesticRDExpense: n(3_000_000),
				TotalAssets: n(80_000_000), TotalLiabilities: n(30_000_000), NetProfit: n(5_000_000), EquityFinancing: n(0),
				TechContractTurnover: n(0), SRDIScore: &srdi, DigitalLevel: i(2)},
		},
		IP: &registry.IP{Class1: i(3), Class1HighValue: i(0), Class1SelfDeveloped: i(3), Class2: i(10)},
		Honors: []registry.Honor{
			{Kind: registry.HonorHNTE, Level: registry.LevelNational, Issued: "2024-12-01", Expires: "2027-11-30", Number: "GR202443000123"},
			{Kind: registry.HonorSciAward, Level: registry.LevelProvincial, Issued: "2024-05-01", Rank: i(2)},
			{Kind: registry.HonorRDInstitution, Level: registry.LevelProvincial, Issued: "2021-09-01"},
			{Kind: registry.HonorStandardLed, Level: registry.LevelIndustry, Issued: "2023-03-01"},
		},
		Compliance: &registry.Compliance{
			Incidents:    []registry.Incident{{Date: "2023-07-01", Kind: "environment", Major: false}},
			AbnormalList: b(false), SeriousDishonesty: b(false), ProhibitedIndustry: b(false),
		},
	}
}

// records returns the rows of sheet k for firm f, each a record for the
// columns' fields.
func records(k Kind, f *registry.Firm) []any {
	var out []any
	switch k {
	case Firms:
		out = append(out, f)
	case Years:
		for i := range f.Years {
			out = append(out, &f.Years[i])
		}
	case Honors:
		for i := range f.Honors {
			out = append(out, &f.Honors[i])
		}
	case Incidents:
		if f.Compliance != nil {
			for i := range f.Compliance.Incidents {
				out = append(out, &f.Compliance.Incidents[i])
			}
		}
	}
	return out
}

// cellValue is column c of a row of sheet k: the USCC column of the other
// sheets is the firm's.
func cellValue(k Kind, c int, f *registry.Firm, rec any) any {
	if k != Firms && c == 0 {
		return f.USCC
	}
	return sheets[k].cols[c].value(rec)
}

// WriteXLSX writes firms as a workbook in the import layout: the four
// sheets with Chinese headers and the 填写说明 sheet. It parses back to the
// same firms.
func WriteXLSX(w io.Writer, firms []registry.Firm) error {
	return writeXLSX(w, firms, false)
}

// WriteTemplate writes the import template: the export layout with the
// example firm (Example), drop-down lists for 是/否 and level columns, and
// instructions.
func WriteTemplate(w io.Writer) error {
	return writeXLSX(w, []registry.Firm{Example()}, true)
}

func writeXLSX(w io.Writer, firms []registry.Firm, template bool) error {
	x := excelize.NewFile()
	defer x.Close()
	headerStyle, err := x.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	})
	if err != nil {
		return err
	}
	// Codes typed into a text column stay text (no 4.31202E+05).
	textStyle, err := x.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	for _, k := range Kinds {
		def := &sheets[k]
		if k == Firms {
			if err := x.SetSheetName("Sheet1", def.name); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(def.name); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(def.name)
		if err != nil {
			return err
		}
		for c, col := range def.cols {
			width := float64(min(max(utf8.RuneCountInString(col.header)*2+2, 12), 36))
			if err := sw.SetColWidth(c+1, c+1, width); err != nil {
				return err
			}
			if col.kind == kText || col.kind == kUSCC || col.kind == kCode || col.kind == kDate {
				if err := sw.SetColStyle(c+1, c+1, textStyle); err != nil {
					return err
				}
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		header := make([]any, len(def.cols))
		for c, col := range def.cols {
			header[c] = excelize.Cell{StyleID: headerStyle, Value: col.header}
		}
		if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
			return err
		}
		row := 2
		for i := range firms {
			f := &firms[i]
			for _, rec := range records(k, f) {
				vals := make([]any, len(def.cols))
				for c := range def.cols {
					vals[c] = cellValue(k, c, f, rec)
				}
				cell, _ := excelize.CoordinatesToCellName(1, row)
				if err := sw.SetRow(cell, vals); err != nil {
					return err
				}
				row++
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		if template {
			if err := addDropDowns(x, k); err != nil {
				return err
			}
		}
	}
	if err := writeInstructions(x, headerStyle, template); err != nil {
		return err
	}
	// 企业, the renamed first sheet, is active already. (SetActiveSheet
	// would parse every streamed sheet back into memory.)
	_, err = x.WriteTo(w)
	return err
}

// addDropDowns offers the usual values of 是/否 and level columns. Other
// values are warned about, not refused: the parser also reads "y", "国家" …
func addDropDowns(x *excelize.File, k Kind) error {
	for c, col := range sheets[k].cols {
		var list []string
		switch col.kind {
		case kBool:
			list = []string{"是", "否"}
		case kLevel:
			for _, l := range levelLabels {
				list = append(list, l.code)
			}
		default:
			continue
		}
		name, _ := excelize.ColumnNumberToName(c + 1)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", name, name, 2000)
		if err := dv.SetDropList(list); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, "请检查", "建议从下拉列表中选择")
		if err := x.AddDataValidation(sheets[k].name, dv); err != nil {
			return err
		}
	}
	return nil
}

var kindNotes = map[cellKind]string{
	kText: "文本", kUSCC: "18位统一社会信用代码", kCode: "代码", kCount: "整数", kAmount: "整数（元）",
	kNumber: "数字", kFraction: "小数或百分数", kBool: "是/否", kDate: "日期 YYYY-MM-DD",
	kHonorKind: "代码或名称（见下表）", kLevel: "代码或名称（见下表）",
}

// writeInstructions adds the 填写说明 sheet: how the workbook is read, every
// column of every sheet, and the honor kinds and levels.
func writeInstructions(x *excelize.File, headerStyle int, template bool) error {
	const name = instructionsSheet
	if _, err := x.NewSheet(name); err != nil {
		return err
	}
	var rows [][]any
	add := func(vals ...any) { rows = append(rows, vals) }
	add("培育企业数据导入表 填写说明 (Peiyu firm import workbook)")
	add("1. 各表第一行为表头，请勿修改或增删；从第二行起每行一条记录。各表以“统一社会信用代码”关联到“企业”表中的企业。")
	add("2. 导入按统一社会信用代码新增或更新企业，文件中的企业以文件为准：如“资质荣誉”表中没有某企业的行，导入后该企业就没有资质荣誉。文件中没有的表（或“企业”表中没有的列）保留已登记的数据。")
	add("3. 金额以元为单位填整数；日期填 YYYY-MM-DD（也可使用 Excel 日期格式）；是/否列填“是”或“否”；不清楚的数值请留空，不要填 0。")
	add("4. 某企业任何一行有错误时，该企业不导入，其余企业照常导入；导入结果逐行列出问题（表、行号、列名）。同一文件可以重复导入，未改动的企业不会被改写。")
	add("5. 也可导入 CSV 文件：一个文件为一张表，按表头识别是哪张表；支持 UTF-8 与 GBK 编码。")
	if template {
		add("6. 以“【示例】”开头的企业是示例，导入前请删除其各行。")
	}
	add()
	add("表", "列名", "字段", "类型", "说明")
	headerRow := len(rows)
	for _, k := range Kinds {
		def := &sheets[k]
		for c, col := range def.cols {
			note := col.note
			if col.required {
				note = strings.TrimPrefix(note+"；必填", "；")
			}
			about := ""
			if c == 0 {
				about = def.about
			}
			field := col.key
			if def.path != "" {
				field = def.path + "[]." + col.key
			}
			add(def.name, col.header, field, kindNotes[col.kind], strings.TrimPrefix(strings.Join([]string{about, note}, "；"), "；"))
		}
	}
	add()
	add("资质类型代码", "名称")
	kindRow := len(rows)
	codes := make([]string, 0, len(registry.KnownHonorKinds))
	for code := range registry.KnownHonorKinds {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		add(code, registry.KnownHonorKinds[code])
	}
	add()
	add("级别代码", "名称")
	levelRow := len(rows)
	for _, l := range levelLabels {
		add(l.code, l.label)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(name, cell, &r); err != nil {
			return err
		}
	}
	for _, r := range []int{headerRow, kindRow, levelRow} {
		if err := x.SetCellStyle(name, fmt.Sprintf("A%d", r), fmt.Sprintf("E%d", r), headerStyle); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 18, "B": 30, "C": 34, "D": 20, "E": 60} {
		if err := x.SetColWidth(name, col, col, width); err != nil {
			return err
		}
	}
	return nil
}

// WriteCSV writes sheet k of firms as CSV: UTF-8 with a byte-order mark,
// so spreadsheet programs read the Chinese, and the sheet's Chinese
// headers. A text cell that a spreadsheet would take for a formula
// ("=…", "+…", "-…", "@…") is written with a leading apostrophe, which
// ParseCSV removes again.
func WriteCSV(w io.Writer, k Kind, firms []registry.Firm) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(Headers(k)); err != nil {
		return err
	}
	def := &sheets[k]
	line := make([]string, len(def.cols))
	for i := range firms {
		f := &firms[i]
		for _, rec := range records(k, f) {
			for c := range def.cols {
				line[c] = textCell(cellValue(k, c, f, rec))
			}
			if err := cw.Write(line); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func textCell(v any) string {
	switch v := v.(type) {
	case string:
		if formulaLike(v) {
			return "'" + v
		}
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// formulaLike reports text a spreadsheet program would run as a formula.
func formulaLike(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}
