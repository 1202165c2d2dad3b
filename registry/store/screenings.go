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

// A screening job lives in four collections, so that every write is one
// document and every hot read is an _id lookup:
//
//   - screenings: the job (programs, filter, state, and once done its
//     summary);
//   - screening_chunks: one small document per chunk with its state
//     (pending, leased, done), lease and, once done, its counts — the job's
//     progress and summary are the sum over its done chunks, so a chunk
//     that is run twice is still counted once;
//   - screening_plans: the USCCs of each chunk, read only by the worker
//     that claims it;
//   - screening_results_<job>: one collection per job, one document per
//     firm with every program's outcome, _id "job/uscc", so rewriting a
//     chunk replaces rather than duplicates. A collection per job keeps a
//     job's results one read on the embedded server (which filters by
//     reading every document) and makes dropping old results cheap.

const (
	chunkPending = "pending"
	chunkLeased  = "leased"
	chunkDone    = "done"
)

type screeningDoc struct {
	ID                 string `bson:"_id"`
	registry.Screening `bson:",inline"`
	PlanOwner          string     `bson:"plan_owner,omitempty"`
	PlanLeaseUntil     *time.Time `bson:"plan_lease_until,omitempty"`
}

type chunkDoc struct {
	ID         string                    `bson:"_id"`
	Job        string                    `bson:"job"`
	Index      int                       `bson:"index"`
	N          int                       `bson:"n"`
	State      string                    `bson:"state"`
	Lease      string                    `bson:"lease,omitempty"`
	LeaseUntil *time.Time                `bson:"lease_until,omitempty"`
	Attempts   int                       `bson:"attempts"`
	Done       int                       `bson:"done"`
	Summary    map[string]map[string]int `bson:"summary,omitempty"`
}

type planDoc struct {
	ID    string   `bson:"_id"`
	USCCs []string `bson:"usccs"`
}

type resultDoc struct {
	ID                    string `bson:"_id"`
	registry.ScreenedFirm `bson:",inline"`
}

func chunkID(job string, i int) string { return fmt.Sprintf("%s/%05d", job, i) }

func (s *Store) screenings() *mongo.Collection { return s.db.Collection("screenings") }
func (s *Store) chunks() *mongo.Collection     { return s.db.Collection("screening_chunks") }
func (s *Store) plans() *mongo.Collection      { return s.db.Collection("screening_plans") }
func (s *Store) results(job string) *mongo.Collection {
	return s.db.Collection("screening_results_" + job)
}

// CreateScreening stores a new queued job. sc.ID must be set and unique.
// Errors: registry.ErrConflict (the ID is taken), registry.ErrUnavailable.
func (s *Store) CreateScreening(ctx context.Context, sc registry.Screening) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	sc.Status = registry.ScreeningQueued
	sc.CreatedAt = sc.CreatedAt.UTC().Truncate(time.Millisecond)
	_, err := s.screenings().InsertOne(ctx, screeningDoc{ID: sc.ID, Screening: sc})
	return translate("create screening", err)
}

// GetScreening returns a job. For a job not yet done, Done and Summary are
// summed from its finished chunks.
// Errors: registry.ErrNotFound, registry.ErrUnavailable.
func (s *Store) GetScreening(ctx context.Context, id string) (registry.Screening, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var doc screeningDoc
	if err := s.screenings().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		return registry.Screening{}, translate("read screening "+id, err)
	}
	sc := doc.Screening
	sc.ID = doc.ID
	if sc.Status == registry.ScreeningRunning {
		chunks, err := s.chunkStates(ctx, sc.ID, sc.Chunks)
		if err != nil {
			return registry.Screening{}, err
		}
		sc.Done, sc.Summary = sumChunks(chunks)
	}
	return sc, nil
}

// chunkStates reads a job's chunk documents by _id: the embedded server
// answers those from an index, where a filter on "job" would scan every
// chunk of every job.
func (s *Store) chunkStates(ctx context.Context, job string, n int) ([]chunkDoc, error) {
	if n == 0 {
		return nil, nil
	}
	ids := make(bson.A, n)
	for i := range ids {
		ids[i] = chunkID(job, i)
	}
	var out []chunkDoc
	if s.embedded {
		for _, id := range ids {
			var d chunkDoc
			err := s.chunks().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			if err != nil {
				return nil, translate("read screening chunks", err)
			}
			out = append(out, d)
		}
		return out, nil
	}
	cur, err := s.chunks().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, translate("read screening chunks", err)
	}
	if err := cur.All(ctx, &out); err != nil {
		return nil, translate("read screening chunks", err)
	}
	return out, nil
}

