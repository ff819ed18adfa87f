package server

import (
	"context"
	"errors"
	"time"

	"minibase/auth"
	"minibase/auth/ticket"
	"minibase/db"
	"minibase/db/postgres"
	"minibase/db/sqlite"
	"minibase/functions/openapi"
)

// settingsStore keeps the console's settings (settings_apply.go):
// sqlite.Settings, postgres.Settings.
type settingsStore interface {
	// Load returns the saved document and its version (nil, 0: none).
	Load(ctx context.Context) (doc []byte, version int64, err error)
	// Version returns the saved settings' version.
	Version(ctx context.Context) (int64, error)
	// Save stores doc if the version is still prev, and returns the new
	// one; the driver's ErrSettingsChanged otherwise (errSettingsChanged).
	Save(ctx context.Context, doc []byte, prev int64, now time.Time) (int64, error)
}

// settingsNotifier is a settingsStore that tells of saves by other nodes
// (postgres.Settings, through NOTIFY), so they apply at once instead of
// at the next poll.
type settingsNotifier interface {
	Changed() <-chan struct{}
}

var (
	_ settingsStore      = (*sqlite.Settings)(nil)
	_ settingsStore      = (*postgres.Settings)(nil)
	_ settingsNotifier   = (*postgres.Settings)(nil)
	_ openapi.TokenStore = (*sqlite.AppTokens)(nil)
	_ openapi.TokenStore = (*postgres.AppTokens)(nil)
	_ auth.SecretStore   = (*postgres.DB)(nil)
	_ ticket.Store       = (*postgres.TicketKeys)(nil)
)

// errSettingsChanged reports a driver's ErrSettingsChanged.
func errSettingsChanged(err error) bool {
	return errors.Is(err, sqlite.ErrSettingsChanged) || errors.Is(err, postgres.ErrSettingsChanged)
}

// database is the app's database as the server uses it: the documents'
// driver and the stores beside it, from one backend (openDatabase). Only
// what the backend has is set. Driver is a named field, not embedded, so
// that the database cannot be handed where a db.Driver is taken: the
// packages look for the driver's optional interfaces (db.Planner, for
// explain and the slow-query log), which a wrapper would hide.
type database struct {
	Driver   db.Driver // the documents; hand this, never the database, to packages that take a db.Driver
	auth     auth.Stores
	settings settingsStore
	tokens   openapi.TokenStore
	probe    func(context.Context) error // readiness: a committed write
	// secrets holds the keys the nodes share (PostgreSQL); nil: they are
	// files in the data directory.
	secrets auth.SecretStore
	// ticketKeys holds the custom-login tickets' keyring (PostgreSQL);
	// nil: <dir>/ticket_keys.json.
	ticketKeys ticket.Store
	sqlite     *sqlite.DB   // SQLite's own (backups, replication, writer figures); nil on PostgreSQL
	pg         *postgres.DB // nil on SQLite
}

func onSQLite(d *sqlite.DB) *database {
	return &database{Driver: d, auth: auth.Stores{Users: d.Users(), Sessions: d.Sessions(), Admins: d.Admins(), OTPs: d.OTPs()},
		settings: d.Settings(), tokens: d.AppTokens(), probe: d.Probe, sqlite: d}
}

func onPostgres(d *postgres.DB) *database {
	return &database{Driver: d, auth: auth.Stores{Users: d.Users(), Sessions: d.Sessions(), Admins: d.Admins(), OTPs: d.OTPs()},
		settings: d.Settings(), tokens: d.AppTokens(), probe: d.Probe, secrets: d, ticketKeys: d.TicketKeys(), pg: d}
}

// writerStats is SQLite's writer's figures; zero on PostgreSQL (its own
// statistics views say more).
func (d *database) writerStats() sqlite.WriterStats {
	if d.sqlite == nil {
		return sqlite.WriterStats{}
	}
	return d.sqlite.WriterStats()
}

// kind names the backend, as the console shows it.
func (d *database) kind() string {
	if d.pg != nil {
		return "postgres"
	}
	return "sqlite"
}
