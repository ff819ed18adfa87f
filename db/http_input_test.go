//go:build !minibase_fuzz

package db_test

import (
	"fmt"
	"strings"
	"testing"

	"minibase/db"
	"minibase/server/servertest"
)

// TestBadInput: each bad request gets a clear 4xx and changes nothing.
func TestBadInput(t *testing.T) {
	opts := servertest.Options{Env: map[string]string{"MINIBASE_BODY_LIMIT": "65536"}}
	seed := []servertest.Request{byAdmin("POST", "/v1/db/c/insert", `{"data":{"_id":"a","n":1,"s":"x"}}`)}
	unchanged := servertest.Then(get("c", "a", 200, `{"data":{"_id":"a","n":1,"s":"x"}}`), count("c", `{}`, 1))
	deep := strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200)
	var scenarios []servertest.Scenario
	for _, c := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"malformed JSON", `{"data":`, 400, `{"code":"INVALID_PARAM"}`},
		{"not an object", `[1,2]`, 400, ""},
		{"trailing data", `{"data":{"a":1}} x`, 400, ""},
		{"duplicate keys", `{"data":{"a":1,"a":2}}`, 400, ""},
		{"unknown body field", `{"dta":{"a":1}}`, 400, ""},
		{"dollar field", `{"data":{"$set":{"a":1}}}`, 400, ""},
		{"dotted field", `{"data":{"a.b":1}}`, 400, ""},
		{"nested dollar field", `{"data":{"x":{"$bad":1}}}`, 400, ""},
		{"too deep", `{"data":` + deep + `}`, 400, ""},
		{"bad date", `{"data":{"d":{"$date":"yesterday"}}}`, 400, ""},
		{"duplicate id", `{"data":{"_id":"a"}}`, 409, `{"code":"DATABASE_DUPLICATE_KEY"}`},
		{"duplicate id in batch", `{"data":[{"_id":"b"},{"_id":"b"}]}`, 409, ""},
		{"bad id type", `{"data":{"_id":{"x":1}}}`, 400, ""},
		{"empty batch", `{"data":[]}`, 400, ""},
	} {
		scenarios = append(scenarios, servertest.Scenario{Name: "insert, " + c.name, Options: opts, Setup: seed,
			Method: "POST", URL: "/v1/db/c/insert", Body: c.body, As: asAdmin, Status: c.status, Want: c.want, After: unchanged})
	}
	for _, c := range []struct {
		name, method, url, body string
		want                    string
	}{
		{"bad collection name", "POST", "/v1/db/bad$name/query", `{}`, ""},
		{"long collection name", "POST", "/v1/db/" + strings.Repeat("c", 65) + "/query", `{}`, ""},
		{"unknown operator", "POST", "/v1/db/c/query", `{"filter":{"n":{"$foo":1}}}`, `{"code":"DATABASE_INVALID_OPERRATOR","errCode":-502002}`},
		{"wrong operand", "POST", "/v1/db/c/query", `{"filter":{"n":{"$in":5}}}`, ""},
		{"where is refused", "POST", "/v1/db/c/query", `{"filter":{"$where":"1"}}`, ""},
		{"negative limit", "POST", "/v1/db/c/query", `{"limit":-1}`, ""},
		{"bad sort", "POST", "/v1/db/c/query", `{"sort":[["n",2]]}`, ""},
		{"update without operators", "POST", "/v1/db/c/update", `{"filter":{},"update":{"n":2}}`, ""},
		{"unknown update operator", "POST", "/v1/db/c/update", `{"filter":{},"update":{"$foo":{"n":2}}}`, ""},
		{"conflicting paths", "POST", "/v1/db/c/update", `{"filter":{},"update":{"$set":{"n":2},"$inc":{"n":1}}}`, ""},
		{"change _id", "POST", "/v1/db/c/update", `{"filter":{},"update":{"$set":{"_id":"z"}}}`, ""},
		{"inc a string", "POST", "/v1/db/c/update", `{"filter":{},"update":{"$inc":{"s":1}}}`, ""},
		{"set with operators", "PUT", "/v1/db/c/docs/a", `{"data":{"$set":{"n":5}}}`, ""},
	} {
		scenarios = append(scenarios, servertest.Scenario{Name: c.name, Options: opts, Setup: seed,
			Method: c.method, URL: c.url, Body: c.body, As: asAdmin, Status: 400, Want: c.want, After: unchanged})
	}
	servertest.Run(t, scenarios)
}