func sumChunks(chunks []chunkDoc) (int, map[string]map[string]int) {
	done := 0
	sum := map[string]map[string]int{}
	for _, c := range chunks {
		if c.State != chunkDone {
			continue
		}
		done += c.Done
		for p, m := range c.Summary {
			if sum[p] == nil {
				sum[p] = map[string]int{}
			}
			for st, n := range m {
				sum[p][st] += n
			}
		}
	}
	return done, sum
}

// ListScreenings returns the newest jobs first, at most limit.
// Errors: registry.ErrUnavailable.
func (s *Store) ListScreenings(ctx context.Context, limit int) ([]registry.Screening, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	cur, err := s.screenings().Find(ctx, bson.D{}, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(int64(pageLimit(limit))))
	if err != nil {
		return nil, translate("list screenings", err)
	}
	var docs []screeningDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list screenings", err)
	}
	out := make([]registry.Screening, len(docs))
	for i, d := range docs {
		out[i] = d.Screening
		out[i].ID = d.ID
	}
	return out, nil
}

// ActiveScreenings returns the jobs that are queued or running, oldest
// first: the work a worker looks for.
// Errors: registry.ErrUnavailable.
func (s *Store) ActiveScreenings(ctx context.Context) ([]registry.Screening, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	cur, err := s.screenings().Find(ctx, bson.D{{Key: "status", Value: bson.D{{Key: "$in",
		Value: bson.A{registry.ScreeningQueued, registry.ScreeningRunning}}}}}, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, translate("list active screenings", err)
	}
	var docs []screeningDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list active screenings", err)
	}
	out := make([]registry.Screening, len(docs))
	for i, d := range docs {
		out[i] = d.Screening
		out[i].ID = d.ID
	}
	return out, nil
}

// ClaimJob gives owner the job-level lease of a queued or running job for
// the lease duration: the right to plan it, or (on the embedded server,
// where one scan both plans and evaluates) to run it. Calling it again
// while holding the lease renews it. It reports false when another worker
// holds an unexpired lease or the job has ended.
// Errors: registry.ErrUnavailable.
func (s *Store) ClaimJob(ctx context.Context, id, owner string, lease time.Duration) (bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if s.embedded {
		defer s.lockKey("screening:" + id)()
	}
	now := s.now().UTC()
	until := now.Add(lease)
	filter := bson.D{
		{Key: "_id", Value: id},
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{registry.ScreeningQueued, registry.ScreeningRunning}}}},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "plan_lease_until", Value: bson.D{{Key: "$exists", Value: false}}}},
			bson.D{{Key: "plan_lease_until", Value: nil}},
			bson.D{{Key: "plan_lease_until", Value: bson.D{{Key: "$lt", Value: now}}}},
			bson.D{{Key: "plan_owner", Value: owner}},
		}},
	}
	res, err := s.screenings().UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{
		{Key: "plan_owner", Value: owner}, {Key: "plan_lease_until", Value: until}}}})
	if err != nil {
		return false, translate("claim screening", err)
	}
	return res.MatchedCount == 1, nil
}

// StartScreening turns a queued job to running with an estimated total,
// for a worker that plans as it goes (SealChunk). Running jobs are left as
// they are. Errors: registry.ErrUnavailable.
func (s *Store) StartScreening(ctx context.Context, id string, estimate int) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	now := s.now().UTC().Truncate(time.Millisecond)
	_, err := s.screenings().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "status", Value: registry.ScreeningQueued}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: registry.ScreeningRunning}, {Key: "total", Value: estimate},
			{Key: "started_at", Value: now}}}})
	return translate("start screening", err)
}

// SealedChunks returns the USCCs of a job's chunks already done, chunk by
// chunk from 0: what a worker resuming a plan-as-you-go job skips.
// Errors: registry.ErrUnavailable.
func (s *Store) SealedChunks(ctx context.Context, job string) ([][]string, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	var out [][]string
	for i := 0; ; i++ {
		var c chunkDoc
		err := s.chunks().FindOne(ctx, bson.D{{Key: "_id", Value: chunkID(job, i)}}).Decode(&c)
		if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && c.State != chunkDone) {
			return out, nil
		}
		if err != nil {
			return nil, translate("read screening chunk", err)
		}
		var p planDoc
		if err := s.plans().FindOne(ctx, bson.D{{Key: "_id", Value: c.ID}}).Decode(&p); err != nil {
			return nil, translate("read screening plan", err)
		}
		out = append(out, p.USCCs)
	}
}

