// Package openapi calls WeChat's server APIs for the configured
// mini-program: what wx-server-sdk's cloud.openapi (云调用) reaches, such
// as wxacode.getUnlimited or subscribeMessage.send.
//
// In CloudBase a function calls them without credentials: Tencent's
// backend holds the app's access_token. Self-hosted, a Client does that
// work. It gets the access_token from WeChat's stable-token endpoint with
// the app's id and secret, keeps it until shortly before it expires, in a
// TokenStore that every node of a cluster shares (db/sqlite's AppTokens),
// fetches a new one when WeChat says the one in use is invalid or
// expired, and sends each call to the endpoint the table of APIs
// (apis.go) gives for its name.
//
// Login (wx.login's code exchange) is not here: it is an end-user
// identity matter, in auth/wechat.
package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// Config is the mini-program whose APIs a Client calls.
type Config struct {
	AppID, Secret string
	BaseURL       string       // WeChat's API origin; empty: https://api.weixin.qq.com
	Client        *http.Client // nil: a client of the package's own
	// Timeout bounds each request to WeChat (default 10 s); a call never
	// outlives its context either.
	Timeout time.Duration
	// Store keeps the access_token where every node sees it; nil: this
	// Client's memory only.
	Store TokenStore
	// OnError receives failures that did not fail a call: storing a new
	// token, releasing the lease on a failed fetch. nil drops them.
	OnError func(error)
	Now     func() time.Time // nil: time.Now
}

// Limits on what a call sends and receives.
const (
	MaxParams = 1 << 20  // bytes of a call's parameters, as JSON
	MaxFiles  = 10 << 20 // bytes of a call's uploaded files, together
	MaxAnswer = 10 << 20 // bytes of an answer (a QR code is ~100 KB, a media file at most 10 MB)
	maxDepth  = 1000     // nesting of an answer's JSON
)

var (
	// ErrNotConfigured means the Client has no AppID or Secret.
	ErrNotConfigured = errors.New("WeChat's server APIs are not configured: they need the mini-program's appid and secret")
	// ErrUnknownAPI means no API has the name called (Lookup).
	ErrUnknownAPI = errors.New("no such WeChat API")
	// ErrInvalidRequest means the parameters or files of a call are not
	// what the API takes: not a JSON object, too large, files for an API
	// that takes none.
	ErrInvalidRequest = errors.New("invalid parameters")
)

// APIError is a failure WeChat reported: its errcode and errmsg.
type APIError struct {
	Code int
	Msg  string
	// Token is set when the failure was WeChat's answer to the request for
	// an access_token (a wrong secret, an IP not on the allow list), not
	// the API's.
	Token bool
}

func (e *APIError) Error() string {
	if e.Token {
		return fmt.Sprintf("WeChat refused the access_token: %d %s", e.Code, e.Msg)
	}
	return fmt.Sprintf("%d %s", e.Code, e.Msg)
}

// Request is what a call sends.
type Request struct {
	// Params is a JSON object of the API's parameters by WeChat's names
	// (snake_case, as wx-server-sdk turns them); empty: none. Its members
	// are the JSON body of a POST, or the URL's query (strings as they
	// are, other values as JSON) for a GET and the uploads.
	Params []byte
	Files  []File // for the APIs that take uploads (API.Upload)
}

// File is one uploaded file, a part of a multipart/form-data body.
type File struct {
	Field       string // the parameter's name: media, img
	Name        string // the file name WeChat sees; empty: Field plus the extension of ContentType
	ContentType string
	Data        []byte
}

// Answer is an API's successful answer.
type Answer struct {
	// JSON is the answer's JSON object (errcode and errmsg included, as
	// WeChat sent them), integers beyond ±2^53 written as strings so that
	// JavaScript keeps their digits; nil when the answer is a file.
	JSON        []byte
	ContentType string // a file's type ("image/jpeg")
	Body        []byte // a file's bytes
}

// Client calls the APIs of one mini-program. It is safe for concurrent
// use.
type Client struct {
	cfg    Config
	tokens *tokens
}

// New returns a Client for cfg's mini-program.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://api.weixin.qq.com"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Store == nil {
		cfg.Store = &memStore{}
	}
	c := &Client{cfg: cfg}
	c.tokens = newTokens(c)
	return c
}

// AppID is the mini-program's appid.
func (c *Client) AppID() string { return c.cfg.AppID }

