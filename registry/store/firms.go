package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/peiyu/peiyu/registry"
)

// firmDoc is the stored form of a firm: the profile's fields at the top level
// (so indexes and filters address them directly) plus bookkeeping fields
// whose names start with an underscore. The _id is the USCC: a firm's
// identity never changes, and the embedded server can use an index only for
// a query on _id alone.
type firmDoc struct {
	ID            string `bson:"_id"`
	registry.Firm `bson:",inline"`
	Rev           int64     `bson:"_rev"`
	Created       time.Time `bson:"_created"`
	Updated       time.Time `bson:"_updated"`
}

func (d *firmDoc) record() *registry.Record {
	return &registry.Record{Firm: d.Firm, Revision: d.Rev, CreatedAt: d.Created.UTC(), UpdatedAt: d.Updated.UTC()}
}

// prepare normalizes and validates a firm for writing.
func (s *Store) prepare(f *registry.Firm) error {
	// The caller's slices must not be reordered under it.
	f.Years = slices.Clone(f.Years)
	f.Normalize()
	return f.Validate(s.now())
}

// CreateFirm stores a new firm and returns its record (revision 1).
// Errors: registry.ErrInvalid (a *registry.ValidationError),
// registry.ErrConflict when the USCC is taken, registry.ErrUnavailable.
func (s *Store) CreateFirm(ctx context.Context, f registry.Firm) (*registry.Record, error) {
	if err := s.prepare(&f); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	doc := firmDoc{ID: f.USCC, Firm: f, Rev: 1, Created: now, Updated: now}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if _, err := s.firms.InsertOne(ctx, doc); err != nil {
		return nil, translate("create firm "+f.USCC, err)
	}
	return doc.record(), nil
}

// GetFirm returns the firm with the given (normalized) USCC.
// Errors: registry.ErrNotFound, registry.ErrUnavailable.
func (s *Store) GetFirm(ctx context.Context, uscc string) (*registry.Record, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var doc firmDoc
	err := s.firms.FindOne(ctx, byID(uscc)).Decode(&doc)
	if err != nil {
		return nil, translate("get firm "+uscc, err)
	}
	return doc.record(), nil
}

// ReplaceFirm replaces the stored firm with f (matched by f.USCC). When
// ifRevision is positive the write happens only if the stored revision still
// equals it. It returns the new record.
// Errors: registry.ErrInvalid, registry.ErrNotFound, registry.ErrConflict
// (stale revision; nothing written), registry.ErrUnavailable.
func (s *Store) ReplaceFirm(ctx context.Context, f registry.Firm, ifRevision int64) (*registry.Record, error) {
	if err := s.prepare(&f); err != nil {
		return nil, err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	defer s.lockKey(f.USCC)()
	old, err := s.revision(ctx, f.USCC, ifRevision)
	if err != nil {
		return nil, translate("replace firm "+f.USCC, err)
	}
	doc := firmDoc{ID: f.USCC, Firm: f, Rev: old.Rev + 1, Created: old.Created,
		Updated: s.now().UTC().Truncate(time.Millisecond)}
	res, err := s.firms.ReplaceOne(ctx, s.casFilter(f.USCC, old.Rev), doc)
	if err != nil {
		return nil, translate("replace firm "+f.USCC, err)
	}
	if res.MatchedCount == 0 {
		return nil, fmt.Errorf("replace firm %s: changed concurrently: %w", f.USCC, registry.ErrConflict)
	}
	return doc.record(), nil
}

// revision reads a firm's bookkeeping fields and checks the caller's
// expected revision (when positive) against them.
// Errors: registry.ErrNotFound, registry.ErrConflict, driver errors.
func (s *Store) revision(ctx context.Context, uscc string, ifRevision int64) (*firmDoc, error) {
	var old firmDoc
	err := s.firms.FindOne(ctx, byID(uscc), options.FindOne().SetProjection(bson.D{
		{Key: "_rev", Value: 1}, {Key: "_created", Value: 1},
	})).Decode(&old)
	if err != nil {
		return nil, err
	}
	if ifRevision > 0 && old.Rev != ifRevision {
		return nil, fmt.Errorf("revision %d is stale (now %d): %w", ifRevision, old.Rev, registry.ErrConflict)
	}
	return &old, nil
}

// casFilter matches the firm only while its revision is still rev. On a
// real MongoDB the filtered write is an atomic compare-and-set across
// replicas. The embedded server evaluates any filter other than _id alone
// by scanning the whole collection, and its only client is this process,
// which already holds the firm's lock; so there the revision check done
// under that lock is the compare, and the write addresses _id alone.
func (s *Store) casFilter(uscc string, rev int64) bson.D {
	if s.embedded {
		return byID(uscc)
	}
	return bson.D{{Key: "_id", Value: uscc}, {Key: "_rev", Value: rev}}
}

func byID(uscc string) bson.D { return bson.D{{Key: "_id", Value: uscc}} }

// DeleteFirm removes a firm. When ifRevision is positive it is removed only
// if its revision still equals it.
// Errors: registry.ErrNotFound, registry.ErrConflict, registry.ErrUnavailable.
func (s *Store) DeleteFirm(ctx context.Context, uscc string, ifRevision int64) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	defer s.lockKey(uscc)()
	filter := byID(uscc)
	if ifRevision > 0 {
		old, err := s.revision(ctx, uscc, ifRevision)
		if err != nil {
			return translate("delete firm "+uscc, err)
		}
		filter = s.casFilter(uscc, old.Rev)
	}
	res, err := s.firms.DeleteOne(ctx, filter)
	if err != nil {
		return translate("delete firm "+uscc, err)
	}
	if res.DeletedCount == 0 {
		if ifRevision > 0 {
			return fmt.Errorf("delete firm %s: changed concurrently: %w", uscc, registry.ErrConflict)
		}
		return fmt.Errorf("delete firm %s: %w", uscc, registry.ErrNotFound)
	}
	return nil
}