// SealChunk records a chunk planned and evaluated in one go: its USCCs, then
// its state done with its counts (the commit point), then the job's chunk
// count and total. The firms' results must be written first. Sealing the
// same chunk again rewrites it with the same ids.
// Errors: registry.ErrUnavailable.
func (s *Store) SealChunk(ctx context.Context, job string, index int, usccs []string, r registry.ChunkResult) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	cid := chunkID(job, index)
	if _, err := s.plans().ReplaceOne(ctx, bson.D{{Key: "_id", Value: cid}}, planDoc{ID: cid, USCCs: usccs},
		options.Replace().SetUpsert(true)); err != nil {
		return translate("save screening plan", err)
	}
	if _, err := s.chunks().ReplaceOne(ctx, bson.D{{Key: "_id", Value: cid}},
		chunkDoc{ID: cid, Job: job, Index: index, N: len(usccs), State: chunkDone, Done: r.Done, Summary: r.Summary},
		options.Replace().SetUpsert(true)); err != nil {
		return translate("seal screening chunk", err)
	}
	_, err := s.screenings().UpdateOne(ctx, bson.D{{Key: "_id", Value: job}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "chunks", Value: index + 1}}}})
	return translate("count screening chunks", err)
}

// SetTotal records a job's final firm count once its plan is complete.
// Errors: registry.ErrUnavailable.
func (s *Store) SetTotal(ctx context.Context, id string, chunks, total int) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.screenings().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "chunks", Value: chunks}, {Key: "total", Value: total}}}})
	return translate("set screening total", err)
}

// SavePlan stores a job's chunks and starts it. A plan left half-written by
// a crashed planner is replaced: chunk and plan documents have
// deterministic ids and are upserted, and the job turns to running only
// after every chunk is in place.
// Errors: registry.ErrConflict (the job is no longer queued),
// registry.ErrUnavailable.
func (s *Store) SavePlan(ctx context.Context, id string, chunks [][]string) error {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	total := 0
	plans := make([]mongo.WriteModel, len(chunks))
	states := make([]mongo.WriteModel, len(chunks))
	for i, c := range chunks {
		total += len(c)
		cid := chunkID(id, i)
		plans[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: cid}}).
			SetReplacement(planDoc{ID: cid, USCCs: c}).SetUpsert(true)
		states[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: cid}}).
			SetReplacement(chunkDoc{ID: cid, Job: id, Index: i, N: len(c), State: chunkPending}).SetUpsert(true)
	}
	if len(chunks) > 0 {
		if _, err := s.plans().BulkWrite(ctx, plans); err != nil {
			return translate("save screening plan", err)
		}
		if _, err := s.chunks().BulkWrite(ctx, states); err != nil {
			return translate("save screening chunks", err)
		}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	set := bson.D{{Key: "status", Value: registry.ScreeningRunning}, {Key: "total", Value: total},
		{Key: "chunks", Value: len(chunks)}, {Key: "started_at", Value: now}}
	res, err := s.screenings().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "status", Value: registry.ScreeningQueued}},
		bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return translate("start screening", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("start screening %s: %w", id, registry.ErrConflict)
	}
	return nil
}

// ClaimChunks leases up to max chunks of a running job that are pending or
// whose lease has expired, under the lease token lease, and returns them
// with their USCCs. An empty result means no chunk is free.
// Errors: registry.ErrUnavailable.
func (s *Store) ClaimChunks(ctx context.Context, sc registry.Screening, lease string, max int, leaseFor time.Duration) ([]registry.ScreeningChunk, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	if s.embedded {
		defer s.lockKey("screening:" + sc.ID)()
	}
	states, err := s.chunkStates(ctx, sc.ID, sc.Chunks)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	until := now.Add(leaseFor)
	var out []registry.ScreeningChunk
	for _, c := range states {
		if len(out) >= max {
			break
		}
		free := c.State == chunkPending || (c.State == chunkLeased && c.LeaseUntil != nil && c.LeaseUntil.Before(now))
		if !free {
			continue
		}
		// Compare-and-set on the state read: on MongoDB the filter makes
		// the claim atomic across replicas; on the embedded server this
		// process is the only client and holds the job's lock.
		filter := bson.D{{Key: "_id", Value: c.ID}, {Key: "state", Value: c.State}}
		if c.State == chunkLeased {
			filter = append(filter, bson.E{Key: "lease", Value: c.Lease})
		}
		res, err := s.chunks().UpdateOne(ctx, filter, bson.D{
			{Key: "$set", Value: bson.D{{Key: "state", Value: chunkLeased}, {Key: "lease", Value: lease}, {Key: "lease_until", Value: until}}},
			{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
		})
		if err != nil {
			return out, translate("claim screening chunk", err)
		}
		if res.ModifiedCount == 0 {
			continue // another worker was first
		}
		var p planDoc
		if err := s.plans().FindOne(ctx, bson.D{{Key: "_id", Value: c.ID}}).Decode(&p); err != nil {
			return out, translate("read screening plan", err)
		}
		out = append(out, registry.ScreeningChunk{Job: sc.ID, Index: c.Index, USCCs: p.USCCs, Lease: lease})
	}
	return out, nil
}

// RenewLease extends the lease of the job's chunks held under lease.
// Errors: registry.ErrUnavailable.
func (s *Store) RenewLease(ctx context.Context, sc registry.Screening, lease string, leaseFor time.Duration) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	until := s.now().UTC().Add(leaseFor)
	if s.embedded {
		defer s.lockKey("screening:" + sc.ID)()
	}
	for i := 0; i < sc.Chunks; i++ {
		_, err := s.chunks().UpdateOne(ctx, bson.D{{Key: "_id", Value: chunkID(sc.ID, i)}, {Key: "lease", Value: lease}, {Key: "state", Value: chunkLeased}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "lease_until", Value: until}}}})
		if err != nil {
			return translate("renew screening lease", err)
		}
	}
	return nil
}

