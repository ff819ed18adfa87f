package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"minibase/db"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Limits of the catalog, as db/sqlite's.
const (
	maxIndexes   = 64
	maxIndexKeys = 16
)

var (
	indexNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)
	fieldRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// querier is what reads run on: a transaction or the pool.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// coll is a collection as one transaction reads it from the catalog.
type coll struct {
	id      int64
	name    string
	table   string // c_<id>, safe to put in SQL
	indexes []catIndex
}

// catIndex is one secondary index and what the translator knows of it.
type catIndex struct {
	db.Index
	id int64
	// multikey: some document ever held an array on one of the key paths
	// (at the path or above it). Until then a condition on doc's value at
	// the path describes the document exactly; it never goes back.
	multikey bool
}

func (c *coll) plainIndexes() []db.Index {
	out := make([]db.Index, len(c.indexes))
	for i, x := range c.indexes {
		out[i] = x.Index
	}
	return out
}

// lookup reads collection name from the catalog, or returns nil when there
// is none.
func lookup(ctx context.Context, q querier, name string) (*coll, error) {
	c := &coll{name: name}
	var specs []byte
	err := q.QueryRow(ctx, `SELECT c.id, coalesce((SELECT jsonb_agg(jsonb_build_object('id', i.id, 'spec', i.spec, 'multikey', i.multikey) ORDER BY i.id)
		FROM _indexes i WHERE i.coll_id = c.id), '[]') FROM _collections c WHERE c.name = $1`, name).Scan(&c.id, &specs)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the catalog: %w", err)
	}
	c.table = "c_" + strconv.FormatInt(c.id, 10)
	var rows []struct {
		ID       int64    `json:"id"`
		Spec     db.Index `json:"spec"`
		Multikey bool     `json:"multikey"`
	}
	if err := json.Unmarshal(specs, &rows); err != nil {
		return nil, fmt.Errorf("read the catalog: index specs of %s: %w", name, err)
	}
	for _, r := range rows {
		c.indexes = append(c.indexes, catIndex{Index: r.Spec, id: r.ID, multikey: r.Multikey})
	}
	return c, nil
}

// mustLookup is lookup with a missing collection as
// DATABASE_COLLECTION_NOT_EXIST.
func mustLookup(ctx context.Context, q querier, name string) (*coll, error) {
	c, err := lookup(ctx, q, name)
	if err == nil && c == nil {
		err = notExist(name)
	}
	return c, err
}

// createTx creates collection name inside a write transaction.
func createTx(ctx context.Context, tx pgx.Tx, name string) (*coll, error) {
	if !db.ValidCollectionName(name) {
		return nil, db.Errorf(db.CodeInvalidParam, "invalid collection name %q: use 1-64 letters, digits, '_' or '-', starting with a letter or digit", name)
	}
	c := &coll{name: name}
	if err := tx.QueryRow(ctx, "INSERT INTO _collections (name) VALUES ($1) RETURNING id", name).Scan(&c.id); err != nil {
		return nil, fmt.Errorf("create collection %s: %w", name, err)
	}
	c.table = "c_" + strconv.FormatInt(c.id, 10)
	// raw is what Find returns; doc is what conditions and indexes read
	// (see jsonText).
	ddl := `CREATE TABLE ` + c.table + ` (
		id  text COLLATE "C" PRIMARY KEY,
		raw text NOT NULL,
		doc jsonb NOT NULL
	)`
	if _, err := tx.Exec(ctx, ddl); err != nil {
		return nil, fmt.Errorf("create collection %s: %w", name, err)
	}
	return c, nil
}

// collTx returns collection name inside a write transaction, creating it
// when create is set.
func collTx(ctx context.Context, tx pgx.Tx, name string, create bool) (*coll, error) {
	c, err := lookup(ctx, tx, name)
	if err != nil || c != nil {
		return c, err
	}
	if !create {
		return nil, notExist(name)
	}
	return createTx(ctx, tx, name)
}

