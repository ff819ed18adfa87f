package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sync"

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

// pointReads are the read connections' prepared lookups by _id, by
// connection and table. A connection's statements are used only inside
// database/sql's Conn.Raw, which has the connection to itself.
type pointReads struct {
	mu     sync.Mutex
	byConn map[driver.Conn]map[string]driver.Stmt
	closed bool
}

// maxPointStmts bounds one connection's lookups (one per collection read by
// id); past it they are all closed and prepared again as needed.
const maxPointStmts = 256

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
		raw, found, err := d.points.read(dc.(driver.Conn), c.table, id)
		if found {
			out = [][]byte{raw}
		}
		return err
	})
	return out, err
}

// read runs the lookup of id in table on dc, preparing it on first use.
func (p *pointReads) read(dc driver.Conn, table, id string) ([]byte, bool, error) {
	st, err := p.stmt(dc, table)
	if err != nil {
		return nil, false, err
	}
	sq, ok := st.(driver.StmtQueryContext)
	if !ok {
		return nil, false, errors.New("sqlite: the driver's statements take no context")
	}
	// No context: nothing to interrupt (see above), so no watcher.
	rows, err := sq.QueryContext(context.Background(), []driver.NamedValue{{Ordinal: 1, Value: id}})
	if err != nil {
		p.forget(dc, table) // a failed statement is prepared again next time
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

func (p *pointReads) stmt(dc driver.Conn, table string) (driver.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errors.New("sqlite: database is closed")
	}
	m := p.byConn[dc]
	if st := m[table]; st != nil {
		return st, nil
	}
	st, err := dc.Prepare("SELECT json(data) FROM " + table + " WHERE id = ?")
	if err != nil {
		return nil, err
	}
	if m == nil || len(m) >= maxPointStmts {
		for _, old := range m {
			old.Close()
		}
		m = map[string]driver.Stmt{}
		if p.byConn == nil {
			p.byConn = map[driver.Conn]map[string]driver.Stmt{}
		}
		p.byConn[dc] = m
	}
	m[table] = st
	return st, nil
}

// forget closes dc's lookup in table.
func (p *pointReads) forget(dc driver.Conn, table string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st := p.byConn[dc][table]; st != nil {
		st.Close()
		delete(p.byConn[dc], table)
	}
}

// close finalizes every lookup; the read pool closes after it (a
// connection closed with statements left stays open, file and memory, until
// they are finalized: sqlite3_close_v2).
func (p *pointReads) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.byConn {
		for _, st := range m {
			st.Close()
		}
	}
	p.byConn, p.closed = nil, true
}
