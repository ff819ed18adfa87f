package openapitest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// PNG is a 1×1 PNG: what the fake answers the wxacode APIs with.
var PNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\b\x02\x00\x00\x00\x90wS\xde" +
	"\x00\x00\x00\x10IDATx\x9cb\xf2\xaa\x89\x04\x04\x00\x00\xff\xff\x02;\x01\"T\xa3\x1fr\x00\x00\x00\x00IEND\xaeB`\x82")

// Fake is WeChat's API on 127.0.0.1 for tests: it issues access tokens
// from /cgi-bin/stable_token to the one app it knows, refuses API calls
// whose token is not the current one (40001), and answers each API path
// with what Handle set (by default {"errcode":0,"errmsg":"ok"}; the
// wxacode paths: a PNG). It records every request. /sns/jscode2session
// (wx.login's code) answers the codes Login set.
type Fake struct {
	*httptest.Server
	AppID, Secret string // changed only by ResetSecret and ChangeApp

	mu        sync.Mutex
	issued    int
	current   string
	stuck     bool // stable_token without force_refresh keeps giving the current token even when it is invalid
	invalid   map[string]bool
	expiresIn int
	handlers  map[string]Handler
	gate      chan struct{}
	held      chan struct{}
	calls     []Call
	tokenReqs []TokenRequest
	logins    map[string][2]string // code → openid, session_key
}

// Handler answers one API call.
type Handler func(c Call) (status int, contentType string, body []byte)

// Call is an API request the fake received.
type Call struct {
	Method, Path, Token, ContentType string
	Query                            url.Values // without access_token
	Body                             []byte     // a JSON body as it came
	Files                            []File     // a multipart body's files
	Form                             url.Values // a multipart body's other fields
}

// File is one uploaded file of a multipart call.
type File struct {
	Field, Name, ContentType string
	Data                     []byte
}

// TokenRequest is a stable_token request the fake received.
type TokenRequest struct {
	GrantType, AppID, Secret string
	ForceRefresh             bool
}

// NewFake starts a fake WeChat for appID and secret, closed when t ends.
func NewFake(t testing.TB, appID, secret string) *Fake {
	f := &Fake{AppID: appID, Secret: secret, invalid: map[string]bool{}, expiresIn: 7200, handlers: map[string]Handler{},
		logins: map[string][2]string{}}
	for _, p := range []string{"/wxa/getwxacodeunlimit", "/wxa/getwxacode", "/cgi-bin/wxaapp/createwxaqrcode"} {
		f.handlers[p] = func(Call) (int, string, []byte) { return 200, "image/png", PNG }
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// Handle sets what the fake answers the API at path with.
func (f *Fake) Handle(path string, h Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[path] = h
}

// JSON is a Handler answering body as application/json.
func JSON(body string) Handler {
	return func(Call) (int, string, []byte) { return 200, "application/json", []byte(body) }
}

// Login makes jscode2session answer code (once) with openid and
// sessionKey, as WeChat answers a wx.login code.
func (f *Fake) Login(code, openid, sessionKey string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logins[code] = [2]string{openid, sessionKey}
}

// Invalidate makes the current token invalid, as a reset secret or a
// token used past its life does: calls with it get 40001, and only a
// stable_token request with force_refresh gives a new one.
func (f *Fake) Invalidate() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalid[f.current] = true
	f.stuck = true
}

// Rotate replaces the current token with a new one, as another client's
// forced refresh does: the old one gets 40001, stable_token gives the new.
func (f *Fake) Rotate() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalid[f.current] = true
	f.newToken()
}

// ResetSecret makes secret the app's secret, as resetting it in WeChat's
// console does: the old one is refused (40125) from then on.
func (f *Fake) ResetSecret(secret string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Secret = secret
}

// ChangeApp makes the fake another mini-program, appID with secret, as
// pointing a server at a different app does: the previous app's tokens
// get 40001 and its appid and secret are refused.
func (f *Fake) ChangeApp(appID, secret string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.AppID, f.Secret = appID, secret
	f.invalid[f.current] = true
	f.newToken()
}

// ExpiresIn sets the life stable_token reports for tokens, in seconds.
func (f *Fake) ExpiresIn(s int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expiresIn = s
}

