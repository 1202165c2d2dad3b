// Package store keeps the registry in MongoDB through the official driver.
// It works the same against a real MongoDB and against the embedded
// MongoDB-wire server of package embedded.
//
// Every method bounds its database work with a timeout and translates driver
// errors into the kinds of package registry: ErrNotFound, ErrConflict,
// ErrInvalid (a *registry.ValidationError) and ErrUnavailable. Every write is
// a single-document atomic operation, because the embedded server has no
// multi-document transactions.
package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/peiyu/peiyu/registry"
)

// DefaultTimeout bounds one store operation.
const DefaultTimeout = 5 * time.Second

// Options configures Connect.
type Options struct {
	// Timeout bounds each operation; 0 means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock used for timestamps and "not in the future"
	// validation; nil means time.Now.
	Now func() time.Time
	// Embedded says the server is the in-process embedded one (package
	// embedded), whose only client is this process: compare-and-set writes
	// then rely on this process's per-firm lock instead of a server-side
	// filter the embedded server could only evaluate by a full scan.
	Embedded bool
	// IndexIDs, when set, runs at the end of EnsureIndexes with the
	// database name, after every collection exists: the embedded server's
	// fix for its _id lookups (embedded.Server.IndexIDs).
	IndexIDs func(ctx context.Context, db string) error
	// FindIDs, when set, answers ListAudit's selection on the embedded
	// server from SQLite indexes, where FerretDB v1.24 would read the
	// whole audit log for it: the _id values of the documents of
	// collection coll of database db that match filter, greatest first,
	// at most limit (embedded.Server.FindIDs, whose doc gives the filters
	// it takes).
	FindIDs func(ctx context.Context, db, coll string, filter bson.D, limit int) ([]string, error)
	// IndexFields, when set, runs at the end of EnsureIndexes, after
	// IndexIDs, with the audit log's collection and the fields of the
	// filters ListAudit gives FindIDs, to index each with the _id
	// (embedded.Server.IndexFields).
	IndexFields func(ctx context.Context, db, coll string, fields ...string) error
}

// EmbeddedServer is what the store uses of the embedded server
// (*embedded.Server): its SQLite fixes and indexes.
type EmbeddedServer interface {
	IndexIDs(ctx context.Context, db string) (int, error)
	FindIDs(ctx context.Context, db, coll string, filter bson.D, limit int) ([]string, error)
	IndexFields(ctx context.Context, db, coll string, fields ...string) (int, error)
}

// UseEmbedded sets the options for a store on srv: Embedded and every hook.
func (o *Options) UseEmbedded(srv EmbeddedServer) {
	o.Embedded = true
	o.IndexIDs = func(ctx context.Context, db string) error {
		_, err := srv.IndexIDs(ctx, db)
		return err
	}
	o.FindIDs = srv.FindIDs
	o.IndexFields = func(ctx context.Context, db, coll string, fields ...string) error {
		_, err := srv.IndexFields(ctx, db, coll, fields...)
		return err
	}
}

// Store is the MongoDB-backed registry. It is safe for concurrent use.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	firms    *mongo.Collection
	timeout  time.Duration
	now      func() time.Time
	embedded bool
	indexIDs func(ctx context.Context, db string) error

	// The embedded server's own audit queries (Options.FindIDs).
	findIDs     func(ctx context.Context, db, coll string, filter bson.D, limit int) ([]string, error)
	indexFields func(ctx context.Context, db, coll string, fields ...string) error

	// keyLocks serialize this process's read-check-write sequences on one
	// firm. MongoDB makes a filtered replace an atomic compare-and-set, but
	// the embedded FerretDB v1 (SQLite) evaluates the filter and writes in
	// two steps, so two concurrent writers could both pass a revision check.
	// The embedded server only ever has this process as a client, so a
	// process-local lock restores the guarantee there; with a real MongoDB
	// the server-side filter still protects writers in other replicas.
	keyLocks [64]sync.Mutex
}

