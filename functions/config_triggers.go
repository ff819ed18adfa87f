package functions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"

	"minibase/db"
)

// Timer is a function's timer trigger (config.json "triggers").
type Timer struct {
	Name string // [A-Za-z][A-Za-z0-9_-]{0,59}
	Cron *Cron
}

// Route binds a path under /fn/ to a function (config.json "http", as
// CloudBase's HTTP access service): Path "/api/hello" serves
// /fn/api/hello and everything below it.
type Route struct {
	Path    string   // clean, starting with "/"
	Methods []string // upper case; empty: every method
}

// DBTrigger is a function's database trigger (config.json "triggers" of
// type "database", minibase's addition to CloudBase's timers): the
// function runs after every committed change to Collection whose
// operation is in Events and whose document matches Filter.
type DBTrigger struct {
	Name       string        // like a timer's
	Collection string        // a valid collection name
	Events     []db.ChangeOp // at least one; default all three
	Filter     *db.Filter    // matched against the document after the change (before it, for a delete); nil: every document
}

// on reports whether the trigger takes changes of kind op.
func (t *DBTrigger) on(op db.ChangeOp) bool { return slices.Contains(t.Events, op) }

// Limits of the trigger configuration.
const (
	maxRoutes       = 32
	maxRoutePath    = 256
	maxDBTriggers   = 10       // database triggers per function
	maxFilterJSON   = 16 << 10 // bytes of a database trigger's filter
	maxFilterDepth  = 20       // nesting of a database trigger's filter
	triggerTypeHelp = `"timer" (config: a 7-field cron) or "database" (config: {"collection", "events", "filter"})`
)

var triggerNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,59}$`)

type rawTrigger struct {
	Name   string          `json:"name"`
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config"`
}

type rawDBConfig struct {
	Collection string          `json:"collection"`
	Events     []string        `json:"events"`
	Filter     json.RawMessage `json:"filter"`
}

type rawRoute struct {
	Path    string   `json:"path"`
	Methods []string `json:"methods"`
}

// parseTriggers checks the "triggers" list: CloudBase's timer (at most
// one, named like a function, with a 7-field cron) and database triggers
// (at most maxDBTriggers); names are unique within the function.
func parseTriggers(raw []rawTrigger) (*Timer, []DBTrigger, error) {
	var (
		timer *Timer
		dbt   []DBTrigger
		names []string
	)
	for i, tr := range raw {
		if !triggerNameRE.MatchString(tr.Name) {
			return nil, nil, fmt.Errorf("triggers[%d]: invalid name %q: use a letter, then up to 59 letters, digits, '-' or '_'", i, tr.Name)
		}
		if slices.Contains(names, tr.Name) {
			return nil, nil, fmt.Errorf("triggers[%d]: the name %q is used twice", i, tr.Name)
		}
		names = append(names, tr.Name)
		switch tr.Type {
		case "timer":
			if timer != nil {
				return nil, nil, fmt.Errorf("triggers[%d] (%s): a function has at most one timer trigger", i, tr.Name)
			}
			var expr string
			if err := json.Unmarshal(tr.Config, &expr); err != nil {
				return nil, nil, fmt.Errorf("triggers[%d] (%s): a timer's config must be a cron string such as \"0 0 2 * * * *\"", i, tr.Name)
			}
			c, err := ParseCron(expr)
			if err != nil {
				return nil, nil, fmt.Errorf("triggers[%d] (%s): %w", i, tr.Name, err)
			}
			timer = &Timer{Name: tr.Name, Cron: c}
		case "database":
			if len(dbt) == maxDBTriggers {
				return nil, nil, fmt.Errorf("triggers[%d] (%s): a function has at most %d database triggers", i, tr.Name, maxDBTriggers)
			}
			t, err := parseDBTrigger(tr)
			if err != nil {
				return nil, nil, fmt.Errorf("triggers[%d] (%s): %w", i, tr.Name, err)
			}
			dbt = append(dbt, *t)
		default:
			return nil, nil, fmt.Errorf("triggers[%d] (%s): type must be %s, got %q", i, tr.Name, triggerTypeHelp, tr.Type)
		}
	}
	return timer, dbt, nil
}

