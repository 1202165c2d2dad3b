package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/sheet"
)

// maxImportFile bounds the file `peiyu import` reads into memory; the
// parser bounds rows and the inflated size.
const maxImportFile = 64 << 20

// errRowsFailed makes `peiyu import` exit 1 once it has printed the
// problems.
var errRowsFailed = errors.New("some rows were not imported (see the problems above)")

// runImport imports an XLSX or CSV file of firms, as POST
// /api/v1/firms/import does, in this process: a progress bar on stderr,
// then the counts and every problem on stdout. It exits 1 when any row
// has a problem. The import is audited as firm.import (method CLI).
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	var dryRun, quiet bool
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: peiyu import FILE.xlsx|FILE.csv [--dry-run] [flags]")
		fs.PrintDefaults()
	}
	fs.BoolVar(&dryRun, "dry-run", false, "validate and count, write nothing")
	fs.BoolVar(&quiet, "quiet", false, "no progress bar")
	storageFlags(fs, &cfg, getenv)
	path, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	data, err := readImportFile(path)
	if err != nil {
		return err
	}
	start := time.Now()
	file, err := sheet.Parse(data)
	if err != nil {
		var fe *sheet.FileError
		if errors.As(err, &fe) {
			return fmt.Errorf("%s: %s", path, fe.Message)
		}
		return fmt.Errorf("%s: %w", path, err)
	}

	db, log, err := openDatabase(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	if err := db.Store.EnsureIndexes(ctx); err != nil {
		return err
	}
	var bar *progressbar.ProgressBar
	if !quiet && len(file.Firms) > 0 {
		desc := "导入 importing"
		if dryRun {
			desc = "校验 checking"
		}
		bar = progressbar.NewOptions(len(file.Firms),
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("firms"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	o := sheet.Options{DryRun: dryRun}
	if bar != nil {
		o.Progress = func(n int) { _ = bar.Set(n) }
	}
	rep, err := sheet.Apply(ctx, db.Store, file, o)
	if bar != nil {
		_ = bar.Finish()
	}
	if !dryRun {
		outcome := 200
		if err != nil {
			outcome = 503
		}
		e := registry.AuditEntry{KeyName: "peiyu import (CLI)", Role: registry.RoleAdmin, Action: "firm.import",
			Outcome: outcome, Method: "CLI", Path: "peiyu import " + filepath.Base(path)}
		if aerr := db.Store.AppendAudit(ctx, e); aerr != nil {
			log.Error("audit write failed", "action", e.Action, "error", aerr)
		}
	}
	printImport(stdout, path, rep, time.Since(start))
	if err != nil {
		return fmt.Errorf("%w; the firms imported so far are complete: run the same import again to finish", err)
	}
	if rep.Failed > 0 || len(rep.Problems) > 0 {
		return errRowsFailed
	}
	return nil
}

// parseWithFile parses flags that may come before or after the one
// positional FILE argument.
func parseWithFile(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", errUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return "", errUsage
	}
	path := rest[0]
	if err := fs.Parse(rest[1:]); err != nil {
		return "", errUsage
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return "", errUsage
	}
	return path, nil
}

func readImportFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImportFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxImportFile {
		return nil, fmt.Errorf("%s: 文件超过 %d MiB 上限，请分成几个文件导入 (file exceeds %d MiB)", path, maxImportFile>>20, maxImportFile>>20)
	}
	return data, nil
}

// printImport prints an import's counts and problems.
func printImport(w io.Writer, path string, rep sheet.Report, took time.Duration) {
	verb := "imported"
	if rep.DryRun {
		verb = "checked (dry run, nothing written)"
	}
	fmt.Fprintf(w, "%s %s: %d rows, %d firms, %s\n", verb, path, rep.Rows, rep.Firms, took.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "新增 created\t更新 updated\t无变化 unchanged\t未导入 failed\t")
	fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t\n", rep.Created, rep.Updated, rep.Unchanged, rep.Failed)
	_ = tw.Flush()
	if len(rep.Problems) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d problems:\n", len(rep.Problems))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "工作表 sheet\t行 row\t列 column\t问题 problem")
	for _, p := range rep.Problems {
		col := p.Column
		if col == "" {
			col = "—"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", p.Sheet, p.Row, col, p.Problem)
	}
	_ = tw.Flush()
}