// TestRefusedBeforeTheBody: what the rules refuse whatever a request says
// is refused before its body is read: a body that is not even JSON gets the
// permission error, not INVALID_PARAM. Where the answer depends on the body
// (an admin, a rule that reads doc or request.data), the body is decoded.
func TestRefusedBeforeTheBody(t *testing.T) {
	rules := map[string]string{
		"notes":      "", // PRIVATE, the default
		"readonly":   `{"preset":"READONLY"}`,
		"adminwrite": `{"preset":"ADMINWRITE"}`,
		"adminonly":  `{"preset":"ADMINONLY"}`,
		"signedin":   `{"read":"auth != null","write":"auth != null && now > 0"}`,
		"bydata":     `{"read":"doc.public == true","write":"request.data.ok == true"}`,
	}
	const garbage = `{"data": not JSON at all`
	denied := `{"code":"` + db.CodePermissionDenied + `"}`
	decoded := `{"code":"` + db.CodeInvalidParam + `"}`
	var scenarios []servertest.Scenario
	for _, c := range []struct {
		as           servertest.Identity
		method, coll string
		url          string // the route, under /v1/db/{coll}
		status       int
		want         string
	}{
		{servertest.Visitor, "POST", "notes", "/insert", 403, denied},
		{servertest.Visitor, "POST", "notes", "/query", 403, denied},
		{servertest.Visitor, "POST", "notes", "/count", 403, denied},
		{servertest.Visitor, "POST", "readonly", "/insert", 403, denied},
		{servertest.Visitor, "POST", "readonly", "/remove", 403, denied},
		{servertest.Visitor, "PUT", "readonly", "/docs/d1", 403, denied},
		{alice, "POST", "adminwrite", "/update", 403, denied},
		{alice, "PATCH", "adminwrite", "/docs/d1", 403, denied},
		{alice, "PUT", "adminwrite", "/docs/d1", 403, denied},
		{alice, "POST", "adminonly", "/query", 403, denied},
		{servertest.Visitor, "POST", "signedin", "/insert", 403, denied},
		{servertest.Visitor, "POST", "signedin", "/query", 403, denied},
		{alice, "POST", "", "/v1/admin/collections", 403, denied},
		{alice, "PUT", "notes", "/v1/admin/collections/notes/rules", 403, denied},
		{alice, "POST", "notes", "/v1/admin/collections/notes/indexes", 403, denied},
		{alice, "POST", "", "/v1/admin/rules/explain", 403, denied},
		// The answer depends on the body: it is decoded.
		{servertest.Visitor, "POST", "readonly", "/query", 400, decoded},
		{alice, "POST", "notes", "/insert", 400, decoded},
		{servertest.Visitor, "POST", "bydata", "/insert", 400, decoded},
		{servertest.Visitor, "POST", "bydata", "/query", 400, decoded},
		{alice, "POST", "signedin", "/insert", 400, decoded},
		{asAdmin, "POST", "adminonly", "/insert", 400, decoded},
		{asAdmin, "POST", "", "/v1/admin/collections", 400, decoded},
	} {
		url := c.url
		var setup []servertest.Request
		if c.coll != "" {
			setup = append(setup, byAdmin("POST", "/v1/admin/collections", `{"name":"`+c.coll+`"}`))
			if rules[c.coll] != "" {
				setup = append(setup, byAdmin("PUT", "/v1/admin/collections/"+c.coll+"/rules", rules[c.coll]))
			}
			if !strings.HasPrefix(url, "/v1/") {
				url = "/v1/db/" + c.coll + url
			}
		}
		scenarios = append(scenarios, servertest.Scenario{Name: fmt.Sprintf("%s %s as %s", c.method, url, c.as), Setup: setup,
			Method: c.method, URL: url, Body: garbage, As: c.as, Status: c.status, Want: c.want})
	}
	servertest.Run(t, scenarios)
}

