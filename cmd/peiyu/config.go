package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/peiyu/peiyu/registry/embedded"
	"github.com/peiyu/peiyu/registry/store"
	"github.com/peiyu/peiyu/rules/points"
	"github.com/peiyu/peiyu/rules/screening"
	"github.com/peiyu/peiyu/seeds"
)

// config is the configuration contract of SPEC §6. Each setting comes from
// its flag, else its environment variable, else the default.
type config struct {
	Addr      string
	MongoURI  string
	DB        string
	DataDir   string
	Demo      bool
	DemoFirms int
	LogLevel  string
	LogFormat string
}

// storageFlags registers the flags every database-using command shares.
func storageFlags(fs *flag.FlagSet, cfg *config, getenv func(string) string) {
	fs.StringVar(&cfg.MongoURI, "mongodb-uri", getenv("PEIYU_MONGODB_URI"), "MongoDB URI; empty runs the embedded server (env PEIYU_MONGODB_URI)")
	fs.StringVar(&cfg.DB, "db", envOr(getenv, "PEIYU_DB", "peiyu"), "database name (env PEIYU_DB)")
	fs.StringVar(&cfg.DataDir, "data-dir", envOr(getenv, "PEIYU_DATA_DIR", "./data"), "embedded server's data directory (env PEIYU_DATA_DIR)")
	fs.StringVar(&cfg.LogLevel, "log-level", envOr(getenv, "PEIYU_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env PEIYU_LOG_LEVEL)")
	fs.StringVar(&cfg.LogFormat, "log-format", envOr(getenv, "PEIYU_LOG_FORMAT", "text"), "log format: text or json (env PEIYU_LOG_FORMAT)")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func envBool(getenv func(string) string, key string) bool {
	b, _ := strconv.ParseBool(getenv(key))
	return b
}

func newLogger(cfg *config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", cfg.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch cfg.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", cfg.LogFormat)
}

// database is an open store and, when no URI was configured, the embedded
// server behind it.
type database struct {
	Store    *store.Store
	embedded *embedded.Server
	Where    string
}

// openDatabase builds the logger from cfg, then connects to the configured
// MongoDB, or starts the embedded server under the data directory and
// connects to it.
func openDatabase(ctx context.Context, cfg *config, logw io.Writer) (*database, *slog.Logger, error) {
	log, err := newLogger(cfg, logw)
	if err != nil {
		return nil, nil, err
	}
	d, err := connect(ctx, cfg, log)
	return d, log, err
}

func connect(ctx context.Context, cfg *config, log *slog.Logger) (*database, error) {
	d := &database{}
	uri := cfg.MongoURI
	if uri == "" {
		srv, err := embedded.Start(ctx, embedded.Config{DataDir: cfg.DataDir, Logger: log})
		if err != nil {
			return nil, err
		}
		d.embedded = srv
		uri = srv.URI()
		abs, _ := filepath.Abs(cfg.DataDir)
		d.Where = "embedded MongoDB-wire server (FerretDB/SQLite) at " + srv.Addr() + ", data in " + abs
	} else {
		d.Where = "MongoDB " + redactURI(uri)
	}
	var o store.Options
	if d.embedded != nil {
		o.UseEmbedded(d.embedded)
	}
	st, err := store.Connect(ctx, uri, cfg.DB, o)
	if err != nil {
		d.Close(context.Background())
		return nil, err
	}
	d.Store = st
	return d, nil
}

// Close disconnects the store, then stops the embedded server: the database
// goes last.
func (d *database) Close(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if d.Store != nil {
		_ = d.Store.Close(ctx)
	}
	if d.embedded != nil {
		_ = d.embedded.Stop(ctx)
	}
}

// regionName names a division code of the seeds' region table ("431202" →
// "鹤城区"), "" for a code the table lacks.
func regionName(code string) string {
	if r, ok := seeds.RegionByCode(code); ok {
		return r.Name
	}
	return ""
}

// natives are the screening's programs outside the rule engine: innovation
// points, whose pass 1 stores each cohort's distribution in st.
func natives(st *store.Store) []screening.Native {
	return []screening.Native{points.NewScreener(points.New(points.Default(), regionName), st, nil)}
}