// Collections lists the collections with their document counts and sizes.
func (d *DB) Collections(ctx context.Context) ([]db.CollectionInfo, error) {
	var out []db.CollectionInfo
	err := d.read(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, name FROM _collections ORDER BY name")
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			ids = append(ids, id)
			out = append(out, db.CollectionInfo{Name: name})
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i, id := range ids {
			table := "c_" + strconv.FormatInt(id, 10)
			if err := tx.QueryRow(ctx, "SELECT count(*), pg_total_relation_size('"+table+"') FROM "+table).Scan(&out[i].Count, &out[i].Size); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	return out, nil
}

// CreateCollection creates an empty collection.
func (d *DB) CreateCollection(ctx context.Context, name string) error {
	return d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		c, err := lookup(ctx, tx, name)
		if err != nil {
			return err
		}
		if c != nil {
			return db.Errorf(db.CodeCollectionExists, "collection %q already exists", name)
		}
		_, err = createTx(ctx, tx, name)
		return err
	})
}

// DropCollection drops a collection with its documents, indexes and rules.
func (d *DB) DropCollection(ctx context.Context, name string) error {
	return d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		c, err := mustLookup(ctx, tx, name)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DROP TABLE "+c.table); err != nil {
			return fmt.Errorf("drop collection %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM _collections WHERE id = $1", c.id); err != nil {
			return fmt.Errorf("drop collection %s: %w", name, err)
		}
		return nil
	})
}