// PutYear inserts or replaces one fiscal year of a firm and returns the new
// record and whether the year was new. The whole firm is validated with the
// year in place. When ifRevision is positive the write is conditional on it;
// otherwise a concurrent write is retried a few times.
// Errors: registry.ErrInvalid, registry.ErrNotFound, registry.ErrConflict,
// registry.ErrUnavailable.
func (s *Store) PutYear(ctx context.Context, uscc string, y registry.Year, ifRevision int64) (rec *registry.Record, created bool, err error) {
	for attempt := 0; attempt < 5; attempt++ {
		cur, err := s.GetFirm(ctx, uscc)
		if err != nil {
			return nil, false, err
		}
		if ifRevision > 0 && cur.Revision != ifRevision {
			return nil, false, fmt.Errorf("firm %s: revision %d is stale: %w", uscc, ifRevision, registry.ErrConflict)
		}
		f := cur.Firm
		f.Years = append([]registry.Year(nil), f.Years...)
		created = true
		for i := range f.Years {
			if f.Years[i].Year == y.Year {
				f.Years[i] = y
				created = false
			}
		}
		if created {
			f.Years = append(f.Years, y)
		}
		rec, err = s.ReplaceFirm(ctx, f, cur.Revision)
		if err == nil {
			return rec, created, nil
		}
		if ifRevision > 0 || !errors.Is(err, registry.ErrConflict) {
			return nil, false, err
		}
	}
	return nil, false, fmt.Errorf("put year for firm %s: too many concurrent writes: %w", uscc, registry.ErrConflict)
}

// ListFirms returns one page of the firms matching the filter, sorted by
// USCC, and the number of all matching firms.
// Errors: registry.ErrUnavailable.
func (s *Store) ListFirms(ctx context.Context, ff registry.FirmFilter) ([]registry.Record, int64, error) {
	// A listing filters and sorts the whole collection on the embedded
	// server (see casFilter), so it gets a longer bound than a keyed read.
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	filter := firmQuery(ff)
	if ff.Honor != "" {
		return s.listByHonor(ctx, filter, ff)
	}
	offset, limit := max(ff.Offset, 0), pageLimit(ff.Limit)
	recs, err := s.findPage(ctx, filter, int64(offset), limit)
	if err != nil {
		return nil, 0, err
	}
	// A first page that is not full holds every match: no count needed.
	if offset == 0 && len(recs) < limit {
		return recs, int64(len(recs)), nil
	}
	total, err := s.firms.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, translate("count firms", err)
	}
	return recs, total, nil
}

// listTimeoutFactor scales the per-operation timeout for listings.
const listTimeoutFactor = 6

