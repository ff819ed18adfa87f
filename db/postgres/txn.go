package postgres

import (
	"context"
	"errors"
	"fmt"

	"minibase/db"

	"github.com/jackc/pgx/v5"
)

// Transactions (db.Transactions). View is a read-only REPEATABLE READ
// transaction: one snapshot for all its reads, taken at its first, that
// holds up no write. Update is a write transaction: it holds writeLock from
// its start, so what fn reads is the latest state and no other write comes
// between its reads and its puts.

// View calls fn with a Reader over one snapshot of the committed state.
func (d *DB) View(ctx context.Context, fn func(db.Reader) error) error {
	return d.read(ctx, func(tx pgx.Tx) error { return fn(&reader{tx: tx}) })
}

// Update runs fn and its puts as one write.
func (d *DB) Update(ctx context.Context, fn func(db.Reader) ([]db.Put, error)) error {
	return d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		puts, err := fn(&reader{tx: tx})
		if err != nil {
			return err
		}
		for _, p := range puts {
			if err := putTx(ctx, tx, w, p); err != nil {
				return pgErr(err, p.Coll)
			}
		}
		return nil
	})
}

// putTx writes one document of a transaction.
func putTx(ctx context.Context, tx pgx.Tx, w *wstate, p db.Put) error {
	c, err := collTx(ctx, tx, p.Coll, p.Create && p.Doc != nil)
	if err != nil {
		if p.Doc == nil && db.ErrorCode(err) == db.CodeCollectionNotExist {
			return nil // nothing to remove
		}
		return err
	}
	s := &writer{ctx: ctx, tx: tx, w: w, c: c, hop: db.HopFrom(ctx)}
	old, before, err := s.load(p.ID)
	if err != nil {
		return err
	}
	if p.Doc == nil {
		if old == nil {
			return nil
		}
		if _, err := tx.Exec(ctx, "DELETE FROM "+c.table+" WHERE id = $1", p.ID); err != nil {
			return err
		}
		s.change(int(db.ChangeDelete), p.ID, nil, before)
		return nil
	}
	if p.Doc.ID() != p.ID {
		return fmt.Errorf("put %s/%s: the document's _id is %q", p.Coll, p.ID, p.Doc.ID())
	}
	raw, err := s.put(p.Doc, old == nil)
	if err != nil {
		return err
	}
	if old == nil {
		s.change(int(db.ChangeInsert), p.ID, raw, nil)
	} else {
		s.change(int(db.ChangeUpdate), p.ID, raw, before)
	}
	return nil
}

// reader reads inside a View or an Update.
type reader struct{ tx pgx.Tx }

// Doc reads one document by id.
func (r *reader) Doc(ctx context.Context, name, id string) ([]byte, error) {
	c, err := mustLookup(ctx, r.tx, name)
	if err != nil {
		return nil, err
	}
	var raw []byte
	err = r.tx.QueryRow(ctx, "SELECT raw FROM "+c.table+" WHERE id = $1", id).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return raw, pgErr(err, name)
}

// Match returns the documents f matches, in _id order, at most limit.
func (r *reader) Match(ctx context.Context, name string, f *db.Filter, limit int) ([][]byte, error) {
	c, err := mustLookup(ctx, r.tx, name)
	if err != nil {
		return nil, err
	}
	raws, _, err := match(ctx, r.tx, c, f, limit)
	return raws, err
}
