package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/peiyu/peiyu/api"
	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/screening"
	"github.com/peiyu/peiyu/rules/whitelist"
	"github.com/peiyu/peiyu/seeds"
)

// demoSeed fixes the demo data set, so every demo shows the same firms.
const demoSeed = 1

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", envOr(getenv, "PEIYU_ADDR", "127.0.0.1:8080"), "listen address (env PEIYU_ADDR)")
	fs.BoolVar(&cfg.Demo, "demo", envBool(getenv, "PEIYU_DEMO"), "load demo firms when the registry is empty (env PEIYU_DEMO)")
	fs.IntVar(&cfg.DemoFirms, "demo-firms", 500, "how many demo firms --demo loads")
	var chunk int
	var lease time.Duration
	fs.IntVar(&chunk, "screening-chunk", 500, "firms per screening chunk")
	fs.DurationVar(&lease, "screening-lease", 30*time.Second, "how long a screening worker's claim holds without renewal; a crashed worker's chunks are taken over after it")
	var proxies string
	fs.StringVar(&proxies, "trusted-proxies", getenv("PEIYU_TRUSTED_PROXIES"), "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the client (env PEIYU_TRUSTED_PROXIES)")
	var debugAddr string
	fs.StringVar(&debugAddr, "debug-addr", getenv("PEIYU_DEBUG_ADDR"), "loopback address for Go's profiler (/debug/pprof/); empty serves none (env PEIYU_DEBUG_ADDR)")
	storageFlags(fs, &cfg, getenv)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if chunk < 1 || chunk > 100_000 || lease < time.Second {
		return fmt.Errorf("--screening-chunk %d, --screening-lease %s: want 1–100000 firms and at least 1s", chunk, lease)
	}
	trusted, err := trustedProxies(proxies)
	if err != nil {
		return err
	}
	// PEIYU_BOOTSTRAP_ADMIN_KEY, or with --demo a demo admin key: registered
	// once the database is up (/readyz waits for them), never logged.
	keys, err := newStartupKeys(getenv, cfg.Demo)
	if err != nil {
		return err
	}
	// Rule packs are compiled before anything else: a pack that does not
	// compile is a start-up error naming the file and line.
	eng, err := rules.Default()
	if err != nil {
		return fmt.Errorf("rule packs: %w", err)
	}
	db, log, err := openDatabase(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	log.Info("database", "where", db.Where, "db", cfg.DB)

	// A database that is down at start-up is not fatal: the service starts,
	// /readyz says 503, and indexes and demo data follow when it is back.
	prepared := make(chan struct{})
	go func() {
		defer close(prepared)
		prepareDatabase(ctx, db.Store, &cfg, log, keys)
	}()

	holder := rules.NewHolder(eng)
	// Revisions published from drafts replace the built-in packs: loaded
	// at once in the background (/readyz waits for it), then polled so
	// that replicas converge.
	packs := newPackReloader(db.Store, holder, log)
	packsCtx, stopPacks := context.WithCancel(ctx)
	packsDone := make(chan struct{})
	go func() {
		defer close(packsDone)
		packs.run(packsCtx, packPollInterval)
	}()
	defer func() { stopPacks(); <-packsDone }()
	// Screening jobs run in the background of every replica; on the
	// embedded server one scan plans and evaluates (see package screening).
	runner := screening.New(db.Store, holder, screening.Config{ScanMode: db.embedded != nil, Logger: log, Natives: natives(db.Store),
		ChunkSize: chunk, Lease: lease})
	runCtx, stopRunner := context.WithCancel(ctx)
	runnerDone := make(chan struct{})
	go func() {
		defer close(runnerDone)
		<-prepared // indexes first
		runner.Run(runCtx)
	}()
	defer func() { stopRunner(); <-runnerDone }()

	// The finance whitelist: receipt keys and the latest version are
	// loaded once the database is up, then polled so that a version
	// another replica publishes is served here too.
	seed, err := receiptSeed(getenv)
	if err != nil {
		return err
	}
	wl := whitelist.New(db.Store, holder, whitelist.Config{Seed: seed, Logger: log})
	wlDone := make(chan struct{})
	go func() {
		defer close(wlDone)
		<-prepared
		if err := wl.Load(runCtx); err != nil && runCtx.Err() == nil {
			log.Warn("whitelist: load (retrying)", "error", err)
		}
		wl.Watch(runCtx, 30*time.Second)
	}()
	defer func() { stopRunner(); <-wlDone }()

	srv := api.New(api.Config{
		Firms:          db.Store,
		Evaluations:    db.Store,
		Rules:          holder,
		Screenings:     runner,
		Whitelist:      wl,
		ScreeningStore: db.Store,
		Packs:          db.Store,
		Targets:        db.Store,
		Keys:           db.Store,
		Audit:          db.Store,
		Cohorts:        db.Store,
		RegionName:     regionName,
		TrustedProxies: trusted,
		Ready:          []api.Checker{{Name: "database", Check: db.Store.Ping}, {Name: "rule packs", Check: packs.ready}, {Name: "api keys", Check: keys.ready}},
		Logger:         log,
		Version:        buildVersion(),
	})
	// Listen before serving, so a taken port is an error here and now.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if debugAddr != "" {
		stop, err := serveDebug(debugAddr, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "Peiyu 培育 %s listening on http://%s\n", buildVersion(), ln.Addr())
	if keys.demo != "" {
		// Its own line, without the URL: scripts take the first line with one.
		fmt.Fprintf(stdout, "demo admin key 演示管理员密钥 (shown once, usable when /readyz is ready): %s\n", keys.demo)
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("shutdown", "error", err)
	}
	// The bank queries' audit entries still queued, before the database
	// goes (deferred above).
	if err := srv.Close(shutCtx); err != nil {
		log.Error("shutdown: audit entries", "error", err)
	}
	<-prepared
	return nil
}

