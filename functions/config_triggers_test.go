package functions

import (
	"slices"
	"strings"
	"testing"
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
		{`{"triggers": [{"name": "a", "type": "timer", "config": "* * * * * * *"}, {"name": "b", "type": "timer", "config": "* * * * * * *"}]}`, "at most one trigger"},
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