// lockKey holds the stripe lock of key until the returned func is called.
func (s *Store) lockKey(key string) (unlock func()) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	m := &s.keyLocks[h.Sum32()%uint32(len(s.keyLocks))]
	m.Lock()
	return m.Unlock
}

// Connect connects to the MongoDB at uri and uses database dbName. It does
// not wait for the server: the driver connects lazily and reconnects by
// itself, so a store opened while the database is down starts working when
// it comes back. Use Ping to check reachability.
func Connect(ctx context.Context, uri, dbName string, o Options) (*Store, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	copts := options.Client().
		ApplyURI(uri).
		SetAppName("peiyu").
		SetServerSelectionTimeout(o.Timeout).
		SetConnectTimeout(o.Timeout).
		// Domain types carry JSON tags only (the data contract); the store
		// reuses them for BSON rather than mirroring every struct.
		SetBSONOptions(&options.BSONOptions{UseJSONStructTags: true, NilSliceAsEmpty: false})
	client, err := mongo.Connect(copts)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	db := client.Database(dbName)
	return &Store{
		client:   client,
		db:       db,
		firms:    db.Collection("firms"),
		timeout:  o.Timeout,
		now:      o.Now,
		embedded: o.Embedded,
		indexIDs: o.IndexIDs,

		findIDs:     o.FindIDs,
		indexFields: o.IndexFields,
	}, nil
}

// Close disconnects from the database.
func (s *Store) Close(ctx context.Context) error {
	return s.client.Disconnect(ctx)
}

// Database exposes the database handle to sibling stores of other
// capabilities (rules, screenings) that share the connection.
func (s *Store) Database() *mongo.Database { return s.db }

// Ping checks that the database answers. It returns registry.ErrUnavailable
// when it does not.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return translate("ping", s.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err())
}

// Drop deletes the whole database. Tests use it to clean up.
func (s *Store) Drop(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return translate("drop database", s.db.Drop(ctx))
}

// indexSpec is one index the store relies on.
type indexSpec struct {
	name   string
	keys   bson.D
	unique bool
}

// collections lists every collection of the store with the indexes it
// needs beyond _id. EnsureIndexes creates them all, except the non-unique
// ones on the embedded server, which uses none.
var collections = []struct {
	name    string
	indexes []indexSpec
}{
	{"firms", []indexSpec{
		{"uscc_unique", bson.D{{Key: "uscc", Value: 1}}, true},
		{"region_code", bson.D{{Key: "region_code", Value: 1}}, false},
		{"chain", bson.D{{Key: "chain", Value: 1}}, false},
		{"industry_code", bson.D{{Key: "industry_code", Value: 1}}, false},
		{"honors_kind", bson.D{{Key: "honors.kind", Value: 1}}, false},
	}},
	{"eligibility", nil},
	{"targets", nil},
	{"target_snapshots", []indexSpec{
		{"region_year_taken", bson.D{{Key: "region_code", Value: 1}, {Key: "year", Value: 1}, {Key: "taken_at", Value: -1}}, false},
	}},
	{draftsCollection, []indexSpec{{"program", bson.D{{Key: "program", Value: 1}}, false}}},
	{revisionsCollection, []indexSpec{{"program", bson.D{{Key: "program", Value: 1}}, false}}},
	{"screenings", []indexSpec{
		{"status_created", bson.D{{Key: "status", Value: 1}, {Key: "created_at", Value: 1}}, false},
	}},
	{"whitelist_versions", nil},
	{"whitelist_entries", nil},
	{"whitelist_heads", nil},
	{"receipt_keys", nil},
	{"screening_chunks", nil},
	{"screening_plans", nil},
	{cohortsCollection, nil},
	{cohortBuildsCollection, nil},
	{keysCollection, nil},
	{auditCollection, []indexSpec{
		{"uscc_id", bson.D{{Key: "uscc", Value: 1}, {Key: "_id", Value: -1}}, false},
		{"action_id", bson.D{{Key: "action", Value: 1}, {Key: "_id", Value: -1}}, false},
	}},
}

