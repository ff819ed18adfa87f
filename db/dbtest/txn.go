package dbtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"minibase/db"
)

// waitLimit bounds how long a test waits for something that must happen
// at once (a write beside an open View): long enough for a loaded machine.
const waitLimit = 30 * time.Second

// testTransactions: what db.Service's transactions rely on (see
// db.Transactions). A View is one snapshot that holds up no writer; an
// Update sees the latest state, applies its puts all or none, records them
// in the change feed, and no two Updates interleave (no lost update).
func testTransactions(t *testing.T, open func(t *testing.T) db.Driver) {
	t.Run("a View is one snapshot and holds up no write", func(t *testing.T) {
		d := open(t)
		insert(t, d, "acc", `{"_id": "a", "n": 1}`, `{"_id": "b", "n": 1}`)
		err := d.View(t.Context(), func(r db.Reader) error {
			wantRaw(t, r, "acc", "a", `{"_id": "a", "n": 1}`)
			done := make(chan error, 1)
			go func() {
				_, err := d.Write(context.Background(), "acc", &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{}`),
					Update: parseUpdate(t, `{"$inc": {"n": 1}}`), Multi: true, Now: writeTime})
				done <- err
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("the write beside the View: %v", err)
				}
			case <-time.After(waitLimit):
				t.Fatalf("a write waited %v for an open View", waitLimit)
			}
			wantRaw(t, r, "acc", "a", `{"_id": "a", "n": 1}`)
			wantRaw(t, r, "acc", "b", `{"_id": "b", "n": 1}`)
			wantMatch(t, r, "acc", `{"n": 1}`, 10, "a", "b")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantDocs(t, d, "acc", "after the View", `{"_id": "a", "n": 2}`, `{"_id": "b", "n": 2}`)
	})
	t.Run("View returns fn's error", func(t *testing.T) {
		d := open(t)
		mine := errors.New("mine")
		if err := d.View(t.Context(), func(db.Reader) error { return mine }); !errors.Is(err, mine) {
			t.Errorf("View: got %v, want fn's error", err)
		}
	})
	t.Run("Reader", func(t *testing.T) {
		d := open(t)
		insert(t, d, "r", `{"_id": "c", "n": 3, "tags": ["x"]}`, `{"_id": "a", "n": 1}`, `{"_id": "b", "n": 2, "tags": "x"}`)
		for _, read := range []struct {
			name string
			run  func(fn func(db.Reader) error) error
		}{
			{"in a View", func(fn func(db.Reader) error) error { return d.View(t.Context(), fn) }},
			{"in an Update", func(fn func(db.Reader) error) error {
				return d.Update(t.Context(), func(r db.Reader) ([]db.Put, error) { return nil, fn(r) })
			}},
		} {
			t.Run(read.name, func(t *testing.T) {
				err := read.run(func(r db.Reader) error {
					wantRaw(t, r, "r", "b", `{"_id": "b", "n": 2, "tags": "x"}`)
					wantRaw(t, r, "r", "zz", "")
					_, err := r.Doc(t.Context(), "nosuch", "a")
					wantCode(t, "Doc in a missing collection", err, db.CodeCollectionNotExist)
					_, err = r.Match(t.Context(), "nosuch", nil, 10)
					wantCode(t, "Match in a missing collection", err, db.CodeCollectionNotExist)
					wantMatch(t, r, "r", "", 10, "a", "b", "c")
					wantMatch(t, r, "r", `{"n": {"$gte": 2}}`, 10, "b", "c")
					wantMatch(t, r, "r", `{"n": {"$gte": 2}}`, 1, "b")
					wantMatch(t, r, "r", `{"tags": "x"}`, 10, "b", "c") // an array's element matches
					wantMatch(t, r, "r", `{"n": {"$gt": 5}}`, 10)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	})
	t.Run("an unchanged document reads the same bytes everywhere", func(t *testing.T) {
		// The Service checks a transaction's reads at commit by comparing
		// what Doc and Match return, byte for byte: a document nobody wrote
		// must read the same in every View and Update, by id and by filter.
		d := open(t)
		insert(t, d, "s", `{"_id": "a", "n": 1.5, "s": "ü\u0000<", "when": {"$date": "2024-05-06T07:08:09.010Z"}, "deep": {"x": [1, {"y": null}]}, "big": 12345678901234567}`)
		var first []byte
		same := func(where string, raw []byte) {
			t.Helper()
			if first == nil {
				first = raw
			} else if string(raw) != string(first) {
				t.Errorf("%s: %s, want the same bytes as before: %s", where, raw, first)
			}
		}
		for range 2 {
			err := d.View(t.Context(), func(r db.Reader) error {
				raw, err := r.Doc(t.Context(), "s", "a")
				same("Doc in a View", raw)
				raws, err2 := r.Match(t.Context(), "s", parseFilter(t, `{"n": {"$gt": 1}}`), 10)
				if len(raws) == 1 {
					same("Match in a View", raws[0])
				}
				return errors.Join(err, err2)
			})
			if err != nil {
				t.Fatal(err)
			}
			err = d.Update(t.Context(), func(r db.Reader) ([]db.Put, error) {
				raw, err := r.Doc(t.Context(), "s", "a")
				same("Doc in an Update", raw)
				raws, err2 := r.Match(t.Context(), "s", parseFilter(t, `{"_id": "a"}`), 10)
				if len(raws) == 1 {
					same("Match in an Update", raws[0])
				}
				return []db.Put{{Coll: "s", ID: "other", Doc: decodeDoc(t, `{"_id": "other"}`)}}, errors.Join(err, err2)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("Update applies its puts and records them", func(t *testing.T) {
		d := open(t)
		insert(t, d, "p", `{"_id": "a", "n": 1}`, `{"_id": "b", "n": 1}`)
		subscribe(t, d, "txn", "p", "q")
		err := d.Update(t.Context(), func(r db.Reader) ([]db.Put, error) {
			return []db.Put{
				{Coll: "p", ID: "a", Doc: decodeDoc(t, `{"_id": "a", "n": 2}`)},
				{Coll: "p", ID: "b"},
				{Coll: "p", ID: "c", Doc: decodeDoc(t, `{"_id": "c", "n": 3}`)},
				{Coll: "p", ID: "none"}, // nothing to remove
				{Coll: "q", ID: "x", Doc: decodeDoc(t, `{"_id": "x"}`), Create: true}, // a new collection
				{Coll: "nosuch", ID: "x"}, // nothing to remove
			}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantDocs(t, d, "p", "after the Update", `{"_id": "a", "n": 2}`, `{"_id": "c", "n": 3}`)
		wantDocs(t, d, "q", "after the Update", `{"_id": "x"}`)
		var inP, inQ []db.Change
		for _, c := range changes(t, d, "txn", 0) {
			if c.Coll == "p" {
				inP = append(inP, c)
			} else {
				inQ = append(inQ, c)
			}
		}
		wantChanges(t, inP, "p", []wantChange{
			{db.ChangeUpdate, "a", `{"_id": "a", "n": 2}`, `{"_id": "a", "n": 1}`},
			{db.ChangeDelete, "b", "", `{"_id": "b", "n": 1}`},
			{db.ChangeInsert, "c", `{"_id": "c", "n": 3}`, ""},
		})
		wantChanges(t, inQ, "q", []wantChange{{db.ChangeInsert, "x", `{"_id": "x"}`, ""}})
	})
	t.Run("Update is all or nothing", func(t *testing.T) {
		d := open(t)
		insert(t, d, "u", `{"_id": "a", "k": 1}`, `{"_id": "b", "k": 2}`)
		if err := d.CreateIndex(t.Context(), "u", db.Index{Keys: []db.IndexKey{{Path: "k"}}, Unique: true}); err != nil {
			t.Fatal(err)
		}
		insert(t, d, "v", `{"_id": "x"}`)
		mine := errors.New("mine")
		for _, c := range []struct {
			name string
			puts string // JSON: [{coll, id, doc, create}]
			err  error
			code string
		}{
			{"a taken unique key", `[{"coll": "v", "id": "x"}, {"coll": "u", "id": "a", "doc": {"_id": "a", "k": 3}},
				{"coll": "u", "id": "c", "doc": {"_id": "c", "k": 2}}]`, nil, db.CodeDuplicateKey},
			{"a missing collection", `[{"coll": "v", "id": "x"}, {"coll": "nosuch", "id": "y", "doc": {"_id": "y"}}]`, nil, db.CodeCollectionNotExist},
			{"an invalid document", `[{"coll": "v", "id": "x"}, {"coll": "u", "id": "d", "doc": {"_id": "d", "$bad": 1}}]`, nil, "*"},
			{"fn fails", `[]`, mine, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				puts := decodePuts(t, c.puts)
				err := d.Update(t.Context(), func(r db.Reader) ([]db.Put, error) {
					if c.err != nil {
						return puts, c.err
					}
					return puts, nil
				})
				if c.err != nil {
					if !errors.Is(err, c.err) {
						t.Errorf("Update: got %v, want fn's error", err)
					}
				} else {
					wantCode(t, "Update", err, c.code)
				}
				wantDocs(t, d, "u", "after the failed Update", `{"_id": "a", "k": 1}`, `{"_id": "b", "k": 2}`)
				wantDocs(t, d, "v", "after the failed Update", `{"_id": "x"}`)
				if cs, err := d.Collections(t.Context()); err != nil || len(cs) != 2 {
					t.Errorf("collections after the failed Update: %v %v, want u and v", cs, err)
				}
			})
		}
	})
	t.Run("Updates do not interleave: no lost update", func(t *testing.T) {
		d := open(t)
		insert(t, d, "ctr", `{"_id": "n", "v": 0}`)
		const workers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					err := d.Update(context.Background(), func(r db.Reader) ([]db.Put, error) {
						raw, err := r.Doc(context.Background(), "ctr", "n")
						if err != nil || raw == nil {
							return nil, fmt.Errorf("read the counter: %q %v", raw, err)
						}
						v, err := db.DecodeJSON(raw, db.MaxDepth)
						if err != nil {
							return nil, err
						}
						n, _ := v.(db.Doc).Get("v")
						return []db.Put{{Coll: "ctr", ID: "n", Doc: db.Doc{{Key: "_id", Value: "n"}, {Key: "v", Value: n.(int64) + 1}}}}, nil
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		wantDocs(t, d, "ctr", "after the increments", fmt.Sprintf(`{"_id": "n", "v": %d}`, workers*each))
	})
}

// wantRaw fails unless r's document coll/id is want (JSON; "" for none).
func wantRaw(t *testing.T, r db.Reader, coll, id, want string) {
	t.Helper()
	raw, err := r.Doc(t.Context(), coll, id)
	if err != nil {
		t.Fatalf("Doc(%s, %s): %v", coll, id, err)
	}
	if want == "" {
		if raw != nil {
			t.Errorf("Doc(%s, %s): got %s, want none", coll, id, raw)
		}
		return
	}
	got, err := db.DecodeJSON(raw, db.MaxDepth)
	if err != nil {
		t.Fatalf("Doc(%s, %s) = %q: %v", coll, id, raw, err)
	}
	if g, w := db.MarshalJSON(got), db.MarshalJSON(decodeDoc(t, want)); string(g) != string(w) {
		t.Errorf("Doc(%s, %s): got %s, want %s", coll, id, g, w)
	}
}

// wantMatch fails unless r's Match gives the documents ids, in order.
func wantMatch(t *testing.T, r db.Reader, coll, filter string, limit int, ids ...string) {
	t.Helper()
	raws, err := r.Match(t.Context(), coll, parseFilter(t, filter), limit)
	if err != nil {
		t.Fatalf("Match(%s, %s): %v", coll, filter, err)
	}
	got := make([]string, len(raws))
	for i, raw := range raws {
		v, err := db.DecodeJSON(raw, db.MaxDepth)
		if err != nil {
			t.Fatalf("Match(%s, %s): %q: %v", coll, filter, raw, err)
		}
		got[i] = v.(db.Doc).ID()
	}
	if show(got) != show(ids) {
		t.Errorf("Match(%s, %s, limit %d): got %s, want %s", coll, filter, limit, show(got), show(ids))
	}
}

// decodePuts parses [{coll, id, doc, create}].
func decodePuts(t *testing.T, s string) []db.Put {
	t.Helper()
	var out []db.Put
	for _, v := range decode(t, s).([]any) {
		m := v.(db.Doc)
		p := db.Put{}
		p.Coll, _ = mustGet(m, "coll").(string)
		p.ID, _ = mustGet(m, "id").(string)
		p.Doc, _ = mustGet(m, "doc").(db.Doc)
		p.Create, _ = mustGet(m, "create").(bool)
		out = append(out, p)
	}
	return out
}

func mustGet(d db.Doc, key string) any {
	v, _ := d.Get(key)
	return v
}
