package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/sheet"
)

var (
	regionFlagRE   = regexp.MustCompile(`^[0-9]{6}$`)
	industryFlagRE = regexp.MustCompile(`^[A-T][0-9]{0,4}$`)
)

// runExport writes the registry's firms (optionally filtered) to an XLSX
// workbook in the import layout, which `peiyu import` reads back
// unchanged, or one sheet of it as CSV. The file is written under a
// temporary name and renamed, so a failed export leaves no half file.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	var ff registry.FirmFilter
	var out, sheetName string
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&out, "out", "", "output file: FILE.xlsx (every sheet) or FILE.csv (one sheet)")
	fs.StringVar(&ff.RegionCode, "region", "", "region code (a city code covers its counties)")
	fs.StringVar(&ff.Chain, "chain", "", "industry chain")
	fs.StringVar(&ff.IndustryCode, "industry", "", "industry code prefix (GB/T 4754), e.g. C35")
	fs.StringVar(&sheetName, "sheet", "firms", "for CSV: the sheet, firms, years, honors or incidents")
	storageFlags(fs, &cfg, getenv)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	ext := strings.ToLower(filepath.Ext(out))
	kind, ok := sheet.ParseKind(sheetName)
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case out == "" || ext != ".xlsx" && ext != ".csv":
		return fmt.Errorf("--out FILE.xlsx or FILE.csv is required")
	case !ok:
		return fmt.Errorf("--sheet %q: want firms, years, honors or incidents", sheetName)
	case ff.RegionCode != "" && !regionFlagRE.MatchString(ff.RegionCode):
		return fmt.Errorf("--region %q: want a 6-digit division code", ff.RegionCode)
	case ff.IndustryCode != "" && !industryFlagRE.MatchString(ff.IndustryCode):
		return fmt.Errorf("--industry %q: want a GB/T 4754 code such as C35", ff.IndustryCode)
	}

	db, _, err := openDatabase(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	start := time.Now()
	var firms []registry.Firm
	if err := db.Store.ScanFirms(ctx, ff, func(r *registry.Record) error {
		firms = append(firms, r.Firm)
		return nil
	}); err != nil {
		return err
	}
	slices.SortFunc(firms, func(a, b registry.Firm) int { return strings.Compare(a.USCC, b.USCC) })
	if err := writeAtomically(out, func(w io.Writer) error {
		if ext == ".csv" {
			return sheet.WriteCSV(w, kind, firms)
		}
		return sheet.WriteXLSX(w, firms)
	}); err != nil {
		return err
	}
	what := "every sheet"
	if ext == ".csv" {
		what = "sheet " + kind.Name()
	}
	fmt.Fprintf(stdout, "exported %d firms (%s) to %s in %s\n", len(firms), what, out, time.Since(start).Round(time.Millisecond))
	return nil
}

// writeAtomically writes path through a temporary file in its directory.
func writeAtomically(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file private; an export is an ordinary file.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
