package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"github.com/peiyu/peiyu/registry"
)

// API keys and the audit log.
//
// A key is stored under the _id of its hash (registry.HashKey), so that
// authenticating a request is one _id lookup, the only lookup the embedded
// server answers from an index. Revoking and listing go by the public ID,
// which scans the collection: a few hundred keys at most, rarely.
//
// Audit entries are appended under a time-ordered _id (a UUIDv7) and never
// changed: the store has no method that updates or deletes one.
const (
	keysCollection  = "api_keys"
	auditCollection = "audit"
)

type keyDoc struct {
	Hash      string            `bson:"_id"`
	ID        string            `bson:"id"`
	Name      string            `bson:"name"`
	Role      registry.Role     `bson:"role"`
	Scope     registry.KeyScope `bson:"scope"`
	CreatedAt time.Time         `bson:"created_at"`
	CreatedBy string            `bson:"created_by"`
	RevokedAt *time.Time        `bson:"revoked_at,omitempty"`
	RevokedBy string            `bson:"revoked_by,omitempty"`
}

func (d *keyDoc) key() *registry.APIKey {
	k := &registry.APIKey{ID: d.ID, Name: d.Name, Role: d.Role, Scope: d.Scope,
		CreatedAt: d.CreatedAt.UTC(), CreatedBy: d.CreatedBy, RevokedBy: d.RevokedBy}
	if d.RevokedAt != nil {
		t := d.RevokedAt.UTC()
		k.RevokedAt = &t
	}
	return k
}

// CreateKey stores a new key under hash, the registry.HashKey of its
// secret, with a fresh time-ordered ID and the store's clock as its
// creation time, and returns it. k is validated first.
// Errors: registry.ErrInvalid, registry.ErrConflict (a key with this hash
// exists, revoked or not), registry.ErrUnavailable.
func (s *Store) CreateKey(ctx context.Context, k registry.APIKey, hash string) (*registry.APIKey, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	if len(hash) != 64 {
		return nil, fmt.Errorf("create key: hash %q is not a hex SHA-256: %w", hash, registry.ErrInvalid)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("create key: %w", err)
	}
	doc := keyDoc{Hash: hash, ID: id.String(), Name: k.Name, Role: k.Role, Scope: k.Scope,
		CreatedAt: s.now().UTC().Truncate(time.Millisecond), CreatedBy: k.CreatedBy}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if _, err := s.db.Collection(keysCollection).InsertOne(ctx, doc); err != nil {
		return nil, translate("create key", err)
	}
	return doc.key(), nil
}

// KeyByHash returns the key stored under hash, revoked or not: the caller
// decides what a revoked key may do.
// Errors: registry.ErrNotFound, registry.ErrUnavailable.
func (s *Store) KeyByHash(ctx context.Context, hash string) (*registry.APIKey, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var doc keyDoc
	if err := s.db.Collection(keysCollection).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&doc); err != nil {
		return nil, translate("read key", err)
	}
	return doc.key(), nil
}

// keyDocs reads the whole keys collection, oldest first.
func (s *Store) keyDocs(ctx context.Context) ([]keyDoc, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	cur, err := s.db.Collection(keysCollection).Find(ctx, bson.D{})
	if err != nil {
		return nil, translate("list keys", err)
	}
	var docs []keyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list keys", err)
	}
	slices.SortFunc(docs, func(a, b keyDoc) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return docs, nil
}

// ListKeys returns every key, revoked ones included, oldest first. No hash
// leaves the store.
// Errors: registry.ErrUnavailable.
func (s *Store) ListKeys(ctx context.Context) ([]registry.APIKey, error) {
	docs, err := s.keyDocs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]registry.APIKey, len(docs))
	for i := range docs {
		out[i] = *docs[i].key()
	}
	return out, nil
}

