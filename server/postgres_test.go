package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"minibase/db/postgres/pgtest"
	"minibase/server"
	"minibase/server/servertest"
	"minibase/storage/s3/miniotest"
)

// TestMain stops the throwaway PostgreSQL cluster the tests on
// PostgreSQL start (pgtest), when one did.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// onPostgres is opts with the database a fresh PostgreSQL database of t's.
func onPostgres(t testing.TB, dbURL string, opts servertest.Options) servertest.Options {
	env := map[string]string{"MINIBASE_DATABASE": dbURL}
	for k, v := range opts.Env {
		env[k] = v
	}
	opts.Env = env
	return opts
}

var (
	pgAlice = servertest.Anonymous("alice")
	pgBob   = servertest.Anonymous("bob")
)

// TestPostgresScenarios runs end-to-end scenarios of every area on a
// server whose database is PostgreSQL: sign-in, documents under rules,
// files, a function reading the database (its invocation recorded in the
// log store, in PostgreSQL too), settings changed through the admin API.
func TestPostgresScenarios(t *testing.T) {
	owned := []servertest.Request{
		{Method: "POST", URL: "/v1/admin/collections", Body: `{"name":"notes"}`, As: servertest.Admin},
		{Method: "PUT", URL: "/v1/admin/collections/notes/rules", As: servertest.Admin,
			Body: `{"read":"doc._openid == auth.openid","write":"doc._openid == auth.openid"}`},
		{Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"_id":"a1","t":"mine"}}`, As: pgAlice},
		{Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"_id":"b1","t":"his"}}`, As: pgBob},
	}
	scenarios := []servertest.Scenario{
		{Name: "anonymous sign-in, then me", Method: "GET", URL: "/v1/auth/me", As: pgAlice, Status: 200,
			Want: `{"user":{"loginType":"ANONYMOUS"}}`},
		{Name: "sign-up and login with a password", Setup: []servertest.Request{
			{Method: "POST", URL: "/v1/auth/signup", Body: `{"username":"carol","password":"correct horse 1"}`}},
			Method: "POST", URL: "/v1/auth/login", Body: `{"username":"carol","password":"correct horse 1"}`, Status: 200,
			Want: `{"user":{"username":"carol"}}`},
		{Name: "a wrong password is refused", Setup: []servertest.Request{
			{Method: "POST", URL: "/v1/auth/signup", Body: `{"username":"carol","password":"correct horse 1"}`}},
			Method: "POST", URL: "/v1/auth/login", Body: `{"username":"carol","password":"wrong"}`, Status: 401},
		{Name: "the owner reads their document", Setup: owned, Method: "GET", URL: "/v1/db/notes/docs/a1", As: pgAlice, Status: 200,
			Want: `{"data":{"_id":"a1","t":"mine"}}`},
		{Name: "another user's document is not shown", Setup: owned, Method: "GET", URL: "/v1/db/notes/docs/b1", As: pgAlice, Status: 404,
			Want: `{"code":"DATABASE_DOCUMENT_NOT_EXIST"}`},
		{Name: "an unpinned query is denied", Setup: owned, Method: "POST", URL: "/v1/db/notes/query", As: pgAlice,
			Body: `{"filter":{}}`, Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED","errCode":-502003}`},
		{Name: "a query pinned to the caller", Setup: owned, Method: "POST", URL: "/v1/db/notes/query", As: pgBob,
			Body: `{"filter":{"_openid":"{openid}"}}`, Status: 200, Want: `{"data":[{"_id":"b1"}]}`},
		{Name: "an update with operators, then read back", Setup: append(owned[:len(owned):len(owned)],
			servertest.Request{Method: "PATCH", URL: "/v1/db/notes/docs/a1", Body: `{"update":{"$inc":{"n":2}}}`, As: pgAlice}),
			Method: "GET", URL: "/v1/db/notes/docs/a1", As: pgAlice, Status: 200, Want: `{"data":{"n":2}}`},
		{Name: "settings changed through the admin API apply", Setup: []servertest.Request{
			{Method: "PATCH", URL: "/v1/admin/settings", Body: `{"auth.anonymous":false}`, As: servertest.Admin}},
			Method: "POST", URL: "/v1/auth/anonymous", Status: 501,
			Want: `{"code":"RESOURCE_NOT_INITIAL","message":"anonymous sign-in is turned off on this server (setting auth.anonymous)"}`,
			After: servertest.Then(servertest.Scenario{URL: "/v1/admin/settings", As: servertest.Admin, Status: 200,
				Want: `{"settings":{"auth.anonymous":false},"sources":{"auth.anonymous":"db"}}`})},
		{Name: "the console names the backend", URL: "/v1/admin/info", As: servertest.Admin, Status: 200,
			Want: `{"backends":{"db":"postgres"}}`},
		{Name: "backups are refused, saying what to use", Method: "POST", URL: "/v1/admin/backups", As: servertest.Admin, Status: 400,
			Want: `{"code":"BACKUP_UNSUPPORTED"}`, After: func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
				if !strings.Contains(r.Body, "pg_dump") {
					tb.Errorf("the refusal does not say what to use instead: %s", r.Body)
				}
			}},
		{Name: "readiness checks PostgreSQL", URL: "/v1/health/ready", Status: 200, Want: `{"status":"ok","checks":{"database":"ok"}}`},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			servertest.New(t, onPostgres(t, pgtest.Database(t), sc.Options)).Run(t, sc)
		})
	}
}

