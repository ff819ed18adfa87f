package functions

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dop251/goja"
)

// bindProcess binds process with env: a copy of the function's own
// environment variables (config.json envVariables), never the server's.
// The prelude adds nextTick and makes processProto its prototype.
func (in *instance) bindProcess() {
	vm := in.vm
	env := vm.NewObject()
	for k, v := range in.fn.code.Config.Env {
		env.Set(k, v)
	}
	process := vm.NewObject()
	process.Set("env", env)
	vm.Set("process", process)
}

// processKeys are the rest of Node's process a function sees (version,
// platform, hrtime, exit, on, stdout…), the exports of
// js/node/internal/process.js, which is run when a function first reads
// one: most functions never do, and pay nothing for them.
var processKeys = []string{
	"version", "versions", "release", "arch", "platform", "title", "argv", "argv0", "execArgv", "execPath", "pid",
	"ppid", "exitCode", "features", "config", "allowedNodeEnvironmentFlags", "cwd", "chdir", "umask", "getuid",
	"geteuid", "getgid", "getegid", "uptime", "hrtime", "memoryUsage", "cpuUsage", "exit", "abort", "kill", "dlopen",
	"binding", "emitWarning", "on", "addListener", "prependListener", "once", "prependOnceListener", "off",
	"removeListener", "removeAllListeners", "emit", "listeners", "rawListeners", "listenerCount", "eventNames",
	"setMaxListeners", "getMaxListeners", "stdout", "stderr",
}

// processProto is process's prototype: processKeys as properties, read
// from js/node/internal/process.js on first use and kept.
type processProto struct {
	in      *instance
	values  map[string]goja.Value
	deleted map[string]bool
}

var _ goja.DynamicObject = (*processProto)(nil)

func (p *processProto) Get(key string) goja.Value {
	if v, ok := p.values[key]; ok {
		return v
	}
	if p.deleted[key] || !slices.Contains(processKeys, key) {
		return nil
	}
	v := p.in.nodeFile("internal/process").ToObject(p.in.vm).Get(key)
	if v == nil {
		v = goja.Undefined()
	}
	if p.values == nil {
		p.values = make(map[string]goja.Value)
	}
	p.values[key] = v
	return v
}

func (p *processProto) Set(key string, v goja.Value) bool {
	if p.values == nil {
		p.values = make(map[string]goja.Value)
	}
	p.values[key] = v
	delete(p.deleted, key)
	return true
}

func (p *processProto) Has(key string) bool { return p.Get(key) != nil }

func (p *processProto) Delete(key string) bool {
	delete(p.values, key)
	if p.deleted == nil {
		p.deleted = make(map[string]bool)
	}
	p.deleted[key] = true
	return true
}

func (p *processProto) Keys() []string {
	keys := make([]string, 0, len(processKeys))
	for _, k := range processKeys {
		if !p.deleted[k] {
			keys = append(keys, k)
		}
	}
	for k := range p.values {
		if !slices.Contains(processKeys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// processNatives are the prelude's natives for process and the lazy
// globals: processProto, and node(file) (a js/node/ file's exports).
func (in *instance) processNatives(natives *goja.Object) {
	natives.Set("processProto", in.vm.NewDynamicObject(&processProto{in: in}))
	natives.Set("node", func(call goja.FunctionCall) goja.Value { return in.nodeFile(call.Argument(0).String()) })
}

// processFileNatives are js/node/internal/process.js's natives: pid (a
// number of the instance's own, nothing of the host's), hrtime()
// (nanoseconds since the instance was made) and exit(code, abort).
func (in *instance) processFileNatives() goja.Value {
	vm := in.vm
	return vm.ToValue(map[string]any{
		"pid":    in.pid,
		"hrtime": func(goja.FunctionCall) goja.Value { return vm.ToValue(time.Since(in.made).Nanoseconds()) },
		"exit": func(call goja.FunctionCall) goja.Value {
			how := "process.exit(" + call.Argument(0).String() + ") was called"
			if goja.IsUndefined(call.Argument(0)) {
				how = "process.exit() was called"
			}
			if call.Argument(1).ToBoolean() {
				how = "process.abort() was called"
			}
			in.interrupt(Errorf(CodeExecuteFail, "%s: the function's instance ended, as its Node process would", how))
			return goja.Undefined()
		},
	})
}

// newPID is an instance's process.pid.
func newPID() int { return 1000 + rand.IntN(64000) }
