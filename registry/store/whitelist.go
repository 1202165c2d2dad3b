package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/peiyu/peiyu/registry"
)

// A published whitelist version is two documents with the same _id
// "<list>#<version>": its entries (whitelist_entries), written first, and
// its summary (whitelist_versions), written last — the commit point. A
// version whose summary is absent was never published, whatever entries
// document a crash left behind; publishing that number again overwrites
// it. A pointer document per list (whitelist_heads) names the latest
// version; readers probe forward from it, so a crash between the summary
// and the pointer loses nothing.

type whitelistVersionDoc struct {
	ID                        string `bson:"_id"`
	registry.WhitelistVersion `bson:",inline"`
}

type whitelistEntriesDoc struct {
	ID      string                    `bson:"_id"`
	Entries []registry.WhitelistEntry `bson:"entries"`
}

type whitelistHeadDoc struct {
	ID     string `bson:"_id"`
	Latest int    `bson:"latest"`
}

type receiptKeyDoc struct {
	ID        string     `bson:"_id"`
	Public    []byte     `bson:"public"`
	Private   []byte     `bson:"private"`
	CreatedAt time.Time  `bson:"created_at"`
	RetiredAt *time.Time `bson:"retired_at,omitempty"`
}

func versionID(list string, v int) string { return fmt.Sprintf("%s#%d", list, v) }

// LatestWhitelist returns the number of the latest published version of a
// list, 0 when none is. Errors: registry.ErrUnavailable.
func (s *Store) LatestWhitelist(ctx context.Context, list string) (int, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var head whitelistHeadDoc
	err := s.db.Collection("whitelist_heads").FindOne(ctx, bson.D{{Key: "_id", Value: list}}).Decode(&head)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, translate("read whitelist head", err)
	}
	v := head.Latest
	for {
		n, err := s.db.Collection("whitelist_versions").CountDocuments(ctx, bson.D{{Key: "_id", Value: versionID(list, v+1)}})
		if err != nil {
			return 0, translate("read whitelist version", err)
		}
		if n == 0 {
			return v, nil
		}
		v++
	}
}

// WhitelistVersion returns a published version with its entries.
// Errors: registry.ErrNotFound, registry.ErrUnavailable.
func (s *Store) WhitelistVersion(ctx context.Context, list string, v int) (registry.WhitelistVersion, []registry.WhitelistEntry, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	id := versionID(list, v)
	var vd whitelistVersionDoc
	if err := s.db.Collection("whitelist_versions").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&vd); err != nil {
		return registry.WhitelistVersion{}, nil, translate("read whitelist version "+id, err)
	}
	var ed whitelistEntriesDoc
	if err := s.db.Collection("whitelist_entries").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&ed); err != nil {
		return registry.WhitelistVersion{}, nil, translate("read whitelist entries "+id, err)
	}
	return vd.WhitelistVersion, ed.Entries, nil
}

// WhitelistVersions returns the summaries of versions from..to of a list.
// Errors: registry.ErrUnavailable.
func (s *Store) WhitelistVersions(ctx context.Context, list string, from, to int) ([]registry.WhitelistVersion, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	var out []registry.WhitelistVersion
	for v := to; v >= from && v >= 1; v-- {
		var vd whitelistVersionDoc
		err := s.db.Collection("whitelist_versions").FindOne(ctx, bson.D{{Key: "_id", Value: versionID(list, v)}}).Decode(&vd)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, translate("read whitelist versions", err)
		}
		out = append(out, vd.WhitelistVersion)
	}
	return out, nil
}

