//go:build !minibase_fuzz

package transfer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minibase/db"
	"minibase/db/sqlite"
	"minibase/db/transfer"
)

func open(t testing.TB) *sqlite.DB {
	t.Helper()
	d, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// all returns coll's documents as stored, in _id order, one a line.
func all(t testing.TB, d db.Driver, coll string) string {
	t.Helper()
	docs, err := d.Find(context.Background(), coll, &db.Query{Sort: []db.SortKey{{Path: "_id"}}, Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	return string(bytes.Join(docs, []byte("\n")))
}

func insert(t testing.TB, d db.Driver, coll string, lines ...string) {
	t.Helper()
	var docs []db.Doc
	for _, l := range lines {
		v, err := db.DecodeJSON([]byte(l), db.MaxDepth)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, v.(db.Doc))
	}
	if _, err := d.Write(context.Background(), coll, &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
}

// TestRoundTrip exports a collection holding every kind of value and
// imports it into another database: the documents come back byte for
// byte, in both formats.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, f := range []transfer.Format{transfer.JSONL, transfer.CSV} {
		t.Run(string(f), func(t *testing.T) {
			src, dst := open(t), open(t)
			insert(t, src, "things", everyType...)
			var buf bytes.Buffer
			n, err := transfer.Export(ctx, src, "things", &buf, transfer.ExportOptions{Format: f})
			if err != nil || n != int64(len(everyType)) {
				t.Fatalf("Export = %d, %v; want %d", n, err, len(everyType))
			}
			rep, err := transfer.Import(ctx, dst, "things", bytes.NewReader(buf.Bytes()), transfer.Options{Format: f})
			if err != nil || rep.Inserted != int64(len(everyType)) || rep.Failed != 0 {
				t.Fatalf("Import = %+v, %v\nfile:\n%s", rep, err, buf.String())
			}
			if got, want := all(t, dst, "things"), all(t, src, "things"); got != want {
				t.Errorf("imported documents differ\ngot:\n%s\nwant:\n%s\nfile:\n%s", got, want, buf.String())
			}
		})
	}
}

// TestWeChatConsoleExport imports a file as WeChat's cloud-development
// console exports it: a byte-order mark, JSON lines with _id and _openid,
// dates both as ISO strings and as milliseconds, a blank line.
func TestWeChatConsoleExport(t *testing.T) {
	ctx := context.Background()
	d := open(t)
	f, err := os.Open("testdata/wechat-todos.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := transfer.Import(ctx, d, "todos", f, transfer.Options{})
	if err != nil || rep.Inserted != 4 || rep.Failed != 0 || rep.Meta {
		t.Fatalf("Import = %+v, %v", rep, err)
	}
	raw, err := d.Find(ctx, "todos", &db.Query{Sort: []db.SortKey{{Path: "_id"}}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`{"_id":"0a4ec1f9627c8ce20b5f0d3b2d5b7e21","_openid":"oXb3A5Jq2cN9-Z8yHqT4w1kP0sE","description":"learn cloud database","due":{"$date":"2019-09-09T16:00:00.000Z"}`,
		`"due":{"$date":"2019-09-09T16:00:00.000Z"},"tags":[],"progress":20`, // {"$date": 1568044800000}
		`"bigId":9007199254740993,`,
		`"geo":{"type":"Point","coordinates":[113.9436,22.5405]}`,
		`"updatedAt":{"$date":"2023-01-01T00:00:00.000Z"},"note":null}`,
	} {
		if !bytes.Contains(bytes.Join(raw, nil), []byte(want)) {
			t.Errorf("stored documents lack %s:\n%s", want, bytes.Join(raw, []byte("\n")))
		}
	}
	// The dates are dates: a range query finds them.
	f2, err := db.ParseFilter(db.Doc{{Key: "due", Value: db.Doc{{Key: "$lt", Value: time.Date(2019, 9, 10, 0, 0, 0, 0, time.UTC)}}}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := d.Count(ctx, "todos", f2); err != nil || n != 2 {
		t.Errorf("count of due < 2019-09-10 = %d, %v; want 2", n, err)
	}
}

// TestLineForms: \r\n line ends, a last line without a newline, an
// integer _id, and MongoDB's wrappers for ids and numbers.
func TestLineForms(t *testing.T) {
	d := open(t)
	in := "{\"_id\":{\"$oid\":\"5f1b2c3d4e5f6a7b8c9d0e1f\"},\"n\":{\"$numberLong\":\"9007199254740993\"},\"f\":{\"$numberDouble\":\"1.5\"}}\r\n" +
		"  \r\n" +
		"{\"_id\":42,\"at\":{\"$date\":{\"$numberLong\":\"1568044800000\"}},\"i\":{\"$numberInt\":\"-3\"}}"
	rep, err := transfer.Import(context.Background(), d, "c", strings.NewReader(in), transfer.Options{})
	if err != nil || rep.Inserted != 2 || rep.Failed != 0 || rep.Lines != 3 {
		t.Fatalf("Import = %+v, %v", rep, err)
	}
	want := `{"_id":"42","at":{"$date":"2019-09-09T16:00:00.000Z"},"i":-3}` + "\n" +
		`{"_id":"5f1b2c3d4e5f6a7b8c9d0e1f","n":9007199254740993,"f":1.5}`
	if got := all(t, d, "c"); got != want {
		t.Errorf("stored:\n%s\nwant:\n%s", got, want)
	}
}

const good = `{"_id":"%d","n":%d}`

// lines makes n good lines, numbered from 1, with bad ones put in at the
// given line numbers.
func lines(n int, bad map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if s, ok := bad[i]; ok {
			b.WriteString(s)
		} else {
			fmt.Fprintf(&b, good, i, i)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestBadLines: a bad line is reported by number and reason; under stop
// the lines before it are written and none after, under skip every other
// line is; a bad line is never partly written.
func TestBadLines(t *testing.T) {
	ctx := context.Background()
	const n = 2500 // more than one batch
	cases := []struct {
		name    string
		bad     map[int]string
		onError transfer.OnError
		want    []int // lines written
		errs    []transfer.LineError
	}{
		{"start/stop", map[int]string{1: `{"_id":"x",`}, transfer.Stop, nil,
			[]transfer.LineError{{Line: 1, Message: "invalid JSON: unexpected end of input"}}},
		{"middle/stop", map[int]string{1500: `{"_id":"x","$bad":1}`}, transfer.Stop, span(1, 1499),
			[]transfer.LineError{{Line: 1500, Message: `field name "$bad" must not start with '$'`}}},
		{"end/stop", map[int]string{n: `[1,2]`}, transfer.Stop, span(1, n-1),
			[]transfer.LineError{{Line: n, Message: "a line must be one JSON object"}}},
		{"start-middle-end/skip", map[int]string{1: `nope`, 1200: `{"_id":"x","a":{"b":1}, "a":2}`, n: `{"_id":{"o":1}}`}, transfer.Skip,
			append(span(2, 1199), span(1201, n-1)...),
			[]transfer.LineError{
				{Line: 1, Message: "a line must be one JSON object"},
				{Line: 1200, Message: `invalid JSON: duplicate object member name "a"`},
				{Line: n, Message: "_id must be a string or an integer"}}},
		{"duplicate id in file/stop", map[int]string{1700: `{"_id":"3","n":0}`}, transfer.Stop, span(1, 1699),
			[]transfer.LineError{{Line: 1700, Message: `_id "3" is taken in collection "c" (mode insert keeps the stored document: use mode upsert or replace to overwrite it)`}}},
		{"duplicate id in file/skip", map[int]string{1700: `{"_id":"3","n":0}`}, transfer.Skip, append(span(1, 1699), span(1701, n)...),
			[]transfer.LineError{{Line: 1700, Message: `_id "3" is taken in collection "c" (mode insert keeps the stored document: use mode upsert or replace to overwrite it)`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t)
			rep, err := transfer.Import(ctx, d, "c", strings.NewReader(lines(n, tc.bad)), transfer.Options{OnError: tc.onError})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(rep.Errors) != fmt.Sprint(tc.errs) {
				t.Errorf("errors = %v\nwant %v", rep.Errors, tc.errs)
			}
			if rep.Inserted != int64(len(tc.want)) || rep.Stopped != (tc.onError == transfer.Stop) {
				t.Errorf("report = inserted %d stopped %v; want %d, %v", rep.Inserted, rep.Stopped, len(tc.want), tc.onError == transfer.Stop)
			}
			checkStored(t, d, "c", tc.want)
		})
	}
}

func span(from, to int) []int {
	var s []int
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

// checkStored checks that coll holds exactly the good documents of the
// given lines, unchanged.
func checkStored(t *testing.T, d db.Driver, coll string, want []int) {
	t.Helper()
	if len(want) == 0 { // nothing written: not even the collection
		if colls, err := d.Collections(context.Background()); err != nil || len(colls) != 0 {
			t.Fatalf("collections %v, %v; want none", colls, err)
		}
		return
	}
	f, _ := db.ParseFilter(db.Doc{})
	if n, err := d.Count(context.Background(), coll, f); err != nil || n != int64(len(want)) {
		t.Fatalf("collection holds %d documents (%v), want %d", n, err, len(want))
	}
	for _, i := range want {
		raw, err := d.Find(context.Background(), coll, &db.Query{Filter: idFilter(t, fmt.Sprint(i)), Limit: 1})
		if err != nil || len(raw) != 1 || string(raw[0]) != fmt.Sprintf(good, i, i) {
			t.Fatalf("document %d = %s, %v", i, raw, err)
		}
	}
}

func idFilter(t *testing.T, id string) *db.Filter {
	f, err := db.ParseFilter(db.Doc{{Key: "_id", Value: id}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestOversizedAndTruncated: a line over the document limit is a bad line
// (skip goes on after it); a file cut in the middle of its last line
// reports that line, and the lines before it are written.
func TestOversizedAndTruncated(t *testing.T) {
	ctx := context.Background()
	huge := `{"_id":"big","s":"` + strings.Repeat("x", transfer.MaxLine) + `"}`
	d := open(t)
	in := lines(3, map[int]string{2: huge})
	rep, err := transfer.Import(ctx, d, "c", strings.NewReader(in), transfer.Options{OnError: transfer.Skip})
	if err != nil || rep.Inserted != 2 || len(rep.Errors) != 1 || rep.Errors[0].Line != 2 ||
		!strings.Contains(rep.Errors[0].Message, "longer than 16777216 bytes") {
		t.Fatalf("oversized: %+v, %v", rep, err)
	}
	checkStored(t, d, "c", []int{1, 3})

	d = open(t)
	full := lines(5, nil)
	cut := full[:len(full)-8] // in the middle of line 5, no newline
	rep, err = transfer.Import(ctx, d, "c", strings.NewReader(cut), transfer.Options{})
	if err != nil || rep.Inserted != 4 || !rep.Stopped || fmt.Sprint(rep.Errors) != "[{5 invalid JSON: unexpected end of input}]" {
		t.Fatalf("truncated: %+v, %v", rep, err)
	}
	checkStored(t, d, "c", span(1, 4))
}

// TestModes: insert refuses a taken _id and keeps the stored document,
// upsert sets the line's fields on it, replace replaces it.
func TestModes(t *testing.T) {
	ctx := context.Background()
	in := `{"_id":"1","a":10}` + "\n" + `{"_id":"new","a":1}` + "\n"
	cases := []struct {
		mode     transfer.Mode
		ins, upd int64
		want     string
	}{
		{transfer.Insert, 1, 0, `{"_id":"1","a":1,"b":2}` + "\n" + `{"_id":"new","a":1}`},
		{transfer.Upsert, 1, 1, `{"_id":"1","a":10,"b":2}` + "\n" + `{"_id":"new","a":1}`},
		{transfer.Replace, 1, 1, `{"_id":"1","a":10}` + "\n" + `{"_id":"new","a":1}`},
	}
	for _, tc := range cases {
		t.Run(string(tc.mode), func(t *testing.T) {
			d := open(t)
			insert(t, d, "c", `{"_id":"1","a":1,"b":2}`)
			rep, err := transfer.Import(ctx, d, "c", strings.NewReader(in), transfer.Options{Mode: tc.mode, OnError: transfer.Skip})
			if err != nil || rep.Inserted != tc.ins || rep.Updated != tc.upd {
				t.Fatalf("Import = %+v, %v", rep, err)
			}
			if tc.mode == transfer.Insert && (len(rep.Errors) != 1 || rep.Errors[0].Line != 1) {
				t.Errorf("insert of a taken _id: errors %v, want line 1", rep.Errors)
			}
			if got := all(t, d, "c"); got != tc.want {
				t.Errorf("stored:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestCSVCells: quotes, commas and newlines inside cells; a row with the
// wrong number of cells and one that breaks CSV quoting are bad lines,
// numbered where the record starts.
func TestCSVCells(t *testing.T) {
	ctx := context.Background()
	in := "\ufeff_id,name,note,n\n" +
		"1,\"Li, Lei\",\"line one\nline two\",5\n" +
		"2,\"say \"\"hi\"\"\",,\n" +
		"3,only two\n" +
		"4,\"\"\"007\"\"\",\"{\"\"a\"\":[1,2]}\",2024-05-01T08:00:00Z\n" +
		"5,x,\"unterminated\n"
	d := open(t)
	rep, err := transfer.Import(ctx, d, "c", strings.NewReader(in), transfer.Options{Format: transfer.CSV, OnError: transfer.Skip})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Inserted != 3 || fmt.Sprint(rep.Errors) != "[{5 the row has 2 cells, the header 4} {7 CSV: extraneous or missing \" in quoted-field}]" {
		t.Errorf("report = %+v", rep)
	}
	want := `{"_id":"1","name":"Li, Lei","note":"line one\nline two","n":5}` + "\n" +
		`{"_id":"2","name":"say \"hi\""}` + "\n" +
		`{"_id":"4","name":"007","note":{"a":[1,2]},"n":{"$date":"2024-05-01T08:00:00.000Z"}}`
	if got := all(t, d, "c"); got != want {
		t.Errorf("stored:\n%s\nwant:\n%s", got, want)
	}
	// A bad header changes nothing.
	d = open(t)
	rep, err = transfer.Import(ctx, d, "c", strings.NewReader("_id,a,a\n1,2,3\n"), transfer.Options{Format: transfer.CSV, OnError: transfer.Skip})
	if err != nil || rep.Inserted != 0 || !rep.Stopped || len(rep.Errors) != 1 || rep.Errors[0].Line != 1 {
		t.Errorf("repeated header: %+v, %v", rep, err)
	}
}

// TestMetaMovesIndexesAndRules: an export carries the collection's
// indexes and rules; importing it into an empty database creates them,
// and the unique index refuses a duplicate line.
func TestMetaMovesIndexesAndRules(t *testing.T) {
	ctx := context.Background()
	src, dst := open(t), open(t)
	insert(t, src, "users", `{"_id":"1","email":"a@x","loc":{"type":"Point","coordinates":[1,2]}}`, `{"_id":"2","email":"b@x"}`)
	if err := src.CreateIndex(ctx, "users", db.Index{Name: "email_1", Keys: []db.IndexKey{{Path: "email"}}, Unique: true}); err != nil {
		t.Fatal(err)
	}
	if err := src.CreateIndex(ctx, "users", db.Index{Name: "loc_2dsphere", Keys: []db.IndexKey{{Path: "loc", Type: db.Geo2DSphere}}}); err != nil {
		t.Fatal(err)
	}
	rules := `{"read":true,"write":"doc._openid == auth.openid"}`
	if err := src.SetRules(ctx, "users", []byte(rules)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := transfer.Export(ctx, src, "users", &buf, transfer.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	buf.WriteString(`{"_id":"3","email":"a@x"}` + "\n")
	rep, err := transfer.Import(ctx, dst, "users", &buf, transfer.Options{OnError: transfer.Skip})
	if err != nil || !rep.Meta || rep.Inserted != 2 || len(rep.Errors) != 1 || rep.Errors[0].Line != 4 ||
		!strings.Contains(rep.Errors[0].Message, "unique index") {
		t.Fatalf("Import = %+v, %v", rep, err)
	}
	got, _ := dst.Indexes(ctx, "users")
	want, _ := src.Indexes(ctx, "users")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("indexes = %v, want %v", got, want)
	}
	if r, _ := dst.Rules(ctx, "users"); string(r) != rules {
		t.Errorf("rules = %s, want %s", r, rules)
	}
	// A header whose rules do not parse is a bad line: stop changes nothing.
	d := open(t)
	bad := `{"$minibase":{"version":1,"collection":"u","indexes":[],"rules":{"read":"auth.("}}}` + "\n" + `{"_id":"1"}` + "\n"
	rep, err = transfer.Import(ctx, d, "u", strings.NewReader(bad), transfer.Options{})
	if err != nil || rep.Inserted != 0 || !rep.Stopped || len(rep.Errors) != 1 || rep.Errors[0].Line != 1 {
		t.Fatalf("bad header: %+v, %v", rep, err)
	}
	if colls, _ := d.Collections(ctx); len(colls) != 0 {
		t.Errorf("a refused import left collections %v", colls)
	}
}

// TestImportRefusals: options and names refused before anything is read.
func TestImportRefusals(t *testing.T) {
	d := open(t)
	_, err := transfer.Import(context.Background(), d, "../etc", strings.NewReader(`{"_id":"1"}`), transfer.Options{})
	if db.ErrorCode(err) != db.CodeInvalidParam {
		t.Errorf("bad collection name: %v", err)
	}
	var fatal *transfer.Fatal
	_, err = transfer.Import(context.Background(), d, "c", errReader{}, transfer.Options{})
	if !errors.As(err, &fatal) {
		t.Errorf("read error: %v, want *Fatal", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestUpsertCreatesCollection: upsert and replace into a collection that
// does not exist create it, as insert does.
func TestUpsertCreatesCollection(t *testing.T) {
	for _, mode := range []transfer.Mode{transfer.Upsert, transfer.Replace} {
		d := open(t)
		rep, err := transfer.Import(context.Background(), d, "fresh", strings.NewReader(`{"_id":"1","a":1}`+"\n"+`{"_id":"1","b":2}`+"\n"), transfer.Options{Mode: mode})
		if err != nil || rep.Inserted != 1 || rep.Updated != 1 {
			t.Fatalf("%s: %+v, %v", mode, rep, err)
		}
		want := map[transfer.Mode]string{transfer.Upsert: `{"_id":"1","a":1,"b":2}`, transfer.Replace: `{"_id":"1","b":2}`}[mode]
		if got := all(t, d, "fresh"); got != want {
			t.Errorf("%s: stored %s, want %s", mode, got, want)
		}
	}
}

// TestCSVRecordTooLong: a CSV record longer than the largest document (a
// quote never closed) ends the import, whatever onError says, after the
// rows before it; memory stays bounded by the limit.
func TestCSVRecordTooLong(t *testing.T) {
	d := open(t)
	in := "_id,s\n1,a\n2,\"" + strings.Repeat("x\n", transfer.MaxLine/2+100<<10)
	rep, err := transfer.Import(context.Background(), d, "c", strings.NewReader(in), transfer.Options{Format: transfer.CSV, OnError: transfer.Skip})
	if err != nil || rep.Inserted != 1 || !rep.Stopped || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 ||
		!strings.Contains(rep.Errors[0].Message, "a CSV record is longer than 16777216 bytes") {
		t.Fatalf("Import = %+v, %v", rep, err)
	}
}
