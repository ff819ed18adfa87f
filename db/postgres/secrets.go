package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// Usage returns the bytes the documents of the collections colls take as
// stored (both columns, compressed as PostgreSQL keeps them; 0 for a
// collection that does not exist): the functions' log store's size cap,
// which must count its own collections, not the app's data in the same
// database. It reads every document of colls. Deleting documents lowers
// it at once, although the tables' files keep their size until VACUUM
// reuses the space (so a cap on the files' size would delete everything).
func (d *DB) Usage(ctx context.Context, colls ...string) (int64, error) {
	rows, err := d.pool.Query(ctx, "SELECT id FROM _collections WHERE name = ANY($1)", colls)
	if err != nil {
		return 0, fmt.Errorf("database usage: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("database usage: %w", err)
	}
	var total int64
	for _, id := range ids {
		var n int64
		err := d.pool.QueryRow(ctx, "SELECT coalesce(sum(pg_column_size(raw) + pg_column_size(doc)), 0)::bigint FROM c_"+
			strconv.FormatInt(id, 10)).Scan(&n)
		if err != nil && !isUndefinedTable(err) { // dropped meanwhile: 0
			return 0, fmt.Errorf("database usage: %w", err)
		}
		total += n
	}
	return total, nil
}

func isUndefinedTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P01"
}

// TicketKeys is the store of the custom-login tickets' keyring, shared by
// every node (a ticket.Store; the server checks that it is one). Get it
// with DB.TicketKeys.
type TicketKeys struct{ d *DB }

// TicketKeys returns the ticket keyring's store.
func (d *DB) TicketKeys() *TicketKeys { return &TicketKeys{d} }

// LoadKeys returns the stored keyring and its version; nil and 0 when none
// is stored.
func (s *TicketKeys) LoadKeys(ctx context.Context) ([]byte, int64, error) {
	var (
		data []byte
		v    int64
	)
	err := s.d.pool.QueryRow(ctx, "SELECT data, version FROM _ticket_keys WHERE id = 1").Scan(&data, &v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load ticket keys: %w", err)
	}
	return data, v, nil
}

// SaveKeys stores data if the stored version is still prev (0: none), and
// returns the new version; ok is false, storing nothing, when another
// node saved in between.
func (s *TicketKeys) SaveKeys(ctx context.Context, data []byte, prev int64) (int64, bool, error) {
	var tag pgconn.CommandTag
	var err error
	if prev == 0 {
		tag, err = s.d.pool.Exec(ctx, "INSERT INTO _ticket_keys (id, version, data) VALUES (1, 1, $1) ON CONFLICT (id) DO NOTHING", data)
	} else {
		tag, err = s.d.pool.Exec(ctx, "UPDATE _ticket_keys SET version = version + 1, data = $1 WHERE id = 1 AND version = $2", data, prev)
	}
	if err != nil {
		return 0, false, fmt.Errorf("save ticket keys: %w", err)
	}
	return prev + 1, tag.RowsAffected() == 1, nil
}