// WriteResults stores firms' outcomes in bulk; all must belong to one job.
// A firm written before (a chunk run again after a crash) is replaced,
// never duplicated.
// Errors: registry.ErrUnavailable.
func (s *Store) WriteResults(parent context.Context, firms []registry.ScreenedFirm) error {
	if len(firms) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(parent, s.timeout+time.Duration(len(firms))*10*time.Millisecond)
	defer cancel()
	docs := make([]any, len(firms))
	for i, f := range firms {
		docs[i] = resultDoc{ID: f.Job + "/" + f.USCC, ScreenedFirm: f}
	}
	// Inserting is the fast path on both servers; only the documents
	// that already exist are replaced one by one.
	coll := s.results(firms[0].Job)
	_, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil
	}
	var bwe mongo.BulkWriteException
	if !onlyDuplicates(err) || !errors.As(err, &bwe) {
		return translate("write screening results", err)
	}
	// Results of a chunk run before the crash: replace them.
	ids := make(bson.A, len(bwe.WriteErrors))
	again := make([]any, len(bwe.WriteErrors))
	for i, we := range bwe.WriteErrors {
		ids[i] = docs[we.Index].(resultDoc).ID
		again[i] = docs[we.Index]
	}
	if s.embedded {
		return s.replaceResults(parent, coll, again)
	}
	// On MongoDB: delete them and insert again, two operations however
	// many there are.
	ctx, cancel = context.WithTimeout(parent, s.timeout+time.Duration(len(firms))*10*time.Millisecond)
	defer cancel()
	if _, err := coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
		return translate("rewrite screening results", err)
	}
	_, err = coll.InsertMany(ctx, again, options.InsertMany().SetOrdered(false))
	return translate("rewrite screening results", err)
}

// replaceResults replaces stored results one by one by _id, on the
// embedded server. It filters anything but an equality on _id by reading
// every document, so the DeleteMany by $in that MongoDB answers from its
// index read the job's whole results collection there, about 1 ms a
// result: a job resumed after a crash late in a large screening failed
// that rewrite on its timeout at every retry and never finished
// (TestRewriteResultsAfterCrashIsBoundByTheBatch). A lookup by _id alone
// is pushed down to SQLite, and uses an index once the collection has the
// one IndexIDs makes; a job's results collection is created after
// EnsureIndexes ran, so it is made here, the first time a job rewrites.
func (s *Store) replaceResults(parent context.Context, coll *mongo.Collection, docs []any) error {
	if s.indexIDs != nil {
		ictx, cancel := context.WithTimeout(parent, 4*s.timeout)
		// Without the index each replacement reads the collection: slower,
		// still correct, so a failure here does not fail the write.
		_ = s.indexIDs(ictx, s.db.Name())
		cancel()
	}
	ctx, cancel := context.WithTimeout(parent, s.timeout+time.Duration(len(docs))*10*time.Millisecond)
	defer cancel()
	for _, d := range docs {
		rd := d.(resultDoc)
		if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: rd.ID}}, rd, options.Replace().SetUpsert(true)); err != nil {
			return translate("rewrite screening results", err)
		}
	}
	return nil
}

