//go:build !minibase_fuzz

package auth_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"minibase/server/servertest"
)

// smsGateway is an SMS webhook on 127.0.0.1 that remembers the last code
// per phone number.
type smsGateway struct {
	url string

	mu     sync.Mutex
	codes  map[string]string
	signed bool // the last request carried X-Minibase-Signature
}

func (g *smsGateway) last(phone string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.codes[phone]
}

func newSMSGateway(t *testing.T) *smsGateway {
	g := &smsGateway{codes: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Channel, To, Code string }
		json.NewDecoder(r.Body).Decode(&m)
		if m.Channel != "sms" {
			http.Error(w, "bad", 400)
			return
		}
		g.mu.Lock()
		g.codes[m.To], g.signed = m.Code, r.Header.Get("X-Minibase-Signature") != ""
		g.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

// codeFor is a Before sending phone's last code in a verify request.
func codeFor(g *smsGateway, phone string) func(testing.TB, *servertest.Server, *servertest.Request) {
	return func(_ testing.TB, _ *servertest.Server, r *servertest.Request) {
		r.Body = `{"phone":"` + phone + `","code":"` + g.last(phone) + `"}`
	}
}

func TestPhoneCodes(t *testing.T) {
	g := newSMSGateway(t)
	const phone = "+8613800138000"
	// opts: codes by SMS, signed; many codes to one phone.
	opts := func(clk *servertest.Clock) servertest.Options {
		return servertest.Options{Clock: clk, Env: map[string]string{
			"MINIBASE_SMS_WEBHOOK_URL": g.url, "MINIBASE_SMS_WEBHOOK_SECRET": "hook secret", "MINIBASE_RATE_LIMITS": "off"}}
	}
	send := []servertest.Request{post("/v1/auth/otp/send", `{"phone":"+86 138 0013 8000"}`)}
	wrong := func() string {
		if g.last(phone) == "000000" {
			return "111111"
		}
		return "000000"
	}
	// asFailure is an After requiring exactly what a wrong code gets: the
	// one failure answer.
	asFailure := func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
		tb.Helper()
		failed := s.Do(tb, post("/v1/auth/otp/verify", `{"phone":"`+phone+`","code":"`+wrong()+`"}`))
		failed.Expect(tb, 401, `{"code":"INVALID_CREDENTIALS"}`)
		if r.Body != failed.Body {
			tb.Errorf("%s, want the one failure answer %s", r.Body, failed.Body)
		}
	}
	clk := servertest.NewClock(time.Now())
	scenarios := []servertest.Scenario{
		{Name: "send", Options: opts(nil), Method: "POST", URL: send[0].URL, Body: send[0].Body,
			Status: 200, Want: `{"ok":true,"expires_in":300}`,
			After: func(tb testing.TB, _ *servertest.Server, _ *servertest.Response) {
				if code := g.last(phone); len(code) != 6 || !g.signed {
					tb.Fatalf("the gateway got code %q, signed %v", code, g.signed)
				}
			}},
		{Name: "verify creates the account", Options: opts(nil), Setup: send, Method: "POST", URL: "/v1/auth/otp/verify",
			Before: codeFor(g, phone), Status: 200, Want: `{"user":{"phone":"` + phone + `","loginType":"PHONE","phoneVerified":true}}`,
			After: hasTokens},
		{Name: "a code works once", Options: opts(nil), Setup: send, Method: "POST", URL: "/v1/auth/otp/verify",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				codeFor(g, phone)(tb, s, r)
				s.Do(tb, post(r.URL, r.Body.(string))).Expect(tb, 200, "")
			},
			Status: 401, Want: `{"code":"INVALID_CREDENTIALS"}`, After: asFailure},
		{Name: "after 5 wrong guesses the code is void", Options: opts(nil), Setup: send, Method: "POST", URL: "/v1/auth/otp/verify",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				bad := post(r.URL, `{"phone":"`+phone+`","code":"`+wrong()+`"}`)
				first := s.Do(tb, bad)
				first.Expect(tb, 401, `{"code":"INVALID_CREDENTIALS"}`)
				for range 4 {
					if a := s.Do(tb, bad); a.Body != first.Body {
						tb.Fatalf("wrong code: %s, want the one failure answer %s", a.Body, first.Body)
					}
				}
				codeFor(g, phone)(tb, s, r)
			},
			Status: 401, After: asFailure},
		{Name: "an expired code", Options: opts(clk), Setup: send, Method: "POST", URL: "/v1/auth/otp/verify",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				clk.Add(5 * time.Minute)
				codeFor(g, phone)(tb, s, r)
			},
			Status: 401, After: asFailure},
		{Name: "a second code signs in the same user", Options: opts(nil), Setup: send, Method: "POST", URL: "/v1/auth/otp/verify",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				codeFor(g, phone)(tb, s, r)
				signIn(tb, s, servertest.Visitor, r.URL, r.Body.(string))
				s.Do(tb, send[0]).Expect(tb, 200, "")
				codeFor(g, phone)(tb, s, r)
			},
			Status: 200,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				hasTokens(tb, s, r)
				if uid := onlyUser(tb, s); r.Str("user.uid") != uid {
					tb.Errorf("a second code signs in the same user: %s, want uid %s", r.Body, uid)
				}
			}},
		{Name: "no email sender", Options: opts(nil), Method: "POST", URL: "/v1/auth/otp/send", Body: `{"email":"a@example.com"}`,
			Status: 501},
	}
	for _, bad := range []string{`{"username":"bob"}`, `{}`, `{"phone":"12"}`} {
		scenarios = append(scenarios, servertest.Scenario{Name: "send " + bad, Options: opts(nil), Method: "POST",
			URL: "/v1/auth/otp/send", Body: bad, Status: 400, Want: `{"code":"INVALID_PARAM"}`})
	}
	servertest.Run(t, scenarios)
}

