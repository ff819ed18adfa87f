package server

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"minibase/functions"
)

// BackupConfig is backups' part of Config: the schedule, how many
// scheduled backups to keep, and where backups go.
type BackupConfig struct {
	// Every is the interval of scheduled backups; Cron, when set instead,
	// their cron expression (in Functions.TimerTZ). Neither: none.
	Every time.Duration
	Cron  *functions.Cron
	Keep  int // scheduled backups kept (the oldest are deleted); made on demand are never deleted
	// S3Bucket, when set, sends backups to that bucket (under S3Prefix) on
	// the S3 server of MINIBASE_S3_ENDPOINT and its keys, instead of
	// <dir>/backups/.
	S3Bucket string
	S3Prefix string
	// Replica is continuous backup (replicate.go).
	Replica ReplicaConfig
}

// ReplicaConfig is continuous backup's settings: the database's WAL is
// shipped to S3Bucket (on the S3 server of MINIBASE_S3_ENDPOINT) every
// Interval; empty S3Bucket: off.
type ReplicaConfig struct {
	S3Bucket      string
	S3Prefix      string
	Interval      time.Duration
	SnapshotEvery time.Duration
	Retain        time.Duration
	MaxWAL        int64 // the WAL's bound while the bucket is unreachable
}

func (c *BackupConfig) settings() []setting {
	return []setting{
		{env: "MINIBASE_BACKUP_SCHEDULE", usage: "scheduled backups: an interval (6h, 1d) or a cron expression, of 5 fields " +
			"(\"0 3 * * *\": at 3:00 in MINIBASE_TIMER_TZ) or timer triggers' 7; off by default", set: c.schedule},
		{env: "MINIBASE_BACKUP_KEEP", def: "7", usage: "scheduled backups kept: older ones are deleted (backups made on demand never are)",
			set: integer(&c.Keep, 1, 10000)},
		{env: "MINIBASE_BACKUP_S3_BUCKET", usage: "send backups to this S3/MinIO bucket (created when missing) on the server of MINIBASE_S3_ENDPOINT " +
			"with its keys, instead of <dir>/backups/", set: text(&c.S3Bucket)},
		{env: "MINIBASE_BACKUP_S3_PREFIX", def: "backups/", usage: "key prefix of backups in MINIBASE_BACKUP_S3_BUCKET", set: text(&c.S3Prefix)},
		{env: "MINIBASE_REPLICATE_S3_BUCKET", usage: "continuous backup: ship the database's WAL to this S3/MinIO bucket (created when missing) " +
			"on the server of MINIBASE_S3_ENDPOINT with its keys; off by default", set: text(&c.Replica.S3Bucket)},
		{env: "MINIBASE_REPLICATE_S3_PREFIX", def: "replica/", usage: "key prefix of the continuous backup in MINIBASE_REPLICATE_S3_BUCKET",
			set: prefix(&c.Replica.S3Prefix)},
		{env: "MINIBASE_REPLICATE_INTERVAL", def: "1s", usage: "continuous backup: how often new writes are shipped (a lost disk loses about this much)",
			set: duration(&c.Replica.Interval, 100*time.Millisecond, time.Hour)},
		{env: "MINIBASE_REPLICATE_SNAPSHOT_EVERY", def: "24h", usage: "continuous backup: how often a new snapshot of the database is uploaded",
			set: duration(&c.Replica.SnapshotEvery, time.Minute, 365*24*time.Hour)},
		{env: "MINIBASE_REPLICATE_RETAIN", def: "3d", usage: "continuous backup: how far back a restore can go; older snapshots and segments are deleted",
			set: duration(&c.Replica.Retain, time.Hour, 3650*24*time.Hour)},
		{env: "MINIBASE_REPLICATE_MAX_WAL", def: "1GiB", usage: "continuous backup: how large the WAL may grow while the bucket is unreachable; " +
			"past it the WAL is checkpointed anyway, and a new generation (a full snapshot) starts when the bucket is back",
			set: size(&c.Replica.MaxWAL, 128<<20, 1<<40)}, // above the 64 MiB SQLite truncates the WAL file to
	}
}

// prefix parses a key prefix: no leading "/", ending "/" unless empty.
func prefix(dst *string) func(string) error {
	return func(v string) error {
		v = strings.TrimPrefix(v, "/")
		if v != "" && !strings.HasSuffix(v, "/") {
			v += "/"
		}
		if strings.Contains(v, "//") || strings.Contains(v, "..") || len(v) > 200 {
			return errors.New("must be a key prefix like replica/ (no \"..\", no empty parts, at most 200 characters)")
		}
		*dst = v
		return nil
	}
}

// schedule parses MINIBASE_BACKUP_SCHEDULE.
func (c *BackupConfig) schedule(v string) error {
	if f := strings.Fields(v); len(f) > 1 {
		if len(f) == 5 { // min hour day month weekday: at second 0, every year
			v = "0 " + strings.Join(f, " ") + " *"
		}
		cr, err := functions.ParseCron(v)
		if err != nil {
			return fmt.Errorf("MINIBASE_BACKUP_SCHEDULE: %v", err)
		}
		c.Cron, c.Every = cr, 0
		return nil
	}
	d, err := parseAge(v)
	if err != nil || d < time.Minute || d > 365*24*time.Hour {
		return errors.New("must be an interval from 1m to 365d (like 6h or 1d) or a cron expression like \"0 3 * * *\"")
	}
	c.Every, c.Cron = d, nil
	return nil
}

// check: a bucket needs the S3 server's settings.
func (c *Config) checkBackup() error {
	s := c.Storage.S3
	if c.Backup.S3Bucket != "" && (s.Endpoint == "" || s.AccessKey == "" || s.SecretKey == "") {
		return errors.New("MINIBASE_BACKUP_S3_BUCKET needs MINIBASE_S3_ENDPOINT, _ACCESS_KEY and _SECRET_KEY")
	}
	if c.Backup.Replica.S3Bucket != "" && (s.Endpoint == "" || s.AccessKey == "" || s.SecretKey == "") {
		return errors.New("MINIBASE_REPLICATE_S3_BUCKET needs MINIBASE_S3_ENDPOINT, _ACCESS_KEY and _SECRET_KEY")
	}
	return nil
}
