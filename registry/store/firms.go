package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/peiyu/peiyu/registry"
)

// firmDoc is the stored form of a firm: the profile's fields at the top level
// (so indexes and filters address them directly) plus bookkeeping fields
// whose names start with an underscore.
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
	doc := firmDoc{ID: uuid.NewString(), Firm: f, Rev: 1, Created: now, Updated: now}
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
	err := s.firms.FindOne(ctx, bson.D{{Key: "uscc", Value: uscc}}).Decode(&doc)
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
	filter := bson.D{{Key: "uscc", Value: f.USCC}}
	if ifRevision > 0 {
		filter = append(filter, bson.E{Key: "_rev", Value: ifRevision})
	}
	// Replace the profile fields but keep _id and _created: an update with
	// $set of the whole profile would leave removed optional fields behind,
	// so the document is rebuilt with a replace that carries them over.
	var old firmDoc
	err := s.firms.FindOne(ctx, filter, options.FindOne().SetProjection(bson.D{
		{Key: "_id", Value: 1}, {Key: "_rev", Value: 1}, {Key: "_created", Value: 1}, {Key: "uscc", Value: 1},
	})).Decode(&old)
	if err != nil {
		err = translate("replace firm "+f.USCC, err)
		if ifRevision > 0 && errors.Is(err, registry.ErrNotFound) {
			return nil, s.staleOrMissing(ctx, f.USCC, ifRevision)
		}
		return nil, err
	}
	doc := firmDoc{ID: old.ID, Firm: f, Rev: old.Rev + 1, Created: old.Created,
		Updated: s.now().UTC().Truncate(time.Millisecond)}
	// The revision read above is the precondition of the write, so two
	// concurrent unconditional replaces cannot both win.
	res, err := s.firms.ReplaceOne(ctx, bson.D{{Key: "_id", Value: old.ID}, {Key: "_rev", Value: old.Rev}}, doc)
	if err != nil {
		return nil, translate("replace firm "+f.USCC, err)
	}
	if res.MatchedCount == 0 {
		return nil, fmt.Errorf("replace firm %s: changed concurrently: %w", f.USCC, registry.ErrConflict)
	}
	return doc.record(), nil
}

// staleOrMissing tells apart a firm that does not exist from one whose
// revision moved on, after a conditional write matched nothing.
func (s *Store) staleOrMissing(ctx context.Context, uscc string, ifRevision int64) error {
	n, err := s.firms.CountDocuments(ctx, bson.D{{Key: "uscc", Value: uscc}})
	if err != nil {
		return translate("check firm "+uscc, err)
	}
	if n == 0 {
		return fmt.Errorf("firm %s: %w", uscc, registry.ErrNotFound)
	}
	return fmt.Errorf("firm %s: revision %d is stale: %w", uscc, ifRevision, registry.ErrConflict)
}

// DeleteFirm removes a firm. When ifRevision is positive it is removed only
// if its revision still equals it.
// Errors: registry.ErrNotFound, registry.ErrConflict, registry.ErrUnavailable.
func (s *Store) DeleteFirm(ctx context.Context, uscc string, ifRevision int64) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	defer s.lockKey(uscc)()
	filter := bson.D{{Key: "uscc", Value: uscc}}
	if ifRevision > 0 {
		filter = append(filter, bson.E{Key: "_rev", Value: ifRevision})
	}
	res, err := s.firms.DeleteOne(ctx, filter)
	if err != nil {
		return translate("delete firm "+uscc, err)
	}
	if res.DeletedCount == 0 {
		if ifRevision > 0 {
			return s.staleOrMissing(ctx, uscc, ifRevision)
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
	ctx, cancel := s.bound(ctx)
	defer cancel()
	filter := firmQuery(ff)
	if ff.Honor != "" {
		return s.listByHonor(ctx, filter, ff)
	}
	total, err := s.firms.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, translate("count firms", err)
	}
	recs, err := s.findPage(ctx, filter, int64(max(ff.Offset, 0)), pageLimit(ff.Limit))
	return recs, total, err
}

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

// CountFirms returns the number of firms in the registry.
// Errors: registry.ErrUnavailable.
func (s *Store) CountFirms(ctx context.Context) (int64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	n, err := s.firms.EstimatedDocumentCount(ctx)
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
	models := make([]mongo.WriteModel, 0, len(firms))
	for i := range firms {
		f := firms[i]
		if err := s.prepare(&f); err != nil {
			return 0, fmt.Errorf("firm %d (%s): %w", i, f.USCC, err)
		}
		doc := firmDoc{ID: uuid.NewString(), Firm: f, Rev: 1, Created: now, Updated: now}
		models = append(models, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "uscc", Value: f.USCC}}).
			SetUpdate(bson.D{{Key: "$setOnInsert", Value: doc}}).
			SetUpsert(true))
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout+time.Duration(len(firms))*10*time.Millisecond)
	defer cancel()
	res, err := s.firms.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	if err != nil && !onlyDuplicates(err) {
		return 0, translate("insert firms", err)
	}
	if res == nil {
		return 0, nil
	}
	return int(res.UpsertedCount), nil
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
