package functions

import (
	"bytes"
	"errors"
	"path"
	"sort"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
)

// newRegistry returns the module registry of one version of a function:
// CommonJS modules read from the code's own files (never the host's file
// system), resolved as Node does (relative paths, node_modules, package.json
// "main", index.js, .json), each compiled once and shared by all the
// version's instances. The function's folder is the root, "/".
func (r *Runtime) newRegistry(code *Code) *require.Registry {
	load := func(p string) ([]byte, error) {
		if b, ok := code.Files[strings.TrimPrefix(p, "/")]; ok {
			return commentHashbang(b), nil
		}
		return nil, require.ModuleFileDoesNotExistError
	}
	resolve := func(base, p string) string { return path.Join(base, p) }
	return require.NewRegistry(require.WithLoader(load), require.WithPathResolver(resolve))
}

// commentHashbang turns a script's "#!/usr/bin/env node" line, which Node
// ignores and esbuild keeps atop a bundle, into a comment: inside the
// module's wrapper it would be a syntax error.
func commentHashbang(b []byte) []byte {
	if !bytes.HasPrefix(b, []byte("#!")) {
		return b
	}
	c := bytes.Clone(b)
	c[0] = '/'
	c[1] = '/'
	return c
}

// builtinModules are the modules require() gives without a file:
// minibase's own (wx-server-sdk, @cloudbase/node-sdk, tcb-admin-node,
// crypto), Node's buffer (from goja_nodejs), and Node's modules of
// js/node/ (nodeModules).
var builtinModules = func() []string {
	names := []string{"wx-server-sdk", "@cloudbase/node-sdk", "tcb-admin-node", "crypto", "buffer"}
	for name := range nodeModules {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}()

// bindRequire installs require(): the registry's, with minibase's own
// modules (wx-server-sdk, crypto) and Node's error for a missing module.
func (in *instance) bindRequire() {
	vm := in.vm
	own := map[string]func() goja.Value{
		"wx-server-sdk":       in.wxServerSDK,
		"@cloudbase/node-sdk": func() goja.Value { return in.nodeSDK(false) },
		"tcb-admin-node":      func() goja.Value { return in.nodeSDK(true) },
		"crypto":              in.cryptoModule,
		"node:crypto":         in.cryptoModule,
	}
	vm.Set("require", func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0).String()
		if mod, ok := own[name]; ok {
			return mod()
		}
		if v, ok := in.builtin(name); ok {
			return v
		}
		v, err := in.req.Require(name)
		if err == nil {
			return v
		}
		var ex *goja.Exception
		switch {
		case errors.Is(err, require.InvalidModuleError), errors.Is(err, require.IllegalModuleNameError),
			errors.Is(err, require.NoSuchBuiltInModuleError):
			panic(in.moduleNotFound(name))
		case errors.As(err, &ex):
			panic(ex)
		case isUncatchable(err):
			panic(err) // an interrupt or stack overflow ends the invocation
		}
		panic(vm.NewGoError(err))
	})
}

// moduleNotFound is Node's error for a module require cannot find.
func (in *instance) moduleNotFound(name string) *goja.Object {
	e := in.jsError("Error", "Cannot find module '"+name+"'").ToObject(in.vm)
	e.Set("code", "MODULE_NOT_FOUND")
	return e
}

func isUncatchable(err error) bool {
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	return errors.As(err, &ie) || errors.As(err, &so)
}
