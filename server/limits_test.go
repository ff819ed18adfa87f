package server

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestLimitsREADME: the README's Limits table is LimitsMarkdown, the table
// of limits.go, between its markers: the docs cannot drift from the code.
// MINIBASE_UPDATE_README=1 writes it.
func TestLimitsREADME(t *testing.T) {
	const begin, end = "<!-- limits table: generated from server/limits.go; MINIBASE_UPDATE_README=1 go test ./server -run TestLimitsREADME -->\n", "<!-- end of limits table -->"
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(raw), begin)
	_, after, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("README.md has no limits table between %q and %q", begin, end)
	}
	want := LimitsMarkdown()
	if got, _, _ := strings.Cut(rest, end); got != want {
		if os.Getenv("MINIBASE_UPDATE_README") == "1" {
			if err := os.WriteFile("../README.md", []byte(before+begin+want+end+after), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's limits table is not server/limits.go's; run MINIBASE_UPDATE_README=1 go test ./server -run TestLimitsREADME\ngot:\n%s\nwant:\n%s", got, want)
	}
}

// TestLimitsTable: every setting limitSettings names exists, once, and
// every fixed limit has a value and a text.
func TestLimitsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range LimitsTable() {
		if !slices.Contains(limitAreas, l.Area) || l.Default == "" || l.What == "" {
			t.Errorf("a row without a known area, a default or a text: %+v", l)
		}
		if l.Setting != "" && seen[l.Setting] && !strings.HasPrefix(l.Setting, "config.json") {
			t.Errorf("%s is in the table twice", l.Setting)
		}
		seen[l.Setting] = true
	}
	for _, want := range []string{"MINIBASE_BODY_LIMIT", "MINIBASE_STORAGE_MAX_SIZE", "MINIBASE_FUNCTIONS_MEMORY", "MINIBASE_RATE_DB",
		"MINIBASE_WATCH_MAX_DOCS", "MINIBASE_SHUTDOWN_TIMEOUT", "config.json timeout"} {
		if !seen[want] {
			t.Errorf("the limits table has no row for %s", want)
		}
	}
}
