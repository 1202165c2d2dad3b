package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/peiyu/peiyu/registry"
)

// MaxHistory bounds the history kept per firm and program; the oldest
// entries go first.
const MaxHistory = 200

// eligibilityDoc holds one firm's results for one program: the latest full
// result and the history of summaries. One document per (firm, program)
// keeps every write single-document atomic and every read an _id lookup,
// which the embedded server answers from its index.
type eligibilityDoc struct {
	ID      string                `bson:"_id"`
	USCC    string                `bson:"uscc"`
	Program string                `bson:"program"`
	Result  string                `bson:"result"`
	History []registry.Evaluation `bson:"history"`
	Rev     int64                 `bson:"_rev"`
}

func eligibilityID(uscc, program string) string { return uscc + "/" + program }

// SaveEvaluation records a firm's result for a program: ev in the history
// and result (the full result as JSON) as the latest. When the latest entry
// was computed from the same inputs nothing is written and saved is false.
// Errors: registry.ErrUnavailable.
func (s *Store) SaveEvaluation(ctx context.Context, uscc string, ev registry.Evaluation, result string) (saved bool, err error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	id := eligibilityID(uscc, ev.Program)
	ev.EvaluatedAt = ev.EvaluatedAt.UTC().Truncate(time.Millisecond)
	coll := s.db.Collection("eligibility")
	defer s.lockKey("eligibility:" + id)()
	for attempt := 0; ; attempt++ {
		var doc eligibilityDoc
		err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return false, translate("read eligibility "+id, err)
		}
		if n := len(doc.History); n > 0 && doc.History[n-1].Same(&ev) {
			return false, nil
		}
		oldRev := doc.Rev
		doc.ID, doc.USCC, doc.Program, doc.Result, doc.Rev = id, uscc, ev.Program, result, oldRev+1
		doc.History = append(doc.History, ev)
		if len(doc.History) > MaxHistory {
			doc.History = slices.Clone(doc.History[len(doc.History)-MaxHistory:])
		}
		filter := bson.D{{Key: "_id", Value: id}}
		if !s.embedded {
			filter = append(filter, bson.E{Key: "_rev", Value: oldRev})
		}
		_, err = coll.ReplaceOne(ctx, filter, doc, options.Replace().SetUpsert(true))
		if err == nil {
			return true, nil
		}
		// Another replica wrote first: the upsert collides on _id. Re-read.
		if mongo.IsDuplicateKeyError(err) && attempt < 5 {
			continue
		}
		return false, translate("save eligibility "+id, err)
	}
}

// LatestEvaluation returns the latest stored result of a firm for a
// program, as JSON, with its summary.
// Errors: registry.ErrNotFound, registry.ErrUnavailable.
func (s *Store) LatestEvaluation(ctx context.Context, uscc, program string) (registry.Evaluation, string, error) {
	doc, err := s.eligibility(ctx, uscc, program)
	if err != nil {
		return registry.Evaluation{}, "", err
	}
	if len(doc.History) == 0 {
		return registry.Evaluation{}, "", fmt.Errorf("eligibility %s/%s: %w", uscc, program, registry.ErrNotFound)
	}
	return doc.History[len(doc.History)-1], doc.Result, nil
}

// EvaluationHistory returns a firm's stored results for the given programs,
// newest first. A program never evaluated contributes nothing.
// Errors: registry.ErrUnavailable.
func (s *Store) EvaluationHistory(ctx context.Context, uscc string, programs []string) ([]registry.Evaluation, error) {
	var out []registry.Evaluation
	for _, p := range programs {
		doc, err := s.eligibility(ctx, uscc, p)
		if errors.Is(err, registry.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, doc.History...)
	}
	slices.SortStableFunc(out, func(a, b registry.Evaluation) int { return b.EvaluatedAt.Compare(a.EvaluatedAt) })
	return out, nil
}

func (s *Store) eligibility(ctx context.Context, uscc, program string) (*eligibilityDoc, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	id := eligibilityID(uscc, program)
	var doc eligibilityDoc
	if err := s.db.Collection("eligibility").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		return nil, translate("read eligibility "+id, err)
	}
	return &doc, nil
}
