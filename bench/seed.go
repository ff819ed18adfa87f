package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

const (
	seedBatch   = 500 // documents per insert request while seeding
	seedClients = 2   // concurrent insert requests while seeding
)

// dateLayout is how minibase writes dates: UTC, milliseconds, fixed width.
const dateLayout = "2006-01-02T15:04:05.000Z"

// baseTime is the created date of post 0; post k is created k seconds later.
var baseTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// lorem is the ~500-character description of every post, as in PocketBase's
// benchmark (pocketbase/benchmarks benchmarks/test_create.go).
const lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor " +
	"incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation " +
	"ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit " +
	"in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat " +
	"non proident, sunt in culpa qui officia deserunt mollit anim id est laborum. Curabitur pretium " +
	"tincidunt lacus, nulla gravida orci a odio."

// date is a time in extended JSON: {"$date":"2026-01-02T03:04:05.000Z"}.
// Decoding also accepts {"$date": <milliseconds since the epoch>}.
type date struct{ T time.Time }

// MarshalJSON writes d as {"$date": "<RFC 3339, ms, UTC>"}.
func (d date) MarshalJSON() ([]byte, error) {
	return []byte(`{"$date":"` + d.T.UTC().Format(dateLayout) + `"}`), nil
}

// UnmarshalJSON reads {"$date": string} or {"$date": number}.
func (d *date) UnmarshalJSON(b []byte) error {
	var v struct {
		Date json.RawMessage `json:"$date"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Date == nil {
		return fmt.Errorf("not an extended JSON date: %.80s", b)
	}
	var s string
	if json.Unmarshal(v.Date, &s) == nil {
		t, err := time.Parse(time.RFC3339Nano, s)
		d.T = t
		return err
	}
	ms, err := strconv.ParseInt(string(v.Date), 10, 64)
	d.T = time.UnixMilli(ms).UTC()
	return err
}

// post is a benchmark document (about 600 bytes of JSON), shaped like
// PocketBase's benchmark post.
type post struct {
	ID          string    `json:"_id,omitempty"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Author      string    `json:"author"`
	Type        [2]string `json:"type"`
	Public      bool      `json:"public"`
	Created     date      `json:"created"`
}

// postMeta is the part of a returned post the driver checks; decoding only
// these fields keeps the driver's own CPU use low.
type postMeta struct {
	ID      string `json:"_id"`
	Title   string `json:"title"`
	Author  string `json:"author"`
	Created date   `json:"created"`
}

// newPost returns post number k (1-based) by the given author.
func newPost(k, author int) post {
	types := [4]string{"a", "b", "c", "d"}
	a := k % 4
	b := (a + 1 + (k/4)%3) % 4 // a second, different type
	return post{
		Title:       "post " + strconv.Itoa(k),
		Description: lorem,
		Author:      authorName(author),
		Type:        [2]string{types[a], types[b]},
		Public:      k%2 == 0,
		Created:     date{baseTime.Add(time.Duration(k) * time.Second)},
	}
}

func authorName(a int) string { return "u" + strconv.Itoa(a) }

// dataset is what the driver seeded, so that every answer can be checked
// exactly: post k (1-based) has index k-1 in every slice.
type dataset struct {
	numAuthors int
	ids        []string  // _id of each post, as returned by insert
	authors    []uint16  // author number (1..numAuthors) of each post
	byAuthor   [][]int32 // per author number: indexes of their posts, oldest first
}

// newDataset draws the authors of n posts, among numAuthors, from a
// generator seeded with seed.
func newDataset(n, numAuthors int, seed uint64) *dataset {
	rng := rand.New(rand.NewPCG(seed, 0))
	ds := &dataset{
		numAuthors: numAuthors,
		ids:        make([]string, n),
		authors:    make([]uint16, n),
		byAuthor:   make([][]int32, numAuthors+1),
	}
	for i := range n {
		a := 1 + rng.IntN(numAuthors)
		ds.authors[i] = uint16(a)
		ds.byAuthor[a] = append(ds.byAuthor[a], int32(i))
	}
	return ds
}

// post returns the document with index i as it was seeded.
func (ds *dataset) post(i int) post {
	return newPost(i+1, int(ds.authors[i]))
}

// indexKey is one key of an index in the admin API's list form.
type indexKey struct {
	Path string `json:"path"`
	Desc bool   `json:"desc,omitempty"`
}

// indexSets are the index sets -indexes chooses from: the benchmark's own
// (created desc; author + created desc), and single-field indexes on author
// and on created, where a query on one author sorted by created leaves the
// choice between them to the planner.
var indexSets = map[string][][]indexKey{
	"compound": {{{"created", true}}, {{"author", false}, {"created", true}}},
	"single":   {{{"created", true}}, {{"author", false}}},
}

// createCollection creates coll with the indexes of -indexes. It accepts a
// collection that already exists, but if mustBeEmpty only when it is empty:
// the read scenarios check their answers against exactly the seeded data.
func createCollection(ctx context.Context, cl *client, coll string, indexes [][]indexKey, mustBeEmpty bool) error {
	err := cl.call(ctx, "POST", "/v1/admin/collections", map[string]string{"name": coll}, nil)
	switch {
	case isConflict(err) && mustBeEmpty:
		var n struct{ Total *int64 }
		if err := cl.call(ctx, "POST", "/v1/db/"+coll+"/count", map[string]any{"filter": map[string]any{}}, &n); err != nil {
			return err
		}
		if n.Total == nil || *n.Total != 0 {
			return fmt.Errorf("collection %q already exists and is not empty; choose another with -coll", coll)
		}
	case err != nil && !isConflict(err):
		return fmt.Errorf("create collection %q: %w", coll, err)
	}
	for _, keys := range indexes {
		err := cl.call(ctx, "POST", "/v1/admin/collections/"+coll+"/indexes", map[string]any{"keys": keys}, nil)
		if err != nil && !isConflict(err) {
			return fmt.Errorf("create index %v on %q: %w", keys, coll, err)
		}
	}
	return nil
}

// isConflict reports whether err is an HTTP 409 answer (the thing exists).
func isConflict(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusConflict
}

// isNotFound reports whether err is the server's 404.
func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// seed inserts every post of ds into coll in batches of seedBatch from
// seedClients concurrent clients, records the returned ids in ds, and
// returns how long it took.
func seed(ctx context.Context, cl *client, coll string, ds *dataset) (time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	starts := make(chan int)
	var wg sync.WaitGroup
	begin := time.Now()
	for range seedClients {
		wg.Go(func() {
			for start := range starts {
				if err := seedBatchAt(ctx, cl, coll, ds, start); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for start := 0; start < len(ds.ids); start += seedBatch {
		select {
		case starts <- start:
		case <-ctx.Done():
			break feed
		}
	}
	close(starts)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return 0, fmt.Errorf("seed %q: %w", coll, err)
	}
	return time.Since(begin), nil
}

// seedBatchAt inserts the posts with indexes start… (up to seedBatch) and
// stores their ids.
func seedBatchAt(ctx context.Context, cl *client, coll string, ds *dataset, start int) error {
	end := min(start+seedBatch, len(ds.ids))
	docs := make([]post, 0, end-start)
	for i := start; i < end; i++ {
		docs = append(docs, ds.post(i))
	}
	var out struct {
		IDs []string `json:"_ids"`
	}
	if err := cl.call(ctx, "POST", "/v1/db/"+coll+"/insert", map[string]any{"data": docs}, &out); err != nil {
		return err
	}
	if len(out.IDs) != len(docs) {
		return fmt.Errorf("insert of %d docs returned %d _ids", len(docs), len(out.IDs))
	}
	for j, id := range out.IDs {
		if !isID(id) {
			return fmt.Errorf("insert returned _id %q, want 32 lowercase hex characters", id)
		}
		ds.ids[start+j] = id
	}
	return nil
}

// isID reports whether s looks like a generated minibase id: 32 lowercase hex.
func isID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