// TestFieldLimit: a document has at most MaxFields fields, counted at
// every level; more is INVALID_PARAM naming the limit, whether the document
// is inserted, set or grown by an update, and nothing is written.
func TestFieldLimit(t *testing.T) {
	fields := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"%s%d":0`, prefix, i)
		}
		return b.String()
	}
	wide := `{"data":{"_id":"wide",` + fields("k", db.MaxFields-1) + `}}` // with _id: MaxFields
	scenarios := []servertest.Scenario{{Name: fmt.Sprintf("a document of %d fields", db.MaxFields),
		Method: "POST", URL: "/v1/db/notes/insert", Body: wide, As: asAdmin, Status: 200}}
	over := fmt.Sprintf("%d fields", db.MaxFields)
	// A small document stands beside the refused one; the update grows the
	// wide one.
	small := []servertest.Request{byAdmin("POST", "/v1/db/notes/insert", `{"data":{"_id":"small"}}`)}
	for _, c := range []struct {
		name        string
		setup       []servertest.Request
		method, url string
		body, whole string // whole: the document that must be there after, alone
	}{
		{"one object", small, "POST", "/v1/db/notes/insert", `{"data":{` + fields("k", db.MaxFields+1) + `}}`, `small`},
		{"nested", small, "POST", "/v1/db/notes/insert", `{"data":{"a":{` + fields("k", db.MaxFields/2) + `},"b":{` + fields("k", db.MaxFields/2) + `}}}`, `small`},
		{"in an array", small, "POST", "/v1/db/notes/insert", `{"data":{"a":[{` + fields("k", db.MaxFields/2) + `},{` + fields("k", db.MaxFields/2) + `}]}}`, `small`},
		{"in a batch", small, "POST", "/v1/db/notes/insert", `{"data":[{"_id":"ok"},{"a":{` + fields("k", db.MaxFields) + `}}]}`, `small`},
		{"set", small, "PUT", "/v1/db/notes/docs/set", `{"data":{"a":{` + fields("k", db.MaxFields) + `}}}`, `small`},
		{"update", []servertest.Request{byAdmin("POST", "/v1/db/notes/insert", wide)}, "PATCH", "/v1/db/notes/docs/wide",
			`{"update":{"$set":{"one":1,"more":2}}}`, `wide`},
		{"upsert", small, "POST", "/v1/db/notes/update", `{"filter":{"_id":"new"},"update":{"$set":{"a":{` + fields("k", db.MaxFields) + `}}},"upsert":true}`, `small`},
		// Array elements count as fields: a document of one huge array
		// of numbers cost a second of CPU for every query on that field.
		{"array elements", small, "POST", "/v1/db/notes/insert", `{"data":{"a":[` + zeros(db.MaxFields+1) + `]}}`, `small`},
		{"elements and fields", small, "POST", "/v1/db/notes/insert", `{"data":{"a":[` + zeros(db.MaxFields/2) + `],"b":{` + fields("k", db.MaxFields/2) + `}}}`, `small`},
		{"nested arrays", small, "POST", "/v1/db/notes/insert", `{"data":{"a":[[` + zeros(db.MaxFields/2) + `],[` + zeros(db.MaxFields/2) + `]]}}`, `small`},
		{"push each", []servertest.Request{byAdmin("POST", "/v1/db/notes/insert", `{"data":{"_id":"wide","b":[`+zeros(db.MaxFields-2)+`]}}`)},
			"PATCH", "/v1/db/notes/docs/wide", `{"update":{"$push":{"b":{"$each":[1,2]}}}}`, `wide`},
	} {
		scenarios = append(scenarios, servertest.Scenario{Name: c.name, Setup: c.setup,
			Method: c.method, URL: c.url, Body: c.body, As: asAdmin, Status: 400, Want: `{"code":"` + db.CodeInvalidParam + `"}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas(over)(tb, s, r)
				s.Run(tb, count("notes", `{}`, 1))                                                                  // nothing written
				s.Run(tb, count("notes", `{"_id":"`+c.whole+`","one":{"$exists":false},"a":{"$exists":false}}`, 1)) // nor changed
			}})
	}
	servertest.Run(t, scenarios)
}

// manyFields is n fields "f0":0… each after a comma.
func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `,"f%d":0`, i)
	}
	return b.String()
}

// zeros is n comma-separated zeros.
func zeros(n int) string { return strings.TrimSuffix(strings.Repeat("0,", n), ",") }

// TestLimitsWhileDecoding: an array over MaxFields elements, an object over
// MaxFields fields and a body whose decoded form would pass MaxBodyMemory
// are refused the moment the limit is passed, as an anonymous user's
// insert, a filter's $in list, an $or's conditions and an update's $each:
// what follows (here, bytes that are not JSON) is never read, so a 15 MB
// body of small values costs what its first part does.
func TestLimitsWhileDecoding(t *testing.T) {
	const garbage = `, this is not JSON`
	elements := fmt.Sprintf("more than %d elements", db.MaxFields)
	var objects strings.Builder
	for i := range db.MaxFields + 1 {
		fmt.Fprintf(&objects, `{"k%d":1},`, i)
	}
	// 20 arrays of 9,000 empty arrays: each "[]," takes 40 bytes decoded,
	// 180,000 of them more than MaxBodyMemory (64 MiB) past 1.7 million;
	// the 6 MB body is refused after about 5 MB.
	var empties strings.Builder
	empties.WriteString(`{"data":{"a":[`)
	for range 200 {
		empties.WriteString("[" + strings.Repeat("[],", 9000) + "[]],")
	}
	empties.WriteString(`[]` + garbage)
	small := []servertest.Request{byAdmin("POST", "/v1/db/notes/insert", `{"data":{"_id":"small","a":1}}`)}
	var scenarios []servertest.Scenario
	for _, c := range []struct {
		name, url, body, want string
	}{
		{"insert an array", "insert", `{"data":{"a":[` + zeros(db.MaxFields+1) + garbage, elements},
		{"a filter's $in", "query", `{"filter":{"a":{"$in":[` + zeros(db.MaxFields+1) + garbage, elements},
		{"a count's $or", "count", `{"filter":{"$or":[` + objects.String() + garbage, elements},
		{"an object's fields", "insert", `{"data":{"_id":"x"` + manyFields(db.MaxFields+1) + garbage,
			fmt.Sprintf("more than %d fields", db.MaxFields)},
		{"an update's $each", "update", `{"filter":{},"update":{"$push":{"a":{"$each":[` + zeros(db.MaxFields+1) + garbage, elements},
		{"a body of empty arrays", "insert", empties.String(), "too complex"},
	} {
		scenarios = append(scenarios, servertest.Scenario{Name: c.name, Setup: small, Method: "POST", URL: "/v1/db/notes/" + c.url,
			Body: c.body, As: alice, Status: 400, Want: `{"code":"` + db.CodeInvalidParam + `"}`, Absent: []string{"invalid JSON"},
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas(c.want)(tb, s, r)
				s.Run(tb, count("notes", `{}`, 1))
			}})
	}
	servertest.Run(t, scenarios)
}