// RevokeKey marks the key with the public ID id revoked by by at the
// store's clock, and returns it. Revoking a revoked key changes nothing
// and returns it as it is. A revoked key stays stored, so the audit log
// keeps naming it.
// Errors: registry.ErrNotFound, registry.ErrUnavailable.
func (s *Store) RevokeKey(ctx context.Context, id, by string) (*registry.APIKey, error) {
	docs, err := s.keyDocs(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(docs, func(d keyDoc) bool { return d.ID == id })
	if i < 0 {
		return nil, fmt.Errorf("revoke key %s: %w", id, registry.ErrNotFound)
	}
	doc := docs[i]
	if doc.RevokedAt != nil {
		return doc.key(), nil
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	ctx, cancel := s.bound(ctx)
	defer cancel()
	// The filter on revoked_at keeps the first revocation's time and
	// author when two race (on MongoDB; the embedded server has one client).
	if _, err := s.db.Collection(keysCollection).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: doc.Hash}, {Key: "revoked_at", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: now}, {Key: "revoked_by", Value: by}}}}); err != nil {
		return nil, translate("revoke key "+id, err)
	}
	doc.RevokedAt, doc.RevokedBy = &now, by
	return doc.key(), nil
}

// EnsureAdminKey registers the key whose hash is hash as an admin key named
// name, made by by, unless an active admin key exists already; it reports
// whether it registered it. Several replicas starting together with the
// same key register it once.
// Errors: registry.ErrConflict (the key was registered before and revoked:
// a revoked key is never revived), registry.ErrUnavailable.
func (s *Store) EnsureAdminKey(ctx context.Context, hash, name, by string) (bool, error) {
	docs, err := s.keyDocs(ctx)
	if err != nil {
		return false, err
	}
	for _, d := range docs {
		if d.Role == registry.RoleAdmin && d.RevokedAt == nil {
			return false, nil
		}
		if d.Hash == hash {
			return false, fmt.Errorf("register admin key %q: it was revoked: %w", name, registry.ErrConflict)
		}
	}
	_, err = s.CreateKey(ctx, registry.APIKey{Name: name, Role: registry.RoleAdmin, CreatedBy: by}, hash)
	if errors.Is(err, registry.ErrConflict) {
		// Another replica registered the same key in the meantime.
		return false, nil
	}
	return err == nil, err
}

// auditDoc is the stored form of an audit entry; the _id is its ID.
type auditDoc struct {
	ID         string        `bson:"_id"`
	Time       time.Time     `bson:"time"`
	KeyID      string        `bson:"key_id"`
	KeyName    string        `bson:"key_name"`
	Role       registry.Role `bson:"role"`
	Action     string        `bson:"action"`
	USCC       string        `bson:"uscc,omitempty"`
	RegionCode string        `bson:"region_code,omitempty"`
	Outcome    int           `bson:"outcome"`
	RequestID  string        `bson:"request_id"`
	Method     string        `bson:"method"`
	Path       string        `bson:"path"`
}

func (d *auditDoc) entry() registry.AuditEntry {
	return registry.AuditEntry(*d)
}

// AppendAudit appends entries to the audit log in one insert, giving each
// without an ID a fresh time-ordered one and each without a time the
// store's clock.
// Errors: registry.ErrUnavailable.
func (s *Store) AppendAudit(ctx context.Context, entries ...registry.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	docs := make([]any, len(entries))
	for i, e := range entries {
		if e.ID == "" {
			id, err := uuid.NewV7()
			if err != nil {
				return fmt.Errorf("append audit: %w", err)
			}
			e.ID = id.String()
		}
		if e.Time.IsZero() {
			e.Time = s.now()
		}
		e.Time = e.Time.UTC().Truncate(time.Millisecond)
		docs[i] = auditDoc(e)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*s.timeout)
	defer cancel()
	// Unordered, and an entry already stored under its ID counts as
	// written: a batch retried after a partial failure adds each entry
	// once.
	_, err := s.db.Collection(auditCollection).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !onlyDuplicates(err) {
		return translate("append audit", err)
	}
	return nil
}

