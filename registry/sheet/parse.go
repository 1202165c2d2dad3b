package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/peiyu/peiyu/registry"
)

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts old .xls workbooks and encrypted .xlsx ones.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Parse reads an XLSX or a CSV file, told apart by their content. It
// returns a *FileError (ErrUnreadable, ErrTooLarge) for a file it cannot
// read at all; everything else wrong is a problem in the File.
func Parse(data []byte) (*File, error) {
	switch {
	case bytes.HasPrefix(data, zipMagic):
		return ParseXLSX(data)
	case bytes.HasPrefix(data, oleMagic):
		return nil, fileError(ErrUnreadable, nil, "这是旧版 Excel 工作簿（.xls）或加密的工作簿：请在 Excel 中另存为 .xlsx（不设密码）后再导入",
			"an .xls or encrypted workbook: save it as .xlsx without a password")
	}
	return ParseCSV(data)
}

// ParseXLSX reads an XLSX workbook: its sheets 企业, 财务年度, 资质荣誉 and
// 合规事件, by name (Chinese or English) or, for a sheet named otherwise,
// by its headers; 填写说明 is skipped. Errors: a *FileError.
func ParseXLSX(data []byte) (f *File, err error) {
	// excelize is a large parser of untrusted input; a panic in it must
	// refuse the file, not bring down the caller.
	defer func() {
		if v := recover(); v != nil {
			f, err = nil, fileError(ErrUnreadable, fmt.Errorf("panic: %v", v), "无法读取该 XLSX 文件（文件已损坏）", "the XLSX file is damaged")
		}
	}()
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: MaxUnzippedBytes, UnzipXMLSizeLimit: maxInMemoryXML,
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, fileError(ErrTooLarge, err, "XLSX 文件解压后超过 %d MiB 上限", "the XLSX file inflates past %d MiB", MaxUnzippedBytes>>20)
		}
		return nil, fileError(ErrUnreadable, err, "无法读取：不是有效的 XLSX 文件", "not a valid XLSX file")
	}
	defer x.Close()
	date1904 := false
	if props, err := x.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	b := newBuilder("xlsx", date1904)
	for _, name := range x.GetSheetList() {
		if strings.TrimSpace(name) == instructionsSheet {
			continue
		}
		if err := b.readXLSXSheet(x, name); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

func (b *builder) readXLSXSheet(x *excelize.File, name string) error {
	rows, err := x.Rows(name)
	if err != nil {
		return fileError(ErrUnreadable, err, "无法读取工作表“%s”", "cannot read sheet %q", name)
	}
	defer rows.Close()
	var sr *sheetReader
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return fileError(ErrUnreadable, err, "无法读取工作表“%s”第%d行", "cannot read sheet %q, row %d", name, n)
		}
		if blank(cells) {
			continue
		}
		if sr == nil {
			if sr = b.startSheet(name, true, n, cells); sr.skip {
				return nil
			}
			continue
		}
		if err := sr.add(n, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return fileError(ErrUnreadable, err, "无法读取工作表“%s”", "cannot read sheet %q", name)
	}
	return nil
}

// ParseCSV reads one sheet as CSV (or tab-separated text), which one told
// by its header row. The text may be UTF-8, with or without a byte-order
// mark, UTF-16 with a byte-order mark, or GB18030/GBK as Chinese Excel saves
// it. Errors: a *FileError.
func ParseCSV(data []byte) (*File, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delimiter(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	b := newBuilder("csv", false)
	var sr *sheetReader
	for {
		cells, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fileError(ErrUnreadable, err, "CSV 格式错误（第%d行）", "malformed CSV at line %d", pe.Line)
			}
			return nil, fileError(ErrUnreadable, err, "无法读取 CSV 文件", "cannot read the CSV file")
		}
		// The row a spreadsheet program shows is the line the record
		// starts on: the reader skips blank lines.
		n, _ := r.FieldPos(0)
		if blank(cells) {
			continue
		}
		if sr == nil {
			if sr = b.startSheet("", false, n, cells); sr.skip {
				break
			}
			continue
		}
		if err := sr.add(n, cells); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// decodeText turns a CSV file's bytes into UTF-8.
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		data = data[3:]
	case bytes.HasPrefix(data, []byte("\xFF\xFE")), bytes.HasPrefix(data, []byte("\xFE\xFF")):
		out, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", fileError(ErrUnreadable, err, "无法读取：UTF-16 文本有误", "malformed UTF-16 text")
		}
		data = out
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", notSpreadsheet()
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	// Chinese Excel saves CSV in the system code page: GBK, which
	// GB18030 contains.
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", fileError(ErrUnreadable, err, "无法识别文件的编码：请保存为 UTF-8 或 GBK 编码的 CSV，或 XLSX", "unknown text encoding: save as UTF-8 or GBK CSV, or as XLSX")
	}
	return string(out), nil
}

