package functions

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// declared is what types.d.ts declares.
type declared struct {
	globals []string            // declare var/function/class names outside modules
	members map[string][]string // interface or declare-var object name → member names
	modules map[string][]string // module name → exported names
}

var (
	declRE   = regexp.MustCompile(`^declare (?:var|let|const|function|class) (\w+)`)
	moduleRE = regexp.MustCompile(`^declare module '([^']+)' \{`)
	blockRE  = regexp.MustCompile(`^(?:interface (\w+) \{|declare var (\w+): \{)$`)
	memberRE = regexp.MustCompile(`^  (\w+)(?:<[^>]*>)?[(:?]`)
	exportRE = regexp.MustCompile(`^  export (?:function|const|class) (\w+)`)
	reexpRE  = regexp.MustCompile(`^  export \{ ([\w, ]+) \};`)
)

func parseTypes(t *testing.T) declared {
	t.Helper()
	src, err := os.ReadFile("types.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	d := declared{members: map[string][]string{}, modules: map[string][]string{}}
	var module, block string
	for _, line := range strings.Split(string(src), "\n") {
		switch {
		case line == "}" || line == "};":
			module, block = "", ""
		case module != "":
			if m := exportRE.FindStringSubmatch(line); m != nil && !slices.Contains(d.modules[module], m[1]) {
				d.modules[module] = append(d.modules[module], m[1])
			} else if m := reexpRE.FindStringSubmatch(line); m != nil {
				for _, n := range strings.Split(m[1], ",") {
					d.modules[module] = append(d.modules[module], strings.TrimSpace(n))
				}
			}
		case block != "":
			if m := memberRE.FindStringSubmatch(line); m != nil && !slices.Contains(d.members[block], m[1]) {
				d.members[block] = append(d.members[block], m[1])
			}
		default:
			if m := moduleRE.FindStringSubmatch(line); m != nil {
				module = m[1]
				d.modules[module] = []string{}
			} else if m := blockRE.FindStringSubmatch(line); m != nil {
				block = m[1] + m[2]
				if m[2] != "" {
					d.globals = append(d.globals, m[2])
				}
			} else if m := declRE.FindStringSubmatch(line); m != nil {
				d.globals = append(d.globals, m[1])
			}
		}
	}
	for _, l := range d.modules {
		sort.Strings(l)
	}
	for _, l := range d.members {
		sort.Strings(l)
	}
	sort.Strings(d.globals)
	return d
}

// types.d.ts is what editors show function authors: it must name exactly
// the globals, console and process members and module exports the
// runtime binds, no more (a promise) and no less (a hidden feature).
func TestTypesDeclareWhatIsBound(t *testing.T) {
	d := parseTypes(t)
	rt, _ := newTestRuntime(t, Options{})
	names := make([]string, 0, len(d.modules))
	for m := range d.modules {
		names = append(names, m)
	}
	sort.Strings(names)
	ev, _ := json.Marshal(map[string]any{"modules": names})
	res, err := rt.Invoke(adminCtx, "introspect", ev, Invocation{})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Globals, Scope, Console, Process, Crypto []string
		Modules                                  map[string]any
	}
	if err := json.Unmarshal(res.Value, &got); err != nil {
		t.Fatal(err)
	}

	// Bound globals: what a function sees beyond a bare ECMAScript runtime.
	base := map[string]bool{}
	vm := goja.New()
	for _, n := range vm.GlobalObject().GetOwnPropertyNames() {
		base[n] = true
	}
	var bound []string
	for _, n := range got.Globals {
		if !base[n] {
			bound = append(bound, n)
		}
	}
	bound = append(bound, "module", "exports", "__filename", "__dirname") // the CommonJS wrapper's parameters
	sort.Strings(bound)
	if !slices.Equal(bound, d.globals) {
		t.Errorf("globals:\n bound    %v\n declared %v", bound, d.globals)
	}
	if want := []string{"object", "object", "string", "string"}; !slices.Equal(got.Scope, want) {
		t.Errorf("module scope types %v, want %v", got.Scope, want)
	}
	for _, c := range []struct {
		name string
		got  []string
	}{{"Console", got.Console}, {"Process", got.Process}, {"crypto", got.Crypto}} {
		if !slices.Equal(c.got, d.members[c.name]) {
			t.Errorf("%s members:\n bound    %v\n declared %v", c.name, c.got, d.members[c.name])
		}
	}
	for _, m := range names {
		want := d.modules[m]
		gotList, ok := got.Modules[m].([]any)
		if !ok {
			t.Errorf("module %s is declared but require fails: %v", m, got.Modules[m])
			continue
		}
		var have []string
		for _, n := range gotList {
			have = append(have, n.(string))
		}
		if !slices.Equal(have, want) {
			t.Errorf("module %s:\n bound    %v\n declared %v", m, have, want)
		}
	}
	// And the runtime's own lists (used in docs and errors) agree.
	if mods := append([]string(nil), builtinModules...); !slices.Equal(sortedCopy(mods), names) {
		t.Errorf("builtinModules %v, declared modules %v", builtinModules, names)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
