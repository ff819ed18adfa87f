package postgres

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"minibase/db"
	"minibase/db/postgres/pgtest"
	"minibase/db/sqlite"
)

// BenchmarkDrivers compares this driver with SQLite, side by side, on the
// per-operation paths of the bench scenarios over 10,000 documents shaped
// like bench's posts: create (one insert), get (by _id), list (newest 20
// by _id), filter (20 of one author's posts, author indexed). Run it
// short: go test ./db/postgres -run '^$' -bench Drivers -benchtime 300x
func BenchmarkDrivers(b *testing.B) {
	drivers := []struct {
		name string
		open func(b *testing.B) db.Driver
	}{
		{"sqlite", func(b *testing.B) db.Driver {
			d, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "b.db"), sqlite.Options{Synchronous: "NORMAL"})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { d.Close() })
			return d
		}},
		{"postgres", func(b *testing.B) db.Driver {
			d, err := Open(context.Background(), pgtest.Database(b), Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { d.Close() })
			return d
		}},
	}
	lorem := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 9)
	post := func(i int) db.Doc {
		return db.Doc{
			{Key: "_id", Value: fmt.Sprintf("%032d", i)},
			{Key: "title", Value: fmt.Sprintf("post %d", i)},
			{Key: "description", Value: lorem},
			{Key: "author", Value: fmt.Sprintf("u%d", i%100)},
			{Key: "score", Value: int64(i % 1000)},
		}
	}
	for _, drv := range drivers {
		b.Run(drv.name, func(b *testing.B) {
			ctx := context.Background()
			d := drv.open(b)
			docs := make([]db.Doc, 10000)
			for i := range docs {
				docs[i] = post(i)
			}
			if _, err := d.Write(ctx, "posts", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
				b.Fatal(err)
			}
			if err := d.CreateIndex(ctx, "posts", db.Index{Keys: []db.IndexKey{{Path: "author"}}}); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			next.Store(1 << 20)
			run := func(name string, fn func(i int) error) {
				b.Run(name, func(b *testing.B) {
					for i := 0; b.Loop(); i++ {
						if err := fn(i); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			run("create", func(i int) error {
				_, err := d.Write(ctx, "posts", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{post(int(next.Add(1)))}})
				return err
			})
			run("get", func(i int) error {
				f, _ := db.ParseFilter(db.Doc{{Key: "_id", Value: fmt.Sprintf("%032d", i%10000)}})
				raws, err := d.Find(ctx, "posts", &db.Query{Filter: f, Sort: []db.SortKey{{Path: "_id"}}, Limit: 1})
				if err == nil && len(raws) != 1 {
					err = fmt.Errorf("get: %d documents", len(raws))
				}
				return err
			})
			run("list", func(i int) error {
				raws, err := d.Find(ctx, "posts", &db.Query{Sort: []db.SortKey{{Path: "_id", Desc: true}}, Limit: 20})
				if err == nil && len(raws) != 20 {
					err = fmt.Errorf("list: %d documents", len(raws))
				}
				return err
			})
			run("filter", func(i int) error {
				f, _ := db.ParseFilter(db.Doc{{Key: "author", Value: fmt.Sprintf("u%d", i%100)}})
				raws, err := d.Find(ctx, "posts", &db.Query{Filter: f, Sort: []db.SortKey{{Path: "_id"}}, Limit: 20})
				if err == nil && len(raws) != 20 {
					err = fmt.Errorf("filter: %d documents", len(raws))
				}
				return err
			})
		})
	}
}
