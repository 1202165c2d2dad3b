package embedded_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/peiyu/peiyu/registry/embedded"
)

func startServer(t testing.TB) (*embedded.Server, *mongo.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := embedded.Start(ctx, embedded.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return srv, client
}

// FindIDs compares values as MongoDB does, types included, whether it
// reads an index or the table, and orders by _id.
func TestFindIDs(t *testing.T) {
	ctx := context.Background()
	srv, client := startServer(t)
	date := func(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
	oid := bson.NewObjectID()
	docs := []any{
		bson.D{{Key: "_id", Value: "a"}, {Key: "s", Value: "x"}, {Key: "t", Value: date(1000)}},
		bson.D{{Key: "_id", Value: "b"}, {Key: "s", Value: "y"}, {Key: "t", Value: date(2000)}},
		bson.D{{Key: "_id", Value: "c"}, {Key: "s", Value: int32(5)}, {Key: "t", Value: int64(1500)}},
		bson.D{{Key: "_id", Value: "d"}, {Key: "s", Value: oid}, {Key: "t", Value: "1970"}},
		bson.D{{Key: "_id", Value: "e"}, {Key: "s", Value: bson.A{"x"}}, {Key: "t", Value: 1500.0}},
		bson.D{{Key: "_id", Value: "f"}, {Key: "s", Value: `x<&"é`}, {Key: "t", Value: date(-1)}},
		bson.D{{Key: "_id", Value: "g"}},
		bson.D{{Key: "_id", Value: "h"}, {Key: "s", Value: "x"}, {Key: "t", Value: date(1001)}},
		bson.D{{Key: "_id", Value: oid}, {Key: "s", Value: "x"}},
		bson.D{{Key: "_id", Value: int32(7)}, {Key: "s", Value: "x"}},
	}
	for _, c := range []string{"plain", "indexed"} {
		if _, err := client.Database("find").Collection(c).InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srv.IndexIDs(ctx, "find"); err != nil {
		t.Fatal(err)
	}
	if n, err := srv.IndexFields(ctx, "find", "indexed", "s", "t"); err != nil || n != 2 {
		t.Fatalf("IndexFields = %d, %v; want 2, nil", n, err)
	}
	if n, err := srv.IndexFields(ctx, "find", "indexed", "s", "t"); err != nil || n != 0 {
		t.Fatalf("IndexFields again = %d, %v; want 0, nil (idempotent)", n, err)
	}
	op := func(k string, v any) bson.D { return bson.D{{Key: k, Value: v}} }
	tests := []struct {
		name   string
		filter bson.D
		limit  int
		want   []string
	}{
		{"all, string _ids only, greatest first", nil, 100, []string{"h", "g", "f", "e", "d", "c", "b", "a"}},
		{"limit", bson.D{}, 3, []string{"h", "g", "f"}},
		{"equal string", op("s", "x"), 100, []string{"h", "a"}},
		{"escaped string", op("s", `x<&"é`), 100, []string{"f"}},
		{"no such value", op("s", "z"), 100, []string{}},
		{"the hex of an ObjectID is not a string", op("s", oid.Hex()), 100, []string{}},
		{"string range", op("s", bson.D{{Key: "$gt", Value: "x"}, {Key: "$lte", Value: "y"}}), 100, []string{"f", "b"}},
		{"strings below", op("s", bson.D{{Key: "$lt", Value: "y"}}), 100, []string{"h", "f", "a"}},
		{"dates only", op("t", bson.D{{Key: "$gte", Value: date(0)}}), 100, []string{"h", "b", "a"}},
		{"before the epoch", op("t", bson.D{{Key: "$lt", Value: date(1000)}}), 100, []string{"f"}},
		{"sub-millisecond dropped", op("t", bson.D{{Key: "$gt", Value: date(1000).Add(500 * time.Microsecond)}}), 100, []string{"h", "b"}},
		{"a string and a date bound match nothing", op("t", bson.D{{Key: "$lte", Value: "2"}, {Key: "$gte", Value: date(0)}}), 100, []string{}},
		{"several fields", bson.D{{Key: "s", Value: "x"}, {Key: "t", Value: bson.D{{Key: "$gt", Value: date(1000)}}}}, 100, []string{"h"}},
		{"several fields, limit", bson.D{{Key: "t", Value: bson.D{{Key: "$gte", Value: date(1000)}}}, {Key: "s", Value: "x"}}, 1, []string{"h"}},
	}
	for _, c := range []string{"plain", "indexed"} {
		for _, tt := range tests {
			t.Run(c+"/"+tt.name, func(t *testing.T) {
				got, err := srv.FindIDs(ctx, "find", c, tt.filter, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("FindIDs(%v, %d) (-want +got):\n%s", tt.filter, tt.limit, diff)
				}
			})
		}
	}

	for _, tt := range []struct {
		db, coll string
	}{{"find", "none"}, {"nodb", "audit"}} {
		if got, err := srv.FindIDs(ctx, tt.db, tt.coll, nil, 10); err != nil || len(got) != 0 {
			t.Errorf("FindIDs in %s.%s = %v, %v; want none, nil", tt.db, tt.coll, got, err)
		}
	}
	if n, err := srv.IndexFields(ctx, "find", "none", "s"); err != nil || n != 0 {
		t.Errorf("IndexFields of a missing collection = %d, %v; want 0, nil", n, err)
	}

	for _, tt := range []struct {
		filter bson.D
		limit  int
		want   string
	}{
		{op("_id", "a"), 10, `field "_id"`},
		{op("a.b", "x"), 10, `field "a.b"`},
		{op("s'; DROP TABLE x; --", "x"), 10, "want an identifier"},
		{op("s", int32(5)), 10, "want a string or a bson.D"},
		{op("s", bson.D{{Key: "$ne", Value: "x"}}), 10, `operator "$ne"`},
		{op("s", bson.D{{Key: "$gt", Value: 5}}), 10, "operand int"},
		{op("s", bson.D{}), 10, "no operator"},
		{bson.D{{Key: "s", Value: "x"}, {Key: "s", Value: "y"}}, 10, "twice"},
		{nil, 0, "limit 0"},
	} {
		if _, err := srv.FindIDs(ctx, "find", "indexed", tt.filter, tt.limit); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("FindIDs(%v, %d) = %v, want an error with %q", tt.filter, tt.limit, err, tt.want)
		}
	}
	if _, err := srv.IndexFields(ctx, "find", "indexed", "_id"); err == nil {
		t.Error("IndexFields(_id): want an error")
	}
}

// FindIDs keeps a pool of connections per database file; one on a file
// FerretDB has dropped must not answer for the new file of the same name.
func TestFindIDsAfterDropDatabase(t *testing.T) {
	ctx := context.Background()
	srv, client := startServer(t)
	db := client.Database("drop")
	insert := func(id string) {
		t.Helper()
		if _, err := db.Collection("c").InsertOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
			t.Fatal(err)
		}
	}
	find := func() []string {
		t.Helper()
		ids, err := srv.FindIDs(ctx, "drop", "c", nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	insert("old")
	if got := find(); !cmp.Equal(got, []string{"old"}) {
		t.Fatalf("FindIDs = %v, want [old]", got)
	}
	if err := db.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if got := find(); len(got) != 0 {
		t.Errorf("FindIDs after the drop = %v, want none", got)
	}
	insert("new")
	if got := find(); !cmp.Equal(got, []string{"new"}) {
		t.Errorf("FindIDs in the new database = %v, want [new]", got)
	}
	_ = client.Disconnect(ctx) // else Stop waits for the connections
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.FindIDs(ctx, "drop", "c", nil, 10); err == nil {
		t.Error("FindIDs after Stop: want an error")
	}
}
