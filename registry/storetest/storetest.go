// Package storetest gives tests a real MongoDB-wire database: the embedded
// server by default, or the server named by PEIYU_TEST_MONGODB_URI. Each test
// gets a database of its own, dropped when the test ends. There are no mocks
// of the database.
package storetest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/peiyu/peiyu/registry/embedded"
	"github.com/peiyu/peiyu/registry/store"
)

// EnvURI names the variable that points tests at an external server.
const EnvURI = "PEIYU_TEST_MONGODB_URI"

var (
	mu  sync.Mutex
	uri string
	// server is the embedded server Main started, nil with an external one.
	server *embedded.Server
)

// Main runs a package's tests with one shared server: call it from
// TestMain. It starts the embedded server in a temporary directory unless
// PEIYU_TEST_MONGODB_URI is set, and removes everything afterwards.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if u := os.Getenv(EnvURI); u != "" {
		uri = u
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "peiyu-test-db-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(context.Background(), embedded.Config{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		return 1
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	}()
	mu.Lock()
	uri = srv.URI()
	server = srv
	mu.Unlock()
	return m.Run()
}

// Server is the shared embedded server, nil on an external one: for tests
// that wire a store to it themselves (store.Options), or look at its
// SQLite files.
func Server() *embedded.Server { return embeddedServer() }

// embeddedServer is the shared embedded server, nil on an external one.
func embeddedServer() *embedded.Server {
	mu.Lock()
	defer mu.Unlock()
	return server
}

// URI returns the shared server's URI. It fails the test when Main was not
// called from TestMain.
func URI(tb testing.TB) string {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if uri == "" {
		tb.Fatal("storetest: no server; call storetest.Main from TestMain")
	}
	return uri
}

// Embedded reports whether tests run on the embedded server rather than on
// the server named by PEIYU_TEST_MONGODB_URI.
func Embedded() bool { return os.Getenv(EnvURI) == "" }

// DBName returns a database name unique to this test.
func DBName(tb testing.TB) string {
	// Database names must be short and free of '/', '.', spaces.
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, tb.Name())
	if len(name) > 24 {
		name = name[:24]
	}
	return "t_" + name + "_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
}

// New returns a store on a fresh database with its indexes, dropped and
// closed when the test ends.
func New(tb testing.TB, opts ...store.Options) *store.Store {
	tb.Helper()
	var o store.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o.Embedded = Embedded()
	if srv := embeddedServer(); srv != nil {
		o.UseEmbedded(srv)
	}
	return Open(tb, URI(tb), DBName(tb), o)
}

// Open connects a store to uri and database db, ensures its indexes, and
// drops the database and disconnects when the test ends.
func Open(tb testing.TB, uri, db string, o store.Options) *store.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Connect(ctx, uri, db, o)
	if err != nil {
		tb.Fatalf("storetest: connect: %v", err)
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		tb.Fatalf("storetest: indexes: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
	})
	return s
}