// WeChat's errcodes that mean the access_token is not (or no longer)
// valid: the call is retried once with a new one.
var tokenInvalid = map[int]bool{40001: true, 40014: true, 42001: true}

// Call calls the API named api ("wxacode.getUnlimited") with req. It
// fails with ErrUnknownAPI, ErrNotConfigured, ErrInvalidRequest, an
// *APIError (WeChat's errcode ≠ 0), ctx's error, or another error when
// WeChat cannot be reached or its answer cannot be used. When WeChat says
// the access_token is invalid or expired, Call gets a new one and tries
// once more; when getting one fails (a secret reset in WeChat's console
// invalidates the token and refuses the old secret), that failure is
// Call's.
func (c *Client) Call(ctx context.Context, api string, req Request) (*Answer, error) {
	a, ok := apis[api]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownAPI, api)
	}
	if c.cfg.AppID == "" || c.cfg.Secret == "" {
		return nil, ErrNotConfigured
	}
	p, err := prepare(a, req)
	if err != nil {
		return nil, err
	}
	tok, err := c.tokens.get(ctx, "")
	if err != nil {
		return nil, err
	}
	ans, err := c.send(ctx, a, p, tok)
	var ae *APIError
	if errors.As(err, &ae) && tokenInvalid[ae.Code] {
		fresh, terr := c.tokens.get(ctx, tok)
		if terr != nil {
			return nil, terr
		}
		if fresh == tok {
			return nil, err
		}
		ans, err = c.send(ctx, a, p, fresh)
	}
	return ans, err
}

// send makes one request of a with the access_token tok.
func (c *Client) send(ctx context.Context, a API, p *prepared, tok string) (*Answer, error) {
	q := url.Values{"access_token": {tok}}
	for _, kv := range p.query {
		q.Add(kv[0], kv[1])
	}
	var body io.Reader
	if a.Method == http.MethodPost {
		body = bytes.NewReader(p.body)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, a.Method, c.cfg.BaseURL+a.Path+"?"+q.Encode(), body)
	if err != nil {
		return nil, fmt.Errorf("call WeChat: bad base URL")
	}
	if p.contentType != "" {
		req.Header.Set("Content-Type", p.contentType)
	}
	resp, raw, err := c.do(req)
	if err != nil {
		return nil, err
	}
	return answer(a, resp, raw)
}

// do sends req and reads at most MaxAnswer bytes of its answer. Errors
// never carry the request's URL (it holds the access_token or the secret).
func (c *Client) do(req *http.Request) (*http.Response, []byte, error) {
	resp, err := c.cfg.Client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		if ctxErr := req.Context().Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%w)", ctxErr, err)
		}
		return nil, nil, fmt.Errorf("call WeChat: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read WeChat's answer: %w", err)
	}
	if len(raw) > MaxAnswer {
		return nil, nil, fmt.Errorf("WeChat's answer is larger than %d bytes", MaxAnswer)
	}
	return resp, raw, nil
}

// answer makes an Answer of WeChat's: a file when a expects one and the
// body is not JSON, else JSON whose errcode ≠ 0 is an *APIError. Text
// that is not JSON, sent as text/plain, is {"result": text}, as
// wx-server-sdk makes it.
func answer(a API, resp *http.Response, raw []byte) (*Answer, error) {
	ct := strings.TrimSpace(resp.Header.Get("Content-Type"))
	if a.File && !looksJSON(ct, raw) {
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("WeChat answered HTTP %d (%s)", resp.StatusCode, ct)
		}
		if ct == "" {
			ct = http.DetectContentType(raw)
		}
		return &Answer{ContentType: ct, Body: raw}, nil
	}
	var head struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	js, err := rewriteJSON(raw)
	if err == nil {
		err = json.Unmarshal(raw, &head)
	}
	if err != nil && resp.StatusCode == http.StatusOK && strings.HasPrefix(ct, "text/plain") {
		return &Answer{JSON: append(appendString([]byte(`{"result":`), string(raw)), '}')}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("WeChat answered HTTP %d (%s), not a JSON object", resp.StatusCode, ct)
	}
	if head.ErrCode != 0 {
		return nil, &APIError{Code: head.ErrCode, Msg: clip(head.ErrMsg)}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("WeChat answered HTTP %d", resp.StatusCode)
	}
	return &Answer{JSON: js}, nil
}

