package embedded_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/peiyu/peiyu/registry/embedded"
)

// FerretDB's pushed-down _id lookup could not use its own _id index
// (different SQL expression), so every firm lookup read the whole table.
// IndexIDs adds the index the lookup's expression matches.
func TestRegressionIDLookupUsesIndex(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	srv, err := embedded.Start(ctx, embedded.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())

	if n, err := srv.IndexIDs(ctx, "idx"); err != nil || n != 0 {
		t.Fatalf("IndexIDs on a database without collections = %d, %v; want 0, nil", n, err)
	}
	coll := client.Database("idx").Collection("firms")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: "a"}}, bson.D{{Key: "_id", Value: "b"}}}); err != nil {
		t.Fatal(err)
	}
	if n, err := srv.IndexIDs(ctx, "idx"); err != nil || n != 1 {
		t.Fatalf("IndexIDs = %d, %v; want 1, nil", n, err)
	}
	if n, err := srv.IndexIDs(ctx, "idx"); err != nil || n != 0 {
		t.Fatalf("IndexIDs again = %d, %v; want 0, nil (idempotent)", n, err)
	}

	// The plan SQLite makes for the exact query FerretDB pushes down.
	conn, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "idx.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var table string
	if err := conn.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = 'firms'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table), `"a"`)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	rows.Close()
	if got := strings.Join(plan, "; "); !strings.Contains(got, "USING INDEX") {
		t.Errorf("query plan = %q, want an index search", got)
	}

	// And the lookup still answers through the wire.
	var doc bson.M
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "b"}}).Decode(&doc); err != nil || doc["_id"] != "b" {
		t.Errorf("FindOne(b) = %v, %v", doc, err)
	}
}
