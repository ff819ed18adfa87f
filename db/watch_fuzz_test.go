package db

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"minibase/auth"
)

// FuzzWatchMessage checks that no message from a client panics the watch
// protocol's parser, and that every answer is one JSON object with a
// type (an error naming a code).
func FuzzWatchMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"watch","watchId":"w1","query":{"filter":{"a":{"$gt":1}},"sort":[["a",-1]],"limit":20}}`,
		`{"type":"watch","watchId":"w2","query":{},"resume":{"queryId":"q","eventId":3}}`,
		`{"type":"close","watchId":"w1"}`,
		`{"type":"ping"}`,
		`{"type":"watch","watchId":"","query":[]}`,
		`{"type":"watch","watchId":"w","query":{"filter":{"$or":[]}},"resume":{"eventId":-1}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var mu sync.Mutex
		var got [][]byte
		out := &outbox{limit: 1 << 20, stop: func(int, string) {}, write: func(m outMsg) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, append(append([]byte(m.head), m.id...), m.body...))
			return nil
		}}
		// An admin's watch is parsed without the driver (no rules to read).
		w := NewWatches(NewService(nil, Limits{}), nil, WatchOptions{})
		ctx := auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin})
		c, err := w.open(ctx, "c", "", out)
		if err != nil {
			t.Fatal(err)
		}
		c.handle(data)
		c.close()
		out.finish() // stop taking messages; close waits for the writer
		out.close()
		for _, m := range got {
			var v map[string]any
			if err := json.Unmarshal(m, &v); err != nil {
				t.Fatalf("%q: answer %q is not JSON: %v", data, m, err)
			}
			if typ, _ := v["type"].(string); typ == "" || typ == "error" && !strings.Contains(string(m), `"code":"`) {
				t.Fatalf("%q: answer %s", data, m)
			}
		}
	})
}
