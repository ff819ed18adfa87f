package transfer_test

import (
	"bytes"
	"testing"
	"time"

	"minibase/db"
	"minibase/db/transfer"
)

// FuzzDecodeLine: any line either decodes to a valid document whose
// extended JSON decodes to the same document, or is an INVALID_PARAM
// error; it never panics.
func FuzzDecodeLine(f *testing.F) {
	for _, s := range everyType {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"_id":{"$oid":"5f1b"},"n":{"$numberLong":"9007199254740993"},"d":{"$date":{"$numberLong":"1"}}}`))
	f.Add([]byte(`{"$minibase":{"version":1}}`))
	f.Add([]byte(`{"a":{"$date":1568044800000},"b":{"$date":"2019-09-09T16:00:00Z"}}`))
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, line []byte) {
		d, err := transfer.DecodeLine(line, now)
		if err != nil {
			if db.ErrorCode(err) != db.CodeInvalidParam {
				t.Fatalf("error %v has code %q", err, db.ErrorCode(err))
			}
			return
		}
		if err := db.ValidateDoc(d); err != nil || d[0].Key != "_id" {
			t.Fatalf("decoded %v: %v", d, err)
		}
		raw := db.MarshalJSON(d)
		again, err := transfer.DecodeLine(raw, now)
		if err != nil || !bytes.Equal(db.MarshalJSON(again), raw) {
			t.Fatalf("%s does not read back: %v", raw, err)
		}
	})
}

// FuzzDecodeRow: any row of cells decodes to a valid document or an
// INVALID_PARAM error, and a cell written by AppendCell reads back as the
// value it was written from.
func FuzzDecodeRow(f *testing.F) {
	f.Add("name", "Li, Lei", `{"a":[1,2]}`)
	f.Add("n", "007", "2024-05-01T08:00:00Z")
	f.Add("x", `"quoted"`, "-1e999")
	f.Add("$bad", "", "true")
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name, a, b string) {
		d, err := transfer.DecodeRow([]string{"_id", name, "b"}, []string{"1", a, b}, now)
		if err != nil {
			if db.ErrorCode(err) != db.CodeInvalidParam {
				t.Fatalf("error %v has code %q", err, db.ErrorCode(err))
			}
			return
		}
		for _, fl := range d[1:] {
			cell := string(transfer.AppendCell(nil, fl.Value))
			v, missing, err := transfer.DecodeCell(cell)
			if err != nil || missing || !bytes.Equal(db.MarshalJSON(v), db.MarshalJSON(fl.Value)) {
				t.Fatalf("%s: cell %q reads back as %v (missing %v, %v)", db.MarshalJSON(fl.Value), cell, v, missing, err)
			}
		}
	})
}
