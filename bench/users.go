package main

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// userSessions is how many end users the auth scenarios sign in: one per
// worker at the default concurrency, so no two workers share a refresh
// token (rotation would revoke a shared one).
const userSessions = 64

// userSession is one anonymous end user with a document of its own.
type userSession struct {
	access, refresh string
	openid          string
	docID           string
	team            string // the user's team in the rule scenarios (setupOwn)
}

// tokens is the answer of every /v1/auth sign-in and refresh.
type tokens struct {
	Access    string `json:"access_token"`
	Refresh   string `json:"refresh_token"`
	ExpiresIn int    `json:"expires_in"`
	User      struct {
		UID    string `json:"uid"`
		OpenID string `json:"openid"`
	} `json:"user"`
}

func (t *tokens) check() error {
	if t.Access == "" || t.Refresh == "" || t.ExpiresIn <= 0 || t.User.UID == "" || t.User.OpenID == "" {
		return fmt.Errorf("incomplete token answer: %+v", t)
	}
	return nil
}

// setupUsers signs in userSessions anonymous users, each of which adds one
// note to e.userColl (created by the admin).
func setupUsers(ctx context.Context, e *env) error {
	if e.users != nil {
		return nil
	}
	if err := createCollection(ctx, e.cl, e.userColl, indexSets["compound"], false); err != nil {
		return err
	}
	pool := make(chan *userSession, userSessions)
	for i := range userSessions {
		var t tokens
		if err := e.cl.callAs(ctx, "", "POST", "/v1/auth/anonymous", map[string]any{}, &t); err != nil {
			return fmt.Errorf("sign in user %d: %w", i, err)
		}
		if err := t.check(); err != nil {
			return err
		}
		var out struct {
			ID string `json:"_id"`
		}
		note := map[string]any{"data": map[string]any{"title": fmt.Sprintf("note of user %d", i)}}
		if err := e.cl.callAs(ctx, t.Access, "POST", "/v1/db/"+e.userColl+"/insert", note, &out); err != nil {
			return fmt.Errorf("user %d adds a note: %w", i, err)
		}
		pool <- &userSession{access: t.Access, refresh: t.Refresh, openid: t.User.OpenID, docID: out.ID}
	}
	e.users = pool
	return nil
}

// opUserGet: an end user gets its own document by _id, with an access
// token (compare with get, which uses the admin key).
func opUserGet(ctx context.Context, e *env, _ *rand.Rand) error {
	s := <-e.users
	defer func() { e.users <- s }()
	var out struct {
		Data *struct {
			ID     string `json:"_id"`
			OpenID string `json:"_openid"`
		} `json:"data"`
	}
	if err := e.cl.callAs(ctx, s.access, "GET", "/v1/db/"+e.userColl+"/docs/"+s.docID, nil, &out); err != nil {
		return err
	}
	if out.Data == nil || out.Data.ID != s.docID || out.Data.OpenID == "" {
		return fmt.Errorf("user get %s: got %+v", s.docID, out.Data)
	}
	return nil
}

// opRefresh: an end user trades its refresh token for new tokens (rotation).
func opRefresh(ctx context.Context, e *env, _ *rand.Rand) error {
	s := <-e.users
	defer func() { e.users <- s }()
	var t tokens
	if err := e.cl.callAs(ctx, "", "POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.refresh}, &t); err != nil {
		return err
	}
	if err := t.check(); err != nil {
		return err
	}
	if t.Refresh == s.refresh {
		return fmt.Errorf("refresh did not rotate the refresh token")
	}
	s.access, s.refresh = t.Access, t.Refresh
	return nil
}