// TestPostgresFunctionAndFiles: on PostgreSQL, a function reads the
// database through wx-server-sdk and its invocation is in the log store
// (kept in PostgreSQL, apart from the app's collections); a file
// uploaded is downloaded.
func TestPostgresFunctionAndFiles(t *testing.T) {
	s := servertest.New(t, onPostgres(t, pgtest.Database(t), servertest.Options{Listen: true}))
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/logs/insert", Body: `{"data":{"_id":"x","app":"own"}}`, As: servertest.Admin}).
		Expect(t, 200, `{"_id":"x"}`)
	s.Deploy(t, "read", map[string]string{"index.js": `const cloud = require('wx-server-sdk'); cloud.init();
exports.main = async () => (await cloud.database().collection('logs').doc('x').get()).data.app`}, "")
	r := s.Do(t, servertest.Request{Method: "POST", URL: "/v1/functions/read/invoke", Body: `{"data":{}}`, As: pgAlice})
	r.Expect(t, 200, `{"result":"own"}`)
	id := r.Str("requestID")
	servertest.WaitFor(t, "the invocation's record in the log store", func() bool {
		lr := s.Do(t, servertest.Request{URL: "/v1/admin/functions/logs?requestId=" + id, As: servertest.Admin})
		return lr.Status == 200 && strings.Contains(lr.Body, id)
	})
	// The app's own "logs" collection is its own: one document, not the records.
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/logs/count", Body: `{}`, As: servertest.Admin}).Expect(t, 200, `{"total":1}`)

	up := s.Upload(t, servertest.Admin, "", "docs/a.txt", "hello from postgres", "text/plain")
	up.Expect(t, 200, `{}`)
	fileID := up.Str("fileID")
	s.Do(t, servertest.Request{URL: "/v1/storage/download?fileID=" + url.QueryEscape(fileID), As: servertest.Admin}).
		Expect(t, 200, "")
	if got := s.Do(t, servertest.Request{URL: "/v1/storage/download?fileID=" + url.QueryEscape(fileID), As: servertest.Admin}); got.Body != "hello from postgres" {
		t.Errorf("downloaded %q", got.Body)
	}
}

