package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/sheet"
)

// Spreadsheets: the import template, import and export of firms in the
// workbook layout of package sheet (企业, 财务年度, 资质荣誉, 合规事件). The
// import's body may reach MaxImportBytes (requestContext).

// maxReportProblems bounds the problems listed in an import's answer;
// problems_total says how many there were.
const maxReportProblems = 1000

// importReport is the answer of POST /firms/import.
type importReport struct {
	sheet.Report
	ProblemsTotal int `json:"problems_total"`
}

// fileTooLarge is the answer for a body past MaxImportBytes; the message
// is derived from the constant so the two cannot disagree.
func fileTooLarge() *Error {
	mib := strconv.Itoa(MaxImportBytes >> 20)
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
		Message: "文件过大，上限为 " + mib + " MiB：请分成几个文件导入 (file exceeds " + mib + " MiB: split it)",
		Details: []registry.Problem{{Field: "file", Problem: "文件过大，上限为 " + mib + " MiB (file exceeds " + mib + " MiB)"}}}
}

// fileProblem is the answer for a file that cannot be read: 400 naming
// field "file", or 413 for one that is too large.
func fileProblem(err error) *Error {
	var fe *sheet.FileError
	msg := "无法读取上传的文件 (cannot read the uploaded file)"
	if errors.As(err, &fe) {
		msg = fe.Message
	}
	status, code := http.StatusBadRequest, CodeBadRequest
	if errors.Is(err, sheet.ErrTooLarge) {
		status, code = http.StatusRequestEntityTooLarge, CodeTooLarge
	}
	return &Error{Status: status, Code: code, Message: msg, Details: []registry.Problem{{Field: "file", Problem: msg}}}
}

// uploadTypes are the media types of a raw upload body. Browsers on
// Windows call a CSV file application/vnd.ms-excel; the content decides.
var uploadTypes = []string{sheet.ContentTypeXLSX, "text/csv", "application/csv", "text/plain",
	"application/vnd.ms-excel", "application/octet-stream"}

// readUpload reads the uploaded file: the part "file" of a
// multipart/form-data body, or the whole body sent as XLSX or CSV.
func readUpload(c *gin.Context) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var r io.Reader
	switch {
	case err == nil && mt == "multipart/form-data":
		mr, err := c.Request.MultipartReader()
		if err != nil {
			return nil, badRequest("file", "multipart/form-data 请求体有误", "malformed multipart body")
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return nil, badRequest("file", "缺少上传文件：表单字段应为 file", "no form field named file")
			}
			if err != nil {
				return nil, uploadError(err)
			}
			if part.FormName() == "file" {
				r = part
				break
			}
			if _, err := io.Copy(io.Discard, part); err != nil {
				return nil, uploadError(err)
			}
		}
	case err == nil && slices.Contains(uploadTypes, mt):
		r = c.Request.Body
	default:
		return nil, &Error{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedMedia,
			Message: "请以 multipart/form-data（字段 file）上传，或直接发送 XLSX（Content-Type: " + sheet.ContentTypeXLSX + "）或 CSV（text/csv）文件 (upload a file as multipart field file, or send XLSX or CSV)"}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, uploadError(err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, badRequest("file", "上传的文件为空", "the file is empty")
	}
	return data, nil
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fileTooLarge()
	}
	return badRequest("file", "读取上传文件失败", "cannot read the upload")
}

// handleImportTemplate sends the import template: the workbook layout with
// one example firm, which imports as it is.
func (s *Server) handleImportTemplate(c *gin.Context) {
	if !allowQuery(c) {
		return
	}
	var buf bytes.Buffer
	if err := sheet.WriteTemplate(&buf); err != nil {
		writeError(c, err)
		return
	}
	sendFile(c, "peiyu-import-template.xlsx", sheet.ContentTypeXLSX, buf.Bytes())
}

func sendFile(c *gin.Context, name, contentType string, data []byte) {
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, contentType, data)
}

