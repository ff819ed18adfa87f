package functions

import (
	"errors"
	"path"
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
			return b, nil
		}
		return nil, require.ModuleFileDoesNotExistError
	}
	resolve := func(base, p string) string { return path.Join(base, p) }
	return require.NewRegistry(require.WithLoader(load), require.WithPathResolver(resolve))
}

// builtinModules are the modules require() gives without a file:
// minibase's own, and Node's buffer and url (from goja_nodejs).
var builtinModules = []string{"wx-server-sdk", "@cloudbase/node-sdk", "tcb-admin-node", "crypto", "buffer", "url"}

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
		v, err := in.req.Require(name)
		if err == nil {
			return v
		}
		var ex *goja.Exception
		switch {
		case errors.Is(err, require.InvalidModuleError), errors.Is(err, require.IllegalModuleNameError),
			errors.Is(err, require.NoSuchBuiltInModuleError):
			e := vm.NewGoError(errors.New("Cannot find module '" + name + "'"))
			e.Set("code", "MODULE_NOT_FOUND")
			panic(e)
		case errors.As(err, &ex):
			panic(ex)
		case isUncatchable(err):
			panic(err) // an interrupt or stack overflow ends the invocation
		}
		panic(vm.NewGoError(err))
	})
}

func isUncatchable(err error) bool {
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	return errors.As(err, &ie) || errors.As(err, &so)
}
