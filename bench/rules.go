package main

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// ownDocs is how many notes each signed-in user owns in the rule scenarios.
const ownDocs = 30

// The rule scenarios read the same notes (ownDocs per user) from four
// collections that differ only in their rules: <coll>_priv (PRIVATE, the
// default), <coll>_rule (the custom rule that PRIVATE stands for) and
// <coll>_team (a rule with one get() of the user's team document in
// <coll>_teams). They answer: what does a rule check cost an indexed query?
func (e *env) privColl() string  { return e.coll + "_priv" }
func (e *env) ruleColl() string  { return e.coll + "_rule" }
func (e *env) teamColl() string  { return e.coll + "_team" }
func (e *env) teamsColl() string { return e.coll + "_teams" }

// setupOwn signs the users in (setupUsers) and seeds the rule scenarios'
// collections, rules and indexes.
func setupOwn(ctx context.Context, e *env) error {
	if e.ownReady {
		return nil
	}
	if err := setupUsers(ctx, e); err != nil {
		return err
	}
	teamRule := fmt.Sprintf("auth.openid in get('database.%s.' + doc.team).members", e.teamsColl())
	colls := []struct {
		name, index string
		rules       any
	}{
		{e.privColl(), "_openid", map[string]string{"preset": "PRIVATE"}},
		{e.ruleColl(), "_openid", map[string]string{"read": "doc._openid == auth.openid", "write": "doc._openid == auth.openid"}},
		{e.teamColl(), "team", map[string]string{"read": teamRule, "write": "false"}},
		{e.teamsColl(), "", map[string]string{"preset": "ADMINONLY"}},
	}
	for _, c := range colls {
		if err := e.cl.call(ctx, "POST", "/v1/admin/collections", map[string]string{"name": c.name}, nil); err != nil {
			return fmt.Errorf("create %s: %w", c.name, err)
		}
		if err := e.cl.call(ctx, "PUT", "/v1/admin/collections/"+c.name+"/rules", c.rules, nil); err != nil {
			return fmt.Errorf("rules of %s: %w", c.name, err)
		}
		if c.index != "" {
			if err := e.cl.call(ctx, "POST", "/v1/admin/collections/"+c.name+"/indexes", map[string]any{"keys": map[string]int{c.index: 1}}, nil); err != nil {
				return fmt.Errorf("index %s on %s: %w", c.index, c.name, err)
			}
		}
	}
	sessions := make([]*userSession, 0, userSessions)
	for range userSessions {
		sessions = append(sessions, <-e.users)
	}
	defer func() {
		for _, s := range sessions {
			e.users <- s
		}
	}()
	for i, s := range sessions {
		s.team = fmt.Sprintf("team%03d", i)
		notes := make([]map[string]any, ownDocs)
		for k := range notes {
			notes[k] = map[string]any{"_openid": s.openid, "team": s.team, "n": k, "title": fmt.Sprintf("note %d of user %d", k, i)}
		}
		for _, coll := range []string{e.privColl(), e.ruleColl(), e.teamColl()} {
			if err := e.cl.call(ctx, "POST", "/v1/db/"+coll+"/insert", map[string]any{"data": notes}, nil); err != nil {
				return fmt.Errorf("seed %s: %w", coll, err)
			}
		}
		team := map[string]any{"_id": s.team, "members": []string{s.openid}}
		if err := e.cl.call(ctx, "POST", "/v1/db/"+e.teamsColl()+"/insert", map[string]any{"data": team}, nil); err != nil {
			return fmt.Errorf("seed teams: %w", err)
		}
	}
	e.ownReady = true
	return nil
}

// ownQuery lists 20 of a user's notes from coll, as token (the admin key
// when empty), and checks that all of them are the user's.
func (e *env) ownQuery(ctx context.Context, token, coll string, filter map[string]any, s *userSession) error {
	var out struct {
		Data []struct {
			OpenID string `json:"_openid"`
		} `json:"data"`
	}
	req := map[string]any{"filter": filter, "limit": pageSize}
	var err error
	if token == "" {
		err = e.cl.call(ctx, "POST", "/v1/db/"+coll+"/query", req, &out)
	} else {
		err = e.cl.callAs(ctx, token, "POST", "/v1/db/"+coll+"/query", req, &out)
	}
	if err != nil {
		return err
	}
	if len(out.Data) != pageSize {
		return fmt.Errorf("%s: got %d notes, want %d", coll, len(out.Data), pageSize)
	}
	for _, d := range out.Data {
		if d.OpenID != s.openid {
			return fmt.Errorf("%s: got a note of %q, want only %q's", coll, d.OpenID, s.openid)
		}
	}
	return nil
}

// withUser runs fn with a signed-in user from the pool.
func (e *env) withUser(fn func(s *userSession) error) error {
	s := <-e.users
	defer func() { e.users <- s }()
	return fn(s)
}

func opOwnAdmin(ctx context.Context, e *env, _ *rand.Rand) error {
	return e.withUser(func(s *userSession) error {
		return e.ownQuery(ctx, "", e.privColl(), map[string]any{"_openid": s.openid}, s)
	})
}

func opOwnPrivate(ctx context.Context, e *env, _ *rand.Rand) error {
	return e.withUser(func(s *userSession) error {
		return e.ownQuery(ctx, s.access, e.privColl(), map[string]any{}, s)
	})
}

func opOwnRule(ctx context.Context, e *env, _ *rand.Rand) error {
	return e.withUser(func(s *userSession) error {
		return e.ownQuery(ctx, s.access, e.ruleColl(), map[string]any{"_openid": "{openid}"}, s)
	})
}

func opOwnGet(ctx context.Context, e *env, _ *rand.Rand) error {
	return e.withUser(func(s *userSession) error {
		return e.ownQuery(ctx, s.access, e.teamColl(), map[string]any{"team": s.team}, s)
	})
}