func notSpreadsheet() *FileError {
	return fileError(ErrUnreadable, nil, "无法读取：文件不是 XLSX 或 CSV 表格", "the file is not an XLSX or CSV spreadsheet")
}

// delimiter is a tab for tab-separated text ("Unicode text" from Excel),
// else a comma.
func delimiter(text string) rune {
	line, _, _ := strings.Cut(text, "\n")
	if strings.Count(line, "\t") > strings.Count(line, ",") {
		return '\t'
	}
	return ','
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// rawRow is a data row, its cells in the order of the sheet's columns.
type rawRow struct {
	row   int
	cells []string
	// extra are problems of cells outside the header.
	extra []Problem
}

// builder collects the rows of every sheet, then joins them into firms.
type builder struct {
	file     *File
	date1904 bool
	rows     [numKinds][]rawRow
}

func newBuilder(format string, date1904 bool) *builder {
	return &builder{file: &File{Format: format}, date1904: date1904}
}

// sheetReader reads the data rows of one sheet.
type sheetReader struct {
	b    *builder
	kind Kind
	name string
	// cols maps a cell's index to its column: noHeader for an empty
	// header, badHeader for one already reported.
	cols []int
	skip bool
}

const (
	noHeader  = -1
	badHeader = -2
)

func (b *builder) blocked(p Problem) {
	b.file.Problems = append(b.file.Problems, p)
	b.file.Blocked = true
}

// startSheet reads a sheet's header row and decides which sheet it is: the
// one it is named after (named: an XLSX sheet), else the one its headers
// belong to.
func (b *builder) startSheet(name string, named bool, row int, header []string) *sheetReader {
	shown := name
	if shown == "" {
		shown = "CSV"
	}
	if len(header) > MaxColumns {
		b.blocked(Problem{Sheet: shown, Row: row, Problem: bilingual(fmt.Sprintf("表头超过%d列", MaxColumns), fmt.Sprintf("more than %d columns", MaxColumns))})
		return &sheetReader{skip: true}
	}
	kind, ok := Kind(0), false
	if named {
		kind, ok = ParseKind(name)
	}
	if !ok {
		kind, ok = detect(header)
	}
	if !ok {
		b.blocked(Problem{Sheet: shown, Row: row, Problem: bilingual(
			"无法识别的工作表：表头应为模板中的列名，如“统一社会信用代码”“企业名称”（可下载导入模板）；若不需导入，请删除该表",
			"unrecognised sheet: the header row must hold the template's column names")})
		return &sheetReader{skip: true}
	}
	if name == "" {
		name = kind.Name()
	}
	if b.file.present[kind] {
		b.blocked(Problem{Sheet: name, Row: row, Problem: bilingual(
			fmt.Sprintf("与工作表“%s”重复：同一种表只能有一张", b.file.names[kind]),
			fmt.Sprintf("a second %s sheet (also %q)", kind.Key(), b.file.names[kind]))})
		return &sheetReader{skip: true}
	}
	b.file.present[kind] = true
	b.file.names[kind] = name
	def := &sheets[kind]
	b.file.columns[kind] = make([]bool, len(def.cols))
	b.file.headers[kind] = make([]string, len(def.cols))
	sr := &sheetReader{b: b, kind: kind, name: name, cols: make([]int, len(header))}
	for i, h := range header {
		sr.cols[i] = noHeader
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		sr.cols[i] = badHeader
		c, ok := columnOf(kind, h)
		switch {
		case !ok:
			b.blocked(Problem{Sheet: name, Row: row, Column: h, Problem: bilingual(
				fmt.Sprintf("未知的列“%s”：请使用导入模板中的列名（见“%s”）", clip(h), instructionsSheet),
				"unknown column: use the template's column names")})
		case b.file.columns[kind][c]:
			b.blocked(Problem{Sheet: name, Row: row, Column: h, Problem: bilingual(
				fmt.Sprintf("列“%s”重复（与“%s”是同一列）", clip(h), b.file.headers[kind][c]), "the same column twice")})
		default:
			b.file.columns[kind][c] = true
			b.file.headers[kind][c] = h
			sr.cols[i] = c
		}
	}
	for c, col := range def.cols {
		if col.required && !b.file.columns[kind][c] {
			b.blocked(Problem{Sheet: name, Row: row, Column: col.header, Problem: bilingual(
				fmt.Sprintf("缺少必填列“%s”", col.header), "required column missing")})
		}
	}
	return sr
}

// detect finds the sheet a header row belongs to: the one that knows all
// its headers and has its required columns, the first one in workbook
// order if several do (a header of USCC and name only is 企业).
func detect(header []string) (Kind, bool) {
	best, bestKnown := Kind(0), 0
	for _, k := range Kinds {
		known, unknown := 0, 0
		have := make([]bool, len(sheets[k].cols))
		for _, h := range header {
			if strings.TrimSpace(h) == "" {
				continue
			}
			if c, ok := columnOf(k, h); ok {
				known++
				have[c] = true
			} else {
				unknown++
			}
		}
		complete := unknown == 0
		for c, col := range sheets[k].cols {
			complete = complete && (!col.required || have[c])
		}
		if complete {
			return k, true
		}
		if known > bestKnown {
			best, bestKnown = k, known
		}
	}
	// None fits: the one most headers belong to, for its problems to
	// explain what is missing; none at all if the headers are foreign
	// (the USCC alone does not make a sheet).
	return best, bestKnown > 1
}

// add reads one data row.
func (sr *sheetReader) add(row int, cells []string) error {
	b := sr.b
	if len(b.rows[sr.kind]) >= MaxRows {
		return fileError(ErrTooLarge, nil, "工作表“%s”超过%d行上限：请分成几个文件导入", "sheet %q has more than %d rows: split the file", sr.name, MaxRows)
	}
	b.file.Rows++
	r := rawRow{row: row, cells: make([]string, len(sheets[sr.kind].cols))}
	for i, cell := range cells {
		if i < len(sr.cols) && sr.cols[i] >= 0 {
			r.cells[sr.cols[i]] = cell
			continue
		}
		if strings.TrimSpace(cell) != "" && (i >= len(sr.cols) || sr.cols[i] == noHeader) {
			letter, _ := excelize.ColumnNumberToName(i + 1)
			r.extra = append(r.extra, Problem{Sheet: sr.name, Row: row, Column: letter, Problem: bilingual(
				fmt.Sprintf("%s列有内容但没有表头", letter), fmt.Sprintf("column %s has a value but no header", letter))})
		}
	}
	b.rows[sr.kind] = append(b.rows[sr.kind], r)
	return nil
}

// cellProblem is a problem with one cell, before the record's index in the
// firm is known.
type cellProblem struct {
	col int
	msg string
}

// record is a parsed row of one of the sheets other than 企业.
type record[T any] struct {
	row      int
	v        T
	problems []cellProblem
	extra    []Problem
}

// finish joins the rows of every sheet into firms by USCC.
func (b *builder) finish() (*File, error) {
	if !slices.Contains(b.file.present[:], true) {
		if b.file.Blocked {
			// Nothing in the file looks like a sheet of ours.
			return nil, fileError(ErrUnreadable, nil, "无法读取：文件中没有可识别的表，第一行应为导入模板的表头，如“统一社会信用代码”",
				"no sheet of the import template: the first row must be the template's header")
		}
		return nil, fileError(ErrUnreadable, nil, "文件中没有表头和数据", "the file holds no header and no data")
	}
	byUSCC := map[string]*Entry{}
	entry := func(uscc string) *Entry {
		e := byUSCC[uscc]
		if e == nil {
			e = &Entry{USCC: uscc, Firm: registry.Firm{USCC: uscc}}
			byUSCC[uscc] = e
			b.file.Firms = append(b.file.Firms, e)
		}
		return e
	}
	// usccOf reads the USCC of a row; an empty one is a problem of the
	// row, which joins no firm.
	usccOf := func(k Kind, r rawRow) (string, bool) {
		// NormalizeUSCC maps full-width characters itself.
		code := registry.NormalizeUSCC(r.cells[0])
		if code == "" && !b.file.columns[k][0] {
			// The missing column is the problem, reported once.
			return "", false
		}
		if code == "" {
			b.file.Problems = append(b.file.Problems, r.extra...)
			b.file.Problems = append(b.file.Problems, b.problem(k, r.row, "uscc", 0, bilingual("统一社会信用代码必填", "required")))
			return "", false
		}
		return code, true
	}

	for _, r := range b.rows[Firms] {
		code, ok := usccOf(Firms, r)
		if !ok {
			continue
		}
		e := entry(code)
		if e.Row > 0 {
			e.Problems = append(e.Problems, b.problem(Firms, r.row, "uscc", 0, bilingual(
				fmt.Sprintf("与第%d行是同一企业：每家企业只能有一行", e.Row), fmt.Sprintf("the same firm as row %d", e.Row))))
			continue
		}
		e.Row = r.row
		e.Problems = append(e.Problems, r.extra...)
		for c := 1; c < len(r.cells); c++ {
			col := &sheets[Firms].cols[c]
			if msg := col.set(&e.Firm, r.cells[c], b.date1904); msg != "" {
				e.Problems = append(e.Problems, b.problem(Firms, r.row, col.key, c, msg))
			}
		}
		e.Firm.USCC = code
	}

	years := groupRecords[registry.Year](b, Years, usccOf, entry)
	honors := groupRecords[registry.Honor](b, Honors, usccOf, entry)
	incidents := groupRecords[registry.Incident](b, Incidents, usccOf, entry)
	for _, e := range b.file.Firms {
		ys := years[e.USCC]
		// Years are stored sorted; sorting here keeps the validator's
		// years[i] pointing at the right row.
		slices.SortStableFunc(ys, func(a, b record[registry.Year]) int { return a.v.Year - b.v.Year })
		for i, r := range ys {
			e.Firm.Years = append(e.Firm.Years, r.v)
			e.YearRows = append(e.YearRows, r.row)
			b.addRecordProblems(e, Years, i, r.row, r.problems, r.extra)
		}
		for i, r := range honors[e.USCC] {
			e.Firm.Honors = append(e.Firm.Honors, r.v)
			e.HonorRows = append(e.HonorRows, r.row)
			b.addRecordProblems(e, Honors, i, r.row, r.problems, r.extra)
		}
		for i, r := range incidents[e.USCC] {
			if e.Firm.Compliance == nil {
				e.Firm.Compliance = &registry.Compliance{}
			}
			e.Firm.Compliance.Incidents = append(e.Firm.Compliance.Incidents, r.v)
			e.IncidentRows = append(e.IncidentRows, r.row)
			b.addRecordProblems(e, Incidents, i, r.row, r.problems, r.extra)
		}
		if b.file.present[Firms] && e.Row == 0 {
			k, row := e.firstRow()
			e.Problems = append(e.Problems, b.problem(k, row, "uscc", 0, bilingual(
				fmt.Sprintf("“%s”表中没有该企业：请先在“%s”表中填写它的一行", b.file.names[Firms], b.file.names[Firms]),
				"no row for this firm in the firms sheet")))
		}
		prune(&e.Firm)
	}
	return b.file, nil
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// groupRecords parses the rows of sheet k and groups them by USCC, creating
// the firms they name.
func groupRecords[T any](b *builder, k Kind, usccOf func(Kind, rawRow) (string, bool), entry func(string) *Entry) map[string][]record[T] {
	out := map[string][]record[T]{}
	for _, r := range b.rows[k] {
		code, ok := usccOf(k, r)
		if !ok {
			continue
		}
		entry(code)
		rec := record[T]{row: r.row, extra: r.extra}
		for c := 1; c < len(r.cells); c++ {
			col := &sheets[k].cols[c]
			if msg := col.set(&rec.v, r.cells[c], b.date1904); msg != "" {
				rec.problems = append(rec.problems, cellProblem{c, msg})
			}
		}
		out[code] = append(out[code], rec)
	}
	return out
}

func (b *builder) addRecordProblems(e *Entry, k Kind, i, row int, ps []cellProblem, extra []Problem) {
	e.Problems = append(e.Problems, extra...)
	for _, p := range ps {
		field := fmt.Sprintf("%s[%d].%s", sheets[k].path, i, sheets[k].cols[p.col].key)
		e.Problems = append(e.Problems, b.problem(k, row, field, p.col, p.msg))
	}
}

// problem locates a problem in sheet k: row, and the header of column col.
func (b *builder) problem(k Kind, row int, field string, col int, msg string) Problem {
	return Problem{Sheet: b.file.name(k), Row: row, Field: field, Column: b.file.header(k, col), Problem: msg}
}

// prune drops empty niche and IP blocks, which mean the same as absent
// ones. An empty compliance block is kept: it says the incident list is
// complete (none), which is not the same as unknown.
func prune(f *registry.Firm) {
	if f.Niche != nil && *f.Niche == (registry.Niche{}) {
		f.Niche = nil
	}
	if f.IP != nil && *f.IP == (registry.IP{}) {
		f.IP = nil
	}
}
