package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/peiyu/peiyu/registry"
)

// Rule-pack drafts and published revisions. Both collections stay small
// (a handful of programs, edited a few times a year) and every read that
// matters is by _id: drafts by their UUID, revisions by
// "program@edition#n". Listings scan the collection, which the embedded
// server does in Go whatever the filter.
const (
	draftsCollection    = "pack_drafts"
	revisionsCollection = "pack_revisions"
)

type draftDoc struct {
	ID                string             `bson:"_id"`
	Program           string             `bson:"program"`
	Edition           string             `bson:"edition"`
	BaseRevision      int                `bson:"base_revision"`
	YAML              string             `bson:"yaml,omitempty"`
	Overrides         map[string]float64 `bson:"overrides,omitempty"`
	Note              string             `bson:"note,omitempty"`
	CreatedBy         string             `bson:"created_by"`
	CreatedAt         time.Time          `bson:"created_at"`
	Status            string             `bson:"status"`
	PublishedRevision int                `bson:"published_revision,omitempty"`
	PublishedBy       string             `bson:"published_by,omitempty"`
	PublishedAt       *time.Time         `bson:"published_at,omitempty"`
}

func (d *draftDoc) draft() *registry.PackDraft {
	out := registry.PackDraft(*d)
	out.CreatedAt = out.CreatedAt.UTC()
	if out.PublishedAt != nil {
		t := out.PublishedAt.UTC()
		out.PublishedAt = &t
	}
	return &out
}

type revisionDoc struct {
	ID          string    `bson:"_id"`
	Program     string    `bson:"program"`
	Edition     string    `bson:"edition"`
	Revision    int       `bson:"revision"`
	YAML        string    `bson:"yaml,omitempty"`
	Hash        string    `bson:"hash"`
	DraftID     string    `bson:"draft_id"`
	Note        string    `bson:"note,omitempty"`
	PublishedBy string    `bson:"published_by"`
	PublishedAt time.Time `bson:"published_at"`
}

func (d *revisionDoc) revision() *registry.PackRevision {
	return &registry.PackRevision{Program: d.Program, Edition: d.Edition, Revision: d.Revision, YAML: d.YAML,
		Hash: d.Hash, DraftID: d.DraftID, Note: d.Note, PublishedBy: d.PublishedBy, PublishedAt: d.PublishedAt.UTC()}
}

// withoutYAML leaves the packs out of a listing.
var withoutYAML = bson.D{{Key: "yaml", Value: 0}}

// CreateDraft stores a new draft with a fresh ID, status draft and the
// store's clock as its creation time, and returns it.
// Errors: registry.ErrInvalid, registry.ErrUnavailable.
func (s *Store) CreateDraft(ctx context.Context, d registry.PackDraft) (*registry.PackDraft, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	doc := draftDoc(d)
	doc.ID = uuid.NewString()
	doc.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	doc.Status = registry.DraftOpen
	doc.PublishedRevision, doc.PublishedBy, doc.PublishedAt = 0, "", nil
	if _, err := s.db.Collection(draftsCollection).InsertOne(ctx, doc); err != nil {
		return nil, translate("create draft", err)
	}
	return doc.draft(), nil
}

// GetDraft returns one draft with its YAML.
// Errors: registry.ErrNotFound, registry.ErrUnavailable.
func (s *Store) GetDraft(ctx context.Context, id string) (*registry.PackDraft, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var doc draftDoc
	if err := s.db.Collection(draftsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		return nil, translate("read draft "+id, err)
	}
	return doc.draft(), nil
}

