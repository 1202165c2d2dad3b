package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Queries answered from SQLite.
//
// FerretDB v1.24 pushes down to SQLite only a filter that is exactly
// {_id: <string or ObjectID>}: every other find reads and decodes the
// whole table, sorts it in memory, then applies the limit, whatever
// indexes the collection has. FindIDs answers the one query shape the store
// needs on a large collection (the newest documents that match a few
// fields) directly from SQLite expression indexes (IndexFields), reading
// only the index entries of the answer; the caller then reads each document
// by _id, the lookup FerretDB does push down.
//
// Values are compared as FerretDB stores them (its sjson format): every
// document is one JSON text in the column _ferretdb_sjson, with each
// top-level field under its name and the field's type in the schema at
// $s.p.<name>.t. A string is a JSON string; a date is a JSON number of
// milliseconds since the epoch, as are int, long and double, so types are
// told apart by the schema only. `->>` gives the SQL value (the decoded
// text of a string, the integer of a date), which compares exactly as
// MongoDB compares strings (byte-wise) and dates (by milliseconds). _id is
// ordered by `->'$._id'`, its JSON text, the expression FerretDB's own _id
// lookup uses and the index IndexIDs creates.

// FindIDs returns the _id values of the documents of collection coll in
// database db that match filter, greatest first, at most limit: what
// find(filter).sort({_id: -1}).limit(limit) returns, for a collection whose
// _id values are strings (documents with another kind of _id are left out).
// _ids are ordered by their JSON text, which is MongoDB's (byte-wise) order
// as long as no _id holds a character that JSON escapes (quote, backslash,
// '<', '>', '&', control characters) or one that sorts below the closing
// quote (space, '!'): UUIDs, for one. A database or collection that does
// not exist has no documents.
//
// filter holds top-level fields, all of which must match, each once; a
// field's value is either a string, which the field must equal, or a
// bson.D of the comparison operators $gt, $gte, $lt and $lte with a string
// or time.Time operand. As in MongoDB a string operand matches strings
// only and a time dates only, at millisecond precision (the sub-millisecond
// part is dropped, as the driver drops it); unlike MongoDB an array field
// never matches through its elements. Field names are identifiers of
// letters, digits and '_', not _id: they are written into the SQL, and come
// from code, never from users.
//
// The query reads one index: that of IndexFields on a field the filter
// compares with = (in _id order), or on a field it bounds when fewer than
// 500 entries are within the bounds (which it then sorts), the one with the
// fewest matching entries when there are several; else the _id index of
// IndexIDs, newest first. Its cost grows with the entries it reads before
// it has limit matches, not with the collection, but for filters that none
// of those indexes narrow and few documents match: the newest one matching
// a bound on an unindexed field (or 500 or more entries within the bounds
// of an indexed one) can be at the far end of the _id index. Without the
// indexes it reads the whole table, and answers the same.
//
// The errors are SQLite's (the caller's database is unavailable) and a
// filter of another form.
func (s *Server) FindIDs(ctx context.Context, db, coll string, filter bson.D, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("embedded: find ids: limit %d is not positive", limit)
	}
	conn, q, args, err := s.findIDsQuery(ctx, db, coll, filter, limit)
	if err != nil || conn == nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("embedded: find ids in %s.%s: %w", db, coll, err)
	}
	defer rows.Close()
	ids := make([]string, 0, min(limit, 1024))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("embedded: find ids in %s.%s: %w", db, coll, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("embedded: find ids in %s.%s: %w", db, coll, err)
	}
	return ids, nil
}

// findIDsQuery returns FindIDs' query and the pool to run it on, no pool
// when the collection does not exist.
func (s *Server) findIDsQuery(ctx context.Context, db, coll string, filter bson.D, limit int) (*sql.DB, string, []any, error) {
	conds, err := parseFilter(filter)
	if err != nil {
		return nil, "", nil, fmt.Errorf("embedded: find ids in %s.%s: %w", db, coll, err)
	}
	conn, err := s.sqlite(db)
	if err != nil || conn == nil {
		return nil, "", nil, err
	}
	table, err := tableOf(ctx, conn, coll)
	if err != nil || table == "" {
		return nil, "", nil, err
	}
	have, err := indexesOf(ctx, conn, table)
	if err != nil {
		return nil, "", nil, err
	}
	index, err := drivingIndex(ctx, conn, table, conds, have)
	if err != nil {
		return nil, "", nil, err
	}
	q, args := selectIDs(table, index, conds, limit)
	return conn, q, args, nil
}