// EnsureIndexes creates the store's collections and those of their indexes
// that are missing. It is idempotent. It asks for the missing ones only:
// the embedded FerretDB v1 crashes the connection when createIndexes names
// an index that already exists, which made every restart on an existing
// data directory fail (TestEnsureIndexesTwice).
// Errors: registry.ErrUnavailable.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 4*s.timeout)
	defer cancel()
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return translate("list collections", err)
	}
	for _, c := range collections {
		coll := s.db.Collection(c.name)
		// The embedded server gets none of the non-unique indexes, whose
		// creation would create the collection, and IndexIDs and
		// indexAudit index only the tables that exist: without this the
		// audit log went unindexed until the next start
		// (TestRegressionEnsureIndexesCreatesEveryCollection).
		if (len(c.indexes) == 0 || s.embedded) && !slices.Contains(names, c.name) {
			if err := s.db.CreateCollection(ctx, c.name); err != nil && !isNamespaceExists(err) {
				return translate("create collection "+c.name, err)
			}
		}
		if len(c.indexes) == 0 {
			continue
		}
		specs, err := coll.Indexes().ListSpecifications(ctx)
		if err != nil {
			return translate("list indexes", err)
		}
		have := make(map[string]bool, len(specs))
		for _, sp := range specs {
			have[sp.Name] = true
		}
		var missing []mongo.IndexModel
		for _, ix := range c.indexes {
			if s.embedded && !ix.unique {
				// The embedded FerretDB v1.24 answers every query but an
				// exact _id by reading the whole table, indexes or not:
				// a non-unique index there only makes each write update
				// one more SQLite expression index (an audit insert cost
				// half again as much with its two). Ones an earlier
				// version created are dropped.
				if have[ix.name] {
					if err := coll.Indexes().DropOne(ctx, ix.name); err != nil {
						return translate("drop index "+ix.name, err)
					}
				}
				continue
			}
			if !have[ix.name] {
				missing = append(missing, mongo.IndexModel{Keys: ix.keys,
					Options: options.Index().SetName(ix.name).SetUnique(ix.unique)})
			}
		}
		if len(missing) > 0 {
			if _, err := coll.Indexes().CreateMany(ctx, missing); err != nil {
				return translate("create indexes", err)
			}
		}
	}
	if s.indexIDs != nil {
		if err := s.indexIDs(ctx, s.db.Name()); err != nil {
			return fmt.Errorf("index _id lookups: %w", err)
		}
	}
	return s.indexAudit(ctx)
}

// isNamespaceExists reports a CreateCollection that lost a race to another
// creator: the collection exists, which is the goal.
func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 48
}

func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// translate turns a driver error into a registry error kind, keeping the
// operation name for the log. It returns nil for nil.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var sse topology.ServerSelectionError
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%s: %w", op, registry.ErrNotFound)
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%s: %w", op, registry.ErrConflict)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%s: %w", op, err)
	case mongo.IsTimeout(err), mongo.IsNetworkError(err), errors.As(err, &sse), isPoolCleared(err),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, mongo.ErrClientDisconnected):
		return &unavailableError{op: op, cause: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// isPoolCleared reports the driver's "connection pool … was cleared
// because another operation failed": an operation that had chosen the
// server when a connection to it broke, and then found its pool paused. It
// is the same outage as the other operation's network error, but carries no
// NetworkError label (the driver labels it TransientTransactionError only),
// so it was a 500 (TestTranslatePoolClearedIsUnavailable).
func isPoolCleared(err error) bool {
	var pe driver.RetryablePoolError
	return errors.As(err, &pe) && pe.Retryable()
}

// unavailableError keeps the driver's cause for the log while matching
// registry.ErrUnavailable.
type unavailableError struct {
	op    string
	cause error
}

func (e *unavailableError) Error() string {
	return e.op + ": " + registry.ErrUnavailable.Error() + ": " + e.cause.Error()
}

func (e *unavailableError) Is(target error) bool { return target == registry.ErrUnavailable }

func (e *unavailableError) Unwrap() error { return e.cause }