// PublishWhitelist stores version v of a list: entries first, then the
// summary (the commit point). The publisher then advances the head
// pointer with AdvanceWhitelistHead.
// Errors: registry.ErrConflict (version v is already published),
// registry.ErrUnavailable.
func (s *Store) PublishWhitelist(ctx context.Context, v registry.WhitelistVersion, entries []registry.WhitelistEntry) error {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	id := versionID(v.List, v.Version)
	n, err := s.db.Collection("whitelist_versions").CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return translate("check whitelist version", err)
	}
	if n > 0 {
		return fmt.Errorf("publish %s: %w", id, registry.ErrConflict)
	}
	if entries == nil {
		entries = []registry.WhitelistEntry{}
	}
	if _, err := s.db.Collection("whitelist_entries").ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
		whitelistEntriesDoc{ID: id, Entries: entries}, options.Replace().SetUpsert(true)); err != nil {
		return translate("write whitelist entries", err)
	}
	v.PublishedAt = v.PublishedAt.UTC().Truncate(time.Millisecond)
	if _, err := s.db.Collection("whitelist_versions").InsertOne(ctx, whitelistVersionDoc{ID: id, WhitelistVersion: v}); err != nil {
		return translate("publish whitelist version", err) // a concurrent publisher won: ErrConflict
	}
	return nil
}

// AdvanceWhitelistHead records version v as the latest of a list, unless a
// later one is recorded already. The pointer only saves readers probing:
// LatestWhitelist probes forward from it, so a version whose pointer was
// never advanced is found all the same, and a failure here is no failure
// of the publication. It used to be the last step of PublishWhitelist,
// whose error then reported a committed version as not published, and the
// publishing service did not serve it
// (TestPublishSurvivesHeadPointerFailure).
// Errors: registry.ErrUnavailable.
func (s *Store) AdvanceWhitelistHead(ctx context.Context, list string, v int) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.db.Collection("whitelist_heads").UpdateOne(ctx, bson.D{{Key: "_id", Value: list}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "latest", Value: v}}}}, options.UpdateOne().SetUpsert(true))
	return translate("advance whitelist head", err)
}

// ReceiptKeys returns the receipt-signing keys, the current one first.
// Private seeds are included: the caller is the signer.
// Errors: registry.ErrUnavailable.
func (s *Store) ReceiptKeys(ctx context.Context) ([]registry.ReceiptKey, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	cur, err := s.db.Collection("receipt_keys").Find(ctx, bson.D{})
	if err != nil {
		return nil, translate("read receipt keys", err)
	}
	var docs []receiptKeyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("read receipt keys", err)
	}
	var current, retired []registry.ReceiptKey
	for _, d := range docs {
		k := registry.ReceiptKey{ID: d.ID, Public: d.Public, Private: d.Private, CreatedAt: d.CreatedAt.UTC(), RetiredAt: d.RetiredAt}
		if d.RetiredAt == nil {
			current = append(current, k)
		} else {
			retired = append(retired, k)
		}
	}
	// Newest unretired key signs; should two exist (two replicas started
	// at once), the newest wins everywhere.
	sortKeys := func(ks []registry.ReceiptKey) {
		for i := 1; i < len(ks); i++ {
			for j := i; j > 0 && ks[j].CreatedAt.After(ks[j-1].CreatedAt); j-- {
				ks[j], ks[j-1] = ks[j-1], ks[j]
			}
		}
	}
	sortKeys(current)
	sortKeys(retired)
	return append(current, retired...), nil
}

// AddReceiptKey stores a new signing key and retires the others: rotation.
// Retired keys stay listed so old receipts still verify.
// Errors: registry.ErrUnavailable.
func (s *Store) AddReceiptKey(ctx context.Context, k registry.ReceiptKey) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	coll := s.db.Collection("receipt_keys")
	k.CreatedAt = k.CreatedAt.UTC().Truncate(time.Millisecond)
	if _, err := coll.InsertOne(ctx, receiptKeyDoc{ID: k.ID, Public: k.Public, Private: k.Private, CreatedAt: k.CreatedAt}); err != nil {
		return translate("add receipt key", err)
	}
	_, err := coll.UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$ne", Value: k.ID}}}, {Key: "retired_at", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "retired_at", Value: k.CreatedAt}}}})
	return translate("retire receipt keys", err)
}
