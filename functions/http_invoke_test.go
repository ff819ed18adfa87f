package functions

import (
	"regexp"
	"strings"
	"testing"
)

// The invoke body is read without a JSON decoder; it must accept and refuse
// what the decoder did.
func TestInvokeBody(t *testing.T) {
	for _, c := range []struct {
		body, event string
		async       bool
		errText     string
	}{
		{body: ``}, {body: " \n"}, {body: `{}`}, {body: `{"data":null}`}, {body: `{"async":false}`}, {body: `{"async":null}`},
		{body: `{"data":{}}`, event: `{}`},
		{body: ` { "data" : {"a":[1,{"b":"}"}]} , "async" : true } `, event: `{"a":[1,{"b":"}"}]}`, async: true},
		{body: `{"async":true,"data":{"x":"\"é"}}`, event: `{"x":"\"é"}`, async: true},
		{body: `{"data":{"a":tru}}`, event: `{"a":tru}`}, // refused as the event is read
		{body: `[]`, errText: "must be a JSON object"},
		{body: `{"data":`, errText: "must be a JSON object"},
		{body: `{"data":{}}x`, errText: "must be a JSON object"},
		{body: `{"data":{},}`, errText: "must be a JSON object"},
		{body: `{"data":[1]}`, errText: "data must be an object"},
		{body: `{"data":"x"}`, errText: "data must be an object"},
		{body: `{"data":{},"name":"x"}`, errText: `unknown member "name"`},
		{body: `{"data":{},"data":{}}`, errText: `"data" appears twice`},
		{body: `{"async":"true"}`, errText: "async must be true or false"},
		{body: `{"async":1}`, errText: "async must be true or false"},
		{body: `{"data":{"a":tru},"async":true}`, errText: "data is not valid JSON"},
	} {
		event, async, err := invokeBody([]byte(c.body))
		if c.errText != "" {
			if ErrorCode(err) != CodeInvalidParam || !contains(err, c.errText) {
				t.Errorf("%s: %v, want INVALID_PARAM with %q", c.body, err, c.errText)
			}
			continue
		}
		if err != nil || string(event) != c.event || async != c.async {
			t.Errorf("%s: %q %v %v, want %q %v", c.body, event, async, err, c.event, c.async)
		}
	}
}

// ValidName (a loop, on every call's path, twice: the runtime and the
// folder check the name) accepts exactly what CloudBase's rule, as a
// regular expression, does.
func FuzzValidName(f *testing.F) {
	for _, s := range []string{"", "a", "Z9_-", "9a", "_a", "a.b", "é", strings.Repeat("a", 60), strings.Repeat("a", 61), "a\n"} {
		f.Add(s)
	}
	rule := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,59}$`)
	f.Fuzz(func(t *testing.T, s string) {
		if ValidName(s) != rule.MatchString(s) {
			t.Fatalf("ValidName(%q) = %v, the rule says %v", s, ValidName(s), rule.MatchString(s))
		}
	})
}
