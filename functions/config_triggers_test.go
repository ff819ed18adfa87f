package functions

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"minibase/db"
)

func TestParseConfigTriggers(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"triggers": [{"name": "daily", "type": "timer", "config": "0 0 2 1 * * *"}],
		"http": [{"path": "/api/hello/", "methods": ["get", "POST"]}, {"path": "/hook"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timer == nil || cfg.Timer.Name != "daily" || cfg.Timer.Cron.String() != "0 0 2 1 * * *" {
		t.Errorf("Timer = %+v, want daily at 0 0 2 1 * * *", cfg.Timer)
	}
	want := []Route{{Path: "/api/hello", Methods: []string{"GET", "POST"}}, {Path: "/hook"}}
	if !slices.EqualFunc(cfg.Routes, want, func(a, b Route) bool { return a.Path == b.Path && slices.Equal(a.Methods, b.Methods) }) {
		t.Errorf("Routes = %+v, want %+v", cfg.Routes, want)
	}

	bad := []struct{ config, wantErr string }{
		{`{"triggers": [{"name": "a", "type": "timer", "config": "* * * * * * *"}, {"name": "b", "type": "timer", "config": "* * * * * * *"}]}`, "at most one timer"},
		{`{"triggers": [{"name": "a", "type": "timer", "config": {"cron": "* * * * * * *"}}]}`, "a cron string"},
		{`{"triggers": [{"name": "a", "type": "cos", "config": "* * * * * * *"}]}`, `type must be "timer"`},
		{`{"triggers": [{"name": "1a", "type": "timer", "config": "* * * * * * *"}]}`, "invalid name"},
		{`{"triggers": [{"name": "` + strings.Repeat("a", 61) + `", "type": "timer", "config": "* * * * * * *"}]}`, "invalid name"},
		{`{"triggers": [{"name": "a", "type": "timer", "config": "0 0 2 1 * *"}]}`, "want 7 fields"},
		{`{"http": [{"path": "api"}]}`, "invalid path"},
		{`{"http": [{"path": "/a/../b"}]}`, "invalid path"},
		{`{"http": [{"path": "/a"}, {"path": "/a/"}]}`, "listed twice"},
		{`{"http": [{"path": "/a", "methods": ["FETCH"]}]}`, "unknown method"},
		{`{"http": {"path": "/a"}}`, "config.json"},
	}
	for _, b := range bad {
		if _, err := ParseConfig([]byte(b.config)); err == nil || !strings.Contains(err.Error(), b.wantErr) {
			t.Errorf("ParseConfig(%s) = %v, want an error containing %q", b.config, err, b.wantErr)
		}
	}
}

// Database triggers in config.json: validated at deploy with errors that
// say what is wrong; events default to all three; the filter is a query
// in /v1/db's syntax, extended JSON included.
func TestParseConfigDBTriggers(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"triggers": [
		{"name": "daily", "type": "timer", "config": "0 0 2 1 * * *"},
		{"name": "onOrder", "type": "database", "config": {"collection": "orders", "events": ["update", "insert", "update"],
			"filter": {"status": "paid", "at": {"$gte": {"$date": "2024-01-01T00:00:00Z"}}}}},
		{"name": "everything", "type": "database", "config": {"collection": "orders", "filter": null}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timer == nil || len(cfg.Database) != 2 {
		t.Fatalf("got timer %v and %d database triggers, want a timer and 2", cfg.Timer, len(cfg.Database))
	}
	on, all := cfg.Database[0], cfg.Database[1]
	if on.Name != "onOrder" || on.Collection != "orders" || !slices.Equal(on.Events, []db.ChangeOp{db.ChangeUpdate, db.ChangeInsert}) {
		t.Errorf("onOrder = %+v, want orders on update and insert", on)
	}
	paid := db.Doc{{Key: "status", Value: "paid"}, {Key: "at", Value: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}}
	early := db.Doc{{Key: "status", Value: "paid"}, {Key: "at", Value: time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)}}
	if on.Filter == nil || !on.Filter.Match(paid) || on.Filter.Match(early) {
		t.Errorf("onOrder's filter: matches a paid order of June 2024 %v, one of 2023 %v; want true, false", on.Filter.Match(paid), on.Filter.Match(early))
	}
	if all.Filter != nil || !slices.Equal(all.Events, []db.ChangeOp{db.ChangeInsert, db.ChangeUpdate, db.ChangeDelete}) {
		t.Errorf("everything = %+v, want every event and no filter", all)
	}

	trig := func(config string) string {
		return `{"triggers": [{"name": "t", "type": "database", "config": ` + config + `}]}`
	}
	many := make([]string, maxDBTriggers+1)
	for i := range many {
		many[i] = `{"name": "t` + strconv.Itoa(i) + `", "type": "database", "config": {"collection": "c"}}`
	}
	bad := []struct{ config, wantErr string }{
		{trig(`{"collection": "orders", "events": []}`), "at least one of insert, update, delete"},
		{trig(`{"collection": "orders", "events": ["create"]}`), `unknown event "create"`},
		{trig(`{"collection": "my orders"}`), `invalid collection "my orders"`},
		{trig(`{"events": ["insert"]}`), `invalid collection ""`},
		{trig(`{"colection": "orders"}`), `unknown field "colection"`},
		{trig(`"orders"`), `a database trigger's config is {"collection"`},
		{`{"triggers": [{"name": "t", "type": "database"}]}`, `a database trigger's config is {"collection"`},
		{trig(`{"collection": "orders", "filter": [1]}`), "filter must be a query document"},
		{trig(`{"collection": "orders", "filter": {"n": {"$where": "1"}}}`), "filter: "},
		{trig(`{"collection": "orders", "filter": {"s": "` + strings.Repeat("x", maxFilterJSON) + `"}}`), "more than 16384"},
		{`{"triggers": [` + strings.Join(many, ",") + `]}`, "at most 10 database triggers"},
		{`{"triggers": [{"name": "t", "type": "timer", "config": "* * * * * * *"}, {"name": "t", "type": "database", "config": {"collection": "c"}}]}`, `the name "t" is used twice`},
		{`{"triggers": [{"name": "t", "type": "cos", "config": {}}]}`, `type must be "timer" (config: a 7-field cron) or "database"`},
	}
	for _, b := range bad {
		if _, err := ParseConfig([]byte(b.config)); err == nil || !strings.Contains(err.Error(), b.wantErr) {
			t.Errorf("ParseConfig(%.200s) = %v, want an error containing %q", b.config, err, b.wantErr)
		}
	}
}