// ListDrafts returns a program's drafts, newest first, without their YAML.
// Errors: registry.ErrUnavailable.
func (s *Store) ListDrafts(ctx context.Context, program string) ([]registry.PackDraft, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	cur, err := s.db.Collection(draftsCollection).Find(ctx, bson.D{{Key: "program", Value: program}},
		options.Find().SetProjection(withoutYAML))
	if err != nil {
		return nil, translate("list drafts", err)
	}
	var docs []draftDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list drafts", err)
	}
	out := make([]registry.PackDraft, len(docs))
	for i := range docs {
		out[i] = *docs[i].draft()
	}
	slices.SortFunc(out, func(a, b registry.PackDraft) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// PublishDraft stores rev, the revision made from draft rev.DraftID, and
// marks the draft published. It is two single-document writes, resumable
// and safe against a second publisher:
//
//  1. insert the revision under its deterministic _id
//     ("program@edition#n"): at most one document can hold a revision
//     number, across replicas;
//  2. mark the draft published.
//
// If the revision already exists and came from the same draft (a publish
// that stopped between the two steps, or a concurrent publish of the same
// draft), the stored revision is kept and step 2 completes the publish. If
// it came from another draft, the draft was overtaken: ErrConflict and
// nothing is written. It returns the stored revision.
// Errors: registry.ErrInvalid, registry.ErrConflict, registry.ErrNotFound
// (no such draft), registry.ErrUnavailable.
func (s *Store) PublishDraft(ctx context.Context, rev registry.PackRevision) (*registry.PackRevision, error) {
	if err := rev.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*s.timeout)
	defer cancel()
	var draft draftDoc
	if err := s.db.Collection(draftsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: rev.DraftID}}).Decode(&draft); err != nil {
		return nil, translate("read draft "+rev.DraftID, err)
	}
	switch {
	case draft.Program != rev.Program || draft.Edition != rev.Edition:
		return nil, registry.Invalid("draft_id", "草案不属于"+rev.Key(), "the draft is not of "+rev.Key())
	case draft.Status == registry.DraftPublished && draft.PublishedRevision != rev.Revision:
		return nil, fmt.Errorf("publish draft %s: published as revision %d: %w", rev.DraftID, draft.PublishedRevision, registry.ErrConflict)
	}
	doc := revisionDoc{ID: rev.ID(), Program: rev.Program, Edition: rev.Edition, Revision: rev.Revision, YAML: rev.YAML,
		Hash: rev.Hash, DraftID: rev.DraftID, Note: rev.Note, PublishedBy: rev.PublishedBy,
		PublishedAt: rev.PublishedAt.UTC().Truncate(time.Millisecond)}
	revs := s.db.Collection(revisionsCollection)
	_, err := revs.InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		var have revisionDoc
		if err := revs.FindOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}).Decode(&have); err != nil {
			return nil, translate("read revision "+doc.ID, err)
		}
		if have.DraftID != rev.DraftID {
			return nil, fmt.Errorf("publish draft %s: revision %s came from draft %s: %w",
				rev.DraftID, doc.ID, have.DraftID, registry.ErrConflict)
		}
		doc, err = have, nil
	}
	if err != nil {
		return nil, translate("store revision "+doc.ID, err)
	}
	res, err := s.db.Collection(draftsCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: rev.DraftID}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "status", Value: registry.DraftPublished},
			{Key: "published_revision", Value: doc.Revision},
			{Key: "published_by", Value: doc.PublishedBy},
			{Key: "published_at", Value: doc.PublishedAt},
		}}})
	if err != nil {
		return nil, translate("mark draft "+rev.DraftID+" published", err)
	}
	if res.MatchedCount == 0 {
		return nil, fmt.Errorf("mark draft %s published: %w", rev.DraftID, registry.ErrNotFound)
	}
	return doc.revision(), nil
}

// GetRevision returns one stored revision with its YAML.
// Errors: registry.ErrNotFound, registry.ErrUnavailable.
func (s *Store) GetRevision(ctx context.Context, program, edition string, n int) (*registry.PackRevision, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	id := (&registry.PackRevision{Program: program, Edition: edition, Revision: n}).ID()
	var doc revisionDoc
	if err := s.db.Collection(revisionsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		return nil, translate("read revision "+id, err)
	}
	return doc.revision(), nil
}

// ListRevisions returns the stored revisions of a program (every edition;
// all programs for ""), newest first, without their YAML.
// Errors: registry.ErrUnavailable.
func (s *Store) ListRevisions(ctx context.Context, program string) ([]registry.PackRevision, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	filter := bson.D{}
	if program != "" {
		filter = bson.D{{Key: "program", Value: program}}
	}
	cur, err := s.db.Collection(revisionsCollection).Find(ctx, filter, options.Find().SetProjection(withoutYAML))
	if err != nil {
		return nil, translate("list revisions", err)
	}
	var docs []revisionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list revisions", err)
	}
	out := make([]registry.PackRevision, len(docs))
	for i := range docs {
		out[i] = *docs[i].revision()
	}
	slices.SortFunc(out, func(a, b registry.PackRevision) int {
		return cmp.Or(b.PublishedAt.Compare(a.PublishedAt), cmp.Compare(a.Key(), b.Key()), cmp.Compare(b.Revision, a.Revision))
	})
	return out, nil
}

// LatestRevisions returns the newest stored revision of every program
// edition that has one, without YAML, ordered by program and edition.
// Errors: registry.ErrUnavailable.
func (s *Store) LatestRevisions(ctx context.Context) ([]registry.PackRevision, error) {
	all, err := s.ListRevisions(ctx, "")
	if err != nil {
		return nil, err
	}
	latest := map[string]registry.PackRevision{}
	for _, r := range all {
		if have, ok := latest[r.Key()]; !ok || r.Revision > have.Revision {
			latest[r.Key()] = r
		}
	}
	out := make([]registry.PackRevision, 0, len(latest))
	for _, r := range latest {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b registry.PackRevision) int { return cmp.Compare(a.Key(), b.Key()) })
	return out, nil
}
