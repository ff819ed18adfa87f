package postgres

import (
	"context"
	"testing"

	"minibase/db"
	"minibase/db/postgres/pgtest"
)

// TestSchemaKeepsCollectionsApart: a driver opened with a Schema has
// collections of its own in the same database (the functions' log store
// beside the app's data): a "logs" collection there is not the app's
// "logs", and neither lists the other's. A schema name that is no plain
// identifier is refused.
func TestSchemaKeepsCollectionsApart(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	app, err := Open(ctx, url, Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	logs, err := Open(ctx, url, Options{MaxConns: 4, Schema: "minibase_fnlogs"})
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	doc := db.Doc{{Key: "_id", Value: "a"}, {Key: "from", Value: "logs"}}
	if _, err := logs.Write(ctx, "logs", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Write(ctx, "logs", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{{{Key: "_id", Value: "a"}, {Key: "from", Value: "app"}}}}); err != nil {
		t.Fatalf("the app's own logs collection, with the same _id: %v", err)
	}
	for _, c := range []struct {
		d    *DB
		want string
	}{{app, `"app"`}, {logs, `"logs"`}} {
		got, err := c.d.Find(ctx, "logs", &db.Query{})
		if err != nil || len(got) != 1 {
			t.Fatalf("Find = %q, %v", got, err)
		}
		v, _ := decodeDoc(got[0])
		if from, _ := v.Get("from"); from != c.want[1:len(c.want)-1] {
			t.Errorf("found %s, want the document with from %s", got[0], c.want)
		}
	}
	if err := logs.CreateCollection(ctx, "invocations"); err != nil {
		t.Fatal(err)
	}
	colls, err := app.Collections(ctx)
	if err != nil || len(colls) != 1 || colls[0].Name != "logs" {
		t.Errorf("the app's collections = %+v, %v; want only its logs", colls, err)
	}
	for _, bad := range []string{"Fn", "a-b", "x; DROP TABLE _collections", "1x"} {
		if d, err := Open(ctx, url, Options{Schema: bad}); err == nil {
			d.Close()
			t.Errorf("schema %q was accepted", bad)
		}
	}
}
