package server

import (
	"minibase/db/sqlite"
	"minibase/functions"
	"minibase/functions/openapi"
)

// The glue for WeChat's server APIs (cloud.openapi): the same mini-program
// as WeChat login (MINIBASE_WECHAT_APPID, _SECRET, _API_BASE), its
// access_token kept in data.db so that a restart, and later every node,
// uses one token. (Login itself is auth/wechat's, in providers.go.)

var _ openapi.TokenStore = (*sqlite.AppTokens)(nil)

// openAPI returns cloud.openapi's client, or nil (its calls then say what
// to set) when the mini-program is not configured.
func (s *Server) openAPI() functions.OpenAPI {
	w := s.Config.Auth.Providers.WeChat
	if w.AppID == "" || w.Secret == "" {
		return nil
	}
	return openapi.New(openapi.Config{AppID: w.AppID, Secret: w.Secret, BaseURL: w.BaseURL, Client: w.Client,
		Store: s.store.AppTokens(), OnError: func(err error) { s.log.Warn("WeChat access_token", "err", err) }})
}
