package functions

import (
	"strings"
	"testing"
)

// A document a function returns as the database sent it is written
// without becoming JavaScript values first (rawMembers): the result must
// be byte for byte what JSON.stringify writes for a plain object holding
// the same values, for every kind of field.
func TestRawDocumentResult(t *testing.T) {
	rt, svc := newTestRuntime(t, Options{})
	stored := `{"_id":"r1","title":"post 1","html":"<b>&amp;</b>","sep":"a\u2028b","esc":"a\"b\\c\n\u0001","é":"你好",
		"int":-12,"zero":0,"fifteen":123456789012345,"sixteen":1234567890123456,"big":9007199254740993,
		"f":1.5,"tiny":0.1,"huge":1e21,"yes":true,"no":false,"nil":null,
		"tags":["a","b"],"mixed":["a",1,true,null],"floats":[1.5,2],"escaped":["a\"b"],"spaced":[],"objs":[{"a":1}],
		"nested":{"k":"v","when":{"$date":"2024-01-02T03:04:05.006Z"}},"at":{"$date":"1970-01-02T00:00:00Z"}}`
	if _, _, err := svc.Insert(adminCtx, "raw", doc("data", mustDoc(t, stored))); err != nil {
		t.Fatal(err)
	}
	result := func(mode string) string {
		t.Helper()
		res, err := rt.Invoke(adminCtx, "rawresult", []byte(`{"coll":"raw","id":"r1","mode":"`+mode+`"}`), Invocation{})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		return string(res.Value)
	}
	plain := result("plain")
	if !strings.Contains(plain, `"at":"1970-01-02T00:00:00.000Z"`) || !strings.Contains(plain, `"sixteen":1234567890123456`) {
		t.Fatalf("the plain copy is %s", plain)
	}
	for _, mode := range []string{"direct", "stringify", "read"} {
		if got := result(mode); got != plain {
			t.Errorf("%s:\n got %s\nwant %s", mode, got, plain)
		}
	}
	if got, want := result("assigned"), strings.Replace(plain, `"title":"post 1"`, `"title":"changed"`, 1); got != want {
		t.Errorf("assigned:\n got %s\nwant %s", got, want)
	}
	if got, want := result("deleted"), strings.Replace(plain, `"title":"post 1",`, ``, 1); got != want {
		t.Errorf("deleted:\n got %s\nwant %s", got, want)
	}
	if got := result("arrayToJSON"); !strings.Contains(got, `\"tags\":\"an array\"`) || !strings.Contains(got, `\"mixed\":\"an array\"`) {
		t.Errorf("with Array.prototype.toJSON set, JSON.stringify gave %s", got)
	}
	if got := result("dateToISOString"); !strings.Contains(got, `\"at\":\"a date\"`) || !strings.Contains(got, `\"when\":\"a date\"`) {
		t.Errorf("with Date.prototype.toISOString replaced, JSON.stringify gave %s", got)
	}
}

func TestPlainScalar(t *testing.T) {
	for raw, want := range map[string]bool{
		`"a"`: true, `""`: true, `"a\"b"`: false, `"\u00e9"`: false, "true": true, "false": true, "null": true,
		"0": true, "-0": false, "7": true, "-12": true, "123456789012345": true, "1234567890123456": false,
		"01": false, "1.5": false, "1e5": false, "-": false, "tru": false,
	} {
		if got := plainScalar(raw); got != want {
			t.Errorf("plainScalar(%s) = %v, want %v", raw, got, want)
		}
	}
}
