package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"minibase/db"
)

// collection is one collection's table and shape.
type collection struct {
	id    int64
	name  string
	table string // quoted table name
	shape shapeBox
	// insert is the prepared INSERT on the writer connection; only the
	// writer goroutine touches it (nil until the collection is committed).
	insert *sql.Stmt
	// rules are the committed security rules (JSON; nil: the default).
	rules atomic.Pointer[[]byte]
	// indexes are the committed secondary indexes; a write transaction
	// sees its own changes through DB.indexesTx.
	indexes atomic.Pointer[[]catIndex]
	// plans are recent choices between competing indexes (plan.go).
	plans planCache
}

// indexList returns the committed secondary indexes.
func (c *collection) indexList() []catIndex {
	if p := c.indexes.Load(); p != nil {
		return *p
	}
	return nil
}

const insertSQL = "INSERT INTO %s (id, data) VALUES (?, jsonb(?))"

// prepareInsert prepares c's INSERT on the writer connection; it runs on
// the writer goroutine between transactions, when the connection is free.
func (d *DB) prepareInsert(c *collection) {
	if c.insert == nil {
		c.insert, _ = d.w.Prepare(fmt.Sprintf(insertSQL, c.table)) // nil: fall back to per-write prepare
	}
}

func newCollection(id int64, name string, s *shape) *collection {
	if s.Paths == nil {
		s.Paths = map[string]kind{}
	}
	c := &collection{id: id, name: name, table: `"c` + strconv.FormatInt(id, 10) + `"`}
	c.shape.cur = s
	return c
}

const (
	maxIndexes   = 20
	maxIndexKeys = 16
)

var indexNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

func (d *DB) loadCatalog(ctx context.Context) error {
	rows, err := d.w.QueryContext(ctx, "SELECT id, name, shape, rules FROM _collections")
	if err != nil {
		return fmt.Errorf("load collections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id         int64
			name, sraw string
			rules      []byte
		)
		if err := rows.Scan(&id, &name, &sraw, &rules); err != nil {
			return fmt.Errorf("load collections: %w", err)
		}
		s := &shape{}
		if err := json.Unmarshal([]byte(sraw), s); err != nil {
			s = &shape{Overflow: true} // unreadable summary: assume anything
		}
		c := newCollection(id, name, s)
		if rules != nil {
			c.rules.Store(&rules)
		}
		d.colls[name] = c
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if err := d.loadIndexes(ctx); err != nil {
		return err
	}
	for _, c := range d.colls {
		d.prepareInsert(c)
	}
	return nil
}

// loadIndexes reads every collection's index list.
func (d *DB) loadIndexes(ctx context.Context) error {
	rows, err := d.w.QueryContext(ctx, "SELECT i.id, c.name, i.spec FROM _indexes i JOIN _collections c ON c.id = i.coll_id ORDER BY i.name")
	if err != nil {
		return fmt.Errorf("load indexes: %w", err)
	}
	defer rows.Close()
	lists := map[string][]catIndex{}
	for rows.Next() {
		var x catIndex
		var name, spec string
		if err := rows.Scan(&x.id, &name, &spec); err != nil {
			return fmt.Errorf("load indexes: %w", err)
		}
		if err := json.Unmarshal([]byte(spec), &x.Index); err != nil {
			return fmt.Errorf("load indexes: %s: %w", name, err)
		}
		x.shapes = new(atomic.Bool)
		lists[name] = append(lists[name], x)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load indexes: %w", err)
	}
	rows.Close()
	for name, l := range lists {
		for _, x := range geoIndexes(l) {
			if err := loadShapes(ctx, d.w, x); err != nil {
				return err
			}
		}
		if c := d.colls[name]; c != nil {
			c.indexes.Store(&l)
		}
	}
	return nil
}

// CreateCollection creates an empty collection.
func (d *DB) CreateCollection(ctx context.Context, name string) error {
	_, err := d.do(ctx, func(tx *sql.Tx, e *effects) (any, error) {
		if d.lookupTx(e, name) != nil {
			return nil, db.Errorf(db.CodeCollectionExists, "collection %q already exists", name)
		}
		_, err := d.createTx(tx, e, name)
		return nil, err
	})
	return err
}

// createTx creates a collection inside the write transaction.
func (d *DB) createTx(tx *sql.Tx, e *effects, name string) (*collection, error) {
	if !db.ValidCollectionName(name) {
		return nil, db.Errorf(db.CodeInvalidParam, "invalid collection name %q: use 1-64 letters, digits, '_' or '-', starting with a letter or digit", name)
	}
	var id int64
	err := tx.QueryRow("INSERT INTO _collections(name, created) VALUES(?, ?) RETURNING id", name, time.Now().UnixMilli()).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("create collection %s: %w", name, err)
	}
	c := newCollection(id, name, &shape{})
	if _, err := tx.Exec("CREATE TABLE " + c.table + " (id TEXT PRIMARY KEY, data BLOB NOT NULL)"); err != nil {
		return nil, fmt.Errorf("create collection %s: %w", name, err)
	}
	if e.created == nil {
		e.created = map[string]*collection{}
	}
	e.created[name] = c
	return c, nil
}

