package dbtest

import (
	"strings"
	"testing"

	"minibase/db"
)

// durabilityCases are documents that must come back from a driver exactly
// as they were written: every value, number type and field order.
var durabilityCases = []struct {
	name string
	doc  string
}{
	{"unicode values and keys", `{"_id": "ü-文档-😀", "名字": "微信 😀", "ключ": "значение", "emoji🙂": ["é", "e\u0301"], "esc": "tab\t\"quote\" back\\slash\nline"}`},
	{"dates to the millisecond", `{"_id": "dates", "leap": {"$date": "2024-02-29T23:59:59.999Z"}, "pre1970": {"$date": "1969-12-31T23:59:59.999Z"}, "first": {"$date": "0001-01-01T00:00:00.000Z"}, "last": {"$date": "9999-12-31T23:59:59.999Z"}}`},
	{"int64 beyond 2^53", `{"_id": "ints", "a": 9007199254740993, "b": 9223372036854775807, "c": -9223372036854775808, "d": -9007199254740993}`},
	{"floats", `{"_id": "floats", "a": 0.1, "b": 1.5e300, "c": -2.5, "d": 1e-7, "e": 123456789.125}`},
	{"field order", `{"_id": "order", "z": 1, "a": 2, "m": {"y": 1, "b": [{"q": 1, "c": 2}]}}`},
	{"every type", `{"_id": "types", "null": null, "t": true, "f": false, "e": {}, "arr": [], "s": "", "n": 0, "nested": [[1, [2]], {"x": {"y": null}}]}`},
}

// testDurability writes documents and reads them back unchanged.
func testDurability(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	for i, c := range durabilityCases {
		t.Run(c.name, func(t *testing.T) {
			coll := collName("dur", i)
			insert(t, d, coll, c.doc)
			wantDocs(t, d, coll, "round trip", c.doc)
		})
	}
	t.Run("1 MiB string", func(t *testing.T) {
		big := strings.Repeat("0123456789abcdef", 1<<16)
		doc := db.Doc{{Key: "_id", Value: "big"}, {Key: "s", Value: big}, {Key: "after", Value: int64(1)}}
		if _, err := write(t, d, "big", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
			t.Fatalf("insert: %v", err)
		}
		got := all(t, d, "big")
		if len(got) != 1 || !db.Equal(got[0], doc) {
			t.Errorf("round trip of a 1 MiB string changed the document (%d documents back)", len(got))
		}
	})
}