// looksJSON reports whether an answer is JSON: its type says so (WeChat
// sends some as text/plain), or it is an object.
func looksJSON(contentType string, body []byte) bool {
	if strings.Contains(contentType, "json") || strings.HasPrefix(contentType, "text/plain") {
		return true
	}
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// clip cuts a message WeChat sent to a readable length.
func clip(msg string) string {
	if len(msg) > 300 {
		msg = strings.ToValidUTF8(msg[:300], "") + "…"
	}
	return msg
}

// prepared is a call's request, made once and sent once or twice.
type prepared struct {
	query       [][2]string // name, value
	body        []byte
	contentType string
}

// prepare checks req against a and makes its request: the parameters
// renamed to WeChat's names, the URL's ones apart, and the body.
func prepare(a API, req Request) (*prepared, error) {
	if len(req.Params) > MaxParams {
		return nil, fmt.Errorf("%w: the parameters are more than %d bytes of JSON", ErrInvalidRequest, MaxParams)
	}
	if len(req.Files) > 0 && !a.Upload {
		return nil, fmt.Errorf("%w: this API takes no file (%s is one)", ErrInvalidRequest, req.Files[0].Field)
	}
	members, err := objectMembers(req.Params)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	p := &prepared{}
	var body bytes.Buffer
	body.WriteByte('{')
	for _, m := range renamed(a, members) {
		name := m.name
		if a.queryParam(name) {
			p.query = append(p.query, [2]string{name, queryValue(m.value)})
			continue
		}
		if body.Len() > 1 {
			body.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		body.Write(k)
		body.WriteByte(':')
		body.Write(m.value)
	}
	body.WriteByte('}')
	switch {
	case a.Upload && len(req.Files) > 0:
		p.body, p.contentType, err = multipartBody(req.Files)
	case a.Upload: // a picture by img_url: everything is in the URL
	case a.Method == http.MethodPost:
		p.body, p.contentType = body.Bytes(), "application/json"
	}
	return p, err
}

// renamed is members by WeChat's names; of two that become one name
// (kid_list and kidList), the later is kept, in the earlier's place.
func renamed(a API, members []member) []member {
	if len(a.Names) == 0 {
		return members
	}
	out := make([]member, 0, len(members))
	at := map[string]int{}
	for _, m := range members {
		m.name = a.name(m.name)
		if i, ok := at[m.name]; ok {
			out[i].value = m.value
			continue
		}
		at[m.name] = len(out)
		out = append(out, m)
	}
	return out
}

// queryValue is a parameter as the URL carries it: a string as it is,
// anything else as its JSON.
func queryValue(raw json.RawMessage) string {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// multipartBody writes files as a multipart/form-data body.
func multipartBody(files []File) ([]byte, string, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	size := 0
	for _, f := range files {
		if size += len(f.Data); size > MaxFiles {
			return nil, "", fmt.Errorf("%w: the files are more than %d bytes together", ErrInvalidRequest, MaxFiles)
		}
		if !ident(f.Field) {
			return nil, "", fmt.Errorf("%w: %q cannot name a file parameter", ErrInvalidRequest, f.Field)
		}
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		name := f.Name
		if name == "" {
			name = f.Field + "." + extension(ct)
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.Field, safeFileName(name)))
		h.Set("Content-Type", ct)
		pw, err := w.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		pw.Write(f.Data)
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), w.FormDataContentType(), nil
}

// extension is the file extension wx-server-sdk gives an upload of type
// ct that has no name (png when it knows none).
func extension(ct string) string {
	ct, _, _ = strings.Cut(ct, ";")
	switch strings.ToLower(strings.TrimSpace(ct)) {
	case "image/jpeg", "image/jpg":
		return "jpg"
	case "image/gif":
		return "gif"
	case "image/bmp":
		return "bmp"
	case "image/webp":
		return "webp"
	case "audio/mpeg", "audio/mp3":
		return "mp3"
	case "audio/amr":
		return "amr"
	case "video/mp4":
		return "mp4"
	}
	return "png"
}

// safeFileName keeps a file name to printable characters without quotes
// or backslashes, at most 128 bytes.
func safeFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == '"' || r == '\\' || r == 0x7f {
			return '_'
		}
		return r
	}, s)
	if len(s) > 128 {
		s = strings.ToValidUTF8(s[:128], "")
	}
	return s
}
