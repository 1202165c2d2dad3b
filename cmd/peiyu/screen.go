package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/screening"
)

// runScreen screens the registry from the command line: the same job the
// API queues, worked in this process with a progress bar, then a summary
// table. The job and its results stay in the database like any other.
func runScreen(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	var programs, asOf string
	var filter registry.ScreeningFilter
	var quiet bool
	fs := flag.NewFlagSet("screen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&programs, "programs", "", "comma-separated programs (id or id@edition); empty means all")
	fs.StringVar(&filter.RegionCode, "region", "", "region code (a city code covers its counties)")
	fs.StringVar(&filter.Chain, "chain", "", "industry chain")
	fs.StringVar(&filter.IndustryCode, "industry", "", "industry code prefix (GB/T 4754), e.g. C35")
	fs.StringVar(&asOf, "as-of", "", "evaluation date YYYY-MM-DD (default today)")
	fs.BoolVar(&quiet, "quiet", false, "no progress bar")
	storageFlags(fs, &cfg, getenv)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	if asOf != "" {
		d, err := registry.ParseDate(asOf)
		if err != nil {
			return fmt.Errorf("--as-of %q: want YYYY-MM-DD", asOf)
		}
		day = d
	}
	eng, err := rules.Default()
	if err != nil {
		return fmt.Errorf("rule packs: %w", err)
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
	runner := screening.New(db.Store, rules.NewHolder(eng), screening.Config{ScanMode: db.embedded != nil, Logger: log, Natives: natives(db.Store),
		Progress: func(_ string, n int) {
			if bar != nil {
				_ = bar.Add(n)
			}
		}})
	var sel []string
	for _, p := range strings.Split(programs, ",") {
		if p = strings.TrimSpace(p); p != "" {
			sel = append(sel, p)
		}
	}
	sc, err := runner.Create(ctx, screening.Request{Programs: sel, Filter: filter, AsOf: day, By: "cli"}, time.Now())
	if err != nil {
		return err
	}
	if !quiet {
		total := -1 // unknown: a spinner
		if filter == (registry.ScreeningFilter{}) {
			if n, err := db.Store.EstimateFirms(ctx); err == nil && n > 0 {
				total = int(n)
			}
		}
		bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("筛查 screening"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("firms"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	start := time.Now()
	if err := runner.Work(ctx, sc.ID); err != nil {
		return err
	}
	if bar != nil {
		_ = bar.Finish()
	}
	sc, err = db.Store.GetScreening(ctx, sc.ID)
	if err != nil {
		return err
	}
	if sc.Status != registry.ScreeningDone {
		return fmt.Errorf("screening %s ended %s: %s", sc.ID, sc.Status, sc.Error)
	}
	fmt.Fprintf(stdout, "screening %s: %d firms, %s, as of %s\n", sc.ID, sc.Total, time.Since(start).Round(time.Millisecond), sc.AsOf)
	printSummary(stdout, sc)
	return nil
}

// printSummary prints a job's counts, one program per line.
func printSummary(w io.Writer, sc registry.Screening) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "program\tedition\t符合 eligible\t待复核 needs_review\t不符合 ineligible\t数据不足 insufficient_data\t")
	keys := slices.Clone(sc.Programs)
	for _, k := range keys {
		id, edition, _ := strings.Cut(k, "@")
		m := sc.Summary[id]
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t\n", id, edition, m["eligible"], m["needs_review"], m["ineligible"], m["insufficient_data"])
	}
	_ = tw.Flush()
}
