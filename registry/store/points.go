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

// Innovation-points cohort distributions live in two collections, read and
// written only by _id (the embedded server filters anything else by
// reading every document):
//
//   - cohorts: one document per cohort and as_of, _id
//     "program/region/stage/as_of" (registry.CohortID), and a copy of the
//     newest as_of of each cohort under "program/region/stage/latest"
//     (registry.LatestCohortID) for self-check;
//   - cohort_builds: one document per screening job whose pass 1 built
//     distributions, _id the job id, listing them.
const (
	cohortsCollection      = "cohorts"
	cohortBuildsCollection = "cohort_builds"
)

type cohortDoc struct {
	Key                         string `bson:"_id"`
	registry.CohortDistribution `bson:",inline"`
}

type cohortBuildDoc struct {
	Key                  string `bson:"_id"`
	registry.CohortBuild `bson:",inline"`
}

// SaveCohorts stores the distributions of one pass 1: each under its ID
// (replacing one of the same cohort and as_of), and as its cohort's latest
// unless a distribution with a later as_of is stored already. When b.ID is
// set, b is stored last, listing them: a job that finds its build knows
// every distribution is written. A crash half-way leaves documents a rerun
// overwrites.
// Errors: registry.ErrUnavailable.
func (s *Store) SaveCohorts(ctx context.Context, b registry.CohortBuild, dists []registry.CohortDistribution) error {
	ctx, cancel := context.WithTimeout(ctx, 4*s.timeout)
	defer cancel()
	coll := s.db.Collection(cohortsCollection)
	upsert := options.Replace().SetUpsert(true)
	for i := range dists {
		d := &dists[i]
		d.BuiltAt = d.BuiltAt.UTC().Truncate(time.Millisecond)
		if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, cohortDoc{Key: d.ID, CohortDistribution: *d}, upsert); err != nil {
			return translate("save cohort "+d.ID, err)
		}
		if err := s.saveLatestCohort(ctx, coll, d); err != nil {
			return err
		}
	}
	if b.ID == "" {
		return nil
	}
	b.BuiltAt = b.BuiltAt.UTC().Truncate(time.Millisecond)
	_, err := s.db.Collection(cohortBuildsCollection).ReplaceOne(ctx, bson.D{{Key: "_id", Value: b.ID}},
		cohortBuildDoc{Key: b.ID, CohortBuild: b}, upsert)
	return translate("save cohort build "+b.ID, err)
}

// saveLatestCohort copies d to its cohort's latest document unless that
// holds a later as_of. Two replicas saving the same cohort at once write the
// same content, so the read-then-write needs no compare-and-set beyond this
// process's lock.
func (s *Store) saveLatestCohort(ctx context.Context, coll *mongo.Collection, d *registry.CohortDistribution) error {
	key := registry.LatestCohortID(d.Program, d.RegionCode, d.Stage)
	defer s.lockKey("cohort:" + key)()
	var old cohortDoc
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&old)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
	case err != nil:
		return translate("read cohort "+key, err)
	case old.AsOf > d.AsOf:
		return nil // as_of is YYYY-MM-DD: string order is date order
	}
	_, err = coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: key}}, cohortDoc{Key: key, CohortDistribution: *d},
		options.Replace().SetUpsert(true))
	return translate("save cohort "+key, err)
}

// LatestCohort returns the newest stored distribution of a cohort: the
// region (a 6-digit division code) and stage of a program.
// Errors: registry.ErrNotFound (none stored), registry.ErrUnavailable.
func (s *Store) LatestCohort(ctx context.Context, program, region, stage string) (registry.CohortDistribution, error) {
	return s.cohort(ctx, registry.LatestCohortID(program, region, stage))
}

// Cohorts returns the distributions with the given IDs, in that order.
// Errors: registry.ErrNotFound (one is missing), registry.ErrUnavailable.
func (s *Store) Cohorts(ctx context.Context, ids []string) ([]registry.CohortDistribution, error) {
	out := make([]registry.CohortDistribution, 0, len(ids))
	for _, id := range ids {
		d, err := s.cohort(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (s *Store) cohort(ctx context.Context, key string) (registry.CohortDistribution, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var doc cohortDoc
	err := s.db.Collection(cohortsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&doc)
	if err != nil {
		return registry.CohortDistribution{}, translate(fmt.Sprintf("read cohort %s", key), err)
	}
	return doc.CohortDistribution, nil
}

// CohortBuild returns the record of the pass 1 of a screening job.
// Errors: registry.ErrNotFound (the job has not built any), registry.ErrUnavailable.
func (s *Store) CohortBuild(ctx context.Context, job string) (registry.CohortBuild, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var doc cohortBuildDoc
	err := s.db.Collection(cohortBuildsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: job}}).Decode(&doc)
	if err != nil {
		return registry.CohortBuild{}, translate("read cohort build "+job, err)
	}
	return doc.CohortBuild, nil
}
