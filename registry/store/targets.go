package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/peiyu/peiyu/registry"
)

// targetDoc is the stored form of a plan target. The _id is the target's
// ID. _seed is the hash of the seed version the document was written from:
// while the target still hashes to it, nobody has edited it, and a newer
// seed may replace it; once edited, the seed leaves it alone.
type targetDoc struct {
	ID              string `bson:"_id"`
	registry.Target `bson:",inline"`
	Seq             int       `bson:"_seq"`
	Seed            string    `bson:"_seed"`
	Updated         time.Time `bson:"_updated"`
}

// targetHash identifies a target's content.
func targetHash(t *registry.Target) string {
	b, _ := json.Marshal(t)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// LoadTargets puts the seed targets into the targets collection and returns
// how many it inserted and how many it updated. It is idempotent: a target
// already stored as seeded is left alone, one whose seed changed since is
// replaced, and one edited in the database since it was seeded is kept as
// edited. Every target is validated first; an invalid one fails the call
// before anything is written.
// Errors: registry.ErrInvalid, registry.ErrUnavailable.
func (s *Store) LoadTargets(ctx context.Context, targets []registry.Target) (inserted, updated int, err error) {
	for i := range targets {
		if err := targets[i].Validate(); err != nil {
			return 0, 0, fmt.Errorf("target %d (%s): %w", i, targets[i].ID, err)
		}
	}
	stored, err := s.targetDocs(ctx)
	if err != nil {
		return 0, 0, err
	}
	have := make(map[string]*targetDoc, len(stored))
	for i := range stored {
		have[stored[i].ID] = &stored[i]
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	coll := s.db.Collection("targets")
	now := s.now().UTC().Truncate(time.Millisecond)
	for i, t := range targets {
		seed := targetHash(&t)
		doc := targetDoc{ID: t.ID, Target: t, Seq: i, Seed: seed, Updated: now}
		old := have[t.ID]
		switch {
		case old == nil:
			if _, err := coll.InsertOne(ctx, doc); err != nil {
				return inserted, updated, translate("insert target "+t.ID, err)
			}
			inserted++
		case targetHash(&old.Target) != old.Seed:
			// Edited since it was seeded: the edit wins.
		case old.Seed == seed && old.Seq == i:
			// Unchanged.
		default:
			// As seeded, and the seed moved on: follow it. On a real
			// MongoDB the filter on _seed keeps a concurrent edit.
			if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: t.ID}, {Key: "_seed", Value: old.Seed}}, doc); err != nil {
				return inserted, updated, translate("update target "+t.ID, err)
			}
			updated++
		}
	}
	return inserted, updated, nil
}

// targetDocs reads the whole targets collection: a few dozen documents,
// which the embedded server would scan for any filter anyway.
func (s *Store) targetDocs(ctx context.Context) ([]targetDoc, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	cur, err := s.db.Collection("targets").Find(ctx, bson.D{})
	if err != nil {
		return nil, translate("list targets", err)
	}
	var docs []targetDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list targets", err)
	}
	return docs, nil
}

// ListTargets returns the targets the filter selects, by region code, year
// and then the order of the seed file.
// Errors: registry.ErrUnavailable.
func (s *Store) ListTargets(ctx context.Context, f registry.TargetFilter) ([]registry.Target, error) {
	docs, err := s.targetDocs(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(docs, func(a, b targetDoc) int {
		return cmp.Or(cmp.Compare(a.RegionCode, b.RegionCode), cmp.Compare(a.Year, b.Year),
			cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
	})
	out := []registry.Target{}
	for i := range docs {
		if f.Match(&docs[i].Target) {
			out = append(out, docs[i].Target)
		}
	}
	return out, nil
}

// snapshotDoc is the stored form of a ledger snapshot; the _id is its ID.
type snapshotDoc struct {
	ID                string `bson:"_id"`
	registry.Snapshot `bson:",inline"`
}

// SaveSnapshot stores a new snapshot and returns it as stored: its ID set
// (registry.SnapshotID) and its time truncated to the millisecond. Snapshots
// are never replaced.
// Errors: registry.ErrInvalid, registry.ErrConflict (a snapshot of the same
// region and year taken in the same millisecond), registry.ErrUnavailable.
func (s *Store) SaveSnapshot(ctx context.Context, sn registry.Snapshot) (*registry.Snapshot, error) {
	sn.TakenAt = sn.TakenAt.UTC().Truncate(time.Millisecond)
	if err := sn.Validate(); err != nil {
		return nil, err
	}
	sn.ID = registry.SnapshotID(sn.RegionCode, sn.Year, sn.TakenAt)
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if _, err := s.db.Collection("target_snapshots").InsertOne(ctx, snapshotDoc{ID: sn.ID, Snapshot: sn}); err != nil {
		return nil, translate("save snapshot "+sn.ID, err)
	}
	return &sn, nil
}

// ListSnapshots returns the snapshots the filter selects, newest first.
// Errors: registry.ErrUnavailable.
func (s *Store) ListSnapshots(ctx context.Context, f registry.SnapshotFilter) ([]registry.Snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	q := bson.D{}
	if f.RegionCode != "" {
		q = append(q, bson.E{Key: "region_code", Value: f.RegionCode})
	}
	if f.Year != 0 {
		q = append(q, bson.E{Key: "year", Value: f.Year})
	}
	cur, err := s.db.Collection("target_snapshots").Find(ctx, q, options.Find().SetSort(bson.D{{Key: "taken_at", Value: -1}}))
	if err != nil {
		return nil, translate("list snapshots", err)
	}
	var docs []snapshotDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list snapshots", err)
	}
	out := make([]registry.Snapshot, len(docs))
	for i := range docs {
		out[i] = docs[i].Snapshot
		out[i].TakenAt = out[i].TakenAt.UTC()
	}
	// The sort key is a date; equal dates keep a stable, newest-ID-first
	// order whatever the server returns.
	slices.SortStableFunc(out, func(a, b registry.Snapshot) int {
		return cmp.Or(b.TakenAt.Compare(a.TakenAt), cmp.Compare(b.ID, a.ID))
	})
	return out, nil
}
