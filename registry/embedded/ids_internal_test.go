package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestFindIDsQueryPlan checks the plans SQLite makes for the queries
// FindIDs runs: an equality reads its index in _id order (no scan of the
// table, no sort), several the index with the fewest matches, bounds that
// hold few entries their index (then sorts those), and the rest the _id
// index backwards.
func TestFindIDsQueryPlan(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := Start(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())

	// 50 firms; a common action and a rare one.
	var docs []any
	for i := range 1000 {
		action := "whitelist.lookup"
		if i%100 == 0 {
			action = "firm.update"
		}
		docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprintf("id%05d", i)}, {Key: "time", Value: time.UnixMilli(int64(i))},
			{Key: "uscc", Value: fmt.Sprint("u", i%50)}, {Key: "action", Value: action}, {Key: "region_code", Value: "431202"}})
	}
	if _, err := client.Database("plan").Collection("audit").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.IndexIDs(ctx, "plan"); err != nil {
		t.Fatal(err)
	}
	if n, err := srv.IndexFields(ctx, "plan", "audit", "uscc", "action"); err != nil || n != 2 {
		t.Fatalf("IndexFields = %d, %v; want 2, nil", n, err)
	}
	since := bson.D{{Key: "$gte", Value: time.UnixMilli(500)}}
	tests := []struct {
		name   string
		filter bson.D
		index  string // the index the plan must read; "" none
		search bool   // by an equality, else a scan of the index
	}{
		{"uscc", bson.D{{Key: "uscc", Value: "u7"}}, "uscc", true},
		{"uscc and time", bson.D{{Key: "uscc", Value: "u7"}, {Key: "time", Value: since}}, "uscc", true},
		{"uscc and the common action", bson.D{{Key: "action", Value: "whitelist.lookup"}, {Key: "uscc", Value: "u7"}}, "uscc", true},
		{"the rare action and uscc", bson.D{{Key: "uscc", Value: "u0"}, {Key: "action", Value: "firm.update"}}, "action", true},
		{"none", bson.D{}, "id_path", false},
		{"time", bson.D{{Key: "time", Value: since}}, "id_path", false},
		{"unindexed field", bson.D{{Key: "region_code", Value: "431202"}}, "id_path", false},
		{"wide range on an indexed field", bson.D{{Key: "uscc", Value: bson.D{{Key: "$gte", Value: "u"}, {Key: "$lt", Value: "v"}}}}, "id_path", false},
		{"narrow range on an indexed field", bson.D{{Key: "uscc", Value: bson.D{{Key: "$gt", Value: "u48"}}}}, "uscc", true},
		{"narrower range than the equality", bson.D{{Key: "action", Value: "whitelist.lookup"}, {Key: "uscc", Value: bson.D{{Key: "$gt", Value: "u48"}}}}, "uscc", true},
		{"the equality on a tie with a range", bson.D{{Key: "uscc", Value: bson.D{{Key: "$gte", Value: "u"}}}, {Key: "action", Value: "whitelist.lookup"}}, "action", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, q, args, err := srv.findIDsQuery(ctx, "plan", "audit", tt.filter, 20)
			if err != nil {
				t.Fatal(err)
			}
			table, err := tableOf(ctx, conn, "audit")
			if err != nil {
				t.Fatal(err)
			}
			plan := queryPlan(t, conn, q, args)
			want := "SCAN " + table + " USING INDEX " + table + "_peiyu_" + tt.index
			if tt.search {
				want = "SEARCH " + table + " USING INDEX " + table + "_peiyu_" + tt.index + "_id (<expr>"
			}
			if !strings.HasPrefix(plan, want) {
				t.Errorf("query plan of\n%s\n= %q, want %q…", q, plan, want)
			}
			// Only a range, which holds few entries, is sorted.
			ranged := strings.Contains(plan, "(<expr>>?)")
			if sorts := strings.Contains(plan, "TEMP B-TREE"); sorts != ranged {
				t.Errorf("query plan %q: sorts %v, want %v", plan, sorts, ranged)
			}
		})
	}
}

// queryPlan is EXPLAIN QUERY PLAN's details, joined by "; ".
func queryPlan(t *testing.T, conn *sql.DB, q string, args []any) string {
	t.Helper()
	rows, err := conn.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}
