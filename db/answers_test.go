package db_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"minibase/db"
)

// The answers' JSON, byte for byte: the shapes of README "HTTP API", with
// objects' keys in the order the HTTP API has always sent them.
func TestAnswers(t *testing.T) {
	for _, c := range []struct {
		name string
		a    interface{ AppendJSON([]byte) []byte }
		want string
	}{
		{"query", db.QueryAnswer{Docs: [][]byte{[]byte(`{"_id":"a","n":1}`), []byte(`{"_id":"b"}`)}}, `{"data":[{"_id":"a","n":1},{"_id":"b"}]}`},
		{"query of nothing", db.QueryAnswer{}, `{"data":[]}`},
		{"doc", db.DocAnswer{Doc: []byte(`{"_id":"a","when":{"$date":"2024-01-01T00:00:00.000Z"}}`)}, `{"data":{"_id":"a","when":{"$date":"2024-01-01T00:00:00.000Z"}}}`},
		{"count", db.CountAnswer{Total: 42}, `{"total":42}`},
		{"insert one", db.InsertAnswer{IDs: []string{"a\"b"}}, `{"_id":"a\"b"}`},
		{"insert many", db.InsertAnswer{IDs: []string{"a", "b"}, Many: true}, `{"_ids":["a","b"]}`},
		{"update", db.UpdateAnswer{Result: db.WriteResult{Matched: 3, Updated: 2}}, `{"stats":{"matched":3,"updated":2}}`},
		{"upsert", db.UpdateAnswer{Result: db.WriteResult{UpsertedID: "u"}}, `{"stats":{"created":1,"matched":0,"updated":0},"upsertedId":"u"}`},
		{"remove", db.RemoveAnswer{Removed: 7}, `{"stats":{"removed":7}}`},
		{"set replaces", db.SetAnswer{ID: "d", Result: db.WriteResult{Matched: 1, Updated: 1}}, `{"_id":"d","stats":{"created":0,"updated":1}}`},
		{"set creates", db.SetAnswer{ID: "d", Result: db.WriteResult{UpsertedID: "d"}}, `{"_id":"d","stats":{"created":1,"updated":0}}`},
		{"update a document", db.UpdateDocAnswer{Result: db.WriteResult{Matched: 1, Updated: 1}}, `{"stats":{"updated":1}}`},
		{"name", db.NameAnswer{Name: "todos"}, `{"name":"todos"}`},
	} {
		if got := string(c.a.AppendJSON([]byte("prefix:"))); got != "prefix:"+c.want {
			t.Errorf("%s: %s, want prefix:%s", c.name, got, c.want)
		}
	}
	q := db.QueryAnswer{Docs: [][]byte{[]byte(`{"_id":"a"}`), []byte(`{"_id":"bb"}`)}}
	if got, want := q.Size(), len(q.AppendJSON(nil)); got < want {
		t.Errorf("QueryAnswer.Size %d, its JSON is %d bytes", got, want)
	}
}

// FuzzAnswers: whatever ids, names and counts an answer carries, its JSON
// is valid and says what the answer holds.
func FuzzAnswers(f *testing.F) {
	f.Add("a", "b", int64(1), int64(0))
	f.Add("a\"\\\n<&>\u2028", "", int64(-1), int64(1<<62))
	f.Add("\xff", "名", int64(0), int64(3))
	f.Fuzz(func(t *testing.T, id, name string, n, m int64) {
		res := db.WriteResult{Matched: n, Updated: m, UpsertedID: name}
		// Invalid UTF-8 (an id from a percent-decoded path) is written with
		// U+FFFD in its place, as a JSON decoder reads it back.
		id, name = string([]rune(id)), string([]rune(name))
		for _, c := range []struct {
			a    interface{ AppendJSON([]byte) []byte }
			want any
		}{
			{db.InsertAnswer{IDs: []string{id}}, map[string]any{"_id": id}},
			{db.InsertAnswer{IDs: []string{id, name}, Many: true}, map[string]any{"_ids": []any{id, name}}},
			{db.CountAnswer{Total: n}, map[string]any{"total": float64(n)}},
			{db.RemoveAnswer{Removed: n}, map[string]any{"stats": map[string]any{"removed": float64(n)}}},
			{db.UpdateDocAnswer{Result: res}, map[string]any{"stats": map[string]any{"updated": float64(m)}}},
			{db.NameAnswer{Name: name}, map[string]any{"name": name}},
			{db.SetAnswer{ID: id, Result: res}, map[string]any{"_id": id, "stats": map[string]any{"created": float64(min(len(name), 1)), "updated": float64(m)}}},
		} {
			b := c.a.AppendJSON(nil)
			var got any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%T: %q is not JSON: %v", c.a, b, err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%T: %s, want %v", c.a, b, c.want)
			}
		}
		var got struct {
			Stats      map[string]int64
			UpsertedID *string
		}
		b := db.UpdateAnswer{Result: res}.AppendJSON(nil)
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q is not JSON: %v", b, err)
		}
		created, hasID := got.Stats["created"], got.UpsertedID != nil
		if got.Stats["matched"] != n || got.Stats["updated"] != m || hasID != (name != "") || (hasID && *got.UpsertedID != name) || created != int64(min(len(name), 1)) {
			t.Errorf("UpdateAnswer of %+v: %s", res, b)
		}
	})
}
