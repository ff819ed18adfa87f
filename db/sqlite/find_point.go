package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"minibase/db"
)

// A read of one document by _id (doc(id).get(), GET /v1/db/c/doc/id) is the
// most common read and the cheapest for SQLite: one primary-key lookup.
// Through database/sql with the caller's context it also cost two
// goroutines per read, one from database/sql (Rows watching the context)
// and one from the driver (interrupting the statement when the context
// ends), each started, scheduled and ended: under load more CPU than the
// lookup itself. A lookup by primary key cannot run long, so it needs no
// interrupt: pointReads waits for a read connection with the caller's
// context (a full pool still ends at its deadline) and runs the lookup on
// it without one.

// pointID returns the _id q reads when q is exactly a lookup of one
// document by string _id: a filter {_id: "…"} (no operator, no regex),
// no skip, a limit of at least one. Sort and Fields do not matter for at
// most one document.
func pointID(q *db.Query) (string, bool) {
	if q.Filter == nil || q.Skip != 0 || q.Limit < 1 {
		return "", false
	}
	n := q.Filter.Root()
	if n.Op != db.OpEq || n.Path != "_id" || n.Regex != nil {
		return "", false
	}
	id, ok := n.Value.(string)
	return id, ok
}

// readID returns the document of c whose _id is id, as extended JSON
// (none when there is none), waiting for a read connection until ctx ends.
func (d *DB) readID(ctx context.Context, c *collection, id string) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conn, err := d.r.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var out [][]byte
	err = conn.Raw(func(dc any) error {
		raw, found, err := readIDOn(dc.(driver.Conn), c.table, id)
		if found {
			out = [][]byte{raw}
		}
		return err
	})
	return out, err
}

// readIDOn runs the lookup of id in table on dc, prepared for this read
// and finalized after it: a statement kept across reads would outlive its
// connection whenever database/sql closes one, and finalizing it then
// dereferences the closed handle (a crash at Close, seen in a clean-clone
// run). Preparing a one-table primary-key SELECT costs a few microseconds;
// the goroutines avoided cost more.
func readIDOn(dc driver.Conn, table, id string) ([]byte, bool, error) {
	qc, ok := dc.(driver.QueryerContext)
	if !ok {
		return nil, false, errors.New("sqlite: the driver's connections take no queries")
	}
	// No context: nothing to interrupt (see above), so no watcher.
	rows, err := qc.QueryContext(context.Background(), "SELECT json(data) FROM "+table+" WHERE id = ?",
		[]driver.NamedValue{{Ordinal: 1, Value: id}})
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	dest := make([]driver.Value, 1)
	switch err := rows.Next(dest); {
	case errors.Is(err, io.EOF):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	switch v := dest[0].(type) {
	case string:
		return []byte(v), true, nil
	case []byte:
		return append([]byte(nil), v...), true, nil
	}
	return nil, false, fmt.Errorf("sqlite: a document read as %T", dest[0])
}
