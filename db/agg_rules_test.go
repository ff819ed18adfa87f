//go:build !minibase_fuzz

package db_test

import (
	"strings"
	"testing"

	"minibase/db"
)

// TestAggregateRules: a client aggregates behind a leading $match that
// its read rule allows, as a query's filter must be; presets narrow or
// refuse as they do queries; admins bypass rules. Outcomes: the output
// documents, "denied" or an error code.
func TestAggregateRules(t *testing.T) {
	type row struct{ rules, user, pipeline, want string }
	ids := `{"$project":{"_id":1}}`
	rows := []row{
		{"PRIVATE", "alice", `[` + ids + `]`, `[{"_id":"a1"},{"_id":"a2"}]`},
		{"PRIVATE", "bob", `[{"$match":{"_openid":"oa"}},` + ids + `]`, `[]`},
		{"PRIVATE", "alice", `[{"$group":{"_id":null,"n":{"$sum":"$n"}}}]`, `[{"_id":null,"n":3}]`},
		{"PRIVATE", "visitor", `[` + ids + `]`, "denied"},
		{"PRIVATE", "admin", `[{"$count":"n"}]`, `[{"n":3}]`},
		{"READONLY", "visitor", `[{"$count":"n"}]`, `[{"n":3}]`},
		{"ADMINONLY", "alice", `[{"$match":{"_openid":"{openid}"}}]`, "denied"},
		{"ADMINONLY", "admin", `[{"$count":"n"}]`, `[{"n":3}]`},
		// A custom rule must follow from the leading $match.
		{"owner", "alice", `[{"$match":{"_openid":"{openid}"}},` + ids + `]`, `[{"_id":"a1"},{"_id":"a2"}]`},
		{"owner", "alice", `[` + ids + `]`, "denied"},
		{"owner", "alice", `[{"$match":{"n":{"$gt":0}}}]`, "denied"},
		{"owner", "visitor", `[{"$match":{"_openid":"{openid}"}}]`, "denied"},
		// $expr proves nothing; the conditions beside it do.
		{"owner", "alice", `[{"$match":{"$expr":{"$eq":["$_openid","oa"]}}}]`, "denied"},
		{"owner", "alice", `[{"$match":{"_openid":"{openid}","$expr":{"$gt":["$n",1]}}},` + ids + `]`, `[{"_id":"a2"}]`},
		// Only a leading $match counts: a later one filters what the
		// caller could not read in the first place.
		{"owner", "alice", `[{"$sort":{"n":1}},{"$match":{"_openid":"{openid}"}}]`, "denied"},
		{"owner", "alice", `[{"$match":{"_openid":"{openid}"}},{"$match":{"n":2}},` + ids + `]`, `[{"_id":"a2"}]`},
		{"public", "bob", `[{"$match":{"public":true}},{"$group":{"_id":"$_openid"}},{"$sort":{"_id":1}}]`, `[{"_id":"oa"},{"_id":"ob"}]`},
		{"public", "bob", `[{"$group":{"_id":"$_openid"}}]`, "denied"},
		// Rules with get(): the documents are read before the rule's reads.
		{"room", "alice", `[{"$match":{"room":"r1"}},` + ids + `]`, `[{"_id":"a1"},{"_id":"b1"}]`},
		{"room", "bob", `[{"$match":{"room":"r2"}}]`, "denied"},
	}
	for _, r := range rows {
		t.Run(r.rules+"/"+r.user+"/"+r.pipeline, func(t *testing.T) {
			e := newRulesEnv(t)
			e.create(t, "c", ruleSets[r.rules], seed)
			if got := e.do(t, r.user, "c", "aggregate "+r.pipeline); got != r.want {
				t.Errorf("got %s, want %s", got, r.want)
			}
		})
	}
}

// TestAggregateLookupRules: every $lookup is held to the rules of the
// collection it reads: PRIVATE joins only the caller's own documents,
// ADMINONLY refuses, and a custom rule must follow from the $match that
// starts the lookup's pipeline. CloudBase refuses lookup on the client
// altogether.
func TestAggregateLookupRules(t *testing.T) {
	lookup := func(from, pipeline string) string {
		p := ""
		if pipeline != "" {
			p = `,"pipeline":` + pipeline
		}
		return `[{"$lookup":{"from":"` + from + `","localField":"room","foreignField":"_id"` + p + `,"as":"r"}},` +
			`{"$project":{"rooms":"$r._id"}}]`
	}
	e := newRulesEnv(t)
	e.create(t, "c", ruleSets["READONLY"], seed)
	rooms := `[{"_id":"r1","_openid":"oa","public":true},{"_id":"r2","_openid":"ob","public":false}]`
	for _, preset := range []string{"PRIVATE", "ADMINONLY", "READONLY", "owner", "public"} {
		e.create(t, "rooms_"+strings.ToLower(preset), ruleSets[preset], rooms)
	}
	for _, c := range []struct{ user, pipeline, want string }{
		{"alice", lookup("rooms_private", ""), `[{"_id":"a1","rooms":["r1"]},{"_id":"a2","rooms":[]},{"_id":"b1","rooms":["r1"]}]`},
		{"bob", lookup("rooms_private", ""), `[{"_id":"a1","rooms":[]},{"_id":"a2","rooms":["r2"]},{"_id":"b1","rooms":[]}]`},
		{"visitor", lookup("rooms_private", ""), "denied"},
		{"admin", lookup("rooms_private", ""), `[{"_id":"a1","rooms":["r1"]},{"_id":"a2","rooms":["r2"]},{"_id":"b1","rooms":["r1"]}]`},
		{"alice", lookup("rooms_adminonly", ""), "denied"},
		{"visitor", lookup("rooms_readonly", ""), `[{"_id":"a1","rooms":["r1"]},{"_id":"a2","rooms":["r2"]},{"_id":"b1","rooms":["r1"]}]`},
		{"alice", lookup("rooms_owner", ""), "denied"},
		{"alice", lookup("rooms_owner", `[{"$match":{"_openid":"{openid}"}}]`), `[{"_id":"a1","rooms":["r1"]},{"_id":"a2","rooms":[]},{"_id":"b1","rooms":["r1"]}]`},
		{"bob", lookup("rooms_public", `[{"$match":{"public":true}}]`), `[{"_id":"a1","rooms":["r1"]},{"_id":"a2","rooms":[]},{"_id":"b1","rooms":["r1"]}]`},
		{"bob", lookup("rooms_public", ""), "denied"},
		// A lookup inside a $facet is checked too.
		{"alice", `[{"$facet":{"x":` + lookup("rooms_adminonly", "") + `}}]`, "denied"},
		// A collection that does not exist joins nothing.
		{"alice", lookup("rooms_none", ""), `[{"_id":"a1","rooms":[]},{"_id":"a2","rooms":[]},{"_id":"b1","rooms":[]}]`},
	} {
		if got := e.do(t, c.user, "c", "aggregate "+c.pipeline); got != c.want {
			t.Errorf("%s %s:\n got  %s\n want %s", c.user, c.pipeline, got, c.want)
		}
	}
	_, err := e.s.Aggregate(e.users["alice"], "c", doc(t, `{"pipeline":`+lookup("rooms_owner", "")+`}`))
	if msg := err.Error(); !strings.Contains(msg, "$lookup from rooms_owner") || !strings.Contains(msg, "_openid") {
		t.Errorf("a denied lookup's error names the lookup and what to pin: %s", msg)
	}
	if db.ErrorCode(err) != db.CodePermissionDenied {
		t.Errorf("code %s", db.ErrorCode(err))
	}
}
