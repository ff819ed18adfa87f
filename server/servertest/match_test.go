package servertest

import (
	"net/http"
	"strings"
	"testing"
)

// TestDiff: what Want (contained) and Equal (exact) accept, and where
// they say a body differs.
func TestDiff(t *testing.T) {
	for _, c := range []struct {
		want, got string
		exact     bool
		diff      string // "" when it matches, else a part of the message
	}{
		{`{"a":1}`, `{"a":1,"b":2}`, false, ""},
		{`{"a":1}`, `{"a":1,"b":2}`, true, "at b: got 2, want nothing there"},
		{`{"a":{"b":"x"}}`, `{"a":{"b":"x","c":[1]}}`, false, ""},
		{`{"a":{"b":"x"}}`, `{"a":{"b":"y"}}`, false, `at a.b: got "y", want "x"`},
		{`{"a":1}`, `{"b":1}`, false, "at a: missing, want 1"},
		{`{"a":null}`, `{}`, false, "at a: missing"},
		{`{"a":null}`, `{"a":null}`, true, ""},
		// Arrays: same length, element by element.
		{`{"d":[{"s":0}]}`, `{"d":[{"s":0,"id":"x"}]}`, false, ""},
		{`{"d":[{"s":0}]}`, `{"d":[{"s":0,"id":"x"}]}`, true, "at d.0.id"},
		{`{"d":[{},{}]}`, `{"d":[{"a":1}]}`, false, "at d: got [{\"a\":1}], want [{},{}]"},
		{`{"d":["a","b"]}`, `{"d":["b","a"]}`, false, `at d.0: got "b", want "a"`},
		{`{"d":[]}`, `{"d":{}}`, false, "at d: got {}, want []"},
		// Numbers by value, big integers exactly.
		{`{"n":1}`, `{"n":1.0}`, false, ""},
		{`{"n":1000}`, `{"n":1e3}`, true, ""},
		{`{"n":9007199254740993}`, `{"n":9007199254740992}`, false, "at n: got 9007199254740992, want 9007199254740993"},
		{`{"n":1}`, `{"n":"1"}`, false, `at n: got "1", want 1`},
		{`{"b":true}`, `{"b":false}`, false, "at b: got false, want true"},
		{`[1,2]`, `[1,2]`, true, ""},
		{`"x"`, `{"a":1}`, false, `at the body: got {"a":1}, want "x"`},
	} {
		want, err := decode(c.want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decode(c.got)
		if err != nil {
			t.Fatal(err)
		}
		d := diff(want, got, c.exact)
		if (d == "") != (c.diff == "") || !strings.Contains(d, c.diff) {
			t.Errorf("diff(%s, %s, exact %v) = %q, want %q", c.want, c.got, c.exact, d, c.diff)
		}
	}
}

// TestDecode: a body is one JSON value.
func TestDecode(t *testing.T) {
	for _, text := range []string{``, `{"a":`, `{} {}`, `{"a":1} x`, `nope`} {
		if _, err := decode(text); err == nil {
			t.Errorf("decode(%q): no error", text)
		}
	}
}

// TestCheck: each expectation of a scenario that a response does not meet
// is one problem, saying what was wanted and what came.
func TestCheck(t *testing.T) {
	r := &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"r1"}},
		Body: `{"data":[{"_id":"p1","title":"hello"}]}`}
	for _, c := range []struct {
		name string
		sc   Scenario
		want []string // a part of each problem, in order
	}{
		{"all met", Scenario{Status: 200, Want: `{"data":[{"_id":"p1"}]}`, Equal: `{"data":[{"title":"hello","_id":"p1"}]}`,
			Absent: []string{"secret"}, WantHeader: map[string]string{"content-type": "application/json", "Retry-After": ""}}, nil},
		{"status", Scenario{Status: 404}, []string{"status 200, want 404; body {"}},
		{"want", Scenario{Status: 200, Want: `{"data":[{"_id":"p2"}]}`}, []string{`at data.0._id: got "p1", want "p2"`}},
		{"equal", Scenario{Status: 200, Equal: `{"data":[{"_id":"p1"}]}`}, []string{`at data.0.title: got "hello", want nothing there`}},
		{"absent", Scenario{Status: 200, Absent: []string{"hello", "world"}}, []string{`the body contains "hello"`}},
		{"header", Scenario{Status: 200, WantHeader: map[string]string{"Content-Type": "text/plain"}},
			[]string{`header Content-Type: "application/json", want "text/plain"`}},
		{"header absent", Scenario{Status: 200, WantHeader: map[string]string{"X-Request-Id": ""}}, []string{`header X-Request-Id: ["r1"], want none`}},
		{"bad want", Scenario{Status: 200, Want: `{"a":`}, []string{"Want is not JSON"}},
		{"several", Scenario{Status: 201, Want: `{"x":1}`}, []string{"status 200, want 201", "at x: missing"}},
	} {
		got := c.sc.check(r)
		if len(got) != len(c.want) {
			t.Errorf("%s: %q, want %d problems", c.name, got, len(c.want))
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], c.want[i]) {
				t.Errorf("%s: problem %q, want it to say %q", c.name, got[i], c.want[i])
			}
		}
	}
	notJSON := &Response{Status: 200, Body: "<html>"}
	if got := (&Scenario{Status: 200, Want: `{}`}).check(notJSON); len(got) != 1 || !strings.Contains(got[0], "the body is not JSON") {
		t.Errorf("a body that is not JSON: %q", got)
	}
}

// TestValue: dotted paths into a body, through objects and arrays.
func TestValue(t *testing.T) {
	r := &Response{Body: `{"user":{"uid":"u1"},"data":[{"_id":"a"},{"_id":"b","n":2}]}`}
	for path, want := range map[string]string{"user.uid": "u1", "data.1._id": "b", "data.2._id": "", "data.x": "", "user.uid.x": "", "nope": ""} {
		if got := r.Str(path); got != want {
			t.Errorf("Str(%q) = %q, want %q", path, got, want)
		}
	}
	if got := r.Value("data.1.n"); got == nil || got.(interface{ String() string }).String() != "2" {
		t.Errorf("Value(data.1.n) = %v, want 2", got)
	}
	if got := (&Response{Body: "not JSON"}).Value("a"); got != nil {
		t.Errorf("Value of a body that is not JSON: %v", got)
	}
}