// TestPhoneCodeTakesOverUnverifiedPassword: a password set at signup for a
// phone never proven is removed, and its sessions ended, when the owner of
// the phone signs in by code.
func TestPhoneCodeTakesOverUnverifiedPassword(t *testing.T) {
	g := newSMSGateway(t)
	s := servertest.New(t, servertest.Options{Env: map[string]string{"MINIBASE_SMS_WEBHOOK_URL": g.url}})
	squatter := signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"phone":"13900000000","password":"squatter pw"}`)
	s.Do(t, post("/v1/auth/otp/send", `{"phone":"13900000000"}`)).Expect(t, 200, "")
	owner := signIn(t, s, servertest.Visitor, "/v1/auth/otp/verify", `{"phone":"13900000000","code":"`+g.last("13900000000")+`"}`)
	owner.Expect(t, 200, `{"user":{"phoneVerified":true,"hasPassword":false,"uid":"`+squatter.Str("user.uid")+`"}}`)
	// The squatter's password is gone, and its session.
	s.Do(t, post("/v1/auth/login", `{"phone":"13900000000","password":"squatter pw"}`)).Expect(t, 401, "")
	s.Do(t, post("/v1/auth/refresh", refreshBody(squatter.Str("refresh_token")))).Expect(t, 401, "")
}

// TestCodesWithoutSignup: with MINIBASE_OTP_SIGNUP=false codes go to
// existing accounts only, and send does not reveal which exist.
func TestCodesWithoutSignup(t *testing.T) {
	g := newSMSGateway(t)
	s := servertest.New(t, servertest.Options{Env: map[string]string{"MINIBASE_SMS_WEBHOOK_URL": g.url, "MINIBASE_OTP_SIGNUP": "false"}})
	unknown := s.Do(t, post("/v1/auth/otp/send", `{"phone":"13700000000"}`))
	signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"phone":"13600000000","password":"password1"}`)
	known := s.Do(t, post("/v1/auth/otp/send", `{"phone":"13600000000"}`))
	if unknown.Status != 200 || unknown.Body != known.Body {
		t.Errorf("send must not reveal whether the account exists: %s vs %s", unknown.Body, known.Body)
	}
	if g.last("13700000000") != "" || g.last("13600000000") == "" {
		t.Errorf("codes go to existing accounts only: %v", g.codes)
	}
	signIn(t, s, servertest.Visitor, "/v1/auth/otp/verify", `{"phone":"13600000000","code":"`+g.last("13600000000")+`"}`)
}

// codeLog is a slog handler that keeps the codes the development sender logs.
type codeLog struct {
	mu    *sync.Mutex
	codes map[string]string
}

func (h codeLog) Enabled(context.Context, slog.Level) bool { return true }
func (h codeLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h codeLog) WithGroup(string) slog.Handler            { return h }
func (h codeLog) Handle(_ context.Context, r slog.Record) error {
	var to, code string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "to":
			to = a.Value.String()
		case "code":
			code = a.Value.String()
		}
		return true
	})
	h.mu.Lock()
	h.codes[to] = code
	h.mu.Unlock()
	return nil
}

// TestEmailCodesToTheLog: with MINIBASE_OTP_LOG=true and no email sender,
// a code is written to the server log, and signs in.
func TestEmailCodesToTheLog(t *testing.T) {
	h := codeLog{mu: &sync.Mutex{}, codes: map[string]string{}}
	s := servertest.New(t, servertest.Options{Env: map[string]string{"MINIBASE_OTP_LOG": "true"}, Log: slog.New(h)})
	s.Do(t, post("/v1/auth/otp/send", `{"email":"Olga@Example.com"}`)).Expect(t, 200, `{"ok":true}`)
	h.mu.Lock()
	code := h.codes["olga@example.com"]
	h.mu.Unlock()
	a := signIn(t, s, servertest.Visitor, "/v1/auth/otp/verify", `{"email":"olga@example.com","code":"`+code+`"}`)
	a.Expect(t, 200, `{"user":{"email":"olga@example.com","loginType":"EMAIL","emailVerified":true}}`)
}
