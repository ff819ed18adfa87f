package openapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// TokenStore keeps apps' access tokens where every node of a cluster
// sees them, with a lease so that one node at a time fetches a new one.
// Times are kept to the millisecond. db/sqlite's AppTokens is one;
// openapitest is the suite every implementation passes.
type TokenStore interface {
	// Token returns app's stored token and the time to stop using it; ""
	// and the zero time when there is none.
	Token(ctx context.Context, app string) (token string, expires time.Time, err error)
	// LeaseToken gives holder the right to fetch app's next token until
	// `until`, unless another holder's lease runs past now, and reports
	// whether holder has it. The holder of a running lease renews it.
	LeaseToken(ctx context.Context, app, holder string, now, until time.Time) (bool, error)
	// SaveToken stores app's token and ends holder's lease. When another
	// holder has taken the lease since (holder's ran out), it stores
	// nothing: the newer holder's token will be the one kept.
	SaveToken(ctx context.Context, app, holder, token string, expires time.Time) error
	// ReleaseToken ends holder's lease on app, keeping the stored token
	// (holder's fetch failed).
	ReleaseToken(ctx context.Context, app, holder string) error
}

// Timing of the token's upkeep.
const (
	// refreshMargin: a token is replaced this long before WeChat's expiry
	// (or halfway through its life, when that is shorter), so a call never
	// sends one that expires on the way.
	refreshMargin = 5 * time.Minute
	// leaseTerm: a node that took the lease and died is taken over after
	// this long; longer than a fetch may last (Config.Timeout).
	leaseTerm = 30 * time.Second
	// leasePoll: how often a node waiting for another's fetch looks again.
	leasePoll = 100 * time.Millisecond
	// forceGap: WeChat allows a forced refresh every 30 s (and 20 a day):
	// a node forces at most one per gap.
	forceGap = 30 * time.Second
	// maxTokenLen bounds the access_token kept (WeChat's are ~150 bytes;
	// it documents at least 512 bytes of room).
	maxTokenLen = 2048
)

// tokens is a Client's access_token: a copy in memory, the shared one in
// the store, and the fetching of new ones, one at a time.
type tokens struct {
	c      *Client
	holder string        // this Client's name for leases
	flight chan struct{} // held by the one goroutine loading or fetching

	mu        sync.Mutex
	token     string
	expires   time.Time // when to stop using token
	lastForce time.Time
}

func newTokens(c *Client) *tokens {
	var id [8]byte
	rand.Read(id[:])
	return &tokens{c: c, holder: hex.EncodeToString(id[:]), flight: make(chan struct{}, 1)}
}

// get returns a valid access_token other than bad: the one in memory, the
// store's, or a new one fetched from WeChat. bad is a token WeChat has
// just called invalid ("" on a first try); a new token is then forced
// unless another goroutine or node has already replaced it.
func (t *tokens) get(ctx context.Context, bad string) (string, error) {
	if tok := t.cached(bad); tok != "" {
		return tok, nil
	}
	select {
	case t.flight <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("wait for the access_token: %w", ctx.Err())
	}
	defer func() { <-t.flight }()
	if tok := t.cached(bad); tok != "" { // fetched while this one waited
		return tok, nil
	}
	return t.load(ctx, bad)
}

// cached returns the token in memory when it is still good and not bad.
func (t *tokens) cached(bad string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.token != bad && t.c.cfg.Now().Before(t.expires) {
		return t.token
	}
	return ""
}

func (t *tokens) keep(tok string, exp time.Time) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.token, t.expires = tok, exp
	return tok
}

// load takes the store's token when it is good, else the lease and a new
// token from WeChat; while another node holds the lease, it waits for that
// node's token.
func (t *tokens) load(ctx context.Context, bad string) (string, error) {
	cfg := &t.c.cfg
	for {
		tok, exp, err := cfg.Store.Token(ctx, cfg.AppID)
		if err != nil {
			return "", fmt.Errorf("read the access_token: %w", err)
		}
		now := cfg.Now()
		if tok != "" && tok != bad && now.Before(exp) {
			return t.keep(tok, exp), nil
		}
		got, err := cfg.Store.LeaseToken(ctx, cfg.AppID, t.holder, now, now.Add(leaseTerm))
		if err != nil {
			return "", fmt.Errorf("lease the access_token: %w", err)
		}
		if got {
			return t.fetch(ctx, bad != "" && tok == bad)
		}
		select {
		case <-time.After(leasePoll):
		case <-ctx.Done():
			return "", fmt.Errorf("wait for another node's access_token: %w", ctx.Err())
		}
	}
}

