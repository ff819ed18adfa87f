package server

import (
	"sync"
	"sync/atomic"

	"minibase/auth/wechat"
	"minibase/functions"
	"minibase/functions/openapi"
)

// The glue for WeChat's server APIs (cloud.openapi): the same mini-program
// as WeChat login (MINIBASE_WECHAT_APPID, _SECRET, _API_BASE, or the
// console's auth.wechat.appId and appSecret over them), its access_token
// kept in data.db so that a restart, and every node, uses one token.
// (Login itself is auth/wechat's, in providers.go.)

// wechatApp is the mini-program the functions act for: the settings swap
// it in (putInForce), the functions read it at every use (its App).
type wechatApp struct {
	mu  sync.Mutex // serialises swaps
	cur atomic.Pointer[wechatInForce]
}

// wechatInForce is one appid and secret and cloud.openapi's client for
// them (nil when they are not set).
type wechatInForce struct {
	appID, secret string
	client        functions.OpenAPI
}

var _ functions.WeChatApp = (*wechatApp)(nil)

// App is functions.WeChatApp's.
func (w *wechatApp) App() (string, functions.OpenAPI) {
	p := w.cur.Load()
	if p == nil {
		return "", nil
	}
	return p.appID, p.client
}

// setWeChat puts the mini-program of cfg (the settings' appid and secret
// over the variables) in force for the functions. The same appid and
// secret keep the client, and its token in memory; others get a new
// client, with no token in memory, so no token of the previous app is
// used (data.db keeps tokens by appid: a new appid finds none of the old
// one's; a new secret of the same appid finds that app's token, and
// fetches a new one with the new secret when WeChat refuses it).
func (s *Server) setWeChat(cfg wechat.Config) {
	w := &s.wechat
	w.mu.Lock()
	defer w.mu.Unlock()
	if p := w.cur.Load(); p != nil && p.appID == cfg.AppID && p.secret == cfg.Secret {
		return
	}
	next := &wechatInForce{appID: cfg.AppID, secret: cfg.Secret}
	if cfg.AppID != "" && cfg.Secret != "" {
		next.client = openapi.New(openapi.Config{AppID: cfg.AppID, Secret: cfg.Secret, BaseURL: cfg.BaseURL, Client: cfg.Client,
			Store: s.store.tokens, OnError: func(err error) { s.log.Warn("WeChat access_token", "err", err) }})
	}
	w.cur.Store(next)
}
