package servertest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"minibase/server"
	"minibase/server/servertest"
	"minibase/storage/s3/miniotest"

	"github.com/gofiber/fiber/v2"
)

// TestScenariosAreIndependent: each scenario has a server of its own, so
// that the same insert succeeds in both.
func TestScenariosAreIndependent(t *testing.T) {
	insert := servertest.Scenario{Method: "POST", URL: "/v1/db/c/insert", Body: `{"data":{"_id":"x"}}`, As: servertest.Admin,
		Status: 200, Equal: `{"_id":"x"}`}
	var dirs []string
	insert.After = func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
		dirs = append(dirs, s.Server.Config.Dir)
	}
	a, b := insert, insert
	a.Name, b.Name = "first", "second"
	servertest.Run(t, []servertest.Scenario{a, b})
	if len(dirs) != 2 || dirs[0] == dirs[1] {
		t.Errorf("data directories %q: want two", dirs)
	}
}

// TestIdentities: who sends a request. An end user is signed in once per
// server, by name; a user with a password is signed up, or logged in when
// the name is taken.
func TestIdentities(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	me := func(id servertest.Identity) *servertest.Response {
		return s.Do(t, servertest.Request{URL: "/v1/auth/me", As: id})
	}
	alice := servertest.Anonymous("alice")
	a := me(alice)
	a.Expect(t, 200, `{"user":{"loginType":"ANONYMOUS"}}`)
	if uid := s.Session(t, alice).UID; a.Str("user.uid") != uid || me(servertest.Anonymous("alice")).Str("user.uid") != uid {
		t.Errorf("alice is %q, then %q", uid, a.Str("user.uid"))
	}
	if b := me(servertest.Anonymous("bob")); b.Str("user.uid") == a.Str("user.uid") {
		t.Errorf("bob is alice: %s", b.Body)
	}
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/signup", Body: `{"username":"heidi","password":"password1"}`}).
		Expect(t, 200, "")
	heidi := servertest.User("heidi", "password1")
	h := me(heidi)
	h.Expect(t, 200, `{"user":{"username":"heidi","loginType":"USERNAME"}}`)
	if s.Session(t, heidi).SignIn.Req != "POST /v1/auth/login" {
		t.Errorf("heidi, who had signed up, was signed in by %s", s.Session(t, heidi).SignIn.Req)
	}
	me(servertest.User("ivan", "password2")).Expect(t, 200, `{"user":{"username":"ivan"}}`)
	me(servertest.Visitor).Expect(t, 401, `{"code":"INVALID_ACCESS_TOKEN"}`)
	me(servertest.Bearer("not-a-token")).Expect(t, 401, `{"code":"INVALID_ACCESS_TOKEN"}`)
	me(servertest.Bearer(s.Token(t, alice))).Expect(t, 200, `{"user":{"uid":"`+a.Str("user.uid")+`"}}`)
	s.Do(t, servertest.Request{URL: "/v1/admin/collections", As: servertest.Admin}).Expect(t, 200, `{"data":[]}`)
	s.Do(t, servertest.Request{URL: "/v1/admin/collections", As: alice}).Expect(t, 403, "")
}

// TestRestart: a restarted server has its data, and its users are still
// signed in.
func TestRestart(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	alice := servertest.Anonymous("alice")
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/c/insert", Body: `{"data":{"_id":"x","n":1}}`, As: servertest.Admin}).
		Expect(t, 200, "")
	uid := s.Session(t, alice).UID
	s.Restart(t)
	s.Do(t, servertest.Request{URL: "/v1/db/c/docs/x", As: servertest.Admin}).Expect(t, 200, `{"data":{"_id":"x","n":1}}`)
	s.Do(t, servertest.Request{URL: "/v1/auth/me", As: alice}).Expect(t, 200, `{"user":{"uid":"`+uid+`"}}`)
}

