package db

import (
	"bytes"
	"testing"
)

// FuzzTransactionBody decodes arbitrary transaction bodies and parses
// their operations: no panic, and an operation accepted is well formed
// (a known kind, a collection, an id exactly when the kind names a
// document, a bounded rev) and parses again the same from its JSON.
func FuzzTransactionBody(f *testing.F) {
	f.Add([]byte(`{"ops":[{"op":"getDoc","coll":"acc","id":"a","rev":"AAAAAAAAAAAAAAAA"},{"op":"updateDoc","coll":"acc","id":7,"update":{"$inc":{"n":1}}}]}`))
	f.Add([]byte(`{"commit":false,"ops":[{"op":"insert","coll":"log","data":[{"_id":"x"}]},{"op":"remove","coll":"log","filter":{"n":{"$gt":1}},"multi":true}]}`))
	f.Add([]byte(`{"ops":[{"op":"setDoc","coll":"c","id":"","data":{}},{"op":"drop"},"x",null]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := decodeTxnBody(body)
		if err != nil {
			return
		}
		ops, _ := d.Get("ops")
		list, _ := ops.([]any)
		for _, v := range list {
			o, err := parseTxnOp(v)
			if err != nil {
				if ErrorCode(err) != CodeInvalidParam {
					t.Fatalf("%s: error %v, want INVALID_PARAM", MarshalJSON(v), err)
				}
				continue
			}
			byID, known := txnKinds[o.kind]
			switch {
			case !known || o.coll == "":
				t.Fatalf("%s: accepted as %+v", MarshalJSON(v), o)
			case len(o.rev) > maxRev:
				t.Fatalf("%s: a rev of %d bytes accepted", MarshalJSON(v), len(o.rev))
			case !byID && o.id != "":
				t.Fatalf("%s: %s accepted with an id", MarshalJSON(v), o.kind)
			}
			for _, f := range o.body {
				if f.Key == "op" || f.Key == "coll" || f.Key == "id" || f.Key == "rev" {
					t.Fatalf("%s: %q left in the body", MarshalJSON(v), f.Key)
				}
			}
			again, err := DecodeJSON(MarshalJSON(v), MaxDepth+6)
			if err != nil {
				t.Fatalf("%s does not decode again: %v", MarshalJSON(v), err)
			}
			o2, err := parseTxnOp(again)
			if err != nil || o2.kind != o.kind || o2.coll != o.coll || o2.id != o.id || o2.rev != o.rev ||
				!bytes.Equal(MarshalJSON(o2.body), MarshalJSON(o.body)) {
				t.Fatalf("%s parses as %+v, then as %+v (%v)", MarshalJSON(v), o, o2, err)
			}
		}
	})
}
