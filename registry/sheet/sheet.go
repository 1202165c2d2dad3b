// Package sheet is the spreadsheet form of the firm profile (SPEC §3) for
// import and export: one workbook of four sheets with Chinese headers —
// 企业 (one row per firm), 财务年度 (one row per firm and fiscal year),
// 资质荣誉 (one row per honor) and 合规事件 (one row per incident) — joined
// by the USCC, plus a 填写说明 sheet describing every column. A CSV file
// holds one of those sheets, recognised by its headers.
//
// One column table (columns.go) drives the template, the parser and the
// export, so the three cannot drift apart: an export parses back to the
// same firms. Parse turns a file into firms and row problems (sheet, row,
// Chinese column header); Apply validates each firm, maps the validator's
// field paths back to the cells they came from, and upserts the good firms
// through a Store, each firm one write. The package knows no database and no
// HTTP: the store and the API plug in through the Store interface.
package sheet

import (
	"errors"
	"fmt"

	"github.com/peiyu/peiyu/registry"
)

// Limits on what Parse accepts.
const (
	// MaxRows bounds the data rows of one sheet (a CSV file is one sheet).
	MaxRows = 50_000
	// MaxColumns bounds the header of a sheet.
	MaxColumns = 100
	// MaxUnzippedBytes bounds the uncompressed size of every part of an
	// XLSX file together, so a small zip bomb is refused before it is
	// inflated. Go's zip reader refuses entries that inflate past their
	// declared size, so the declared sizes can be trusted.
	MaxUnzippedBytes = 128 << 20
	// maxInMemoryXML is the size above which excelize inflates a worksheet
	// to a temporary file instead of memory.
	maxInMemoryXML = 16 << 20
	// maxCellRunes bounds one cell; the validator has tighter limits for
	// the fields that reach the profile.
	maxCellRunes = 1000
)

// Errors of Parse for a file that cannot be read at all. Both come as a
// *FileError with a bilingual message for the user.
var (
	// ErrUnreadable: not an XLSX or CSV file, or a damaged or encrypted one.
	ErrUnreadable = errors.New("unreadable spreadsheet")
	// ErrTooLarge: more rows than MaxRows, or an XLSX file that inflates
	// past MaxUnzippedBytes.
	ErrTooLarge = errors.New("spreadsheet too large")
)

// FileError is why a whole file was refused. It matches its Kind
// (ErrUnreadable or ErrTooLarge) under errors.Is.
type FileError struct {
	Kind error
	// Message is for people: Chinese first, English in parentheses.
	Message string
	cause   error
}

func (e *FileError) Error() string {
	if e.cause != nil {
		return e.Kind.Error() + ": " + e.Message + ": " + e.cause.Error()
	}
	return e.Kind.Error() + ": " + e.Message
}

// Is matches the error's kind.
func (e *FileError) Is(target error) bool { return target == e.Kind }

// Unwrap returns the underlying cause, if any.
func (e *FileError) Unwrap() error { return e.cause }

func fileError(kind error, cause error, zh, en string, args ...any) *FileError {
	return &FileError{Kind: kind, Message: fmt.Sprintf(zh, args...) + " (" + fmt.Sprintf(en, args...) + ")", cause: cause}
}

// Problem is one thing wrong with a file, located as a clerk finds it: the
// sheet, the row number shown by the spreadsheet program (1 is the header
// row), and the Chinese column header. Field is the firm-profile path the
// validator names ("years[1].tech_staff"), empty for a problem of the
// layout. Problem says what is wrong, Chinese first with the English after
// it.
type Problem struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Column  string `json:"column"`
	Problem string `json:"problem"`
}

func bilingual(zh, en string) string { return zh + " (" + en + ")" }

// File is a parsed spreadsheet: the firms it describes, grouped by USCC in
// the order they first appear, and the problems that belong to no firm
// (headers, rows without a USCC).
type File struct {
	// Format is "xlsx" or "csv".
	Format string
	// Rows counts the non-empty data rows of every sheet.
	Rows int
	// Firms are the file's firms, each with its own problems.
	Firms []*Entry
	// Problems are those of the layout and of rows that name no firm.
	Problems []Problem
	// Blocked is set by a problem of the layout (an unknown or repeated
	// header, a missing required column, an unknown sheet): the file is
	// not what it seems, so Apply writes none of its firms.
	Blocked bool

	// present says which sheets the file has; columns which columns of
	// each sheet (by column index); names the sheets' names and headers
	// the columns' headers as the file spells them.
	present [numKinds]bool
	columns [numKinds][]bool
	names   [numKinds]string
	headers [numKinds][]string
}

// Has reports whether the file has the sheet of kind k.
func (f *File) Has(k Kind) bool { return f.present[k] }

// Entry is one firm of a file: the profile its rows make, where each part
// came from, and the problems found while reading them.
type Entry struct {
	USCC string
	// Firm holds what the file says. Parts the file lacks (a sheet it does
	// not have, a column of 企业 it does not have) are filled in from the
	// stored firm by Apply.
	Firm registry.Firm
	// Row is the firm's row in 企业, 0 when it has none.
	Row int
	// YearRows, HonorRows and IncidentRows are the rows of Firm.Years,
	// Firm.Honors and Firm.Compliance.Incidents, index for index.
	YearRows, HonorRows, IncidentRows []int
	Problems                          []Problem
}

// firstRow is where a problem of the whole firm is shown: its 企业 row, else
// its first row in another sheet.
func (e *Entry) firstRow() (Kind, int) {
	switch {
	case e.Row > 0:
		return Firms, e.Row
	case len(e.YearRows) > 0:
		return Years, e.YearRows[0]
	case len(e.HonorRows) > 0:
		return Honors, e.HonorRows[0]
	case len(e.IncidentRows) > 0:
		return Incidents, e.IncidentRows[0]
	}
	return Firms, 0
}
