package server

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"minibase/auth"
	"minibase/db"
	"minibase/functions"
	"minibase/storage"
)

// The limits of minibase in one table: what bounds a request, an upload,
// a query, a function, a watch, a client. limitSettings names the settings
// that are limits (their rows in Config.settings give the default and the
// text); fixedLimits are the bounds that no setting changes, read from the
// constants the code enforces. LimitsMarkdown writes the table the README
// shows under "Limits", and TestLimitsREADME keeps the two equal: a limit
// added here appears there, a default changed in its setting's row or in
// its package changes there.

// Limit is one row of the limits table.
type Limit struct {
	Area    string // "HTTP", "connections", "rate", "database", "storage", "functions", "watch", "shutdown"
	Setting string // the MINIBASE_* variable, or where else it is set ("config.json timeout"); "" when fixed
	Default string // the bound when nothing is set ("—" when the text says)
	What    string // what it bounds, and what happens beyond
}

// limitSettings are the settings that are limits, by area, in the
// table's order.
var limitSettings = []struct{ area, env string }{
	{"HTTP", "MINIBASE_BODY_LIMIT"},
	{"HTTP", "MINIBASE_IMPORT_LIMIT"},
	{"HTTP", "MINIBASE_REQUEST_TIMEOUT"},
	{"HTTP", "MINIBASE_HEADER_TIMEOUT"},
	{"HTTP", "MINIBASE_BODY_TIMEOUT"},
	{"HTTP", "MINIBASE_SEND_TIMEOUT"},
	{"HTTP", "MINIBASE_KEEPALIVE_TIMEOUT"},
	{"connections", "MINIBASE_MAX_CONNS"},
	{"connections", "MINIBASE_MAX_CONNS_PER_ADDR"},
	{"rate", "MINIBASE_RATE_DB"},
	{"rate", "MINIBASE_RATE_STORAGE"},
	{"rate", "MINIBASE_RATE_FUNCTIONS"},
	{"rate", "MINIBASE_RATE_AUTH"},
	{"rate", "MINIBASE_RATE_WATCH"},
	{"rate", "MINIBASE_RATE_SIGNIN"},
	{"database", "MINIBASE_DB_AGGREGATE_MEMORY"},
	{"storage", "MINIBASE_STORAGE_MAX_SIZE"},
	{"storage", "MINIBASE_UPLOAD_IDLE_TIMEOUT"},
	{"storage", "MINIBASE_IMAGE_MAX_PIXELS"},
	{"storage", "MINIBASE_IMAGE_MEMORY"},
	{"storage", "MINIBASE_IMAGE_CONCURRENCY"},
	{"storage", "MINIBASE_IMAGE_QUEUE"},
	{"functions", "MINIBASE_FUNCTIONS_CONCURRENCY"},
	{"functions", "MINIBASE_FUNCTIONS_QUEUE"},
	{"functions", "MINIBASE_FUNCTIONS_MEMORY"},
	{"functions", "MINIBASE_FUNCTIONS_ASYNC_PER_USER"},
	{"watch", "MINIBASE_WATCH_MAX_DOCS"},
	{"watch", "MINIBASE_WATCH_PER_CONNECTION"},
	{"watch", "MINIBASE_WATCH_PER_USER"},
	{"watch", "MINIBASE_WATCH_MAX"},
	{"watch", "MINIBASE_WATCH_IDLE_TIMEOUT"},
	{"shutdown", "MINIBASE_SHUTDOWN_TIMEOUT"},
}

