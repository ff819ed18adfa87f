package functions

import (
	"context"
	"embed"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/url"
)

// Node's built-in modules, to the extent the npm packages functions use
// need them, are JavaScript in js/node/ — minibase's own, and
// js/node/vendor/ built from npm packages (Node's streams and events) —
// over Go natives where they reach outside the VM (bind_fs.go,
// bind_zlib.go, bind_http.go). Each file is compiled once per Runtime, when
// a function first requires it, and run once per instance, on its first
// require: a function that requires none of them pays nothing for them.

//go:embed js/node
var nodeSources embed.FS

// nodeModule is where require(name) finds a built-in module: the file in
// js/node/ that makes it and, for a part such as fs/promises, the property
// of that file's exports it is.
type nodeModule struct{ file, prop string }

// nodeModules are the built-in modules require() answers by name (also
// with the "node:" prefix), before any package of the same name in
// node_modules, as Node does. crypto, buffer and wx-server-sdk are bound
// elsewhere (bind_require.go).
var nodeModules = map[string]nodeModule{
	"assert":          {file: "assert"},
	"assert/strict":   {file: "assert", prop: "strict"},
	"constants":       {file: "constants"},
	"dns":             {file: "dns"},
	"dns/promises":    {file: "dns", prop: "promises"},
	"events":          {file: "events"},
	"fs":              {file: "fs"},
	"fs/promises":     {file: "fs", prop: "promises"},
	"http":            {file: "http"},
	"http2":           {file: "http2"},
	"https":           {file: "https"},
	"net":             {file: "net"},
	"os":              {file: "os"},
	"path":            {file: "path"},
	"path/posix":      {file: "path"},
	"process":         {file: "process"},
	"punycode":        {file: "vendor/punycode"},
	"querystring":     {file: "querystring"},
	"stream":          {file: "vendor/stream"},
	"stream/promises": {file: "vendor/stream", prop: "promises"},
	"string_decoder":  {file: "vendor/string_decoder"},
	"timers":          {file: "timers"},
	"timers/promises": {file: "timers", prop: "promises"},
	"tls":             {file: "tls"},
	"tty":             {file: "tty"},
	"url":             {file: "url"},
	"util":            {file: "util"},
	"util/types":      {file: "util", prop: "types"},
	"zlib":            {file: "zlib"},
}

// nodeProgram is one compiled file of js/node/.
type nodeProgram struct {
	once sync.Once
	prg  *goja.Program
	err  error
}

// nodePrograms compiles js/node/ files on first use, each once.
type nodePrograms struct {
	mu    sync.Mutex
	files map[string]*nodeProgram
}

// program returns file's compiled program: a function (exports, require,
// module, natives) that runs its source as a CommonJS module.
func (n *nodePrograms) program(file string) (*goja.Program, error) {
	n.mu.Lock()
	p := n.files[file]
	if p == nil {
		if n.files == nil {
			n.files = make(map[string]*nodeProgram)
		}
		p = &nodeProgram{}
		n.files[file] = p
	}
	n.mu.Unlock()
	p.once.Do(func() {
		src, err := nodeSources.ReadFile("js/node/" + file + ".js")
		if err != nil {
			p.err = fmt.Errorf("node module %s: %w", file, err)
			return
		}
		p.prg, p.err = goja.Compile("node:"+file, "(function (exports, require, module, natives) {"+string(src)+"\n})", false)
	})
	return p.prg, p.err
}

// builtin returns the built-in module name names, with or without "node:",
// for a function's require; ok is false for any other name.
func (in *instance) builtin(name string) (goja.Value, bool) {
	name = strings.TrimPrefix(name, "node:")
	m, ok := nodeModules[name]
	if !ok {
		return nil, false
	}
	v := in.nodeFile(m.file)
	if m.prop != "" {
		v = v.ToObject(in.vm).Get(m.prop)
	}
	return v, true
}

