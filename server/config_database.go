package server

import (
	"errors"
	"net/url"
	"strings"
)

// pgAdvice is what an operator of minibase on PostgreSQL does instead of
// minibase's own backups.
const pgAdvice = "back PostgreSQL up with its own tools (pg_dump, or pg_basebackup with WAL archiving for point-in-time recovery) " +
	"and the bucket with your S3 server's (versioning, replication)"

// databaseURLSettings is the database's location: SQLite in the data
// directory, or PostgreSQL shared by several nodes.
func (c *Config) databaseURLSettings() []setting {
	return []setting{
		{env: "MINIBASE_DATABASE", flag: "database", secret: true, usage: "the database: empty for SQLite in <dir>/data.db, or " +
			"postgres://user:password@host:5432/dbname?sslmode=… for PostgreSQL, shared by several minibase nodes " +
			"(pool_max_conns=N in the URL caps each node's connections)",
			set: c.databaseURL},
	}
}

// databaseURL parses MINIBASE_DATABASE.
func (c *Config) databaseURL(v string) error {
	if v == "sqlite" {
		c.Database = ""
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" && !strings.Contains(u.RawQuery, "host=") {
		return errors.New("must be empty (SQLite in the data directory) or a PostgreSQL URL like postgres://user:password@host:5432/dbname")
	}
	c.Database = v
	return nil
}

// Postgres reports whether the database is PostgreSQL (MINIBASE_DATABASE).
func (c *Config) Postgres() bool { return c.Database != "" }

// checkDatabase refuses, on PostgreSQL, what only works on SQLite:
// minibase's archive backups and continuous backup copy the SQLite file
// and its WAL.
func (c *Config) checkDatabase() error {
	if !c.Postgres() {
		return nil
	}
	var errs []error
	for _, x := range []struct {
		set  bool
		name string
	}{
		{c.Backup.Every > 0 || c.Backup.Cron != nil, "MINIBASE_BACKUP_SCHEDULE"},
		{c.Backup.S3Bucket != "", "MINIBASE_BACKUP_S3_BUCKET"},
		{c.Backup.Replica.S3Bucket != "", "MINIBASE_REPLICATE_S3_BUCKET"},
	} {
		if x.set {
			errs = append(errs, errors.New(x.name+" cannot be used with MINIBASE_DATABASE=postgres://…: minibase's backups copy the SQLite database; "+pgAdvice))
		}
	}
	return errors.Join(errs...)
}
