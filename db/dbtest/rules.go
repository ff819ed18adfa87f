package dbtest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"minibase/db"
)

// testRules checks what db.Service's security rules rely on: a collection's
// rules are stored and dropped with it, and WriteOp.Check sees every
// document a write would change before it does, and can stop all of it.
func testRules(t *testing.T, open func(t *testing.T) db.Driver) {
	t.Run("stored with the collection", func(t *testing.T) {
		d := open(t)
		ctx := t.Context()
		insert(t, d, "c", `{"_id": "1"}`)
		if got, err := d.Rules(ctx, "c"); err != nil || got != nil {
			t.Fatalf("Rules of a new collection: %q %v, want nil (the default)", got, err)
		}
		raw := []byte(`{"read":true,"write":"doc._openid == auth.openid"}`)
		if err := d.SetRules(ctx, "c", raw); err != nil {
			t.Fatal(err)
		}
		raw[2] = 'X' // the driver keeps its own copy
		if got, _ := d.Rules(ctx, "c"); string(got) != `{"read":true,"write":"doc._openid == auth.openid"}` {
			t.Errorf("Rules after SetRules: %s", got)
		}
		if err := d.SetRules(ctx, "c", nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := d.Rules(ctx, "c"); got != nil {
			t.Errorf("Rules after SetRules(nil): %s, want nil", got)
		}
		_ = d.SetRules(ctx, "c", []byte(`{"preset":"READONLY"}`))
		if err := d.DropCollection(ctx, "c"); err != nil {
			t.Fatal(err)
		}
		_, err := d.Rules(ctx, "c")
		wantCode(t, "Rules of a dropped collection", err, db.CodeCollectionNotExist)
		wantCode(t, "SetRules of a missing collection", d.SetRules(ctx, "c", []byte(`{}`)), db.CodeCollectionNotExist)
		insert(t, d, "c", `{"_id": "1"}`)
		if got, _ := d.Rules(ctx, "c"); got != nil {
			t.Errorf("a recreated collection has the old rules %s", got)
		}
	})
	t.Run("check", func(t *testing.T) { testCheck(t, open(t)) })
}

var errVeto = errors.New("veto")

func testCheck(t *testing.T, d db.Driver) {
	seed := []string{`{"_id": "a", "o": "x", "n": 1}`, `{"_id": "b", "o": "y", "n": 2}`, `{"_id": "c", "o": "x", "n": 3}`}
	insert(t, d, "k", seed...)
	var seen []string
	veto := func(id string) func(old, next db.Doc) error {
		return func(old, next db.Doc) error {
			seen = append(seen, fmt.Sprintf("%s>%s", show1(old), show1(next)))
			if old != nil && old.ID() == id {
				return errVeto
			}
			return nil
		}
	}
	cases := []struct {
		name string
		op   *db.WriteOp
		veto string
		want []string // what Check saw, in _id order
		err  bool
	}{
		{"update all", &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{"o": "x"}`), Update: parseUpdate(t, `{"$inc": {"n": 10}}`), Multi: true},
			"", []string{`a:1>a:11`, `c:3>c:13`}, false},
		{"update vetoed", &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{}`), Update: parseUpdate(t, `{"$set": {"n": 0}}`), Multi: true},
			"b", []string{`a:11>a:0`, `b:2>b:0`}, true},
		{"unchanged documents are checked too", &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{"_id": "b"}`), Update: parseUpdate(t, `{"$set": {"n": 2}}`)},
			"", []string{`b:2>b:2`}, false},
		{"replace", &db.WriteOp{Kind: db.WriteReplace, Doc: decodeDoc(t, `{"_id": "b", "n": 5}`)}, "", []string{`b:2>b:5`}, false},
		{"replace creating", &db.WriteOp{Kind: db.WriteReplace, Doc: decodeDoc(t, `{"_id": "z", "n": 6}`)}, "", []string{`-:>z:6`}, false},
		{"replace vetoed", &db.WriteOp{Kind: db.WriteReplace, Doc: decodeDoc(t, `{"_id": "a", "n": 7}`)}, "a", []string{`a:11>a:7`}, true},
		{"remove vetoed", &db.WriteOp{Kind: db.WriteRemove, Filter: parseFilter(t, `{"n": {"$gte": 5}}`), Multi: true}, "c", []string{`a:11>-:`, `b:5>-:`, `c:13>-:`}, true},
		{"remove", &db.WriteOp{Kind: db.WriteRemove, Filter: parseFilter(t, `{"_id": "z"}`)}, "", []string{`z:6>-:`}, false},
	}
	for _, c := range cases {
		seen = nil
		c.op.Check = veto(c.veto)
		before := all(t, d, "k")
		_, err := write(t, d, "k", c.op)
		if c.err != errors.Is(err, errVeto) {
			t.Errorf("%s: error %v, want veto %v", c.name, err, c.err)
		}
		if !slices.Equal(seen, c.want) {
			t.Errorf("%s: Check saw %v, want %v", c.name, seen, c.want)
		}
		if c.err && !sameDocs(all(t, d, "k"), before) {
			t.Errorf("%s: a vetoed write changed the collection to%s", c.name, showDocs(all(t, d, "k")))
		}
	}
	wantDocs(t, d, "k", "after the checked writes", `{"_id": "a", "o": "x", "n": 11}`, `{"_id": "b", "n": 5}`, `{"_id": "c", "o": "x", "n": 13}`)
}

// show1 is "id:n" of a document, or "-:" for none.
func show1(d db.Doc) string {
	if d == nil {
		return "-:"
	}
	n, _ := d.Get("n")
	return fmt.Sprintf("%s:%v", d.ID(), n)
}
