package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"minibase/db"
)

// What the console asks of the driver: how a query runs (Plan), whether
// an index that does not exist would serve it (WouldUse).

var _ db.Planner = (*DB)(nil)

// Plan is how Find(ctx, coll, q) runs now: the plan the driver picks
// (planQuery, with its choice between competing indexes) and what SQLite
// says it does with that SQL (EXPLAIN QUERY PLAN).
func (d *DB) Plan(ctx context.Context, coll string, q *db.Query) (db.Plan, error) {
	c := d.lookup(coll)
	if c == nil {
		return db.Plan{}, notExist(coll)
	}
	sh, _ := c.shape.load()
	idx := c.indexList()
	if err := db.CheckGeoIndex(q.Filter, plainIndexes(idx)); err != nil {
		return db.Plan{}, err
	}
	if nr := q.Filter.Near(); nr != nil && len(q.Sort) == 0 {
		x, _ := geoIndexFor(idx, nr.Path)
		return db.Plan{Index: &x.Name, Scan: "index", Detail: []string{"$nearSphere: rings of cells of the 2dsphere index " + x.Name + ", nearest first"}}, nil
	}
	p, err := d.planQuery(ctx, c, sh, idx, q)
	if err != nil {
		return db.Plan{}, d.fault(sqlErr(err, coll))
	}
	lines, err := explainSQL(ctx, d.r, p.sql, p.args)
	if err != nil {
		return db.Plan{}, d.fault(sqlErr(err, coll))
	}
	return describe(c, idx, p, q, lines), nil
}

// explainSQL is SQLite's EXPLAIN QUERY PLAN of q on a connection of pool,
// one detail line per step.
func explainSQL(ctx context.Context, pool *sql.DB, q string, args []any) ([]string, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// A statement that reads checks the schema first; EXPLAIN does not,
	// and would show the plan for the schema this connection saw last.
	if _, err := conn.ExecContext(ctx, "SELECT count(*) FROM sqlite_schema"); err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		lines = append(lines, detail)
	}
	return lines, rows.Err()
}

// describe reads SQLite's plan lines as a db.Plan, naming the table as
// the collection and the indexes by their names.
func describe(c *collection, idx []catIndex, p plan, q *db.Query, lines []string) db.Plan {
	table := strings.Trim(c.table, `"`)
	names := map[string]string{}
	for _, x := range idx {
		names["i"+strconv.FormatInt(x.id, 10)] = x.Name
	}
	out := db.Plan{Scan: "full", Exact: p.exact, Detail: make([]string, 0, len(lines))}
	for _, l := range lines {
		if name, ok := usedIndex(l, table, names); ok && out.Index == nil {
			out.Index, out.Scan = &name, "index"
		}
		out.Detail = append(out.Detail, rename(l, table, c.name, names))
	}
	if len(q.Sort) > 0 {
		switch {
		case !p.sqlSort:
			out.Sort = "memory"
		case strings.Contains(strings.Join(lines, "\n"), "TEMP B-TREE"):
			out.Sort = "sql"
		default:
			out.Sort = "index"
		}
	}
	return out
}

// usedIndex finds the index a plan line of the collection's table reads:
// "SEARCH c3 USING INDEX i7 (…)", "… USING PRIMARY KEY (id=?)". A
// "SCAN c3" without USING reads the whole table.
func usedIndex(line, table string, names map[string]string) (string, bool) {
	f := strings.Fields(line)
	if len(f) < 2 || (f[0] != "SEARCH" && f[0] != "SCAN") || strings.Trim(f[1], `"`) != table {
		return "", false
	}
	for i := 2; i+1 < len(f); i++ {
		if f[i] != "INDEX" {
			continue
		}
		sqlName := strings.Trim(f[i+1], `"`)
		if n, ok := names[sqlName]; ok {
			return n, true
		}
		if strings.HasPrefix(sqlName, "sqlite_autoindex_") {
			return "_id_", true
		}
		return sqlName, true
	}
	if strings.Contains(line, "PRIMARY KEY") {
		return "_id_", true
	}
	return "", false
}

// rename replaces SQL names in a plan line by the console's: the table by
// the collection, "i7" by the index's name.
func rename(line, table, coll string, names map[string]string) string {
	f := strings.Fields(line)
	for i, w := range f {
		bare := strings.Trim(w, `"`)
		if bare == table {
			f[i] = coll
		} else if n, ok := names[bare]; ok && i > 0 && f[i-1] == "INDEX" {
			f[i] = n
		}
	}
	return strings.Join(f, " ")
}

// candidateID is the id a hypothetical index takes (real ones start at 1).
const candidateID = 0

// WouldUse reports whether Find(ctx, coll, q) would read idx if it were
// one of coll's indexes. The driver plans q with idx among the indexes
// (planQuery: the same translation and choice Find makes) and asks
// SQLite's planner, on an empty in-memory copy of the collection's schema
// (its table and indexes, created by the same SQL), which index that SQL
// reads. SQLite decides from the schema alone here: minibase runs no
// ANALYZE, so it has no statistics that an empty copy would lack. A
// 2dsphere candidate is refused: its use is decided by the geo operators
// (CheckGeoIndex), not by a plan.
func (d *DB) WouldUse(ctx context.Context, coll string, q *db.Query, idx db.Index) (bool, error) {
	if idx.Geo() {
		return false, db.Errorf(db.CodeInvalidParam, "a 2dsphere index serves the queries with geo operators on its path; there is no plan to check")
	}
	if err := checkIndex(&idx); err != nil {
		return false, err
	}
	c := d.lookup(coll)
	if c == nil {
		return false, notExist(coll)
	}
	sh, _ := c.shape.load()
	var plain []catIndex
	for _, x := range c.indexList() {
		// An existing index with the candidate's keys: the candidate
		// stands in for it, so that SQLite's pick between equals does
		// not decide the answer.
		if !x.Geo() && !slices.Equal(x.Keys, idx.Keys) {
			plain = append(plain, x)
		}
	}
	with := append(plain, catIndex{id: candidateID, Index: idx})
	if err := db.CheckGeoIndex(q.Filter, plainIndexes(c.indexList())); err != nil {
		return false, nil // a geo query: the candidate changes nothing
	}
	p, err := d.planQuery(ctx, c, sh, with, q)
	if err != nil {
		return false, d.fault(sqlErr(err, coll))
	}
	scratch, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return false, fmt.Errorf("index check: %w", err)
	}
	defer scratch.Close()
	scratch.SetMaxOpenConns(1)
	stmts := []string{"CREATE TABLE " + c.table + " (id TEXT PRIMARY KEY, data BLOB NOT NULL)"}
	for _, x := range with {
		stmts = append(stmts, indexSQL(c, x.id, x.Index))
	}
	for _, s := range stmts {
		if _, err := scratch.ExecContext(ctx, s); err != nil {
			return false, fmt.Errorf("index check: %w", err)
		}
	}
	lines, err := explainSQL(ctx, scratch, p.sql, p.args)
	if err != nil {
		return false, fmt.Errorf("index check: %w", err)
	}
	table := strings.Trim(c.table, `"`)
	names := map[string]string{"i" + strconv.Itoa(candidateID): idx.Name}
	for _, l := range lines {
		if n, ok := usedIndex(l, table, names); ok && n == idx.Name {
			return true, nil
		}
	}
	return false, nil
}
