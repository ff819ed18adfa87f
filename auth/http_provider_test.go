//go:build !minibase_fuzz

package auth_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minibase/auth"
	"minibase/db/sqlite"
	"minibase/server/servertest"

	"github.com/golang-jwt/jwt/v5"
)

// fakeWeChat is jscode2session on 127.0.0.1: codes maps a js_code to its
// JSON answer. It returns the settings of a server that logs in there.
func fakeWeChat(t *testing.T, codes map[string]string) map[string]string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sns/jscode2session" || r.URL.Query().Get("appid") != "wxapp" || r.URL.Query().Get("secret") != "wxsecret" {
			http.Error(w, "bad request", 400)
			return
		}
		ans, ok := codes[r.URL.Query().Get("js_code")]
		if !ok {
			ans = `{"errcode":40029,"errmsg":"invalid code"}`
		}
		io.WriteString(w, ans)
	}))
	t.Cleanup(srv.Close)
	return map[string]string{"MINIBASE_WECHAT_APPID": "wxapp", "MINIBASE_WECHAT_SECRET": "wxsecret", "MINIBASE_WECHAT_API_BASE": srv.URL}
}

// onlyUser is the uid of the server's only user.
func onlyUser(tb testing.TB, s *servertest.Server) string {
	tb.Helper()
	r := s.Do(tb, servertest.Request{URL: "/v1/admin/users", As: asAdmin})
	r.Expect(tb, 200, `{"total":1}`)
	return r.Str("data.0.uid")
}