// Indexes lists a collection's secondary indexes in creation order.
func (d *DB) Indexes(ctx context.Context, name string) ([]db.Index, error) {
	c, err := mustLookup(ctx, d.pool, name)
	if err != nil {
		return nil, err
	}
	return c.plainIndexes(), nil
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
		if _, ok := pathExpr(k.Path); !ok {
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

// pathExpr returns the SQL expression of doc's value at a dot path, the one
// spelling that CREATE INDEX and the translator share: doc->'a'->'b'.
// Segments must be plain field names (no array positions: "a.0" means an
// element or a field, which one SQL expression cannot say).
func pathExpr(path string) (string, bool) {
	segs := strings.Split(path, ".")
	if len(segs) > 32 {
		return "", false
	}
	var b strings.Builder
	b.WriteString("(doc")
	for _, s := range segs {
		if !fieldRE.MatchString(s) || len(s) > 128 {
			return "", false
		}
		b.WriteString("->'")
		b.WriteString(s) // fieldRE: no quote can be in s
		b.WriteString("'")
	}
	b.WriteString(")")
	return b.String(), true
}

// pgIndexName names the PostgreSQL index of a catalog index.
func pgIndexName(c *coll, id int64) string {
	return c.table + "_i" + strconv.FormatInt(id, 10)
}

// CreateIndex creates a secondary index: a PostgreSQL expression index on
// doc's values at the key paths (btree; jsonb's order), ending with the id
// column so that sorts tie-broken by _id can read it in order. A unique
// index ignores documents where a key is missing or null, like db/sqlite's
// (a MongoDB sparse unique index). A 2dsphere index has no PostgreSQL index
// yet: it is recorded, its documents are checked (db.GeoKeys), and geo
// queries scan.
func (d *DB) CreateIndex(ctx context.Context, name string, idx db.Index) error {
	if err := checkIndex(&idx); err != nil {
		return err
	}
	return d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		c, err := mustLookup(ctx, tx, name)
		if err != nil {
			return err
		}
		if len(c.indexes) >= maxIndexes {
			return db.Errorf(db.CodeInvalidParam, "collection %q already has %d indexes, the maximum", name, maxIndexes)
		}
		for _, x := range c.indexes {
			if x.Name == idx.Name {
				return db.Errorf(db.CodeInvalidParam, "index %q already exists on collection %q", idx.Name, name)
			}
		}
		// Every document is read once: for the multikey flag, and to check
		// geometries under a 2dsphere key.
		multikey := false
		err = eachDoc(ctx, tx, c, func(doc db.Doc) error {
			if idx.Geo() {
				if _, err := db.GeoKeys(doc, idx.Keys[0].Path); err != nil {
					return err
				}
			}
			if !multikey && arrayOnPaths(doc, idx.Keys) {
				multikey = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		spec, _ := json.Marshal(idx)
		var id int64
		if err := tx.QueryRow(ctx, "INSERT INTO _indexes (coll_id, name, spec, multikey) VALUES ($1, $2, $3, $4) RETURNING id",
			c.id, idx.Name, spec, multikey).Scan(&id); err != nil {
			return fmt.Errorf("create index: %w", err)
		}
		if idx.Geo() {
			return nil
		}
		if _, err := tx.Exec(ctx, indexDDL(c, id, idx)); err != nil {
			if db.ErrorCode(pgErr(err, name)) == db.CodeDuplicateKey {
				return db.Errorf(db.CodeDuplicateKey, "cannot create unique index %q: collection %q has duplicate values", idx.Name, name)
			}
			return fmt.Errorf("create index: %w", err)
		}
		return nil
	})
}

func indexDDL(c *coll, id int64, idx db.Index) string {
	var cols, nonNull []string
	for _, k := range idx.Keys {
		e, _ := pathExpr(k.Path)
		dir := ""
		if k.Desc {
			dir = " DESC"
		}
		cols = append(cols, e+dir)
		nonNull = append(nonNull, e+" IS NOT NULL AND "+e+" <> 'null'::jsonb")
	}
	unique, where := "", ""
	if idx.Unique {
		unique = "UNIQUE "
		where = " WHERE " + strings.Join(nonNull, " AND ")
	} else {
		last := ""
		if idx.Keys[len(idx.Keys)-1].Desc {
			last = " DESC"
		}
		cols = append(cols, "id"+last)
	}
	return "CREATE " + unique + "INDEX " + pgIndexName(c, id) + " ON " + c.table + " (" + strings.Join(cols, ", ") + ")" + where
}

// DropIndex drops a secondary index by name.
func (d *DB) DropIndex(ctx context.Context, name, index string) error {
	return d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		c, err := mustLookup(ctx, tx, name)
		if err != nil {
			return err
		}
		for _, x := range c.indexes {
			if x.Name != index {
				continue
			}
			if _, err := tx.Exec(ctx, "DELETE FROM _indexes WHERE id = $1", x.id); err != nil {
				return fmt.Errorf("drop index: %w", err)
			}
			if !x.Geo() {
				if _, err := tx.Exec(ctx, "DROP INDEX "+pgIndexName(c, x.id)); err != nil {
					return fmt.Errorf("drop index: %w", err)
				}
			}
			return nil
		}
		return db.Errorf(db.CodeInvalidParam, "index %q does not exist on collection %q", index, name)
	})
}

// Rules returns the collection's rules as stored, or nil.
func (d *DB) Rules(ctx context.Context, name string) ([]byte, error) {
	var rules *string
	err := d.pool.QueryRow(ctx, "SELECT rules FROM _collections WHERE name = $1", name).Scan(&rules)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notExist(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	if rules == nil {
		return nil, nil
	}
	return []byte(*rules), nil
}

// SetRules stores the collection's rules (nil: none).
func (d *DB) SetRules(ctx context.Context, name string, rules []byte) error {
	var arg any
	if rules != nil {
		arg = string(rules)
	}
	return d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		tag, err := tx.Exec(ctx, "UPDATE _collections SET rules = $2 WHERE name = $1", name, arg)
		if err != nil {
			return fmt.Errorf("set rules: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return notExist(name)
		}
		return nil
	})
}

// arrayOnPaths reports whether doc holds an array at one of the keys'
// paths or above it.
func arrayOnPaths(doc db.Doc, keys []db.IndexKey) bool {
	for _, k := range keys {
		var v any = doc
		for _, seg := range strings.Split(k.Path, ".") {
			d, ok := v.(db.Doc)
			if !ok {
				break
			}
			if v, ok = d.Get(seg); !ok {
				break
			}
			if _, isArr := v.([]any); isArr {
				return true
			}
		}
	}
	return false
}

// markMultikey records, inside a write, that doc makes indexes of c
// multikey, when it does.
func markMultikey(ctx context.Context, tx pgx.Tx, c *coll, doc db.Doc) error {
	for i := range c.indexes {
		x := &c.indexes[i]
		if x.multikey || !arrayOnPaths(doc, x.Keys) {
			continue
		}
		if _, err := tx.Exec(ctx, "UPDATE _indexes SET multikey = true WHERE id = $1", x.id); err != nil {
			return fmt.Errorf("mark index %s multikey: %w", x.Name, err)
		}
		x.multikey = true
	}
	return nil
}
