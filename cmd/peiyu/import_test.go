package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/peiyu/peiyu/registry/sheet"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/seeds"
)

// TestImportExportCommands drives `peiyu import` and `peiyu export` on one
// data directory: the template imports, a second import changes nothing,
// an export imports back unchanged, bad rows are printed and exit 1 while
// the good ones land, and a dry run writes nothing.
func TestImportExportCommands(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	env := map[string]string{}
	if u := os.Getenv(storetest.EnvURI); u != "" {
		env["PEIYU_MONGODB_URI"] = u
		env["PEIYU_DB"] = storetest.DBName(t)
	}
	peiyu := func(args ...string) (string, error) {
		t.Helper()
		var out, errOut strings.Builder
		args = append(args, "--data-dir", dir, "--log-level", "warn")
		err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
		return out.String(), err
	}
	// counts reads the created, updated, unchanged and failed columns.
	counts := func(out string) string {
		t.Helper()
		lines := strings.Split(out, "\n")
		for i, l := range lines {
			if strings.Contains(l, "新增 created") && i+1 < len(lines) {
				return strings.Join(strings.Fields(lines[i+1]), " ")
			}
		}
		t.Fatalf("no counts in:\n%s", out)
		return ""
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	var tmpl bytes.Buffer
	if err := sheet.WriteTemplate(&tmpl); err != nil {
		t.Fatal(err)
	}
	tmplPath := write("template.xlsx", tmpl.Bytes())
	out, err := peiyu("import", tmplPath, "--quiet")
	if err != nil || counts(out) != "1 0 0 0" || !strings.Contains(out, "8 rows, 1 firms") {
		t.Fatalf("import template: %v\n%s", err, out)
	}
	if out, err = peiyu("import", "--quiet", tmplPath); err != nil || counts(out) != "0 0 1 0" {
		t.Fatalf("import template again: %v\n%s", err, out)
	}

	// Firms of two regions; the export of one region imports unchanged.
	var demo bytes.Buffer
	firms := seeds.Generate(30, 31)
	_ = sheet.WriteXLSX(&demo, firms)
	if out, err = peiyu("import", write("demo.xlsx", demo.Bytes()), "--quiet"); err != nil || counts(out) != "30 0 0 0" {
		t.Fatalf("import demo: %v\n%s", err, out)
	}
	inRegion := 0
	for _, f := range firms {
		if f.RegionCode == "431202" {
			inRegion++
		}
	}
	exported := filepath.Join(files, "hecheng.xlsx")
	if out, err = peiyu("export", "--region", "431202", "--out", exported); err != nil || !strings.Contains(out, "exported ") {
		t.Fatalf("export: %v %s", err, out)
	}
	data, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	file, err := sheet.Parse(data)
	// The template's example firm is in 431202 too.
	if err != nil || len(file.Firms) != inRegion+1 {
		t.Fatalf("export holds %d firms (%v), want %d", len(file.Firms), err, inRegion+1)
	}
	if out, err = peiyu("import", exported, "--quiet"); err != nil || counts(out) != "0 0 "+strconv.Itoa(inRegion+1)+" 0" {
		t.Fatalf("import the export: %v\n%s", err, out)
	}
	csvOut := filepath.Join(files, "years.csv")
	if out, err = peiyu("export", "--out", csvOut, "--sheet", "years"); err != nil || !strings.Contains(out, "sheet 财务年度") {
		t.Fatalf("export years CSV: %v %s", err, out)
	}

	// A CSV with one bad row: the problem is printed, exit 1, the good
	// firm lands. A dry run of it writes nothing.
	bad := firms[1].USCC
	csv := "统一社会信用代码,企业名称,所属区县代码\n" + bad + ",改名有限公司,4312\n"
	csvPath := write("bad.csv", []byte(csv))
	out, err = peiyu("import", csvPath, "--quiet", "--dry-run")
	if !errors.Is(err, errRowsFailed) || counts(out) != "0 0 0 1" || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run of a bad file: %v\n%s", err, out)
	}
	csv += seeds.Generate(31, 31)[30].USCC + ",新企业有限公司,431202\n"
	out, err = peiyu("import", write("mixed.csv", []byte(csv)), "--quiet")
	if !errors.Is(err, errRowsFailed) || counts(out) != "1 0 0 1" ||
		!strings.Contains(out, "所属区县代码") || !strings.Contains(out, "行政区划代码应为6位数字") {
		t.Fatalf("import of a file with a bad row: %v\n%s", err, out)
	}

	if _, err := peiyu("import", write("junk.csv", []byte("\x00\x01binary"))); err == nil || !strings.Contains(err.Error(), "不是 XLSX 或 CSV") {
		t.Errorf("import of a binary file: %v", err)
	}
	if _, err := peiyu("import"); !errors.Is(err, errUsage) {
		t.Errorf("import without a file: %v", err)
	}
	if _, err := peiyu("export", "--out", "x.pdf"); err == nil {
		t.Error("export to .pdf succeeded")
	}
}