// fetch gets a new token from WeChat under the lease, stores it and
// releases the lease. force asks WeChat for a new token even though the
// current one has not expired (it said the current one is invalid); it
// is not asked more than once per forceGap.
func (t *tokens) fetch(ctx context.Context, force bool) (string, error) {
	cfg := &t.c.cfg
	if force {
		t.mu.Lock()
		if cfg.Now().Sub(t.lastForce) < forceGap {
			force = false
		} else {
			t.lastForce = cfg.Now()
		}
		t.mu.Unlock()
	}
	start := cfg.Now()
	tok, life, err := t.stableToken(ctx, force)
	if err != nil {
		if rerr := cfg.Store.ReleaseToken(context.WithoutCancel(ctx), cfg.AppID, t.holder); rerr != nil {
			t.report(fmt.Errorf("release the access_token's lease: %w", rerr))
		}
		return "", err
	}
	exp := start.Add(life - min(refreshMargin, life/2))
	if err := cfg.Store.SaveToken(context.WithoutCancel(ctx), cfg.AppID, t.holder, tok, exp); err != nil {
		t.report(fmt.Errorf("store the access_token: %w", err)) // it is good: use it anyway
	}
	return t.keep(tok, exp), nil
}

func (t *tokens) report(err error) {
	if t.c.cfg.OnError != nil {
		t.c.cfg.OnError(err)
	}
}

// stableToken calls POST /cgi-bin/stable_token: the access_token and how
// long WeChat says it lives.
func (t *tokens) stableToken(ctx context.Context, force bool) (string, time.Duration, error) {
	c := t.c
	body, _ := json.Marshal(map[string]any{
		"grant_type": "client_credential", "appid": c.cfg.AppID, "secret": c.cfg.Secret, "force_refresh": force,
	})
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+"/cgi-bin/stable_token", bytes.NewReader(body))
	if err != nil {
		return "", 0, errors.New("get the access_token: bad base URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, raw, err := c.do(req)
	if err != nil {
		return "", 0, fmt.Errorf("get the access_token: %w", err)
	}
	var ans struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		ErrCode     int    `json:"errcode"`
		ErrMsg      string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return "", 0, fmt.Errorf("get the access_token: WeChat answered HTTP %d (%s), not JSON", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	switch {
	case ans.ErrCode != 0:
		return "", 0, &APIError{Code: ans.ErrCode, Msg: clip(redact(ans.ErrMsg, c.cfg.Secret)), Token: true}
	case ans.AccessToken == "" || len(ans.AccessToken) > maxTokenLen:
		return "", 0, errors.New("get the access_token: WeChat's answer has no usable access_token")
	case ans.ExpiresIn <= 0 || ans.ExpiresIn > 7*24*3600:
		return "", 0, fmt.Errorf("get the access_token: WeChat's answer says it expires in %d s", ans.ExpiresIn)
	}
	return ans.AccessToken, time.Duration(ans.ExpiresIn) * time.Second, nil
}

// redact is msg with secret (which WeChat may echo) blanked out.
func redact(msg, secret string) string {
	if secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, secret, "[secret]")
}

// memStore is a TokenStore in memory: the Client's own when Config has
// none.
type memStore struct {
	mu   sync.Mutex
	apps map[string]*memToken
}

type memToken struct {
	token          string
	expires, until time.Time
	holder         string
}

var _ TokenStore = (*memStore)(nil)

func (m *memStore) app(app string) *memToken {
	if m.apps == nil {
		m.apps = map[string]*memToken{}
	}
	if m.apps[app] == nil {
		m.apps[app] = &memToken{}
	}
	return m.apps[app]
}

func (m *memStore) Token(_ context.Context, app string) (string, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.app(app)
	return a.token, a.expires, nil
}

func (m *memStore) LeaseToken(_ context.Context, app, holder string, now, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.app(app)
	if a.holder != "" && a.holder != holder && a.until.After(now) {
		return false, nil
	}
	a.holder, a.until = holder, time.UnixMilli(until.UnixMilli())
	return true, nil
}

func (m *memStore) SaveToken(_ context.Context, app, holder, token string, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.app(app)
	if a.holder != holder {
		return nil
	}
	a.token, a.expires, a.holder, a.until = token, time.UnixMilli(expires.UnixMilli()), "", time.Time{}
	return nil
}

func (m *memStore) ReleaseToken(_ context.Context, app, holder string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.app(app)
	if a.holder == holder {
		a.holder, a.until = "", time.Time{}
	}
	return nil
}
