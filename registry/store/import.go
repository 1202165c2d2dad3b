package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/peiyu/peiyu/registry"
)

// The outcomes of UpsertFirm (the same words as package sheet's).
const (
	UpsertCreated   = "created"
	UpsertUpdated   = "updated"
	UpsertUnchanged = "unchanged"
)

// errRetry says an upsert lost a race with another writer and must read
// the firm again.
var errRetry = errors.New("retry")

// UpsertFirm stores f under its USCC, for imports: a firm not yet
// registered is created (revision 1); a registered one whose profile
// differs from f is replaced (its revision grows by one, its creation time
// stays); one whose profile is already f is left untouched, so importing
// the same data twice writes nothing the second time. It returns what it
// did: UpsertCreated, UpsertUpdated or UpsertUnchanged. With dryRun it
// writes nothing and returns what it would have done.
//
// Each call is one single-document write, so an import interrupted part
// way leaves whole firms only, and running it again completes it. A write
// that loses a race with another writer is retried on the new state.
// Errors: registry.ErrInvalid (a *registry.ValidationError),
// registry.ErrConflict (the firm kept changing under concurrent writers;
// nothing written), registry.ErrUnavailable.
func (s *Store) UpsertFirm(ctx context.Context, f registry.Firm, dryRun bool) (string, error) {
	if err := s.prepare(&f); err != nil {
		return "", err
	}
	for range 5 {
		outcome, err := s.upsertOnce(ctx, f, dryRun)
		if !errors.Is(err, errRetry) {
			return outcome, err
		}
	}
	return "", fmt.Errorf("upsert firm %s: too many concurrent writes: %w", f.USCC, registry.ErrConflict)
}

func (s *Store) upsertOnce(ctx context.Context, f registry.Firm, dryRun bool) (string, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	defer s.lockKey(f.USCC)()
	var old firmDoc
	err := s.firms.FindOne(ctx, byID(f.USCC)).Decode(&old)
	now := s.now().UTC().Truncate(time.Millisecond)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		if dryRun {
			return UpsertCreated, nil
		}
		_, err := s.firms.InsertOne(ctx, firmDoc{ID: f.USCC, Firm: f, Rev: 1, Created: now, Updated: now})
		if mongo.IsDuplicateKeyError(err) {
			return "", errRetry
		}
		if err != nil {
			return "", translate("upsert firm "+f.USCC, err)
		}
		return UpsertCreated, nil
	case err != nil:
		return "", translate("upsert firm "+f.USCC, err)
	}
	same, err := sameProfile(&old.Firm, &f)
	if err != nil {
		return "", fmt.Errorf("upsert firm %s: %w", f.USCC, err)
	}
	if same {
		return UpsertUnchanged, nil
	}
	if dryRun {
		return UpsertUpdated, nil
	}
	doc := firmDoc{ID: f.USCC, Firm: f, Rev: old.Rev + 1, Created: old.Created, Updated: now}
	res, err := s.firms.ReplaceOne(ctx, s.casFilter(f.USCC, old.Rev), doc)
	if err != nil {
		return "", translate("upsert firm "+f.USCC, err)
	}
	if res.MatchedCount == 0 {
		// Changed or deleted since it was read.
		return "", errRetry
	}
	return UpsertUpdated, nil
}

// sameProfile reports whether two firms hold the same profile: equal JSON
// (the data contract, in which an absent value and an empty list read the
// same), counting an empty niche or IP block as absent, since no rule can
// tell them apart. An empty compliance block is not absent: it says the
// firm has no incidents.
func sameProfile(a, b *registry.Firm) (bool, error) {
	ja, err := canonical(*a)
	if err != nil {
		return false, err
	}
	jb, err := canonical(*b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ja, jb), nil
}

func canonical(f registry.Firm) ([]byte, error) {
	if f.Niche != nil && *f.Niche == (registry.Niche{}) {
		f.Niche = nil
	}
	if f.IP != nil && *f.IP == (registry.IP{}) {
		f.IP = nil
	}
	return json.Marshal(f)
}
