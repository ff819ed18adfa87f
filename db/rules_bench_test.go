//go:build !minibase_fuzz

package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"minibase/auth"
	"minibase/db"
	"minibase/db/sqlite"
)

// BenchmarkOwn20 lists 20 of a user's 30 notes (100 users, an index on
// _openid or team) as an admin, as the user under PRIVATE, under the
// custom rule PRIVATE stands for, and under a rule with one get(): the
// cost of the rule check on an indexed query, without HTTP.
func BenchmarkOwn20(b *testing.B) {
	ctx := context.Background()
	drv, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "b.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	defer drv.Close()
	s := db.NewService(drv, db.Limits{})
	admin := auth.NewContext(ctx, &auth.Identity{Role: auth.Admin})
	must := func(_ any, err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	mk := func(name, index, rules string) {
		must(s.CreateCollection(admin, db.Doc{{"name", name}}))
		must(s.CreateIndex(admin, name, db.Doc{{"keys", db.Doc{{index, int64(1)}}}}))
		v, _ := db.DecodeJSON([]byte(rules), db.MaxDepth)
		must(s.SetRules(admin, name, v.(db.Doc)))
	}
	mk("priv", "_openid", `{"preset":"PRIVATE"}`)
	mk("rule", "_openid", `{"read":"doc._openid == auth.openid","write":"doc._openid == auth.openid"}`)
	mk("team", "team", `{"read":"auth.openid in get('database.teams.' + doc.team).members","write":false}`)
	mk("teams", "members", `{"preset":"ADMINONLY"}`)
	for u := range 100 {
		var notes []any
		for k := range 30 {
			notes = append(notes, db.Doc{{"_openid", fmt.Sprintf("o%d", u)}, {"team", fmt.Sprintf("t%d", u)}, {"n", int64(k)}, {"title", "a note of some length, like a title"}})
		}
		for _, c := range []string{"priv", "rule", "team"} {
			_, _, err := s.Insert(admin, c, db.Doc{{"data", notes}})
			must(nil, err)
		}
		_, _, err := s.Insert(admin, "teams", db.Doc{{"data", db.Doc{{"_id", fmt.Sprintf("t%d", u)}, {"members", []any{fmt.Sprintf("o%d", u)}}}}})
		must(nil, err)
	}
	user := auth.NewContext(ctx, &auth.Identity{Role: auth.User, UID: "u7", OpenID: "o7"})
	cases := []struct {
		name string
		ctx  context.Context
		coll string
		body db.Doc
	}{
		{"admin", admin, "priv", db.Doc{{"filter", db.Doc{{"_openid", "o7"}}}, {"limit", int64(20)}}},
		{"private", user, "priv", db.Doc{{"filter", db.Doc{}}, {"limit", int64(20)}}},
		{"rule", user, "rule", db.Doc{{"filter", db.Doc{{"_openid", "{openid}"}}}, {"limit", int64(20)}}},
		{"admin-team", admin, "team", db.Doc{{"filter", db.Doc{{"team", "t7"}}}, {"limit", int64(20)}}},
		{"get", user, "team", db.Doc{{"filter", db.Doc{{"team", "t7"}}}, {"limit", int64(20)}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				docs, err := s.Query(c.ctx, c.coll, c.body)
				if err != nil || len(docs) != 20 {
					b.Fatalf("%d docs, %v", len(docs), err)
				}
			}
		})
	}
}