// IndexFields gives collection coll of database db, for each field, an
// SQLite index on the field's value and the _id that FindIDs uses for an
// equality on the field with its order, and returns how many it created.
// Like the index of IndexIDs, FerretDB does not know it; it disappears with
// the table when the collection is dropped. Every index makes each insert
// into the collection cost more.
//
// Call it after the collection exists; it does nothing when it does not.
// It is idempotent. Creating an index on a large collection takes the
// database's write lock for as long as it reads the table.
func (s *Server) IndexFields(ctx context.Context, db, coll string, fields ...string) (int, error) {
	for _, f := range fields {
		if err := checkField(f); err != nil {
			return 0, fmt.Errorf("embedded: index %s.%s: %w", db, coll, err)
		}
	}
	conn, err := s.openSQLite(db)
	if err != nil || conn == nil {
		return 0, err
	}
	defer conn.Close()
	table, err := tableOf(ctx, conn, coll)
	if err != nil || table == "" {
		return 0, err
	}
	have, err := indexesOf(ctx, conn, table)
	if err != nil {
		return 0, err
	}
	created := 0
	for _, f := range fields {
		name := fieldIndex(table, f)
		if have[name] {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s, %s)`, ident(name), ident(table), valueExpr(f), idExpr)
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return created, fmt.Errorf("embedded: index %s: %w", name, err)
		}
		created++
	}
	return created, nil
}

// The SQL expressions. SQLite uses an expression index only for a query
// expression identical to the indexed one, so both are built here.
const (
	// idExpr is the _id's JSON text, as FerretDB's _id lookup reads it.
	idExpr = `_ferretdb_sjson->'$._id'`
	// idIsString keeps documents whose _id is a string.
	idIsString = `_ferretdb_sjson->>'$."$s".p._id.t' = 'string'`
)

// valueExpr is the SQL value of the top-level field f.
func valueExpr(f string) string { return `_ferretdb_sjson->>'$.` + f + `'` }

// typeExpr is the sjson type name of the top-level field f.
func typeExpr(f string) string { return `_ferretdb_sjson->>'$."$s".p.` + f + `.t'` }

// idIndex is the index IndexIDs creates; fieldIndex those of IndexFields.
func idIndex(table string) string { return table + "_peiyu_id_path" }

func fieldIndex(table, f string) string { return table + "_peiyu_" + f + "_id" }

// ident quotes an SQL identifier.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// cond is one comparison of a filter: the field's value op arg, the field
// being of type typ.
type cond struct {
	field, op, typ string
	arg            any
}

var fieldRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func checkField(f string) error {
	if !fieldRE.MatchString(f) || f == "_id" {
		return fmt.Errorf("field %q: want an identifier other than _id", f)
	}
	return nil
}

var sqlOps = map[string]string{"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}

// parseFilter turns a FindIDs filter into its comparisons.
func parseFilter(filter bson.D) ([]cond, error) {
	var conds []cond
	seen := map[string]bool{}
	for _, e := range filter {
		if err := checkField(e.Key); err != nil {
			return nil, err
		}
		if seen[e.Key] {
			return nil, fmt.Errorf("field %q appears twice", e.Key)
		}
		seen[e.Key] = true
		if ops, ok := e.Value.(bson.D); ok {
			if len(ops) == 0 {
				return nil, fmt.Errorf("field %q: no operator", e.Key)
			}
			for _, o := range ops {
				sqlOp, ok := sqlOps[o.Key]
				if !ok {
					return nil, fmt.Errorf("field %q: operator %q: want $gt, $gte, $lt or $lte", e.Key, o.Key)
				}
				c, err := operand(e.Key, sqlOp, o.Value)
				if err != nil {
					return nil, err
				}
				conds = append(conds, c)
			}
			continue
		}
		if _, ok := e.Value.(string); !ok {
			return nil, fmt.Errorf("field %q: %T: want a string or a bson.D of operators", e.Key, e.Value)
		}
		c, _ := operand(e.Key, "=", e.Value)
		conds = append(conds, c)
	}
	return conds, nil
}

func operand(field, op string, v any) (cond, error) {
	switch v := v.(type) {
	case string:
		return cond{field: field, op: op, typ: "string", arg: v}, nil
	case time.Time:
		return cond{field: field, op: op, typ: "date", arg: v.UnixMilli()}, nil
	}
	return cond{}, fmt.Errorf("field %q: operand %T: want a string or a time.Time", field, v)
}

// probeCap bounds how many entries drivingIndex counts per index.
const probeCap = 500

// drivingIndex picks the index FindIDs reads (none: ""). An index on a
// field the filter compares is a candidate: with an equality, whose entries
// it reads in _id order, or with bounds, when fewer than probeCap entries
// are within them (it reads those and sorts them). A single equality and
// nothing else is taken as it is; otherwise the candidate with the fewest
// entries, counted up to probeCap, wins, an equality (then the first in the
// filter) on a tie. With no candidate, the _id index. SQLite would choose
// between indexes with equal estimates (there are no statistics)
// arbitrarily: one that matches most of the table, a common action when
// the query also names a firm, costs a scan of the table.
func drivingIndex(ctx context.Context, conn *sql.DB, table string, conds []cond, have map[string]bool) (string, error) {
	// The comparisons of each indexed field, in the filter's order.
	var fields []string
	byField := map[string][]cond{}
	eq := map[string]bool{}
	for _, c := range conds {
		if !have[fieldIndex(table, c.field)] {
			continue
		}
		if byField[c.field] == nil {
			fields = append(fields, c.field)
		}
		byField[c.field] = append(byField[c.field], c)
		eq[c.field] = eq[c.field] || c.op == "="
	}
	if len(fields) == 1 && eq[fields[0]] {
		return fieldIndex(table, fields[0]), nil
	}
	best, fewest, bestEq := "", probeCap, false
	for _, f := range fields {
		ix := fieldIndex(table, f)
		// Reads the index only: it holds the value.
		var where []string
		var args []any
		for _, c := range byField[f] {
			where = append(where, valueExpr(f)+" "+c.op+" ?")
			args = append(args, c.arg)
		}
		q := fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM %s INDEXED BY %s WHERE %s LIMIT %d)`,
			ident(table), ident(ix), strings.Join(where, " AND "), probeCap)
		var n int
		if err := conn.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return "", fmt.Errorf("embedded: count %s: %w", ix, err)
		}
		switch {
		case eq[f] && (best == "" || n < fewest || n == fewest && !bestEq):
			best, fewest, bestEq = ix, n, true
		case !eq[f] && n < fewest:
			best, fewest, bestEq = ix, n, false
		}
	}
	if best == "" && have[idIndex(table)] {
		return idIndex(table), nil
	}
	return best, nil
}