// prepareDatabase creates the indexes, registers the start-up API keys,
// loads the plan targets and, with --demo, loads the demo firms into an
// empty registry. It retries while the database is down and gives up when
// ctx ends.
func prepareDatabase(ctx context.Context, st interface {
	keyRegistrar
	EnsureIndexes(context.Context) error
	CountFirms(context.Context) (int64, error)
	LoadTargets(context.Context, []registry.Target) (int, int, error)
	seeds.Loader
}, cfg *config, log *slog.Logger, keys *startupKeys) {
	retry := func(what string, f func() error) bool {
		for delay := time.Second; ; delay = min(2*delay, 30*time.Second) {
			err := f()
			if err == nil {
				return true
			}
			if !errors.Is(err, registry.ErrUnavailable) {
				log.Error(what, "error", err)
				return false
			}
			log.Warn(what+": database unavailable, retrying", "in", delay)
			select {
			case <-ctx.Done():
				return false
			case <-time.After(delay):
			}
		}
	}
	if !retry("create indexes", func() error { return st.EnsureIndexes(ctx) }) {
		return
	}
	if !retry("register API keys", func() error { return keys.register(ctx, st, log) }) {
		keys.done.Store(true) // logged; the service runs with the keys it has
	}
	// The plan targets are product data, loaded with or without --demo.
	retry("load plan targets", func() error {
		inserted, updated, err := st.LoadTargets(ctx, seeds.Targets())
		if err == nil && inserted+updated > 0 {
			log.Info("plan targets loaded", "inserted", inserted, "updated", updated)
		}
		return err
	})
	if !cfg.Demo {
		return
	}
	retry("load demo firms", func() error {
		n, err := st.CountFirms(ctx)
		if err != nil || n > 0 {
			return err
		}
		start := time.Now()
		inserted, err := seeds.Load(ctx, st, cfg.DemoFirms, demoSeed)
		if err == nil {
			log.Info("demo firms loaded", "firms", inserted, "took", time.Since(start).Round(time.Millisecond))
		}
		return err
	})
}

// redactURI hides a password in a MongoDB URI before it is logged.
func redactURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparsable URI)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

// receiptSeed reads PEIYU_RECEIPT_KEY: the base64 Ed25519 seed (32 bytes)
// of the receipt-signing key, when the key is managed outside the
// database. Unset, the service generates one and keeps it in the database.
func receiptSeed(getenv func(string) string) ([]byte, error) {
	v := strings.TrimSpace(getenv("PEIYU_RECEIPT_KEY"))
	if v == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("PEIYU_RECEIPT_KEY: want the base64 of a 32-byte Ed25519 seed")
	}
	return b, nil
}