// handleFirmImport imports an XLSX or CSV file of firms: every row is
// validated, the firms without problems are upserted by USCC (unchanged
// ones are not rewritten), and the answer reports each problem by sheet,
// row and column. ?dry_run=true validates and counts without writing. A
// staff key imports firms of its region only: others are refused as row
// problems. A file that cannot be read is 400 (413 when too large),
// naming field "file".
func (s *Server) handleFirmImport(c *gin.Context) {
	if !allowQuery(c, "dry_run") {
		return
	}
	dryRun := false
	if v := c.Query("dry_run"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(c, badRequest("dry_run", "dry_run 应为 true 或 false", "must be true or false"))
			return
		}
		dryRun = b
	}
	st, ok := s.cfg.Firms.(sheet.Store)
	if !ok {
		writeError(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "导入功能未启用 (import is not configured)"})
		return
	}
	data, err := readUpload(c)
	if err != nil {
		writeError(c, err)
		return
	}
	start := time.Now()
	file, err := sheet.Parse(data)
	if err != nil {
		writeError(c, fileProblem(err))
		return
	}
	o := sheet.Options{DryRun: dryRun, Now: s.cfg.Now()}
	if k := apiKey(c); k != nil && k.Role == registry.RoleStaff {
		o.Region = k.Scope.RegionCode
	}
	// An import that has begun runs to its end even if the client leaves:
	// each firm is written whole either way, but a finished import is the
	// one the audit entry and the answer describe.
	rep, err := sheet.Apply(context.WithoutCancel(c.Request.Context()), st, file, o)
	logger(c).LogAttrs(c.Request.Context(), slog.LevelInfo, "firm import",
		slog.String("request_id", c.GetString(ctxRequestID)), slog.String("format", file.Format),
		slog.Bool("dry_run", dryRun), slog.Int("rows", rep.Rows), slog.Int("firms", rep.Firms),
		slog.Int("created", rep.Created), slog.Int("updated", rep.Updated), slog.Int("unchanged", rep.Unchanged),
		slog.Int("failed", rep.Failed), slog.Duration("duration", time.Since(start)), slog.Any("error", err))
	if err != nil {
		if errors.Is(err, registry.ErrUnavailable) {
			writeError(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
				Message: "导入中断：数据库暂时不可用。已导入 " + strconv.Itoa(rep.Created+rep.Updated+rep.Unchanged) +
					" 家企业，均已完整写入；请稍后重新导入同一文件完成其余部分 (import interrupted: the database is unavailable; the firms written so far are complete, import the same file again to finish)"})
			return
		}
		writeError(c, err)
		return
	}
	out := importReport{Report: rep, ProblemsTotal: len(rep.Problems)}
	if len(out.Problems) > maxReportProblems {
		out.Problems = out.Problems[:maxReportProblems]
	}
	c.JSON(http.StatusOK, out)
}

// handleFirmExport sends every firm the filters of GET /firms select (page
// and limit aside), sorted by USCC: as XLSX, the workbook layout of the
// import template, which imports back unchanged; as CSV, one sheet, chosen
// with ?sheet= (firms, years, honors or incidents; firms by default).
func (s *Server) handleFirmExport(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		kind := sheet.Firms
		if format == "csv" {
			q := c.Request.URL.Query()
			if vs, ok := q["sheet"]; ok {
				k, ok := sheet.ParseKind(vs[0])
				if len(vs) != 1 || !ok {
					writeError(c, badRequest("sheet", "sheet 应为 firms、years、honors 或 incidents（或中文表名）", "must be firms, years, honors or incidents"))
					return
				}
				kind = k
				q.Del("sheet")
				c.Request.URL.RawQuery = q.Encode()
			}
		}
		ff, _, err := parseFirmFilter(c)
		if err != nil {
			writeError(c, err)
			return
		}
		now := s.cfg.Now()
		var firms []registry.Firm
		err = s.cfg.Firms.ScanFirms(c.Request.Context(), ff, func(r *registry.Record) error {
			// The scan ignores the honor filter: applied here, as the
			// listing does.
			if ff.Honor == "" || r.Firm.Holds(ff.Honor, "", now) {
				firms = append(firms, r.Firm)
			}
			return nil
		})
		if err != nil {
			writeError(c, err)
			return
		}
		slices.SortFunc(firms, func(a, b registry.Firm) int { return strings.Compare(a.USCC, b.USCC) })
		name := "firms-" + now.Format("20060102")
		if ff.RegionCode != "" {
			name = "firms-" + ff.RegionCode + "-" + now.Format("20060102")
		}
		var buf bytes.Buffer
		contentType := sheet.ContentTypeXLSX
		switch format {
		case "csv":
			err = sheet.WriteCSV(&buf, kind, firms)
			if kind != sheet.Firms {
				name += "-" + kind.Key()
			}
			name += ".csv"
			contentType = "text/csv; charset=utf-8"
		default:
			err = sheet.WriteXLSX(&buf, firms)
			name += ".xlsx"
		}
		if err != nil {
			writeError(c, err)
			return
		}
		sendFile(c, name, contentType, buf.Bytes())
	}
}