// DropCollection deletes a collection, its documents and indexes.
func (d *DB) DropCollection(ctx context.Context, name string) error {
	_, err := d.free(ctx, func(tx *sql.Tx, e *effects) (any, error) {
		c := d.lookupTx(e, name)
		if c == nil {
			return nil, notExist(name)
		}
		stmts := []string{
			"DROP TABLE " + c.table,
		}
		for _, x := range geoIndexes(d.indexesTx(e, c)) {
			stmts = append(stmts, "DROP TABLE "+x.geoTable())
		}
		stmts = append(stmts,
			"DELETE FROM _indexes WHERE coll_id = "+strconv.FormatInt(c.id, 10),
			"DELETE FROM _collections WHERE id = "+strconv.FormatInt(c.id, 10),
		)
		for _, s := range stmts {
			if _, err := tx.Exec(s); err != nil {
				return nil, fmt.Errorf("drop collection %s: %w", name, err)
			}
		}
		if e.dropped == nil {
			e.dropped = map[string]bool{}
		}
		e.dropped[name] = true
		e.after = append(e.after, func(*DB) {
			if c.insert != nil {
				c.insert.Close()
				c.insert = nil
			}
		})
		return nil, nil
	})
	return err
}

// Indexes lists a collection's secondary indexes, by name.
func (d *DB) Indexes(ctx context.Context, coll string) ([]db.Index, error) {
	c := d.lookup(coll)
	if c == nil {
		return nil, notExist(coll)
	}
	rows, err := d.r.QueryContext(ctx, "SELECT spec FROM _indexes WHERE coll_id = ? ORDER BY name", c.id)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	defer rows.Close()
	out := []db.Index{}
	for rows.Next() {
		var raw string
		var idx db.Index
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("list indexes: %w", err)
		}
		if err := json.Unmarshal([]byte(raw), &idx); err != nil {
			return nil, fmt.Errorf("list indexes: %w", err)
		}
		out = append(out, idx)
	}
	return out, rows.Err()
}

func checkIndex(idx *db.Index) error {
	if len(idx.Keys) == 0 || len(idx.Keys) > maxIndexKeys {
		return db.Errorf(db.CodeInvalidParam, "an index needs 1 to %d keys", maxIndexKeys)
	}
	seen := map[string]bool{}
	for _, k := range idx.Keys {
		switch {
		case k.Type == db.Geo2DSphere && (len(idx.Keys) > 1 || idx.Unique || k.Desc):
			return db.Errorf(db.CodeInvalidParam, "a 2dsphere index has one key, without a direction, and is not unique")
		case k.Type != "" && k.Type != db.Geo2DSphere:
			return db.Errorf(db.CodeInvalidParam, "unknown index type %q", k.Type)
		}
		if _, ok := columnExpr(k.Path); !ok {
			return db.Errorf(db.CodeInvalidParam, "cannot index path %q: use field names of letters, digits and '_' (no array positions)", k.Path)
		}
		if seen[k.Path] {
			return db.Errorf(db.CodeInvalidParam, "index key %q given twice", k.Path)
		}
		seen[k.Path] = true
	}
	if idx.Name == "" {
		idx.Name = db.IndexName(idx.Keys)
	}
	if !indexNameRE.MatchString(idx.Name) || idx.Name == "_id_" {
		return db.Errorf(db.CodeInvalidParam, "invalid index name %q: use 1-128 letters, digits, '_', '.' or '-'", idx.Name)
	}
	return nil
}

