package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"minibase/server/backup"
	"minibase/storage/s3"
	"minibase/storage/s3/miniotest"
)

// TestScheduledBackupsKeepTheNewest: each tick of the schedule makes a
// backup, and only the newest MINIBASE_BACKUP_KEEP scheduled ones stay;
// one made on demand is never deleted.
func TestScheduledBackupsKeepTheNewest(t *testing.T) {
	m := newTestMain(t, func(c *Config) {
		if err := c.Backup.schedule("6h"); err != nil {
			t.Fatal(err)
		}
		c.Backup.Keep = 2
	})
	b := m.backups
	clock := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	b.now = func() time.Time { return clock }
	if _, _, err := b.create(context.Background(), backup.NewName(clock.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	waits := make(chan time.Duration) // the schedule asks to wait: the previous backup is done
	ticks := make(chan time.Time)
	b.after = func(d time.Duration) <-chan time.Time { waits <- d; return ticks }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.runSchedule(ctx) }()
	for i := 0; i < 4; i++ {
		if d := <-waits; d != 6*time.Hour {
			t.Errorf("waits %v, want 6h", d)
		}
		clock = clock.Add(6 * time.Hour)
		ticks <- clock
	}
	<-waits // the fourth backup and its pruning are done
	cancel()
	<-done
	list, err := b.list(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range list {
		names = append(names, in.Name)
	}
	want := []string{"minibase-20261207T020000Z.tar.gz", "minibase-auto-20261207T210000Z.tar.gz", "minibase-auto-20261208T030000Z.tar.gz"}
	if !slices.Equal(names, want) {
		t.Errorf("backups left: %q, want %q", names, want)
	}
}

// TestBackupScheduleSetting: intervals and cron expressions are taken,
// anything else is refused naming the setting.
func TestBackupScheduleSetting(t *testing.T) {
	for _, tc := range []struct {
		v     string
		every time.Duration
		cron  bool
		err   string
	}{
		{v: "6h", every: 6 * time.Hour},
		{v: "1d", every: 24 * time.Hour},
		{v: "0 3 * * *", cron: true},
		{v: "0 0 3 * * * *", cron: true},
		{v: "10s", err: "from 1m"},
		{v: "often", err: "from 1m"},
		{v: "0 3 * *", err: "MINIBASE_BACKUP_SCHEDULE: cron"},
		{v: "0 99 * * *", err: "MINIBASE_BACKUP_SCHEDULE: cron"},
	} {
		cfg, err := ParseConfig(nil, func(k string) string {
			if k == "MINIBASE_BACKUP_SCHEDULE" {
				return tc.v
			}
			return ""
		})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want one saying %q", tc.v, err, tc.err)
			}
			continue
		}
		if err != nil || cfg.Backup.Every != tc.every || (cfg.Backup.Cron != nil) != tc.cron {
			t.Errorf("%q: every %v, cron %v, err %v", tc.v, cfg.Backup.Every, cfg.Backup.Cron, err)
		}
	}
	if _, err := ParseConfig(nil, func(k string) string {
		return map[string]string{"MINIBASE_BACKUP_S3_BUCKET": "b"}[k]
	}); err == nil || !strings.Contains(err.Error(), "MINIBASE_S3_ENDPOINT") {
		t.Errorf("a bucket without an S3 server: %v", err)
	}
}

// TestBucketStoreKeepsNothingOnFailure: against a real MinIO, a backup
// whose writing fails midway leaves no object; one that finishes is
// listed, opened and deleted.
func TestBucketStoreKeepsNothingOnFailure(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	bk, err := s3.Open(ctx, s3.Config{Endpoint: srv.Endpoint, Bucket: "backups", AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PathStyle: true, Prefix: "b/"})
	if err != nil {
		t.Fatal(err)
	}
	st := bucketStore{bk}
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	_, err = st.Create(ctx, "minibase-bad.tar.gz", func(w io.Writer) error {
		for i := 0; i < 20; i++ { // past one part: a multipart upload is under way
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		return errors.New("disk read failed")
	})
	if err == nil || !strings.Contains(err.Error(), "nothing was kept") {
		t.Fatalf("err = %v", err)
	}
	if list, err := st.List(ctx); err != nil || len(list) != 0 {
		t.Errorf("after a failed backup the bucket lists %v, %v", list, err)
	}
	if _, _, err := st.Open(ctx, "minibase-bad.tar.gz"); backup.ErrorCode(err) != backup.CodeNotFound {
		t.Errorf("open the failed backup: %v", err)
	}
	info, err := st.Create(ctx, "minibase-good.tar.gz", func(w io.Writer) error { _, err := w.Write([]byte("archive")); return err })
	if err != nil || info.Where != "s3" || info.Size != 7 {
		t.Fatalf("create: %+v, %v", info, err)
	}
	if _, err := st.Create(ctx, "minibase-good.tar.gz", func(w io.Writer) error { return nil }); backup.ErrorCode(err) != backup.CodeInvalidParam {
		t.Errorf("a second backup of the same name: %v", err)
	}
	rc, _, err := st.Open(ctx, "minibase-good.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "archive" {
		t.Errorf("read back %q", b)
	}
	if err := st.Delete(ctx, "minibase-good.tar.gz"); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, "minibase-good.tar.gz"); backup.ErrorCode(err) != backup.CodeNotFound {
		t.Errorf("delete again: %v", err)
	}
	_ = os.Remove
	_ = filepath.Join
}