// TestTwoNodesOnPostgres: two servers on one PostgreSQL database and one
// MinIO bucket act as one: a user signed in on A is recognised on B; a
// setting changed on A is in force on B; a rule set on A applies on B
// (after B applied the old one); a file uploaded through A downloads
// through B with the URL A signed.
func TestTwoNodesOnPostgres(t *testing.T) {
	m := miniotest.Start(t)
	dbURL := pgtest.Database(t)
	opts := servertest.Options{Listen: true, MinIO: m, Env: map[string]string{"MINIBASE_S3_PREFIX": "shared"}}
	a := servertest.New(t, onPostgres(t, dbURL, opts))
	b := servertest.New(t, onPostgres(t, dbURL, opts))

	dave := servertest.User("dave", "correct horse 2")
	tok := a.Token(t, dave)
	b.Do(t, servertest.Request{URL: "/v1/auth/me", As: servertest.Bearer(tok)}).Expect(t, 200, `{"user":{"username":"dave"}}`)
	refresh := a.Session(t, dave).RefreshToken
	b.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/refresh", Body: `{"refresh_token":"` + refresh + `"}`}).
		Expect(t, 200, `{"user":{"username":"dave"}}`)

	// Custom-login tickets: issued on A, signed in with on B; after A
	// rotates the key, B verifies the new key's tickets too.
	ticketOn := func(s *servertest.Server, uid string) string {
		r := s.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/auth/ticket", Body: `{"uid":"` + uid + `"}`, As: servertest.Admin})
		r.Expect(t, 200, "")
		return r.Str("ticket")
	}
	signIn := func(s *servertest.Server, tk string) *servertest.Response {
		body, _ := json.Marshal(map[string]string{"ticket": tk})
		return s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/ticket", Body: body})
	}
	signIn(b, ticketOn(a, "shop-user-1")).Expect(t, 200, `{"user":{"customUserId":"shop-user-1"}}`)
	a.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/auth/ticket-key/rotate", As: servertest.Admin}).Expect(t, 200, "")
	rotated := ticketOn(a, "shop-user-2")
	servertest.WaitFor(t, "node B to accept a ticket of the key node A rotated in", func() bool {
		return signIn(b, rotated).Status == 200
	})

	// Rules: B applies the default (the creator writes), then A forbids it.
	a.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/collections", Body: `{"name":"posts"}`, As: servertest.Admin}).Expect(t, 200, "")
	b.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":{"t":1}}`, As: servertest.Bearer(tok)}).Expect(t, 200, "")
	a.Do(t, servertest.Request{Method: "PUT", URL: "/v1/admin/collections/posts/rules", Body: `{"preset":"ADMINONLY"}`, As: servertest.Admin}).
		Expect(t, 200, "")
	b.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":{"t":2}}`, As: servertest.Bearer(tok)}).
		Expect(t, 403, `{"code":"DATABASE_PERMISSION_DENIED"}`)

	// Settings: saved on A, in force on B (NOTIFY wakes it; bounded wait).
	b.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/anonymous", Body: `{}`}).Expect(t, 200, "")
	a.Do(t, servertest.Request{Method: "PATCH", URL: "/v1/admin/settings", Body: `{"auth.anonymous":false}`, As: servertest.Admin}).Expect(t, 200, "")
	servertest.WaitFor(t, "node B to refuse anonymous sign-in after node A turned it off", func() bool {
		return b.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/anonymous", Body: `{}`}).Status == 501
	})

	// Functions: deployed through A, run on B (B's follower installs it
	// from the database's record and the bucket's archive); a new version
	// through B reaches A; a delete through A ends it on B.
	deploy := func(s *servertest.Server, body string) {
		s.Do(t, servertest.Request{Method: "PUT", URL: "/v1/admin/functions/greet", Body: `{"files":{"index.js":"exports.main = () => '` + body + `'"}}`,
			As: servertest.Admin}).Expect(t, 200, "")
	}
	invoke := func(s *servertest.Server) *servertest.Response {
		return s.Do(t, servertest.Request{Method: "POST", URL: "/v1/functions/greet/invoke", Body: `{}`, As: servertest.Admin})
	}
	deploy(a, "one")
	servertest.WaitFor(t, "node B to run the function deployed through node A", func() bool {
		r := invoke(b)
		return r.Status == 200 && strings.Contains(r.Body, `"one"`)
	})
	deploy(b, "two")
	servertest.WaitFor(t, "node A to run the version deployed through node B", func() bool {
		r := invoke(a)
		return r.Status == 200 && strings.Contains(r.Body, `"two"`)
	})
	a.Do(t, servertest.Request{Method: "DELETE", URL: "/v1/admin/functions/greet", As: servertest.Admin}).Expect(t, 200, "")
	servertest.WaitFor(t, "node B to forget the function deleted through node A", func() bool {
		return invoke(b).Status == 404
	})

	// Files: uploaded through A, downloaded through B with A's signed URL.
	a.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/storage/buckets", Body: `{"name":"private","rule":"PRIVATE"}`, As: servertest.Admin}).
		Expect(t, 200, "")
	// Bucket settings live in the bucket (storage's catalog), which each
	// node checks for changes every 5 s.
	servertest.WaitFor(t, "node B to know the bucket node A created", func() bool {
		return b.Do(t, servertest.Request{URL: "/v1/admin/storage/buckets/private", As: servertest.Admin}).Status == 200
	})
	up := a.Upload(t, servertest.Bearer(tok), "?bucket=private", "shared/n.txt", "one bucket, two nodes", "text/plain")
	up.Expect(t, 200, "")
	fileID := up.Str("fileID")
	body, _ := json.Marshal(map[string]any{"fileList": []string{fileID}})
	tu := a.Do(t, servertest.Request{Method: "POST", URL: "/v1/storage/temp-urls", Body: body, As: servertest.Bearer(tok)})
	tu.Expect(t, 200, "")
	signed, err := url.Parse(tu.Str("fileList.0.tempFileURL"))
	if err != nil || signed.Query().Get("sign") == "" {
		t.Fatalf("A's temporary URL %q: %v", tu.Str("fileList.0.tempFileURL"), err)
	}
	got := b.Do(t, servertest.Request{URL: signed.RequestURI()})
	if got.Status != 200 || got.Body != "one bucket, two nodes" {
		t.Errorf("B served A's signed URL: %d %.200q", got.Status, got.Body)
	}
	forged := strings.Replace(signed.RequestURI(), "sign=", "sign=0", 1)
	if r := b.Do(t, servertest.Request{URL: forged}); r.Status == 200 {
		t.Errorf("B served a URL with a forged signature: %d", r.Status)
	}
}