func TestWeChatLogin(t *testing.T) {
	wx := servertest.Options{Env: fakeWeChat(t, map[string]string{
		"c1":   `{"openid":"oWX_alice","session_key":"SESSION-KEY-1","unionid":"uALICE"}`,
		"c2":   `{"openid":"oWX_alice","session_key":"SESSION-KEY-2"}`,
		"c3":   `{"openid":"oWX_bob","session_key":"SESSION-KEY-3"}`,
		"busy": `{"errcode":-1,"errmsg":"system error"}`,
	})}
	c1 := []servertest.Request{post("/v1/auth/wechat", `{"code":"c1"}`)}
	noSessionKey := []string{"SESSION-KEY", "session"} // the session key never reaches the client
	servertest.Run(t, []servertest.Scenario{
		{Name: "first sign-in", Options: wx, Method: "POST", URL: "/v1/auth/wechat", Body: `{"code":"c1"}`, Status: 200,
			Want: `{"user":{"openid":"oWX_alice","unionid":"uALICE","loginType":"WECHAT"}}`, Absent: noSessionKey, After: hasTokens},
		{Name: "the same openid is the same user, unionid kept", Options: wx, Setup: c1, Method: "POST", URL: "/v1/auth/wechat",
			Body: `{"code":"c2"}`, Status: 200, Want: `{"user":{"openid":"oWX_alice","unionid":"uALICE"}}`, Absent: noSessionKey,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				hasTokens(tb, s, r)
				if uid := onlyUser(tb, s); r.Str("user.uid") != uid {
					tb.Errorf("the same openid must be the same user: %s, want uid %s", r.Body, uid)
				}
			}},
		{Name: "the newest session key is kept on the server", Options: wx, Setup: c1, Method: "POST", URL: "/v1/auth/wechat",
			Body: `{"code":"c2"}`, Status: 200,
			After: func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
				dir := s.Server.Config.Dir
				s.Close()
				store, err := sqlite.Open(context.Background(), filepath.Join(dir, "data.db"), sqlite.Options{})
				if err != nil {
					tb.Fatal(err)
				}
				defer store.Close()
				u, err := store.Users().UserBy(context.Background(), auth.KeyOpenID, "oWX_alice")
				if err != nil || u.SessionKey != "SESSION-KEY-2" {
					tb.Errorf("the newest session key is kept on the server: %+v %v", u, err)
				}
			}},
		{Name: "another openid is another user", Options: wx, Setup: c1, Method: "POST", URL: "/v1/auth/wechat",
			Body: `{"code":"c3"}`, Status: 200, Want: `{"user":{"openid":"oWX_bob"}}`, After: servertest.Then(users(2))},
		{Name: "documents carry the WeChat openid", Options: wx,
			Setup:  []servertest.Request{byAdmin("POST", "/v1/admin/collections", `{"name":"notes"}`)},
			Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"_id":"w1"}}`,
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				r.As = bearer(signIn(tb, s, servertest.Visitor, "/v1/auth/wechat", `{"code":"c1"}`))
			},
			Status: 200,
			After: servertest.Then(servertest.Scenario{Name: "the document", URL: "/v1/db/notes/docs/w1", As: asAdmin,
				Status: 200, Want: `{"data":{"_openid":"oWX_alice"}}`})},
		{Name: "a rejected code", Options: wx, Method: "POST", URL: "/v1/auth/wechat", Body: `{"code":"used"}`,
			Status: 401, Want: `{"code":"INVALID_CREDENTIALS"}`, After: servertest.Then(users(0))},
		{Name: "WeChat failing", Options: wx, Method: "POST", URL: "/v1/auth/wechat", Body: `{"code":"busy"}`,
			Status: 502, Want: `{"code":"LOGIN_PROVIDER_FAILED"}`},
		{Name: "no code", Options: wx, Method: "POST", URL: "/v1/auth/wechat", Body: `{}`, Status: 400, Want: `{"code":"INVALID_PARAM"}`},
		{Name: "douyin not configured", Options: wx, Method: "POST", URL: "/v1/auth/douyin", Body: `{"code":"c1"}`,
			Status: 501, Want: `{"code":"RESOURCE_NOT_INITIAL","errCode":-501009}`},
		{Name: "a disabled WeChat user", Options: wx, Setup: c1, Method: "POST", URL: "/v1/auth/wechat", Body: `{"code":"c1"}`,
			Before: func(tb testing.TB, s *servertest.Server, _ *servertest.Request) {
				s.Do(tb, byAdmin("PATCH", "/v1/admin/users/"+onlyUser(tb, s), `{"disabled":true}`)).Expect(tb, 200, "")
			},
			Status: 401, Want: `{"code":"INVALID_CREDENTIALS"}`},
	})
}

func TestWeChatNotConfigured(t *testing.T) {
	servertest.Run(t, []servertest.Scenario{
		{Name: "wechat", Method: "POST", URL: "/v1/auth/wechat", Body: `{"code":"c1"}`, Status: 501, Want: `{"code":"RESOURCE_NOT_INITIAL"}`},
		{Name: "otp", Method: "POST", URL: "/v1/auth/otp/send", Body: `{"email":"a@example.com"}`, Status: 501,
			Want: `{"code":"RESOURCE_NOT_INITIAL"}`},
	})
}

// issue has the admin issue a ticket for a custom user id.
func issue(tb testing.TB, s *servertest.Server, uid string) string {
	tb.Helper()
	r := s.Do(tb, byAdmin("POST", "/v1/admin/auth/ticket", `{"uid":"`+uid+`"}`))
	r.Expect(tb, 200, "")
	return r.Str("ticket")
}

// ticketFor is a Before sending a ticket issued for uid.
func ticketFor(uid string) func(testing.TB, *servertest.Server, *servertest.Request) {
	return func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
		r.Body = `{"ticket":"` + issue(tb, s, uid) + `"}`
	}
}

// signedTicket is a ticket signed, as node-sdk's createTicket does, with
// the key file an admin downloaded (key) for the environment env.
func signedTicket(tb testing.TB, key *servertest.Response, env string) string {
	tb.Helper()
	block, _ := pem.Decode([]byte(key.Str("private_key")))
	if block == nil {
		tb.Fatalf("private_key is not PEM: %s", key.Body)
	}
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatalf("private_key: %v", err)
	}
	now := time.Now().UnixMilli()
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"alg": "RS256", "env": env, "iat": now,
		"exp": now + 600_000, "uid": "cust_0003", "refresh": 3_600_000, "expire": now + 86_400_000}).SignedString(priv)
	if err != nil {
		tb.Fatal(err)
	}
	return key.Str("private_key_id") + "/@@/" + signed
}

// keySigned is a Before sending a ticket signed with the downloaded key
// for env.
func keySigned(env string) func(testing.TB, *servertest.Server, *servertest.Request) {
	return func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
		key := s.Do(tb, byAdmin("GET", "/v1/admin/auth/ticket-key", ""))
		key.Expect(tb, 200, "")
		r.Body = `{"ticket":"` + signedTicket(tb, key, env) + `"}`
	}
}

func TestTickets(t *testing.T) {
	var scenarios []servertest.Scenario
	scenarios = append(scenarios,
		servertest.Scenario{Name: "issue", Method: "POST", URL: "/v1/admin/auth/ticket", Body: `{"uid":"cust_0001"}`, As: asAdmin,
			Status: 200,
			After: func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
				if !strings.Contains(r.Str("ticket"), "/@@/") {
					tb.Fatalf("ticket %q: want private_key_id/@@/jwt", r.Str("ticket"))
				}
			}},
		servertest.Scenario{Name: "ticket sign-in", Method: "POST", URL: "/v1/auth/ticket", Before: ticketFor("cust_0001"),
			Status: 200, Want: `{"user":{"customUserId":"cust_0001","loginType":"CUSTOM"}}`, After: hasTokens},
		servertest.Scenario{Name: "the same customUserId is the same user", Method: "POST", URL: "/v1/auth/ticket",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				signIn(tb, s, servertest.Visitor, "/v1/auth/ticket", `{"ticket":"`+issue(tb, s, "cust_0001")+`"}`)
				ticketFor("cust_0001")(tb, s, r)
			},
			Status: 200,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if uid := onlyUser(tb, s); r.Str("user.uid") != uid {
					tb.Errorf("the same customUserId is the same user: %s, want uid %s", r.Body, uid)
				}
			}},
		servertest.Scenario{Name: "an anonymous user is linked, keeping its uid", Method: "POST", URL: "/v1/auth/ticket", As: alice,
			Before: ticketFor("cust_0002"), Status: 200, Want: `{"user":{"customUserId":"cust_0002","loginType":"CUSTOM"}}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if r.Str("user.uid") != s.Session(tb, alice).UID {
					tb.Errorf("the linked user is not alice: %s", r.Body)
				}
				s.Run(tb, users(1))
			}},
		servertest.Scenario{Name: "key download", URL: "/v1/admin/auth/ticket-key", As: asAdmin, Status: 200,
			After: func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
				if !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") || r.Str("private_key_id") == "" {
					tb.Fatalf("key file: %s %v", r.Body, r.Header)
				}
			}},
		// An app server signs a ticket with the downloaded key.
		servertest.Scenario{Name: "a ticket signed with the downloaded key", Method: "POST", URL: "/v1/auth/ticket",
			Before: keySigned("minibase"), Status: 200, Want: `{"user":{"customUserId":"cust_0003"}}`, After: hasTokens},
		servertest.Scenario{Name: "a ticket for another environment", Method: "POST", URL: "/v1/auth/ticket",
			Before: keySigned("other-env"), Status: 401, After: servertest.Then(users(0))},
		servertest.Scenario{Name: "a tampered ticket", Method: "POST", URL: "/v1/auth/ticket",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				tk := issue(tb, s, "cust_0001")
				r.Body = `{"ticket":"` + tk[:len(tk)-4] + `AAAA"}`
			},
			Status: 401, After: servertest.Then(users(0))},
		servertest.Scenario{Name: "not a ticket", Method: "POST", URL: "/v1/auth/ticket", Body: `{"ticket":"hello"}`, Status: 401},
		servertest.Scenario{Name: "an empty ticket", Method: "POST", URL: "/v1/auth/ticket", Body: `{"ticket":""}`, Status: 400},
		servertest.Scenario{Name: "a bad custom uid", Method: "POST", URL: "/v1/admin/auth/ticket", Body: `{"uid":"a b"}`,
			As: asAdmin, Status: 400, Want: `{"code":"INVALID_PARAM"}`},
		servertest.Scenario{Name: "a user cannot download the key", URL: "/v1/admin/auth/ticket-key", As: alice, Status: 403},
		servertest.Scenario{Name: "or rotate it", Method: "POST", URL: "/v1/admin/auth/ticket-key/rotate", As: alice, Status: 403},
	)
	servertest.Run(t, scenarios)

	t.Run("rotate", func(t *testing.T) {
		s := servertest.New(t, servertest.Options{})
		key := s.Do(t, byAdmin("GET", "/v1/admin/auth/ticket-key", ""))
		key.Expect(t, 200, "")
		s.Do(t, byAdmin("POST", "/v1/admin/auth/ticket-key/rotate", "")).Expect(t, 200, `{"ok":true}`)
		if k2 := s.Do(t, byAdmin("GET", "/v1/admin/auth/ticket-key", "")); k2.Str("private_key_id") == key.Str("private_key_id") {
			t.Error("rotate must make a new key")
		}
		signIn(t, s, servertest.Visitor, "/v1/auth/ticket", `{"ticket":"`+issue(t, s, "cust_0001")+`"}`)
	})
}
