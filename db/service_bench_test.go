//go:build !minibase_fuzz

package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"minibase/auth"
	"minibase/db"
	"minibase/db/sqlite"
)

// BenchmarkGetByID reads one document by id, without HTTP: as an admin, as
// its owner under PRIVATE, and under a custom read rule that does not read
// the document (`auth != null`), where the rule is decided before the
// request is looked at.
func BenchmarkGetByID(b *testing.B) {
	ctx := context.Background()
	drv, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "g.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	defer drv.Close()
	s := db.NewService(drv, db.Limits{})
	admin := auth.NewContext(ctx, &auth.Identity{Role: auth.Admin})
	user := auth.NewContext(ctx, &auth.Identity{Role: auth.User, UID: "u1", OpenID: "o1"})
	for _, c := range []struct{ name, rules string }{
		{"priv", `{"preset":"PRIVATE"}`},
		{"signedin", `{"read":"auth != null","write":false}`},
	} {
		if _, err := s.CreateCollection(admin, db.Doc{{"name", c.name}}); err != nil {
			b.Fatal(err)
		}
		v, _ := db.DecodeJSON([]byte(c.rules), db.MaxDepth)
		if _, err := s.SetRules(admin, c.name, v.(db.Doc)); err != nil {
			b.Fatal(err)
		}
		d := db.Doc{{"_id", "d1"}, {"_openid", "o1"}, {"title", "a note of some length, like a title"}, {"n", int64(7)}}
		if _, _, err := s.Insert(admin, c.name, db.Doc{{"data", d}}); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
		coll string
	}{
		{"admin", admin, "priv"},
		{"owner-PRIVATE", user, "priv"},
		{"user-custom", user, "signedin"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.GetDoc(c.ctx, c.coll, "d1", nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
