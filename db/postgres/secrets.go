package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// maxSecret bounds a stored secret: keys and hashes are tens of bytes.
const maxSecret = 4 << 10

// InitSecret stores value under name unless a value is stored there
// already, and returns the stored one: the first caller's, whichever node
// it ran on, so that nodes starting at the same moment end with the same
// secret (INSERT … ON CONFLICT DO NOTHING, then SELECT). A caller learns
// that its value was the one stored by comparing. It is an auth.SecretStore.
func (d *DB) InitSecret(ctx context.Context, name string, value []byte) ([]byte, error) {
	if name == "" || len(value) == 0 || len(value) > maxSecret {
		return nil, errors.New("init secret: the name must not be empty and the value must hold 1 to 4096 bytes")
	}
	if _, err := d.pool.Exec(ctx, "INSERT INTO _secrets (name, value, created) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
		name, value, time.Now().UnixMilli()); err != nil {
		return nil, fmt.Errorf("store the secret %s: %w", name, err)
	}
	var stored []byte
	if err := d.pool.QueryRow(ctx, "SELECT value FROM _secrets WHERE name = $1", name).Scan(&stored); err != nil {
		return nil, fmt.Errorf("read the secret %s: %w", name, err)
	}
	return stored, nil
}

// Probe commits a small write, as a write of documents would (it takes
// the cluster's write lock): the readiness check's answer to "does the
// database take writes".
func (d *DB) Probe(ctx context.Context) error {
	return d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		_, err := tx.Exec(ctx, `INSERT INTO _probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
			time.Now().UnixNano())
		return err
	})
}

// Usage returns the bytes the tables of the collections colls take on
// disk, their indexes and TOAST included (0 for a collection that does
// not exist): the functions' log store's size cap, which must count its
// own collections, not the app's data in the same database.
func (d *DB) Usage(ctx context.Context, colls ...string) (int64, error) {
	var n int64
	err := d.pool.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(to_regclass('c_' || id))), 0)::bigint
		FROM _collections WHERE name = ANY($1)`, colls).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("database usage: %w", err)
	}
	return n, nil
}