// ListAudit returns the entries the filter selects, newest first, at most
// f.Limit (registry.DefaultLimit when 0). Role, USCC, action and time are
// filtered by the server; the region in Go while the cursor runs, so the
// limit still counts only matching entries. On the embedded server
// (Options.FindIDs) the server's SQLite indexes select the entries
// instead, region included (listAuditByIDs).
// Errors: registry.ErrUnavailable.
func (s *Store) ListAudit(ctx context.Context, f registry.AuditFilter) ([]registry.AuditEntry, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	if s.findIDs != nil {
		return s.listAuditByIDs(ctx, f)
	}
	q := bson.D{}
	if f.Role != "" {
		q = append(q, bson.E{Key: "role", Value: f.Role})
	}
	if f.USCC != "" {
		q = append(q, bson.E{Key: "uscc", Value: f.USCC})
	}
	if f.Action != "" {
		q = append(q, bson.E{Key: "action", Value: f.Action})
	}
	if !f.Since.IsZero() {
		q = append(q, bson.E{Key: "time", Value: bson.D{{Key: "$gte", Value: f.Since.UTC()}}})
	}
	limit := cmp.Or(f.Limit, registry.DefaultLimit)
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})
	if f.RegionCode == "" {
		opts.SetLimit(int64(limit))
	}
	cur, err := s.db.Collection(auditCollection).Find(ctx, q, opts)
	if err != nil {
		return nil, translate("list audit", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	out := []registry.AuditEntry{}
	for len(out) < limit && cur.Next(ctx) {
		var doc auditDoc
		if err := cur.Decode(&doc); err != nil {
			return nil, translate("list audit", err)
		}
		e := doc.entry()
		e.Time = e.Time.UTC()
		if f.Match(&e) {
			out = append(out, e)
		}
	}
	if err := cur.Err(); err != nil {
		return nil, translate("list audit", err)
	}
	return out, nil
}

// auditIndexed are the fields of auditIDFilter that the embedded server
// indexes with the _id (Server.FindIDs says which index a query reads).
// Every index costs each audit insert, and the log takes a thousand
// entries a second under bank lookups, so only the selective fields have
// one: the firm (the firm page and the enterprise's "who looked me up")
// and the region (every staff key's view is its region). A district is an
// equality read in _id order; a city's or a province's range of region
// codes and Since are bounds, whose index serves when few entries are
// within them. Action and role take a handful of values: a filter on them
// reads the log newest first in SQLite, which soon finds enough unless
// the action is rare. With action and role indexed too an insert of 100
// entries took 13.3 ms of CPU against 8.0 ms with none, and the whitelist
// lookups' p99 at 1000/s rose from 2.7-4.8 ms to 4.7-6.7 ms.
var auditIndexed = []string{"uscc", "region_code", "time"}

// indexAudit gives the embedded server's audit log the SQLite indexes that
// listAuditByIDs reads (Options.IndexFields).
// Errors: registry.ErrUnavailable.
func (s *Store) indexAudit(ctx context.Context) error {
	if s.indexFields == nil {
		return nil
	}
	if err := s.indexFields(ctx, s.db.Name(), auditCollection, auditIndexed...); err != nil {
		return sqliteError(ctx, "index audit", err)
	}
	return nil
}

// listAuditByIDs is ListAudit on the embedded server, whose FerretDB would
// answer the find by reading and sorting the whole log (18 s at 210,000
// entries, for 20 of them). FindIDs picks the newest matching IDs from
// SQLite indexes, then each entry is read by _id, the one lookup FerretDB
// pushes down to an index. Match checks every entry again; the filter also
// selects region codes of other lengths than 6 within a city or province
// range, which it drops, and should the answer come out short for that,
// FindIDs is asked for more.
func (s *Store) listAuditByIDs(ctx context.Context, f registry.AuditFilter) ([]registry.AuditEntry, error) {
	limit := cmp.Or(f.Limit, registry.DefaultLimit)
	out := []registry.AuditEntry{}
	filter, ok := auditIDFilter(f)
	if !ok {
		return out, nil
	}
	read := map[string]*registry.AuditEntry{} // nil: gone, or not matching
	for n := limit; ; n *= 4 {
		ids, err := s.findIDs(ctx, s.db.Name(), auditCollection, filter, n)
		if err != nil {
			return nil, sqliteError(ctx, "list audit", err)
		}
		// The newest entries first, from scratch: entries appended since
		// the previous round come before those read then.
		out = out[:0]
		for i := 0; i < len(ids) && len(out) < limit; {
			// Read the unread entries that could still be in the answer
			// together, then take them in order.
			var unread []string
			j := i
			for ; j < len(ids) && len(unread) < limit-len(out); j++ {
				if _, done := read[ids[j]]; !done {
					unread = append(unread, ids[j])
				}
			}
			if err := s.readAudit(ctx, f, unread, read); err != nil {
				return nil, err
			}
			for ; i < j && len(out) < limit; i++ {
				if e := read[ids[i]]; e != nil {
					out = append(out, *e)
				}
			}
		}
		if len(out) == limit || len(ids) < n {
			return out, nil
		}
	}
}

// auditReaders bounds the _id lookups readAudit has in flight: each costs
// the embedded server most of a millisecond, mostly its own decoding,
// which runs on as many cores as there are lookups.
const auditReaders = 8

// readAudit reads the entries ids by _id into read, nil for one that is
// gone or that f does not match.
// Errors: registry.ErrUnavailable.
func (s *Store) readAudit(ctx context.Context, f registry.AuditFilter, ids []string, read map[string]*registry.AuditEntry) error {
	coll := s.db.Collection(auditCollection)
	got := make([]*registry.AuditEntry, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(auditReaders)
	for i, id := range ids {
		g.Go(func() error {
			var doc auditDoc
			err := coll.FindOne(gctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
			if errors.Is(err, mongo.ErrNoDocuments) {
				return nil
			}
			if err != nil {
				return translate("list audit", err)
			}
			e := doc.entry()
			e.Time = e.Time.UTC()
			if f.Match(&e) {
				got[i] = &e
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, id := range ids {
		read[id] = got[i]
	}
	return nil
}

// auditIDFilter is f as a filter of FindIDs (fields of auditDoc), false when
// f matches no entry. It selects exactly the entries f matches, but that
// the region range admits codes of other lengths than 6.
func auditIDFilter(f registry.AuditFilter) (bson.D, bool) {
	q := bson.D{}
	if f.USCC != "" {
		q = append(q, bson.E{Key: "uscc", Value: f.USCC})
	}
	if f.Action != "" {
		q = append(q, bson.E{Key: "action", Value: f.Action})
	}
	if f.Role != "" {
		q = append(q, bson.E{Key: "role", Value: string(f.Role)})
	}
	if rc := f.RegionCode; rc != "" {
		// registry.RegionWithin: a province's code (two digits and
		// zeros) holds the codes that begin with its two digits, a
		// city's its four, a district only itself.
		var prefix string
		switch {
		case len(rc) != 6:
			return nil, false
		case rc[2:] == "0000":
			prefix = rc[:2]
		case rc[4:] == "00":
			prefix = rc[:4]
		default:
			q = append(q, bson.E{Key: "region_code", Value: rc})
		}
		if prefix != "" {
			r := bson.D{{Key: "$gte", Value: prefix}}
			if end, ok := prefixEnd(prefix); ok {
				r = append(r, bson.E{Key: "$lt", Value: end})
			}
			q = append(q, bson.E{Key: "region_code", Value: r})
		}
	}
	if !f.Since.IsZero() {
		// Stored times are whole milliseconds and FindIDs drops a time's
		// sub-millisecond part: rounded up, Since keeps "at or after"
		// exact.
		since := f.Since.Truncate(time.Millisecond)
		if since.Before(f.Since) {
			since = since.Add(time.Millisecond)
		}
		q = append(q, bson.E{Key: "time", Value: bson.D{{Key: "$gte", Value: since}}})
	}
	return q, true
}

// prefixEnd is the least string greater than every string that begins with
// p, false when there is none (p is all 0xff bytes).
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// sqliteError is a failure of the embedded server's SQLite queries: the
// database's trouble, so registry.ErrUnavailable, unless the caller gave
// up.
func sqliteError(ctx context.Context, op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("%s: %w: %w", op, context.Canceled, err)
	}
	return &unavailableError{op: op, cause: err}
}