// Hold makes stable_token requests wait until release is called; each
// request that waits is signalled on held as it arrives (the first 64).
func (f *Fake) Hold() (held <-chan struct{}, release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	gate, arrived := make(chan struct{}), make(chan struct{}, 64)
	f.gate, f.held = gate, arrived
	return arrived, sync.OnceFunc(func() { close(gate) })
}

// Calls returns the API calls received so far.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// TokenRequests returns the stable_token requests received so far.
func (f *Fake) TokenRequests() []TokenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]TokenRequest(nil), f.tokenReqs...)
}

// Current is the token the fake takes now ("" before the first).
func (f *Fake) Current() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current
}

func (f *Fake) newToken() {
	f.issued++
	f.current = fmt.Sprintf("token-%d-%s", f.issued, strings.Repeat("x", 100))
	f.stuck = false
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/cgi-bin/stable_token":
		f.serveToken(w, r)
		return
	case "/sns/jscode2session":
		f.serveLogin(w, r)
		return
	}
	c := Call{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Query: r.URL.Query()}
	c.Token = c.Query.Get("access_token")
	c.Query.Del("access_token")
	if mt, params, _ := mime.ParseMediaType(c.ContentType); mt == "multipart/form-data" {
		c.Files, c.Form = readMultipart(r.Body, params["boundary"])
	} else {
		c.Body, _ = io.ReadAll(r.Body)
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	bad := c.Token == "" || c.Token != f.current || f.invalid[c.Token]
	h := f.handlers[c.Path]
	f.mu.Unlock()
	switch {
	case bad:
		answer(w, 200, "application/json", []byte(`{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest rid: fake"}`))
	case h != nil:
		status, ct, body := h(c)
		answer(w, status, ct, body)
	default:
		answer(w, 200, "application/json", []byte(`{"errcode":0,"errmsg":"ok"}`))
	}
}

func (f *Fake) serveToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	err := json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	f.tokenReqs = append(f.tokenReqs, TokenRequest(req))
	gate, held := f.gate, f.held
	f.mu.Unlock()
	if gate != nil {
		select {
		case held <- struct{}{}:
		default:
		}
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case err != nil || r.Method != http.MethodPost || req.GrantType != "client_credential":
		answer(w, 200, "application/json", []byte(`{"errcode":40002,"errmsg":"invalid grant_type"}`))
	case req.AppID != f.AppID:
		answer(w, 200, "application/json", []byte(`{"errcode":40013,"errmsg":"invalid appid"}`))
	case req.Secret != f.Secret:
		answer(w, 200, "application/json", []byte(`{"errcode":40125,"errmsg":"invalid appsecret"}`))
	default:
		if f.current == "" || req.ForceRefresh || f.invalid[f.current] && !f.stuck {
			f.newToken()
		}
		answer(w, 200, "application/json", []byte(fmt.Sprintf(`{"access_token":%q,"expires_in":%d}`, f.current, f.expiresIn)))
	}
}

func (f *Fake) serveLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	login, ok := f.logins[q.Get("js_code")]
	delete(f.logins, q.Get("js_code"))
	switch {
	case q.Get("appid") != f.AppID || q.Get("secret") != f.Secret:
		answer(w, 200, "text/plain", []byte(`{"errcode":40125,"errmsg":"invalid appsecret"}`))
	case !ok:
		answer(w, 200, "text/plain", []byte(`{"errcode":40029,"errmsg":"invalid code"}`))
	default:
		answer(w, 200, "text/plain", []byte(fmt.Sprintf(`{"openid":%q,"session_key":%q}`, login[0], login[1])))
	}
}

func answer(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(body)
}

func readMultipart(body io.Reader, boundary string) ([]File, url.Values) {
	var files []File
	form := url.Values{}
	mr := multipart.NewReader(body, boundary)
	for {
		p, err := mr.NextPart()
		if err != nil {
			return files, form
		}
		data, _ := io.ReadAll(p)
		if p.FileName() == "" {
			form.Add(p.FormName(), string(data))
			continue
		}
		files = append(files, File{Field: p.FormName(), Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
	}
}
