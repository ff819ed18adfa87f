package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"minibase/server"
	"minibase/server/servertest"
)

// TestBackupRoundTrip: a backup made through the admin API while writes
// run, downloaded, and restored into a fresh data directory, serves
// everything the server held: documents (dates and all) and every write
// acknowledged before the backup began, indexes, rules, users (who sign
// in with their passwords), a function with its two versions, and files.
func TestBackupRoundTrip(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	admin := servertest.Admin
	alice := servertest.User("alice", "alice-password-1")
	ok := func(method, url, body string) *servertest.Response {
		t.Helper()
		r := s.Do(t, servertest.Request{Method: method, URL: url, Body: body, As: admin})
		if r.Status >= 300 {
			t.Fatalf("%s %s: %d %s", method, url, r.Status, r.Body)
		}
		return r
	}
	ok("POST", "/v1/admin/collections", `{"name":"todos"}`)
	ok("POST", "/v1/admin/collections/todos/indexes", `{"keys":[{"path":"title"}],"unique":true}`)
	ok("PUT", "/v1/admin/collections/todos/rules", `{"read":"auth != null","write":false}`)
	ok("POST", "/v1/db/todos/insert", `{"data":[{"_id":"t1","title":"milk","due":{"$date":"2026-12-24T08:00:00Z"}}]}`)
	uid := s.Session(t, alice).UID
	s.Deploy(t, "hello", map[string]string{"index.js": `exports.main = async () => "v1"`}, "")
	s.Deploy(t, "hello", map[string]string{"index.js": `exports.main = async () => "v2"`}, "")
	up := s.Upload(t, admin, "", "docs/readme.txt", "the file's bytes", "text/plain")
	if up.Status != 200 {
		t.Fatalf("upload: %d %s", up.Status, up.Body)
	}
	fileID := up.Str("fileID")

	// Writes run while the backup is made.
	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r := s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/live/insert", As: admin,
				Body: fmt.Sprintf(`{"data":{"_id":"w%06d"}}`, i)})
			if r.Status != 200 {
				t.Errorf("write during the backup: %d %s", r.Status, r.Body)
				return
			}
			acked.Store(int64(i + 1))
		}
	}()
	servertest.WaitFor(t, "writes to run", func() bool { return acked.Load() >= 20 })
	before := acked.Load()
	created := s.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/backups", As: admin})
	close(stop)
	wg.Wait()
	created.Expect(t, 201, `{"where":"local"}`)
	name := created.Str("name")
	if !strings.HasPrefix(name, "minibase-") || created.Value("files") == nil {
		t.Fatalf("created %s", created.Body)
	}
	s.Do(t, servertest.Request{URL: "/v1/admin/backups", As: admin}).Expect(t, 200, fmt.Sprintf(`{"backups":[{"name":%q,"where":"local"}]}`, name))
	dl := s.Do(t, servertest.Request{URL: "/v1/admin/backups/" + name, As: admin})
	if dl.Status != 200 || dl.Header.Get("Content-Type") != "application/gzip" {
		t.Fatalf("download: %d %s", dl.Status, dl.Header)
	}
	archive := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(archive, []byte(dl.Body), 0o600); err != nil {
		t.Fatal(err)
	}

	fresh := filepath.Join(t.TempDir(), "restored")
	cfg, _ := server.ParseConfig(nil, func(string) string { return "" })
	cfg.Dir = fresh
	if _, err := server.RestoreBackup(context.Background(), cfg, archive, false); err != nil {
		t.Fatal(err)
	}
	r := servertest.New(t, servertest.Options{Dir: fresh})
	check := func(id servertest.Identity, method, url, body string, status int, want string) {
		t.Helper()
		r.Do(t, servertest.Request{Method: method, URL: url, Body: body, As: id}).Expect(t, status, want)
	}
	check(admin, "GET", "/v1/db/todos/docs/t1", "", 200, `{"data":{"_id":"t1","title":"milk","due":{"$date":"2026-12-24T08:00:00.000Z"}}}`)
	check(admin, "GET", "/v1/admin/collections/todos/indexes", "", 200, `{"data":[{"name":"title_1","unique":true}]}`)
	check(admin, "POST", "/v1/db/todos/insert", `{"data":{"title":"milk"}}`, 409, `{}`) // the unique index holds
	check(admin, "GET", "/v1/admin/collections/todos/rules", "", 200, `{"read":"auth != null"}`)
	check(servertest.Anonymous("visitor"), "POST", "/v1/db/todos/insert", `{"data":{"title":"x"}}`, 403, `{}`) // the rule holds
	check(alice, "GET", "/v1/auth/me", "", 200, fmt.Sprintf(`{"user":{"uid":%q,"username":"alice"}}`, uid))
	check(admin, "POST", "/v1/functions/hello/invoke", `{}`, 200, `{"result":"v2"}`)
	check(admin, "GET", "/v1/admin/functions/hello/versions", "", 200, `{"data":[{"number":2},{"number":1}]}`)
	check(admin, "POST", "/v1/admin/functions/hello/rollback", `{"version":"1"}`, 200, `{}`)
	check(admin, "POST", "/v1/functions/hello/invoke", `{}`, 200, `{"result":"v1"}`)
	got := r.Do(t, servertest.Request{URL: "/v1/storage/download?fileID=" + fileID, As: admin})
	if got.Status != 200 || got.Body != "the file's bytes" {
		t.Errorf("restored file: %d %q", got.Status, got.Body)
	}
	var n struct{ Total int64 }
	r.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/live/count", Body: `{}`, As: admin}).JSON(t, &n)
	if n.Total < before {
		t.Errorf("restored %d of the writes made during the backup; the %d acknowledged before it began must all be there", n.Total, before)
	}
}