// FinishChunk marks a chunk done with its counts, if lease still holds it.
// Errors: registry.ErrConflict (the lease was lost to another worker; its
// results stand, the other worker's count will be the one kept),
// registry.ErrUnavailable.
func (s *Store) FinishChunk(ctx context.Context, c registry.ScreeningChunk, r registry.ChunkResult) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if s.embedded {
		defer s.lockKey("screening:" + c.Job)()
	}
	res, err := s.chunks().UpdateOne(ctx,
		bson.D{{Key: "_id", Value: chunkID(c.Job, c.Index)}, {Key: "lease", Value: c.Lease}, {Key: "state", Value: chunkLeased}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: chunkDone}, {Key: "done", Value: r.Done}, {Key: "summary", Value: r.Summary}}}})
	if err != nil {
		return translate("finish screening chunk", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("finish chunk %d of %s: %w", c.Index, c.Job, registry.ErrConflict)
	}
	return nil
}

// CompleteScreening marks a running job done once all its chunks are,
// storing the summed counts. It reports whether the job is done.
// Errors: registry.ErrUnavailable.
func (s *Store) CompleteScreening(ctx context.Context, sc registry.Screening) (bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	states, err := s.chunkStates(ctx, sc.ID, sc.Chunks)
	if err != nil {
		return false, err
	}
	if len(states) != sc.Chunks || slices.ContainsFunc(states, func(c chunkDoc) bool { return c.State != chunkDone }) {
		return false, nil
	}
	done, sum := sumChunks(states)
	now := s.now().UTC().Truncate(time.Millisecond)
	_, err = s.screenings().UpdateOne(ctx, bson.D{{Key: "_id", Value: sc.ID}, {Key: "status", Value: registry.ScreeningRunning}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: registry.ScreeningDone}, {Key: "done", Value: done},
			{Key: "summary", Value: sum}, {Key: "finished_at", Value: now}}}})
	if err != nil {
		return false, translate("complete screening", err)
	}
	return true, nil
}

// FailScreening marks a job failed with a reason (a program it names no
// longer exists, …). Errors: registry.ErrUnavailable.
func (s *Store) FailScreening(ctx context.Context, id, reason string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	now := s.now().UTC().Truncate(time.Millisecond)
	_, err := s.screenings().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: registry.ScreeningFailed}, {Key: "error", Value: reason},
			{Key: "finished_at", Value: now}}}})
	return translate("fail screening", err)
}

// ScreeningResults calls fn for every firm result of a job, in no
// particular order. Errors: registry.ErrUnavailable, or fn's error.
func (s *Store) ScreeningResults(ctx context.Context, job string, fn func(*registry.ScreenedFirm) error) error {
	cur, err := s.results(job).Find(ctx, bson.D{}, options.Find().SetBatchSize(1000))
	if err != nil {
		return translate("read screening results", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		var d resultDoc
		if err := cur.Decode(&d); err != nil {
			return translate("read screening results", err)
		}
		if err := fn(&d.ScreenedFirm); err != nil {
			return err
		}
	}
	return translate("read screening results", cur.Err())
}

// DeleteScreening removes a job with its chunks, plans and results.
// Errors: registry.ErrUnavailable.
func (s *Store) DeleteScreening(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	// Results first, the job last: a crash midway leaves a job whose
	// deletion a rerun finishes.
	if err := s.results(id).Drop(ctx); err != nil {
		return translate("delete screening results", err)
	}
	for _, c := range []*mongo.Collection{s.plans(), s.chunks()} {
		if _, err := c.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.Regex{Pattern: "^" + id + "/"}}}); err != nil {
			return translate("delete screening chunks", err)
		}
	}
	_, err := s.screenings().DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return translate("delete screening", err)
}

// PruneScreenings drops the results of finished jobs beyond the newest
// keep, leaving the jobs and their summaries. It returns how many it pruned.
// Errors: registry.ErrUnavailable.
func (s *Store) PruneScreenings(ctx context.Context, keep int) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeoutFactor*s.timeout)
	defer cancel()
	cur, err := s.screenings().Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}))
	if err != nil {
		return 0, translate("list screenings", err)
	}
	var docs []screeningDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, translate("list screenings", err)
	}
	pruned := 0
	for i, d := range docs {
		ended := d.Status == registry.ScreeningDone || d.Status == registry.ScreeningFailed
		if i < keep || !ended || d.ResultsPruned {
			continue
		}
		if err := s.results(d.ID).Drop(ctx); err != nil {
			return pruned, translate("prune screening results", err)
		}
		if _, err := s.screenings().UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "results_pruned", Value: true}}}}); err != nil {
			return pruned, translate("prune screening results", err)
		}
		pruned++
	}
	return pruned, nil
}
