package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/schollz/progressbar/v3"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/native"
	"github.com/peiyu/peiyu/rules/screening"
	"github.com/peiyu/peiyu/seeds"
)

// benchReport is the one-line JSON of peiyu bench --json.
type benchReport struct {
	Firms            int     `json:"firms"`
	ScanSeconds      float64 `json:"scan_seconds"`
	ScreenSeconds    float64 `json:"screen_seconds"`
	ScreenVsScan     float64 `json:"screen_vs_scan"`
	EngineNsPerFirm  float64 `json:"engine_ns_per_firm"`
	NativeNsPerFirm  float64 `json:"native_ns_per_firm"`
	EngineVsNative   float64 `json:"engine_vs_native"`
	Programs         int     `json:"programs"`
	LoadSeconds      float64 `json:"load_seconds"`
	ScreenFirmsPerS  float64 `json:"screen_firms_per_second"`
	Store            string  `json:"store"`
	EngineProgram    string  `json:"engine_program"`
	EngineSampleSize int     `json:"engine_sample"`
}

// runBench measures capacity on a fresh database of synthetic firms: a bare
// cursor scan decoding every firm, a full screening of every program with
// results written, and the engine against the same criteria hand-written in
// Go (tech-sme@2017, with traces).
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	var n int
	var asJSON, quiet bool
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&n, "firms", 20000, "synthetic firms to generate")
	fs.BoolVar(&asJSON, "json", false, "print one JSON line instead of the table")
	fs.BoolVar(&quiet, "quiet", false, "no progress output")
	var cpuProfile string
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the screening phase to this file (go tool pprof)")
	storageFlags(fs, &cfg, getenv)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if n < 1 || n > seeds.MaxFirms {
		return fmt.Errorf("--firms %d: want 1 to %d", n, seeds.MaxFirms)
	}
	// A fresh database: a temporary data directory for the embedded
	// server (unless one was given), a new database name either way.
	if cfg.MongoURI == "" && !flagSet(fs, "data-dir") {
		dir, err := os.MkdirTemp("", "peiyu-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
	}
	cfg.DB = "peiyu_bench_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:8]
	if cfg.LogLevel == "info" {
		cfg.LogLevel = "warn"
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
	defer func() { _ = db.Store.Drop(context.WithoutCancel(ctx)) }()
	if err := db.Store.EnsureIndexes(ctx); err != nil {
		return err
	}
	progress := func(desc string, max int) *progressbar.ProgressBar {
		if quiet {
			return progressbar.DefaultSilent(int64(max))
		}
		return progressbar.NewOptions(max, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	rep := benchReport{Firms: n, Store: db.Where}

	bar := progress("生成企业 generating", n)
	start := time.Now()
	last := 0
	if _, err := seeds.LoadProgress(ctx, db.Store, n, 1, func(done int) { _ = bar.Add(done - last); last = done }); err != nil {
		return err
	}
	_ = bar.Finish()
	rep.LoadSeconds = time.Since(start).Seconds()
	if err := db.Store.EnsureIndexes(ctx); err != nil { // the embedded _id index, now that the rows exist
		return err
	}

	// 1. A bare cursor scan decoding every firm; keep a sample for the
	// engine measurement.
	const sampleSize = 2000
	var sample []registry.Firm
	seen := 0
	start = time.Now()
	err = db.Store.ScanFirms(ctx, registry.FirmFilter{}, func(r *registry.Record) error {
		seen++
		if len(sample) < sampleSize {
			sample = append(sample, r.Firm)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rep.ScanSeconds = time.Since(start).Seconds()
	if seen != n {
		return fmt.Errorf("scan saw %d firms, want %d", seen, n)
	}

	// 2. A full screening of every program, results written.
	asOf := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	bar = progress("筛查 screening", n)
	runner := screening.New(db.Store, rules.NewHolder(eng), screening.Config{ScanMode: db.embedded != nil, Logger: log, Natives: natives(db.Store),
		Progress: func(_ string, k int) { _ = bar.Add(k) }})
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	start = time.Now()
	sc, err := runner.Create(ctx, screening.Request{AsOf: asOf, By: "bench"}, time.Now())
	if err != nil {
		return err
	}
	if err := runner.Work(ctx, sc.ID); err != nil {
		return err
	}
	rep.ScreenSeconds = time.Since(start).Seconds()
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	_ = bar.Finish()
	sc, err = db.Store.GetScreening(ctx, sc.ID)
	if err != nil {
		return err
	}
	if sc.Status != registry.ScreeningDone || sc.Done != n {
		return fmt.Errorf("screening ended %s with %d of %d firms", sc.Status, sc.Done, n)
	}
	rep.Programs = len(sc.Programs)
	rep.ScreenVsScan = rep.ScreenSeconds / rep.ScanSeconds
	rep.ScreenFirmsPerS = float64(n) / rep.ScreenSeconds

	// 3. The engine against hand-written Go on the same firms.
	prog, ok := eng.Program("tech-sme@2017")
	if !ok {
		return fmt.Errorf("tech-sme@2017 is not loaded")
	}
	rep.EngineProgram, rep.EngineSampleSize = "tech-sme@2017", len(sample)
	rep.EngineNsPerFirm = perFirm(sample, func(f *registry.Firm) {
		_ = prog.Evaluate(rules.NewEnv(f, asOf), rules.Options{})
	})
	rep.NativeNsPerFirm = perFirm(sample, func(f *registry.Firm) { _ = native.TechSME(f, asOf) })
	rep.EngineVsNative = rep.EngineNsPerFirm / rep.NativeNsPerFirm

	if asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "store\t%s\n", rep.Store)
	fmt.Fprintf(tw, "firms\t%d (generated in %.1fs)\n", n, rep.LoadSeconds)
	fmt.Fprintf(tw, "bare scan\t%.2fs\t(%.0f firms/s)\n", rep.ScanSeconds, float64(n)/rep.ScanSeconds)
	fmt.Fprintf(tw, "screening (%d programs, results written)\t%.2fs\t(%.0f firms/s)\n", rep.Programs, rep.ScreenSeconds, rep.ScreenFirmsPerS)
	fmt.Fprintf(tw, "screening ÷ scan\t%.2f×\ttarget ≤ 2×\n", rep.ScreenVsScan)
	fmt.Fprintf(tw, "engine, tech-sme@2017 with traces\t%.0f ns/firm\n", rep.EngineNsPerFirm)
	fmt.Fprintf(tw, "hand-written Go, same trace\t%.0f ns/firm\n", rep.NativeNsPerFirm)
	fmt.Fprintf(tw, "engine ÷ hand-written\t%.2f×\ttarget ≤ 10×\n", rep.EngineVsNative)
	return tw.Flush()
}

// perFirm times fn over the sample, repeating it for at least a second, and
// returns nanoseconds per firm.
func perFirm(sample []registry.Firm, fn func(*registry.Firm)) float64 {
	if len(sample) == 0 {
		return 0
	}
	calls := 0
	start := time.Now()
	for time.Since(start) < time.Second {
		for i := range sample {
			fn(&sample[i])
		}
		calls += len(sample)
	}
	return float64(time.Since(start).Nanoseconds()) / float64(calls)
}

// flagSet reports whether a flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
