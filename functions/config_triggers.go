package functions

import (
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"
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

// Limits of the trigger configuration.
const (
	maxRoutes    = 32
	maxRoutePath = 256
)

var triggerNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,59}$`)

type rawTrigger struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Config string `json:"config"`
}

type rawRoute struct {
	Path    string   `json:"path"`
	Methods []string `json:"methods"`
}

// parseTriggers checks CloudBase's rules: at most one trigger, of type
// "timer", named like a function, with a 7-field cron.
func parseTriggers(raw []rawTrigger) (*Timer, error) {
	switch {
	case len(raw) == 0:
		return nil, nil
	case len(raw) > 1:
		return nil, fmt.Errorf("triggers: a function has at most one trigger, got %d", len(raw))
	}
	tr := raw[0]
	if tr.Type != "timer" {
		return nil, fmt.Errorf("triggers: type must be \"timer\", got %q", tr.Type)
	}
	if !triggerNameRE.MatchString(tr.Name) {
		return nil, fmt.Errorf("triggers: invalid name %q: use a letter, then up to 59 letters, digits, '-' or '_'", tr.Name)
	}
	c, err := ParseCron(tr.Config)
	if err != nil {
		return nil, fmt.Errorf("triggers: %w", err)
	}
	return &Timer{Name: tr.Name, Cron: c}, nil
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