// parseDBTrigger checks a database trigger's config: {"collection",
// "events" (default all), "filter" (a query filter, as /v1/db takes)}.
func parseDBTrigger(tr rawTrigger) (*DBTrigger, error) {
	const want = `a database trigger's config is {"collection": name, "events": ["insert", "update", "delete"], "filter": {…}}`
	if len(bytes.TrimSpace(tr.Config)) == 0 {
		return nil, fmt.Errorf("%s", want)
	}
	var c rawDBConfig
	dec := json.NewDecoder(bytes.NewReader(tr.Config))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %v", want, err)
	}
	if !db.ValidCollectionName(c.Collection) {
		return nil, fmt.Errorf("invalid collection %q: use 1-64 letters, digits, '_' or '-', starting with a letter or digit", c.Collection)
	}
	t := &DBTrigger{Name: tr.Name, Collection: c.Collection}
	if c.Events == nil {
		t.Events = []db.ChangeOp{db.ChangeInsert, db.ChangeUpdate, db.ChangeDelete}
	} else if len(c.Events) == 0 {
		return nil, fmt.Errorf("events must name at least one of insert, update, delete (or be left out: all three)")
	}
	for _, e := range c.Events {
		op, ok := db.ParseChangeOp(e)
		if !ok {
			return nil, fmt.Errorf("unknown event %q: use insert, update or delete", e)
		}
		if !t.on(op) {
			t.Events = append(t.Events, op)
		}
	}
	if f := bytes.TrimSpace(c.Filter); len(f) > 0 && !bytes.Equal(f, []byte("null")) {
		if len(f) > maxFilterJSON {
			return nil, fmt.Errorf("the filter is %d bytes of JSON, more than %d", len(f), maxFilterJSON)
		}
		v, err := db.DecodeJSON(f, maxFilterDepth)
		if err != nil {
			return nil, fmt.Errorf("filter: %v", err)
		}
		if _, ok := v.(db.Doc); !ok {
			return nil, fmt.Errorf("filter must be a query document such as {\"status\": \"paid\"}")
		}
		if t.Filter, err = db.ParseFilter(v); err != nil {
			return nil, fmt.Errorf("filter: %v", err)
		}
	}
	return t, nil
}

var httpMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions}

// parseRoutes checks the "http" routes: clean absolute paths, no
// duplicates, known methods.
func parseRoutes(raw []rawRoute) ([]Route, error) {
	if len(raw) > maxRoutes {
		return nil, fmt.Errorf("http: at most %d routes per function, got %d", maxRoutes, len(raw))
	}
	var out []Route
	for _, r := range raw {
		p := r.Path
		if p != "/" {
			p = strings.TrimSuffix(p, "/")
		}
		if p == "" || p[0] != '/' || len(p) > maxRoutePath || path.Clean(p) != p || strings.ContainsAny(p, "?#%\\\x00 ") {
			return nil, fmt.Errorf("http: invalid path %q: use a clean path such as /api/hello (at most %d characters)", r.Path, maxRoutePath)
		}
		if slices.ContainsFunc(out, func(o Route) bool { return o.Path == p }) {
			return nil, fmt.Errorf("http: path %q is listed twice", p)
		}
		rt := Route{Path: p}
		for _, m := range r.Methods {
			m = strings.ToUpper(m)
			if m == "ANY" || m == "*" {
				rt.Methods = nil
				break
			}
			if !slices.Contains(httpMethods, m) {
				return nil, fmt.Errorf("http: path %s: unknown method %q", p, m)
			}
			rt.Methods = append(rt.Methods, m)
		}
		out = append(out, rt)
	}
	return out, nil
}

// allows reports whether the route serves method.
func (r Route) allows(method string) bool {
	return len(r.Methods) == 0 || slices.Contains(r.Methods, method)
}