// TestOptions: settings as MINIBASE_* variables, Config for the rest, and
// a clock that auth reads.
func TestOptions(t *testing.T) {
	clock := servertest.NewClock(time.Now())
	s := servertest.New(t, servertest.Options{
		Env:    map[string]string{"MINIBASE_BODY_LIMIT": "65536"},
		Config: func(c *server.Config) { c.Storage.Env = "test-env" },
		Clock:  clock,
	})
	big := `{"data":{"s":"` + strings.Repeat("x", 70<<10) + `"}}`
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/c/insert", Body: big, As: servertest.Admin}).
		Expect(t, 413, `{"code":"INVALID_PARAM"}`)
	s.Upload(t, servertest.Admin, "", "a.txt", "hello", "text/plain").
		Expect(t, 200, `{"fileID":"cloud://test-env.default/a.txt"}`)
	alice := servertest.Anonymous("alice")
	s.Do(t, servertest.Request{URL: "/v1/auth/me", As: alice}).Expect(t, 200, "")
	clock.Add(3 * time.Hour) // access tokens live 2 h
	s.Do(t, servertest.Request{URL: "/v1/auth/me", As: alice}).Expect(t, 401, `{"code":"ACCESS_TOKEN_EXPIRED"}`)
}

// TestHeaderLines: a header value with newlines reaches the server as that
// header given several times, one line each.
func TestHeaderLines(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	s.Server.Router().Get("/lines", func(c *fiber.Ctx) error {
		var lines []string
		for _, v := range c.Request().Header.PeekAll("X-Multi") {
			lines = append(lines, string(v))
		}
		return c.JSON(lines)
	})
	s.Run(t, servertest.Scenario{URL: "/lines", Header: map[string]string{"X-Multi": "a\nb"}, Status: 200, Equal: `["a","b"]`})
	s.Run(t, servertest.Scenario{URL: "/lines", Header: map[string]string{"X-Multi": "a, b"}, Status: 200, Equal: `["a, b"]`})
}

// auditFn writes an audit document for each order inserted.
const auditFn = `const cloud = require('wx-server-sdk')
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
exports.main = async (event) => {
  await cloud.database().collection('audit').add({ data: { order: event.DocId } })
}`

// TestListen: with Listen, the server runs (Server.Run) on a 127.0.0.1
// socket: requests go through it, and its background work runs, here a
// database trigger, which the test waits for.
func TestListen(t *testing.T) {
	s := servertest.New(t, servertest.Options{Listen: true})
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %q", s.URL)
	}
	resp, err := http.Get(s.URL + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"ok"`) {
		t.Errorf("GET %s/v1/health: %d %s", s.URL, resp.StatusCode, body)
	}
	s.Deploy(t, "audit", map[string]string{"index.js": auditFn},
		`{"triggers":[{"name":"onOrder","type":"database","config":{"collection":"orders","events":["insert"]}}]}`)
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/orders/insert", Body: `{"data":{"_id":"o1"}}`, As: servertest.Admin}).
		Expect(t, 200, "")
	servertest.WaitFor(t, "the audit document of o1", func() bool {
		r := s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/audit/count", Body: `{"filter":{"order":"o1"}}`, As: servertest.Admin})
		return r.Status == 200 && r.Body == `{"total":1}`
	})
	s.Restart(t) // and again, over a new socket
	s.Do(t, servertest.Request{URL: "/v1/health"}).Expect(t, 200, `{"status":"ok"}`)
}

// TestMinIO: with MinIO, files go to its bucket, each server under a
// prefix of its own unless told to share one.
func TestMinIO(t *testing.T) {
	m := miniotest.Start(t)
	s1 := servertest.New(t, servertest.Options{MinIO: m})
	s2 := servertest.New(t, servertest.Options{MinIO: m})
	s1.Upload(t, servertest.Admin, "", "a.txt", "one", "text/plain").Expect(t, 200, "")
	download := servertest.Request{URL: "/v1/storage/download?fileID=cloud://minibase.default/a.txt", As: servertest.Admin}
	r := s1.Do(t, download)
	if r.Status != 302 || !strings.HasPrefix(r.Header.Get("Location"), m.Endpoint+"/files/") {
		t.Errorf("download from s1: %d %v, want a redirect into MinIO", r.Status, r.Header)
	}
	s2.Do(t, download).Expect(t, 404, "")
	s3 := servertest.New(t, servertest.Options{MinIO: m, Env: map[string]string{"MINIBASE_S3_PREFIX": s1.Server.Config.Storage.S3.Prefix}})
	s3.Do(t, download).Expect(t, 302, "")
}