// selectIDs is FindIDs' query: the comparisons, each with the type it
// needs, reading index (none when ""), greatest _id first.
func selectIDs(table, index string, conds []cond, limit int) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT _ferretdb_sjson->>'$._id' FROM `)
	b.WriteString(ident(table))
	if index != "" {
		// Also makes a query fail, rather than scan, if the index is
		// dropped between the look-up and now.
		b.WriteString(` INDEXED BY `)
		b.WriteString(ident(index))
	}
	b.WriteString(` WHERE ` + idIsString)
	args := make([]any, 0, 2*len(conds)+1)
	typed := map[cond]bool{} // fields with their types
	for _, c := range conds {
		fmt.Fprintf(&b, ` AND %s %s ?`, valueExpr(c.field), c.op)
		args = append(args, c.arg)
		if ft := (cond{field: c.field, typ: c.typ}); !typed[ft] {
			typed[ft] = true
			fmt.Fprintf(&b, ` AND %s = ?`, typeExpr(c.field))
			args = append(args, c.typ)
		}
	}
	b.WriteString(` ORDER BY ` + idExpr + ` DESC LIMIT ?`)
	args = append(args, limit)
	return b.String(), args
}

// tableOf returns the table of collection coll, "" when there is none.
func tableOf(ctx context.Context, conn *sql.DB, coll string) (string, error) {
	var t string
	err := conn.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, coll).Scan(&t)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("embedded: table of %s: %w", coll, err)
	}
	return t, nil
}

// indexesOf returns the names of the indexes of table.
func indexesOf(ctx context.Context, conn *sql.DB, table string) (map[string]bool, error) {
	rows, err := conn.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, table)
	if err != nil {
		return nil, fmt.Errorf("embedded: indexes of %s: %w", table, err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("embedded: indexes of %s: %w", table, err)
		}
		have[n] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("embedded: indexes of %s: %w", table, err)
	}
	return have, nil
}

// sqliteFile is the file of database db.
func (s *Server) sqliteFile(db string) string { return filepath.Join(s.dir, db+".sqlite") }

// sqliteDSN opens the existing file path, never creating one (FerretDB
// would take a stray file for a database), waiting up to busy for a lock.
func sqliteDSN(path string, busy time.Duration) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path),
		RawQuery: fmt.Sprintf("mode=rw&_pragma=busy_timeout(%d)", busy.Milliseconds())}
	return u.String()
}

// openSQLite opens a pool of its own on the file of database db, nil when
// the database has no file yet. The caller closes it.
func (s *Server) openSQLite(db string) (*sql.DB, error) {
	path := s.sqliteFile(db)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("embedded: %w", err)
	}
	conn, err := sql.Open("sqlite", sqliteDSN(path, 10*time.Second))
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	return conn, nil
}

// sqlitePool is the server's pool on one database file.
type sqlitePool struct {
	db   *sql.DB
	file os.FileInfo // the file it was opened on
}

// readersIdle is how long an idle reader connection stays open. Idle
// connections hold no read transaction, so they hold back no checkpoint;
// but while one is open on a database that FerretDB drops, FerretDB's last
// connection cannot checkpoint and remove the WAL and shared-memory files,
// which stay behind (SQLite deletes a WAL it finds next to an empty
// database file, so a new database of the same name does not read it).
const readersIdle = time.Minute

// sqlite returns the server's pool on the file of database db for reading,
// nil when the database has no file. Reads do not block FerretDB's writer
// (the files are in WAL mode); a checkpoint may, briefly, hence the busy
// timeout. A pool whose file was dropped or replaced is closed.
func (s *Server) sqlite(db string) (*sql.DB, error) {
	fi, err := os.Stat(s.sqliteFile(db))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pools == nil {
		return nil, errors.New("embedded: server stopped")
	}
	if p, ok := s.pools[db]; ok {
		if fi != nil && os.SameFile(p.file, fi) {
			return p.db, nil
		}
		_ = p.db.Close()
		delete(s.pools, db)
	}
	if fi == nil {
		return nil, nil
	}
	// Pools on files dropped since go too, lest tests that drop their
	// databases leave one behind each.
	for name, p := range s.pools {
		if cur, err := os.Stat(s.sqliteFile(name)); err != nil || !os.SameFile(p.file, cur) {
			_ = p.db.Close()
			delete(s.pools, name)
		}
	}
	conn, err := sql.Open("sqlite", sqliteDSN(s.sqliteFile(db), 5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", db, err)
	}
	conn.SetMaxIdleConns(2)
	conn.SetConnMaxIdleTime(readersIdle)
	s.pools[db] = &sqlitePool{db: conn, file: fi}
	return conn, nil
}

// closePools closes the reader pools; sqlite refuses to open more.
func (s *Server) closePools() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pools {
		_ = p.db.Close()
	}
	s.pools = nil
}
