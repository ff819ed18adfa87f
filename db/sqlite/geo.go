package sqlite

import (
	"container/heap"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"minibase/db"
)

// A 2dsphere index is a table of its own, "g<index id>": one row (cell, _id)
// per index key of a document (db.GeoKeys: S2 cells), its primary key a
// B-tree on (cell, _id), with a second index on _id for rewriting a
// document's rows and a partial one on the keys of lines and polygons,
// which tells at once whether there are any (catIndex.shapes). Every write to the collection keeps it in step, in the
// write's transaction; a query narrows its candidates to the documents
// under the key ranges of its geo condition (db.Node.GeoKeyRanges, and
// db.NearScan's rings for the nearest first), then the Go matcher decides.

// catIndex is a secondary index as the catalog holds it.
type catIndex struct {
	id int64
	db.Index
	// shapes, for a 2dsphere index: it may hold keys of lines or polygons
	// (db.GeoPointKey false), so lookups need the ancestors of cells. Set
	// when such a key is filed (before its transaction commits: a reader
	// that sees it early only looks up more), never cleared.
	shapes *atomic.Bool
}

// geoTable is the quoted name of a 2dsphere index's table.
func (x catIndex) geoTable() string { return `"g` + strconv.FormatInt(x.id, 10) + `"` }

// geoIndexes returns the 2dsphere indexes among idx.
func geoIndexes(idx []catIndex) []catIndex {
	var out []catIndex
	for _, x := range idx {
		if x.Geo() {
			out = append(out, x)
		}
	}
	return out
}

// geoIndexFor returns the 2dsphere index on path.
func geoIndexFor(idx []catIndex, path string) (catIndex, bool) {
	for _, x := range idx {
		if x.Geo() && x.Keys[0].Path == path {
			return x, true
		}
	}
	return catIndex{}, false
}

// fileKeys notes that keys are filed in x: whether one is a shape's.
func (x catIndex) fileKeys(keys []int64) {
	for _, k := range keys {
		if !db.GeoPointKey(k) {
			x.shapes.Store(true)
			return
		}
	}
}

// loadShapes sets x.shapes from its table.
func loadShapes(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, x catIndex) error {
	var any bool
	if err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+x.geoTable()+" WHERE (cell & 1) = 0)").Scan(&any); err != nil {
		return fmt.Errorf("load 2dsphere index %s: %w", x.Name, err)
	}
	x.shapes.Store(any)
	return nil
}

// plainIndexes returns idx as db.Index values.
func plainIndexes(idx []catIndex) []db.Index {
	out := make([]db.Index, len(idx))
	for i, x := range idx {
		out[i] = x.Index
	}
	return out
}

