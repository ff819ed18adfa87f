package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrateRules adds the rules column to a _collections table made before
// collections had rules; their rules stay NULL, the default.
func (d *DB) migrateRules(ctx context.Context) error {
	var n int
	err := d.w.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info('_collections') WHERE name = 'rules'").Scan(&n)
	if err == nil && n == 0 {
		_, err = d.w.ExecContext(ctx, "ALTER TABLE _collections ADD COLUMN rules TEXT")
	}
	if err != nil {
		return fmt.Errorf("add rules to _collections: %w", err)
	}
	return nil
}

// Rules returns the collection's rules from memory (nil: the default).
func (d *DB) Rules(ctx context.Context, coll string) ([]byte, error) {
	c := d.lookup(coll)
	if c == nil {
		return nil, notExist(coll)
	}
	if p := c.rules.Load(); p != nil {
		return *p, nil
	}
	return nil, nil
}

// SetRules stores the collection's rules; readers see them once committed.
func (d *DB) SetRules(ctx context.Context, coll string, rules []byte) error {
	var arg any // NULL for nil
	if rules != nil {
		rules = append([]byte(nil), rules...)
		arg = string(rules)
	}
	_, err := d.do(ctx, func(tx *sql.Tx, e *effects) (any, error) {
		c := d.lookupTx(e, coll)
		if c == nil {
			return nil, notExist(coll)
		}
		if _, err := tx.Exec("UPDATE _collections SET rules = ? WHERE id = ?", arg, c.id); err != nil {
			return nil, fmt.Errorf("set rules of %s: %w", coll, err)
		}
		e.after = append(e.after, func(*DB) {
			if rules == nil {
				c.rules.Store(nil)
			} else {
				c.rules.Store(&rules)
			}
		})
		return nil, nil
	})
	return err
}