// CreateIndex creates a secondary index. Every index (unless unique) ends
// with the _id column in the direction of its last key, so that sorts
// tie-broken by _id (db.Service does so in the last key's direction) are
// read from the index forwards or backwards.
// Unique indexes ignore documents where an indexed field is missing or
// null (like a MongoDB sparse unique index).
func (d *DB) CreateIndex(ctx context.Context, coll string, idx db.Index) error {
	if err := checkIndex(&idx); err != nil {
		return err
	}
	_, err := d.do(ctx, func(tx *sql.Tx, e *effects) (any, error) {
		c := d.lookupTx(e, coll)
		if c == nil {
			return nil, notExist(coll)
		}
		var n, same int
		if err := tx.QueryRow("SELECT count(*), count(CASE WHEN name = ? THEN 1 END) FROM _indexes WHERE coll_id = ?", idx.Name, c.id).Scan(&n, &same); err != nil {
			return nil, fmt.Errorf("create index: %w", err)
		}
		if same > 0 {
			return nil, db.Errorf(db.CodeInvalidParam, "index %q already exists on collection %q", idx.Name, coll)
		}
		if n >= maxIndexes {
			return nil, db.Errorf(db.CodeInvalidParam, "collection %q already has %d indexes, the maximum", coll, maxIndexes)
		}
		spec, _ := json.Marshal(idx)
		x := catIndex{Index: idx, shapes: new(atomic.Bool)}
		if err := tx.QueryRow("INSERT INTO _indexes(coll_id, name, spec) VALUES(?, ?, ?) RETURNING id", c.id, idx.Name, string(spec)).Scan(&x.id); err != nil {
			return nil, fmt.Errorf("create index: %w", err)
		}
		if x.Geo() {
			if err := createGeoIndex(tx, c, x); err != nil {
				return nil, err
			}
		} else if _, err := tx.Exec(indexSQL(c, x.id, idx)); err != nil {
			if code := db.ErrorCode(sqlErr(err, coll)); code == db.CodeDuplicateKey {
				return nil, db.Errorf(db.CodeDuplicateKey, "cannot create unique index %q: collection %q has duplicate values", idx.Name, coll)
			}
			return nil, fmt.Errorf("create index: %w", err)
		}
		d.setIndexesTx(e, c, append(slices.Clone(d.indexesTx(e, c)), x))
		return nil, nil
	})
	return err
}

func indexSQL(c *collection, id int64, idx db.Index) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if idx.Unique {
		b.WriteString("UNIQUE ")
	}
	fmt.Fprintf(&b, `INDEX "i%d" ON %s (`, id, c.table)
	for i, k := range idx.Keys {
		if i > 0 {
			b.WriteString(", ")
		}
		expr, _ := columnExpr(k.Path)
		b.WriteString(expr)
		if k.Desc {
			b.WriteString(" DESC")
		}
	}
	if !idx.Unique {
		b.WriteString(", id")
		if idx.Keys[len(idx.Keys)-1].Desc {
			b.WriteString(" DESC")
		}
	}
	b.WriteString(")")
	return b.String()
}

// DropIndex drops a secondary index by name.
func (d *DB) DropIndex(ctx context.Context, coll, name string) error {
	_, err := d.free(ctx, func(tx *sql.Tx, e *effects) (any, error) {
		c := d.lookupTx(e, coll)
		if c == nil {
			return nil, notExist(coll)
		}
		var id int64
		err := tx.QueryRow("DELETE FROM _indexes WHERE coll_id = ? AND name = ? RETURNING id", c.id, name).Scan(&id)
		if err == sql.ErrNoRows {
			return nil, db.Errorf(db.CodeInvalidParam, "index %q does not exist on collection %q", name, coll)
		}
		if err != nil {
			return nil, fmt.Errorf("drop index: %w", err)
		}
		list := d.indexesTx(e, c)
		i := slices.IndexFunc(list, func(x catIndex) bool { return x.id == id })
		drop := fmt.Sprintf(`DROP INDEX "i%d"`, id)
		if i >= 0 && list[i].Geo() {
			drop = "DROP TABLE " + list[i].geoTable()
		}
		if _, err := tx.Exec(drop); err != nil {
			return nil, fmt.Errorf("drop index: %w", err)
		}
		if i >= 0 {
			d.setIndexesTx(e, c, slices.Delete(slices.Clone(list), i, i+1))
		}
		return nil, nil
	})
	return err
}
