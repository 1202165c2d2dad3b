// Package embedded runs an in-process MongoDB-wire server — FerretDB as a
// library over SQLite files — so that Peiyu runs on a fresh machine with no
// database to install (SPEC §7). The same MongoDB driver that talks to a real
// MongoDB in production connects to it.
//
// The embedded server has no multi-document transactions; the store is
// designed around single-document atomic writes so it needs none.
//
// FerretDB v1.24 answers most queries by reading the whole table. Server
// also reads its SQLite files directly, for what FerretDB does not index:
// IndexIDs gives its _id lookups an index they use, and FindIDs answers
// "the newest documents that match these fields" from indexes of
// IndexFields.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	// The SQLite driver FerretDB uses, opened directly by IndexIDs,
	// IndexFields and FindIDs.
	_ "modernc.org/sqlite"
)

// Config configures an embedded server.
type Config struct {
	// DataDir holds the SQLite files, one per database. It is created if
	// it does not exist.
	DataDir string
	// Addr is the TCP address to listen on. Empty means a random port on
	// the loopback interface. Only loopback addresses are accepted: the
	// embedded server has no authentication.
	Addr string
	// Logger receives the server's log records at warn level and above.
	// Nil discards them.
	Logger *slog.Logger
}

// Server is a running embedded server.
type Server struct {
	dir    string
	uri    string
	addr   string
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	pools map[string]*sqlitePool // by database; nil once stopped
}

// Start starts a server and returns once it accepts connections. Stop it
// with Stop.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("embedded: data directory is required")
	}
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("embedded: data directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded: create data directory: %w", err)
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("embedded: address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("embedded: address %q is not a loopback address", addr)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if !configureSQLite() {
		logger.Warn("embedded: SQLite opened before its options were set; multi-document writes will cost more CPU")
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + string(filepath.Separator),
		Logger:    slog.New(warnOnly{base: logger.Handler()}).With("component", "ferretdb"),
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{dir: dir, cancel: cancel, done: make(chan struct{}), pools: map[string]*sqlitePool{}}
	go func() {
		defer close(s.done)
		_ = f.Run(runCtx)
	}()
	// MongoDBURI blocks until the listener is bound.
	uric := make(chan string, 1)
	go func() { uric <- f.MongoDBURI() }()
	select {
	case s.uri = <-uric:
	case <-s.done:
		cancel()
		return nil, fmt.Errorf("embedded: server on %s stopped during start-up (address in use?)", addr)
	case <-time.After(30 * time.Second):
		cancel()
		return nil, fmt.Errorf("embedded: server on %s did not start in 30s", addr)
	}
	if u, err := url.Parse(s.uri); err == nil {
		s.addr = u.Host
	}
	return s, nil
}

// URI is the mongodb:// URI clients connect to.
func (s *Server) URI() string { return s.uri }

// Addr is the host:port the server listens on; pass it as Config.Addr to
// restart a server on the same address.
func (s *Server) Addr() string { return s.addr }

// Stop closes the listener and every connection and waits for the server
// to finish, at most until ctx is done. FindIDs fails from then on.
func (s *Server) Stop(ctx context.Context) error {
	// Readers first, so that FerretDB's last connection to each file can
	// checkpoint its WAL and remove it.
	s.closePools()
	s.cancel()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// warnOnly passes on records at warn level and above: FerretDB logs every
// connection at info level, which would drown the service's own log.
//
// It applies WithAttrs and WithGroup lazily, when a record is handled.
// FerretDB calls Logger.With, with every query and its arguments, around
// each SQL statement it runs, only to log them at debug level; a text
// handler formats those attributes when With is called, which cost 13% of
// the embedded server's insert time under load (the full document, quoted).
// Records at warn level are rare, so building the handler then is cheap.
type warnOnly struct {
	base slog.Handler
	ops  []handlerOp // in order; shared prefixes are never appended to in place
}

// handlerOp is one deferred WithAttrs (attrs) or WithGroup (group).
type handlerOp struct {
	attrs []slog.Attr
	group string
}

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.base.Enabled(ctx, l)
}

// Handle drops FerretDB's wire-protocol dumps of error responses. It logs
// every error it answers at warn level, header and message separately, and
// most are expected (duplicate keys on idempotent loads, the driver's
// endSessions on every disconnect, which it does not implement). The store
// sees the same errors through the driver and reports the ones that matter.
func (h warnOnly) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "Response header:") || strings.HasPrefix(r.Message, "Response message:") {
		return nil
	}
	out := h.base
	for _, op := range h.ops {
		if op.attrs != nil {
			out = out.WithAttrs(op.attrs)
		} else {
			out = out.WithGroup(op.group)
		}
	}
	return out.Handle(ctx, r)
}

func (h warnOnly) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	return h.with(handlerOp{attrs: as})
}

func (h warnOnly) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(handlerOp{group: name})
}

func (h warnOnly) with(op handlerOp) warnOnly {
	ops := make([]handlerOp, len(h.ops), len(h.ops)+1)
	copy(ops, h.ops)
	return warnOnly{base: h.base, ops: append(ops, op)}
}

// IndexIDs gives every collection of database db an SQLite index that
// FerretDB's _id lookups can use, and returns how many it created.
//
// FerretDB v1.24 pushes a find by _id down to SQLite as
// `_ferretdb_sjson->'$._id' = ?`, but builds its own _id index on the
// expression `_ferretdb_sjson->"_id"`. SQLite matches index expressions
// literally, so the pushed-down lookup never uses that index and reads the
// whole table: a firm lookup cost 28 ms at 20,000 firms. An index on the
// exact expression makes it 0.6 ms. FerretDB does not know the index; it
// disappears with the table when the collection is dropped.
//
// Call it after the collections exist (the store creates them in
// EnsureIndexes); it is idempotent.
func (s *Server) IndexIDs(ctx context.Context, db string) (int, error) {
	conn, err := s.openSQLite(db)
	if err != nil || conn == nil {
		return 0, err // no collection yet when no file
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return 0, fmt.Errorf("embedded: list collections of %s: %w", db, err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, fmt.Errorf("embedded: list collections of %s: %w", db, err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("embedded: list collections of %s: %w", db, err)
	}
	created := 0
	for _, t := range tables {
		name := idIndex(t)
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&n); err != nil {
			return created, fmt.Errorf("embedded: index %s: %w", name, err)
		}
		if n > 0 {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s)`, ident(name), ident(t), idExpr)
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return created, fmt.Errorf("embedded: index %s: %w", name, err)
		}
		created++
	}
	return created, nil
}