// createGeoIndex makes index x's table and files every document of c in
// it. A document whose value at the path is not geometries fails it.
func createGeoIndex(tx *sql.Tx, c *collection, x catIndex) error {
	t := x.geoTable()
	n := strconv.FormatInt(x.id, 10)
	stmts := []string{
		"CREATE TABLE " + t + " (cell INTEGER NOT NULL, id TEXT NOT NULL, PRIMARY KEY (cell, id)) WITHOUT ROWID",
		`CREATE INDEX "g` + n + `_id" ON ` + t + " (id)",
		`CREATE INDEX "g` + n + `_shapes" ON ` + t + " (cell) WHERE (cell & 1) = 0",
	}
	for _, s := range stmts {
		if _, err := tx.Exec(s); err != nil {
			return fmt.Errorf("create 2dsphere index: %w", err)
		}
	}
	path := x.Keys[0].Path
	top := db.Segments(path)[0]
	// Only the top-level field is read, as JSON; db.GeoKeys follows the
	// rest of the path through it.
	var jp strings.Builder
	jp.WriteString("$")
	if !jsonPath(&jp, top) {
		return db.Errorf(db.CodeInvalidParam, "cannot index path %q", path)
	}
	field := "data -> '" + jp.String() + "'"
	rows, err := tx.Query("SELECT id, " + field + " FROM " + c.table + " WHERE " + field + " IS NOT NULL")
	if err != nil {
		return fmt.Errorf("create 2dsphere index: %w", err)
	}
	type filed struct {
		id   string
		keys []int64
	}
	var all []filed
	for rows.Next() {
		var id, js string
		if err := rows.Scan(&id, &js); err != nil {
			rows.Close()
			return err
		}
		v, err := db.DecodeJSON([]byte(js), db.MaxDepth+1)
		if err != nil {
			rows.Close()
			return fmt.Errorf("create 2dsphere index: document %s: %w", id, err)
		}
		keys, err := db.GeoKeys(db.Doc{{Key: "_id", Value: id}, {Key: top, Value: v}}, path)
		if err != nil {
			rows.Close()
			return db.Errorf(db.CodeInvalidParam, "cannot create the 2dsphere index on %q: %v", path, err)
		}
		all = append(all, filed{id, keys})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ins, err := tx.Prepare("INSERT INTO " + t + " (cell, id) VALUES (?, ?)")
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, f := range all {
		x.fileKeys(f.keys)
		for _, k := range f.keys {
			if _, err := ins.Exec(k, f.id); err != nil {
				return fmt.Errorf("create 2dsphere index: %w", err)
			}
		}
	}
	return nil
}

// refile files doc (nil: nothing) under c's 2dsphere indexes, in place of
// what was filed for id before (nothing when fresh). A value a 2dsphere
// index cannot file fails the write (db.GeoKeys).
func refile(tx *sql.Tx, idx []catIndex, id string, doc db.Doc, fresh bool) error {
	for _, x := range idx {
		if !x.Geo() {
			continue
		}
		t := x.geoTable()
		if !fresh {
			if _, err := tx.Exec("DELETE FROM "+t+" WHERE id = ?", id); err != nil {
				return err
			}
		}
		if doc == nil {
			continue
		}
		keys, err := db.GeoKeys(doc, x.Keys[0].Path)
		if err != nil {
			return err
		}
		x.fileKeys(keys)
		for _, k := range keys {
			if _, err := tx.Exec("INSERT INTO "+t+" (cell, id) VALUES (?, ?)", k, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// geoCandidates is the SQL condition that keeps the documents filed under
// the key ranges of the JSON array argument ([[lo, hi], …]) in table t.
func geoCandidates(t string) string {
	return "id IN (SELECT g.id FROM json_each(?) AS r JOIN " + t + " AS g ON g.cell BETWEEN r.value ->> 0 AND r.value ->> 1)"
}

// rangesJSON encodes key ranges as the argument of geoCandidates.
func rangesJSON(rs []db.KeyRange) string {
	b := make([]byte, 0, 2+len(rs)*42)
	b = append(b, '[')
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, r.Lo, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.Hi, 10)
		b = append(b, ']')
	}
	return string(append(b, ']'))
}

// findNear finds q's documents nearest first: it reads the 2dsphere index
// ring by ring out from the centre (db.NearScan), keeps the skip+limit
// nearest matching documents seen, and stops once every one of them lies
// within the rings read, so that no document not yet seen can be nearer.
// Equal distances come in _id order. When SQL decides the filter's other
// conditions, a ring reads only each candidate's location, and the
// documents are read at the end, the nearest only. All of it reads one
// snapshot, as a single statement would.
func (d *DB) findNear(ctx context.Context, c *collection, sh *shape, idx []catIndex, q *db.Query, nr *db.Near) ([][]byte, error) {
	want := q.Skip + q.Limit
	if want > maxSortBuffer {
		return nil, db.Errorf(db.CodeInvalidParam, "geoNear needs skip+limit of at most %d", maxSortBuffer)
	}
	tx, err := d.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	x, _ := geoIndexFor(idx, nr.Path)
	ring := planNear(c, sh, idx, q, nr)
	best := &nearHeap{}
	seen := map[string]bool{}
	scan := nr.Scan(x.shapes.Load())
	found := 0
	for {
		ranges, radius, ok := scan.Next(found, want)
		if !ok {
			break
		}
		if err := d.readRing(ctx, tx, ring, rangesJSON(ranges), q.Filter, nr, seen, best, want); err != nil {
			return nil, err
		}
		found = 0
		for _, x := range best.items {
			if x.dist <= radius {
				found++
			}
		}
		if found == want {
			break
		}
	}
	near := make([]nearDoc, best.Len())
	for i := len(near) - 1; i >= 0; i-- {
		near[i] = heap.Pop(best).(nearDoc)
	}
	near = near[min(q.Skip, len(near)):]
	if ring.locOnly {
		if err := d.readDocs(ctx, tx, c, near); err != nil {
			return nil, err
		}
	}
	out := make([][]byte, 0, len(near))
	for _, x := range near {
		if x.raw != nil { // nil: removed since the ring was read
			out = append(out, x.raw)
		}
	}
	return out, nil
}

// nearPlan is findNear's SQL for one ring; its last argument, the ring's
// key ranges, is left out.
type nearPlan struct {
	sql  string
	args []any
	// locOnly: the SQL decides every condition but the distance, and
	// reads the id and the JSON of the location's top-level field (top).
	locOnly bool
	top     string
}

func planNear(c *collection, sh *shape, idx []catIndex, q *db.Query, nr *db.Near) nearPlan {
	t := &translator{sh: sh, idx: idx, nearRings: true}
	where, exact := t.cond(q.Filter.Root())
	x, _ := geoIndexFor(idx, nr.Path)
	p := nearPlan{args: t.args, top: db.Segments(nr.Path)[0]}
	var jp strings.Builder
	jp.WriteString("$")
	p.locOnly = exact && jsonPath(&jp, p.top)
	read := "json(data)"
	if p.locOnly {
		read = "data -> '" + jp.String() + "'"
	}
	p.sql = "SELECT id, " + read + " FROM " + c.table + " WHERE " + where + " AND " + geoCandidates(x.geoTable())
	return p
}

// readRing reads one ring's candidates into best, keeping the want nearest.
func (d *DB) readRing(ctx context.Context, tx *sql.Tx, p nearPlan, ranges string, f *db.Filter, nr *db.Near, seen map[string]bool, best *nearHeap, want int) error {
	rows, err := d.queryIn(ctx, tx, p.sql, append(slices.Clone(p.args), ranges))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		if seen[id] || raw == nil {
			continue
		}
		seen[id] = true
		var doc db.Doc
		if p.locOnly {
			v, err := db.DecodeJSON(raw, db.MaxDepth+1)
			if err != nil {
				return fmt.Errorf("stored document is unreadable: %w", err)
			}
			doc, raw = db.Doc{{Key: "_id", Value: id}, {Key: p.top, Value: v}}, nil
		} else if doc, err = decodeDoc(raw); err != nil {
			return err
		} else if !f.Match(doc) {
			continue
		}
		dist, ok := nr.Distance(doc)
		if !ok {
			continue
		}
		x := nearDoc{dist: dist, id: id, raw: raw}
		if best.Len() < want {
			heap.Push(best, x)
		} else if x.less(best.items[0]) {
			best.items[0] = x
			heap.Fix(best, 0)
		}
	}
	return rows.Err()
}

// readDocs reads the documents of near by id.
func (d *DB) readDocs(ctx context.Context, tx *sql.Tx, c *collection, near []nearDoc) error {
	if len(near) == 0 {
		return nil
	}
	ids := make([]any, len(near))
	at := make(map[string]int, len(near))
	for i, x := range near {
		ids[i] = x.id
		at[x.id] = i
	}
	list := db.MarshalJSON(ids)
	rows, err := d.queryIn(ctx, tx, "SELECT id, json(data) FROM "+c.table+" WHERE id IN (SELECT value FROM json_each(?))", []any{string(list)})
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		near[at[id]].raw = raw
	}
	return rows.Err()
}

// nearDoc is a document found by findNear.
type nearDoc struct {
	dist float64
	id   string
	raw  []byte
}

func (a nearDoc) less(b nearDoc) bool {
	return a.dist < b.dist || a.dist == b.dist && a.id < b.id
}

// nearHeap is a max-heap of nearDocs: the root is the farthest kept.
type nearHeap struct{ items []nearDoc }

func (h *nearHeap) Len() int           { return len(h.items) }
func (h *nearHeap) Less(i, j int) bool { return h.items[j].less(h.items[i]) }
func (h *nearHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *nearHeap) Push(x any)         { h.items = append(h.items, x.(nearDoc)) }
func (h *nearHeap) Pop() any {
	n := len(h.items) - 1
	x := h.items[n]
	h.items = h.items[:n]
	return x
}