// fixedLimits are the bounds no setting changes, from the constants the
// code enforces.
func fixedLimits() []Limit {
	q := db.Limits{}.WithDefaults()
	return []Limit{
		{"HTTP", "", bytesText(auth.MaxBody), "request body of /v1/auth/… (sign-in, tokens); larger: 413"},
		{"HTTP", "", bytesText(storage.MaxJSONBody), "JSON body of /v1/storage/… (temporary URLs, deletes); larger: 413"},
		{"HTTP", "", bytesText(functions.MaxZipBytes), "a function's deployment zip; larger: 413"},
		{"database", "", strconv.Itoa(q.DefaultLimit), "documents a query returns without a limit"},
		{"database", "", strconv.Itoa(q.MaxLimit), "documents a query returns at most (a larger limit is lowered to it)"},
		{"database", "", strconv.Itoa(q.MaxInsert), "documents one insert adds"},
		{"database", "", bytesText(q.MaxResult), "documents in one answer"},
		{"database", "", bytesText(db.MaxDocSize), "one document, as stored"},
		{"database", "", strconv.Itoa(db.MaxDepth), "nesting of a document or a value"},
		{"database", "", strconv.Itoa(db.MaxFilterNodes), "operators and values of one filter"},
		{"database", "", strconv.Itoa(db.MaxSortKeys), "sort keys of one query"},
		{"database", "", strconv.Itoa(db.MaxPipelineStages), "stages of one aggregation pipeline"},
		{"database", "", strconv.Itoa(db.MaxTxnOps), "operations of one transaction"},
		{"database", "", bytesText(q.BodyMemory), "decoded request bodies being handled at once; beyond, a request waits up to " +
			q.BodyWait.String() + ", then 503"},
		{"functions", "config.json timeout", functions.DefaultTimeout.String(), "one invocation's time, at most " +
			functions.MaxTimeout.String() + "; beyond, the invocation fails (FUNCTIONS_EXECUTE_FAIL)"},
		{"functions", "config.json memorySize", strconv.Itoa(functions.DefaultMemoryMB) + " MB", "one invocation's heap, 64 to 4096 MB; " +
			"beyond, the invocation fails (FUNCTIONS_EXECUTE_FAIL)"},
		{"functions", "", bytesText(functions.DefaultMaxEvent), "an invocation's event (its data, as JSON) from a client, callFunction, " +
			"a trigger or an asynchronous call; larger: refused, " + functions.CodeEventTooLarge + " (413 over HTTP)"},
		{"functions", "", bytesText(functions.DefaultMaxResult), "what main returns, as JSON (CloudBase's limit); larger: the invocation fails (" +
			functions.CodeResultTooLarge + ")"},
		{"functions", "", bytesText(functions.MaxCodeBytes), "a function's code, all files"},
		{"functions", "", strconv.Itoa(functions.MaxFiles), "files of one function"},
		{"watch", "", bytesText(db.MaxWatchMessage), "one message a client sends on a watch connection; larger: the connection is closed " +
			"(WebSocket close 1009, message too big)"},
	}
}

// LimitsTable is every limit: the settings', then the fixed ones, by area.
func LimitsTable() []Limit {
	rows := map[string]setting{}
	for _, s := range new(Config).settings() {
		rows[s.env] = s
	}
	var out []Limit
	for _, l := range limitSettings {
		s, ok := rows[l.env]
		if !ok {
			panic("server: limitSettings names " + l.env + ", which is not a setting")
		}
		def := s.def
		if def == "" {
			def = "—"
		}
		out = append(out, Limit{Area: l.area, Setting: l.env, Default: def, What: s.usage})
	}
	out = append(out, fixedLimits()...)
	slices.SortStableFunc(out, func(a, b Limit) int {
		return slices.Index(limitAreas, a.Area) - slices.Index(limitAreas, b.Area)
	})
	return out
}

// limitAreas are the table's areas, in its order.
var limitAreas = []string{"HTTP", "connections", "rate", "database", "storage", "functions", "watch", "shutdown"}

// LimitsMarkdown is the limits table as the README shows it.
func LimitsMarkdown() string {
	var b strings.Builder
	b.WriteString("| Area | Setting | Default | What it bounds |\n|---|---|---|---|\n")
	for _, l := range LimitsTable() {
		setting := "fixed"
		if l.Setting != "" {
			setting = "`" + l.Setting + "`"
		}
		def := l.Default
		if def != "—" {
			def = "`" + def + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", l.Area, setting, def, strings.ReplaceAll(l.What, "|", `\|`))
	}
	return b.String()
}

// bytesText writes n bytes in the largest whole unit (64KiB), as the
// settings read sizes.
func bytesText[N int | int64](n N) string { return sizeText(int64(n)) }
