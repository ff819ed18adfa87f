package functions

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/dop251/goja"
)

//go:generate go test -run ^TestWXServerSDKBundle$ -update .
//go:generate npm ci --prefix js --omit=dev --no-audit --no-fund
//go:generate go test -run ^TestNodeVendorBundles$ -update .

// preludeJS is js/prelude.js: fetch, Headers, Response, queueMicrotask,
// process.nextTick and what Buffer lacks.
//
//go:embed js/prelude.js
var preludeJS string

// wxServerSDKJS is js/wx-server-sdk.js, generated from
// js/src/wx-server-sdk.js and the client SDK's database builder.
//
//go:embed js/wx-server-sdk.js
var wxServerSDKJS string

// scripts are the runtime's own programs, compiled once and run in every
// instance.
type scripts struct {
	prelude *goja.Program
	noop    *goja.Program // an empty function: poll calls it

	sdkOnce sync.Once
	sdk     *goja.Program
	sdkErr  error

	node nodePrograms // Node's built-in modules (bind_node.go)
}

func compileScripts() (*scripts, error) {
	p, err := goja.Compile("minibase:prelude.js", preludeJS, true)
	if err != nil {
		return nil, fmt.Errorf("compile the functions prelude: %w", err)
	}
	noop, err := goja.Compile("minibase:noop", "(function () {})", true)
	if err != nil {
		return nil, fmt.Errorf("compile the functions noop: %w", err)
	}
	return &scripts{prelude: p, noop: noop}, nil
}

// wxServerSDK returns the compiled bundle, wrapped as a CommonJS module
// function (compiled on first use: functions that never require it do not
// pay for it).
func (s *scripts) wxServerSDK() (*goja.Program, error) {
	s.sdkOnce.Do(func() {
		s.sdk, s.sdkErr = goja.Compile("wx-server-sdk", "(function (module, exports) {"+wxServerSDKJS+"\n})", true)
	})
	return s.sdk, s.sdkErr
}

// runPrelude runs the prelude with the instance's natives, then replaces
// the built-ins that need guarding, before the function's code runs.
func (in *instance) runPrelude() error {
	f, err := in.vm.RunProgram(in.rt.js.prelude)
	if err != nil {
		return err
	}
	fn, ok := goja.AssertFunction(f)
	if !ok {
		return fmt.Errorf("the functions prelude is not a function")
	}
	natives := in.vm.NewObject()
	natives.Set("fetch", in.nativeFetch)
	in.processNatives(natives)
	in.bufferNatives(natives)
	if _, err = fn(goja.Undefined(), natives); err != nil {
		return err
	}
	in.installGuards()
	return nil
}