// TestPostgresNodesShareTheAdminKey: without MINIBASE_ADMIN_KEY, the first
// node on an empty PostgreSQL database generates the admin key and prints
// it once; the next node prints none and accepts it.
func TestPostgresNodesShareTheAdminKey(t *testing.T) {
	dbURL := pgtest.Database(t)
	var keys []string
	var apps []*server.Server
	for i := range 2 {
		cfg, err := server.ParseConfig(nil, func(name string) string {
			return map[string]string{"MINIBASE_DATABASE": dbURL, "MINIBASE_DIR": t.TempDir(), "MINIBASE_DISK_RESERVE": "0"}[name]
		})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		s := &server.Server{Config: cfg, Out: &out, Log: slog.New(slog.DiscardHandler)}
		if err := s.Open(context.Background()); err != nil {
			s.Close()
			t.Fatalf("node %d: %v", i, err)
		}
		t.Cleanup(func() { s.Close() })
		apps = append(apps, s)
		key := ""
		if _, rest, ok := strings.Cut(out.String(), "store it now:"); ok {
			key = strings.TrimSpace(rest)
		}
		keys = append(keys, key)
	}
	if keys[0] == "" || keys[1] != "" {
		t.Fatalf("printed keys = %q; want one from the first node only", keys)
	}
	for i, s := range apps {
		req := httptest.NewRequest("GET", "/v1/admin/settings", nil)
		req.Header.Set("Authorization", "Bearer "+keys[0])
		resp, err := s.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("node %d answered the generated admin key with %d", i, resp.StatusCode)
		}
	}
}

// TestPostgresRefusesSQLiteBackups: on PostgreSQL, minibase's backups
// and continuous backup are refused at start, naming the setting and what
// to use instead.
func TestPostgresRefusesSQLiteBackups(t *testing.T) {
	for _, env := range []string{"MINIBASE_BACKUP_SCHEDULE", "MINIBASE_REPLICATE_S3_BUCKET"} {
		val := map[string]string{"MINIBASE_BACKUP_SCHEDULE": "6h", "MINIBASE_REPLICATE_S3_BUCKET": "wal"}[env]
		_, err := server.ParseConfig(nil, func(name string) string {
			return map[string]string{"MINIBASE_DATABASE": "postgres://u:p@127.0.0.1:5432/app", env: val,
				"MINIBASE_S3_ENDPOINT": "127.0.0.1:9000", "MINIBASE_S3_ACCESS_KEY": "k", "MINIBASE_S3_SECRET_KEY": "s"}[name]
		})
		if err == nil || !strings.Contains(err.Error(), env+" cannot be used with MINIBASE_DATABASE") || !strings.Contains(err.Error(), "pg_dump") {
			t.Errorf("%s on PostgreSQL: %v", env, err)
		}
	}
	for _, bad := range []string{"mysql://x", "postgres://", "data.db"} {
		_, err := server.ParseConfig(nil, func(name string) string {
			return map[string]string{"MINIBASE_DATABASE": bad}[name]
		})
		if err == nil || !strings.Contains(err.Error(), "MINIBASE_DATABASE") {
			t.Errorf("MINIBASE_DATABASE=%s: %v", bad, err)
		}
	}
	if _, _, _, err := server.CreateBackup(context.Background(), server.Config{Database: "postgres://u@h/d"}, "", ""); err == nil ||
		!strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("minibase backup on PostgreSQL: %v", err)
	}
}