// TestBackupAPIRefuses: the backups API is the admins'; bad names and
// missing backups are clear errors.
func TestBackupAPIRefuses(t *testing.T) {
	user := servertest.User("bob", "bob-password-12")
	servertest.Run(t, []servertest.Scenario{
		{Name: "a user cannot create", Method: "POST", URL: "/v1/admin/backups", As: user, Status: 403,
			Want: `{"code":"PERMISSION_DENIED","errCode":-501007}`},
		{Name: "a visitor cannot list", Method: "GET", URL: "/v1/admin/backups", Status: 403, Want: `{"code":"PERMISSION_DENIED"}`},
		{Name: "a user cannot download", Method: "GET", URL: "/v1/admin/backups/minibase-x.tar.gz", As: user, Status: 403},
		{Name: "empty list, with the settings", Method: "GET", URL: "/v1/admin/backups", As: servertest.Admin, Status: 200,
			Equal: `{"backups":[],"settings":{"schedule":"","keep":7,"where":"local"}}`},
		{Name: "missing", Method: "GET", URL: "/v1/admin/backups/minibase-x.tar.gz", As: servertest.Admin, Status: 404,
			Want: `{"code":"BACKUP_NOT_FOUND","message":"no backup named minibase-x.tar.gz"}`},
		{Name: "delete missing", Method: "DELETE", URL: "/v1/admin/backups/minibase-x.tar.gz", As: servertest.Admin, Status: 404,
			Want: `{"code":"BACKUP_NOT_FOUND"}`},
		{Name: "traversal", Method: "GET", URL: "/v1/admin/backups/..%2Fdata.db", As: servertest.Admin, Status: 400,
			Want: `{"code":"INVALID_PARAM"}`},
		{Name: "not an archive name", Method: "DELETE", URL: "/v1/admin/backups/jwt.key", As: servertest.Admin, Status: 400,
			Want: `{"code":"INVALID_PARAM"}`},
		{Name: "create, then delete", Method: "POST", URL: "/v1/admin/backups", As: servertest.Admin, Status: 201,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				name := r.Str("name")
				s.Do(tb, servertest.Request{Method: "DELETE", URL: "/v1/admin/backups/" + name, As: servertest.Admin}).
					Expect(tb, 200, fmt.Sprintf(`{"deleted":%q}`, name))
				s.Do(tb, servertest.Request{URL: "/v1/admin/backups", As: servertest.Admin}).Expect(tb, 200, `{"backups":[]}`)
			}},
	})
}

// TestBackupListSettings: the list tells the console how backups are set
// up (the schedule, how many are kept, where they go) and which backups
// the schedule made (the ones retention deletes).
func TestBackupListSettings(t *testing.T) {
	servertest.Run(t, []servertest.Scenario{
		{Name: "a cron schedule", Options: servertest.Options{Env: map[string]string{
			"MINIBASE_BACKUP_SCHEDULE": "0 3 * * *", "MINIBASE_BACKUP_KEEP": "3", "MINIBASE_TIMER_TZ": "Asia/Shanghai"}},
			Method: "GET", URL: "/v1/admin/backups", As: servertest.Admin, Status: 200,
			Equal: `{"backups":[],"settings":{"schedule":"0 0 3 * * * *","timezone":"Asia/Shanghai","keep":3,"where":"local"}}`},
		{Name: "an interval", Options: servertest.Options{Env: map[string]string{"MINIBASE_BACKUP_SCHEDULE": "6h"}},
			Method: "GET", URL: "/v1/admin/backups", As: servertest.Admin, Status: 200,
			Want: `{"settings":{"schedule":"6h0m0s","keep":7,"where":"local"}}`},
		{Name: "scheduled and on-demand backups", Method: "POST", URL: "/v1/admin/backups", As: servertest.Admin, Status: 201,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				name := r.Str("name")
				auto := "minibase-auto-20261207T030000Z.tar.gz"
				dl := s.Do(tb, servertest.Request{URL: "/v1/admin/backups/" + name, As: servertest.Admin})
				if err := os.WriteFile(filepath.Join(s.Server.Config.Dir, "backups", auto), []byte(dl.Body), 0o600); err != nil {
					tb.Fatal(err)
				}
				got := s.Do(tb, servertest.Request{URL: "/v1/admin/backups", As: servertest.Admin})
				got.Expect(tb, 200, fmt.Sprintf(`{"backups":[{"name":%q,"scheduled":false,"where":"local"},{"name":%q,"scheduled":true}]}`, name, auto))
			}},
	})
}

// TestRestoreRefusesRunningServer: restore will not replace the data
// directory a server holds, and says so; with --force it does.
func TestRestoreRefusesRunningServer(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"_id":"n1"}}`, As: servertest.Admin}).Expect(t, 200, `{}`)
	cfg := s.Server.Config
	where, _, _, err := server.CreateBackup(context.Background(), cfg, "test", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.RestoreBackup(context.Background(), cfg, where, false); err == nil || !strings.Contains(err.Error(), "Stop the server first") {
		t.Fatalf("restore over a running server: %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, "data.db")); err != nil {
		t.Errorf("the refused restore changed the data dir: %v", err)
	}
	r, err := server.RestoreBackup(context.Background(), cfg, where, true)
	if err != nil {
		t.Fatal(err)
	}
	if r.Previous == "" {
		t.Error("--force kept no copy of the replaced dir")
	}
}