func pageLimit(limit int) int {
	if limit <= 0 {
		limit = registry.DefaultLimit
	}
	return min(limit, registry.MaxLimit)
}

func (s *Store) findPage(ctx context.Context, filter bson.D, skip int64, limit int) ([]registry.Record, error) {
	cur, err := s.firms.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "uscc", Value: 1}}).
		SetSkip(skip).
		SetLimit(int64(limit)))
	if err != nil {
		return nil, translate("list firms", err)
	}
	var docs []firmDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list firms", err)
	}
	out := make([]registry.Record, len(docs))
	for i := range docs {
		out[i] = *docs[i].record()
	}
	return out, nil
}

// listByHonor pages the firms holding an honor valid at a date. The
// database narrows the candidates to holders of the kind (indexed); the
// validity window is checked here on a projection of USCC and honors, and
// the page is then fetched by USCC.
func (s *Store) listByHonor(ctx context.Context, filter bson.D, ff registry.FirmFilter) ([]registry.Record, int64, error) {
	at := ff.HonorAt
	if at.IsZero() {
		at = s.now()
	}
	cur, err := s.firms.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "uscc", Value: 1}}).
		SetProjection(bson.D{{Key: "uscc", Value: 1}, {Key: "honors", Value: 1}}))
	if err != nil {
		return nil, 0, translate("list firms by honor", err)
	}
	var held []string
	for cur.Next(ctx) {
		var d struct {
			USCC   string           `bson:"uscc"`
			Honors []registry.Honor `bson:"honors"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, 0, translate("list firms by honor", err)
		}
		f := registry.Firm{Honors: d.Honors}
		if f.Holds(ff.Honor, "", at) {
			held = append(held, d.USCC)
		}
	}
	if err := cur.Err(); err != nil {
		return nil, 0, translate("list firms by honor", err)
	}
	total := int64(len(held))
	from := min(max(ff.Offset, 0), len(held))
	page := held[from:min(from+pageLimit(ff.Limit), len(held))]
	if len(page) == 0 {
		return []registry.Record{}, total, nil
	}
	recs, err := s.findPage(ctx, bson.D{{Key: "uscc", Value: bson.D{{Key: "$in", Value: page}}}}, 0, len(page))
	return recs, total, err
}

// firmQuery builds the MongoDB filter of a listing. Every user value goes in
// as a plain string compared by equality or as a quoted regular expression,
// never as an operator.
func firmQuery(ff registry.FirmFilter) bson.D {
	q := bson.D{}
	if rc := ff.RegionCode; rc != "" {
		switch {
		case strings.HasSuffix(rc, "0000"):
			q = append(q, bson.E{Key: "region_code", Value: prefix(rc[:2])})
		case strings.HasSuffix(rc, "00"):
			q = append(q, bson.E{Key: "region_code", Value: prefix(rc[:4])})
		default:
			q = append(q, bson.E{Key: "region_code", Value: rc})
		}
	}
	if ff.Chain != "" {
		q = append(q, bson.E{Key: "chain", Value: ff.Chain})
	}
	if ff.IndustryCode != "" {
		q = append(q, bson.E{Key: "industry_code", Value: prefix(ff.IndustryCode)})
	}
	if ff.Query != "" {
		q = append(q, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "name", Value: bson.Regex{Pattern: regexp.QuoteMeta(ff.Query), Options: "i"}}},
			bson.D{{Key: "uscc", Value: prefix(registry.NormalizeUSCC(ff.Query))}},
		}})
	}
	if ff.Honor != "" {
		// Validity at a date is checked in Go (see listByHonor): the
		// embedded server has no $elemMatch on sub-document fields.
		q = append(q, bson.E{Key: "honors.kind", Value: ff.Honor})
	}
	return q
}

func prefix(s string) bson.Regex {
	return bson.Regex{Pattern: "^" + regexp.QuoteMeta(s)}
}

// ScanFirms calls fn for every firm matching the filter's field filters
// (Offset, Limit and Honor are ignored), in no particular order, streaming
// through a cursor so memory stays flat however large the registry (a sort
// would make the embedded server load every document first). It stops at the
// first error fn returns and returns it. The whole scan is bounded by the
// context, not by the per-operation timeout.
// Errors: registry.ErrUnavailable, or fn's error.
func (s *Store) ScanFirms(ctx context.Context, ff registry.FirmFilter, fn func(*registry.Record) error) error {
	ff.Honor = ""
	cur, err := s.firms.Find(ctx, firmQuery(ff), options.Find().SetBatchSize(500))
	if err != nil {
		return translate("scan firms", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		var doc firmDoc
		if err := cur.Decode(&doc); err != nil {
			return translate("scan firms", err)
		}
		if err := fn(doc.record()); err != nil {
			return err
		}
	}
	return translate("scan firms", cur.Err())
}

// CountFirms returns the number of firms in the registry.
// Errors: registry.ErrUnavailable.
func (s *Store) CountFirms(ctx context.Context) (int64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	n, err := s.firms.CountDocuments(ctx, bson.D{})
	return n, translate("count firms", err)
}

// InsertMissing stores those of the given firms whose USCC is not yet in the
// registry and leaves existing ones untouched, so loading the same batch
// twice changes nothing. Every firm is validated first; an invalid one fails
// the whole call before anything is written. It returns how many were new.
// Errors: registry.ErrInvalid, registry.ErrUnavailable.
func (s *Store) InsertMissing(ctx context.Context, firms []registry.Firm) (int, error) {
	if len(firms) == 0 {
		return 0, nil
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	docs := make([]any, 0, len(firms))
	for i := range firms {
		f := firms[i]
		if err := s.prepare(&f); err != nil {
			return 0, fmt.Errorf("firm %d (%s): %w", i, f.USCC, err)
		}
		docs = append(docs, firmDoc{ID: f.USCC, Firm: f, Rev: 1, Created: now, Updated: now})
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout+time.Duration(len(firms))*10*time.Millisecond)
	defer cancel()
	// An unordered insert writes every new firm; the unique _id turns the
	// ones already present into duplicate-key errors, which are expected.
	res, err := s.firms.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	switch {
	case err == nil:
		return len(res.InsertedIDs), nil
	case onlyDuplicates(err):
		var bwe mongo.BulkWriteException
		errors.As(err, &bwe)
		return len(docs) - len(bwe.WriteErrors), nil
	}
	return 0, translate("insert firms", err)
}

// onlyDuplicates reports whether a bulk write failed only because another
// writer inserted some of the same USCCs first: for InsertMissing those
// firms are present, which is the goal.
func onlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return false
		}
	}
	return true
}

// FirmIDs returns the USCCs of the firms the filter selects (paging and
// honor fields ignored), sorted. Errors: registry.ErrUnavailable.
func (s *Store) FirmIDs(ctx context.Context, ff registry.FirmFilter) ([]string, error) {
	ff.Honor = ""
	cur, err := s.firms.Find(ctx, firmQuery(ff), options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(2000))
	if err != nil {
		return nil, translate("list firm ids", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var ids []string
	for cur.Next(ctx) {
		var d struct {
			ID string `bson:"_id"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, translate("list firm ids", err)
		}
		ids = append(ids, d.ID)
	}
	if err := cur.Err(); err != nil {
		return nil, translate("list firm ids", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// FirmsByUSCC calls fn for each of the given firms that exists, in no
// particular order. Errors: registry.ErrUnavailable, or fn's error.
func (s *Store) FirmsByUSCC(ctx context.Context, usccs []string, fn func(*registry.Record) error) error {
	if len(usccs) == 0 {
		return nil
	}
	cur, err := s.firms.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: usccs}}}}, options.Find().SetBatchSize(500))
	if err != nil {
		return translate("read firms", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		var doc firmDoc
		if err := cur.Decode(&doc); err != nil {
			return translate("read firms", err)
		}
		if err := fn(doc.record()); err != nil {
			return err
		}
	}
	return translate("read firms", cur.Err())
}

// EstimateFirms returns about how many firms the registry holds, cheaply:
// the server's collection statistics rather than a count of documents
// (which the embedded server computes by reading every one).
// Errors: registry.ErrUnavailable.
func (s *Store) EstimateFirms(ctx context.Context) (int64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if !s.embedded {
		n, err := s.firms.EstimatedDocumentCount(ctx)
		return n, translate("estimate firms", err)
	}
	var res struct {
		Count int64 `bson:"count"`
	}
	err := s.db.RunCommand(ctx, bson.D{{Key: "collStats", Value: "firms"}}).Decode(&res)
	return res.Count, translate("estimate firms", err)
}