// nodeRequire is the require of js/node/ files: the built-in modules, the
// internal ones (internal/…), the npm packages they complete (vendor/…)
// and buffer and crypto, never the function's own files or packages.
func (in *instance) nodeRequire(call goja.FunctionCall) goja.Value {
	name := call.Argument(0).String()
	switch {
	case strings.HasPrefix(name, "internal/"), strings.HasPrefix(name, "vendor/"):
		return in.nodeFile(name)
	case name == "crypto" || name == "node:crypto":
		return in.cryptoModule()
	case name == "buffer" || name == "node:buffer":
		v, err := in.req.Require("buffer")
		if err != nil {
			panic(err)
		}
		return v
	}
	if v, ok := in.builtin(name); ok {
		return v
	}
	panic(in.moduleNotFound(name))
}

// nodeFile runs file once in this instance and returns its exports. A file
// required while it loads (a cycle) gives its exports so far, as in Node;
// one that throws is not kept, so a later require tries again.
func (in *instance) nodeFile(file string) goja.Value {
	if v, ok := in.node[file]; ok {
		return v
	}
	vm := in.vm
	prg, err := in.rt.js.node.program(file)
	if err != nil {
		panic(vm.NewGoError(err))
	}
	wrapper, err := vm.RunProgram(prg)
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(wrapper)
	module := vm.NewObject()
	exports := vm.NewObject()
	module.Set("exports", exports)
	if in.node == nil {
		in.node = make(map[string]goja.Value)
		in.nodeReq = vm.ToValue(in.nodeRequire)
	}
	in.node[file] = exports
	if _, err := fn(goja.Undefined(), exports, in.nodeReq, module, in.nodeNatives(file)); err != nil {
		delete(in.node, file)
		panic(err)
	}
	v := module.Get("exports")
	in.node[file] = v
	return v
}

// nodeNatives returns the Go side of file, for the files that have one.
func (in *instance) nodeNatives(file string) goja.Value {
	vm := in.vm
	switch file {
	case "internal/inspect":
		return vm.ToValue(map[string]any{"promiseState": in.promiseState})
	case "os":
		return vm.ToValue(map[string]any{"memory": in.memoryBudget()})
	case "internal/process":
		return in.processFileNatives()
	case "url":
		return in.whatwgURL()
	case "fs":
		return in.fsNatives()
	case "zlib":
		return in.zlibNatives()
	case "internal/http":
		return in.httpNatives()
	case "dns":
		return vm.ToValue(map[string]any{"lookup": in.dnsLookup})
	}
	return goja.Undefined()
}

// whatwgURL is goja_nodejs's url module: URL, URLSearchParams and the
// domain functions, which js/node/url.js completes.
func (in *instance) whatwgURL() goja.Value {
	return in.whatwg
}

// bindURL binds the globals URL and URLSearchParams, from goja_nodejs.
func (in *instance) bindURL() {
	module := in.vm.NewObject()
	exports := in.vm.NewObject()
	module.Set("exports", exports)
	url.Require(in.vm, module)
	in.whatwg = exports
	in.vm.Set("URL", exports.Get("URL"))
	in.vm.Set("URLSearchParams", exports.Get("URLSearchParams"))
}

// promiseState is what util.inspect shows of a promise: {state: 'pending'
// | 'fulfilled' | 'rejected', value}.
func (in *instance) promiseState(call goja.FunctionCall) goja.Value {
	state := map[string]any{"state": "pending"}
	if o, ok := call.Argument(0).(*goja.Object); ok {
		if p, ok := o.Export().(*goja.Promise); ok {
			switch p.State() {
			case goja.PromiseStateFulfilled:
				state = map[string]any{"state": "fulfilled", "value": p.Result()}
			case goja.PromiseStateRejected:
				state = map[string]any{"state": "rejected", "value": p.Result()}
			}
		}
	}
	return in.vm.ToValue(state)
}

// dnsLookup is require('dns')'s native: a promise of a name's addresses
// (none when it has none or the lookup fails), within the fetch timeout.
func (in *instance) dnsLookup(call goja.FunctionCall) goja.Value {
	host := call.Argument(0).String()
	timeout := in.rt.fetch.opts.Timeout
	return in.loop.async(func(ctx context.Context) func(*goja.Runtime) (goja.Value, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		addrs, _ := net.DefaultResolver.LookupHost(ctx, host)
		return func(vm *goja.Runtime) (goja.Value, error) {
			out := make([]any, len(addrs))
			for i, a := range addrs {
				out[i] = a
			}
			return vm.NewArray(out...), nil
		}
	})
}