// TestPostgresCreateAdminAndConfig: `minibase admin create` writes the
// admin account to PostgreSQL (the server need not run), the server then
// signs that admin in; `minibase config` reads the settings saved there.
func TestPostgresCreateAdminAndConfig(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.Database(t)
	cfg, err := server.ParseConfig(nil, func(name string) string {
		return map[string]string{"MINIBASE_DATABASE": dbURL, "MINIBASE_DIR": t.TempDir()}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.CreateAdmin(ctx, cfg, "ops@example.com", "a long admin password", slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	s := servertest.New(t, onPostgres(t, dbURL, servertest.Options{}))
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/admin/login", Body: `{"email":"ops@example.com","password":"a long admin password"}`}).
		Expect(t, 200, "")
	s.Do(t, servertest.Request{Method: "PATCH", URL: "/v1/admin/settings", Body: `{"auth.anonymous":false}`, As: servertest.Admin}).Expect(t, 200, "")
	saved, err := server.ConsoleSaved(ctx, cfg)
	if err != nil || len(saved) != 1 || saved[0].Key != "auth.anonymous" || saved[0].Value != "false" {
		t.Errorf("ConsoleSaved = %+v, %v; want auth.anonymous false", saved, err)
	}
}

// TestWatchAcrossServersOnPostgres: two served nodes on one PostgreSQL
// database, each reading the change feed under its own consumer: a watch
// on A receives every insert made through B and through A, each once, and
// so does a watch on B — with one shared consumer one node's watches
// would get nothing.
func TestWatchAcrossServersOnPostgres(t *testing.T) {
	dbURL := pgtest.Database(t)
	a := servertest.New(t, onPostgres(t, dbURL, servertest.Options{Listen: true}))
	b := servertest.New(t, onPostgres(t, dbURL, servertest.Options{Listen: true}))
	a.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/collections", Body: `{"name":"feed"}`, As: servertest.Admin}).Expect(t, 200, "")

	type watcher struct {
		ws  *websocket.Conn
		ids map[string]int
	}
	watch := func(s *servertest.Server) *watcher {
		h := http.Header{"Authorization": {"Bearer " + servertest.AdminKey}}
		ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.URL, "http")+"/v1/db/feed/watch", h)
		if err != nil {
			t.Fatalf("dial the watch: %v (%v)", err, resp)
		}
		t.Cleanup(func() { ws.Close() })
		if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"watch","watchId":"w","query":{}}`)); err != nil {
			t.Fatal(err)
		}
		return &watcher{ws: ws, ids: map[string]int{}}
	}
	// next reads messages until init (the snapshot) or an event batch.
	next := func(w *watcher) map[string]any {
		w.ws.SetReadDeadline(time.Now().Add(60 * time.Second))
		_, data, err := w.ws.ReadMessage()
		if err != nil {
			t.Fatalf("watch: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("watch message %q: %v", data, err)
		}
		return m
	}
	wa, wb := watch(a), watch(b)
	for _, w := range []*watcher{wa, wb} {
		if m := next(w); m["type"] != "init" {
			t.Fatalf("first message %v, want init", m)
		}
	}
	const n = 20
	for i := range n {
		via := a
		if i%2 == 1 {
			via = b
		}
		via.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/feed/insert", Body: fmt.Sprintf(`{"data":{"_id":"d%02d"}}`, i),
			As: servertest.Admin}).Expect(t, 200, "")
	}
	for name, w := range map[string]*watcher{"A": wa, "B": wb} {
		for len(w.ids) < n {
			m := next(w)
			events, _ := m["events"].([]any)
			for _, e := range events {
				ev := e.(map[string]any)
				if ev["dataType"] != "add" {
					t.Errorf("node %s: event %v, want adds only", name, ev)
				}
				w.ids[ev["docId"].(string)]++
			}
		}
		for id, k := range w.ids {
			if k != 1 {
				t.Errorf("node %s: %s came %d times", name, id, k)
			}
		}
		if len(w.ids) != n {
			t.Errorf("node %s: %d documents, want %d", name, len(w.ids), n)
		}
	}
}
