package functions

import (
	"github.com/dop251/goja"
)

// goja notices an interrupt (the deadline, the memory watchdog, shutdown:
// vm.Interrupt) only between JavaScript instructions. Go code that walks a
// function's values — turning a result into JSON, formatting a thrown error
// or a console line, a guarded built-in (guards.go) — runs outside that
// loop, for as long as the values make it: it must run in the VM (inVM, or
// as a native function JavaScript called) and poll as it goes.

// vmTask is work inVM runs.
type vmTask interface{ runTask() }

// vmFunc is a function as a vmTask.
type vmFunc func()

func (f vmFunc) runTask() { f() }

// bindInterrupts makes the functions inVM and poll call.
func (in *instance) bindInterrupts() {
	vm := in.vm
	in.task, _ = goja.AssertFunction(vm.ToValue(func(goja.FunctionCall) goja.Value {
		in.tasks[len(in.tasks)-1].runTask()
		return goja.Undefined()
	}))
	noop, err := vm.RunProgram(in.rt.js.noop)
	if err != nil {
		panic(err) // a constant function expression: cannot fail
	}
	in.noop, _ = goja.AssertFunction(noop)
}

// inVM runs t as a native function called from Go, as any JavaScript is:
// an exception or an interrupt that reaches it (a getter that throws, the
// deadline passing in a toJSON method or a poll) comes back as the error,
// and goja's state is cleaned up as after any call from Go. It is how the
// runtime's own Go code walks a function's values from outside the VM.
func (in *instance) inVM(t vmTask) error {
	in.tasks = append(in.tasks, t)
	defer func() {
		in.tasks[len(in.tasks)-1] = nil
		in.tasks = in.tasks[:len(in.tasks)-1]
	}()
	_, err := in.task(goja.Undefined())
	return err
}

// poll raises an interrupt that is due, from Go code running in the VM
// (under inVM, or a native function): it calls an empty JavaScript
// function, whose first instruction sees the interrupt, and panics with
// the *goja.InterruptedError, which ends the invocation as it would have
// in JavaScript. Loops over a function's values call it every pollEvery
// steps.
func (in *instance) poll() {
	if _, err := in.noop(goja.Undefined()); err != nil {
		panic(err)
	}
}

// pollEvery is how many steps (values written, elements read) Go loops
// over a function's values take between polls: a poll costs about as much
// as a JavaScript function call, a step tens of nanoseconds, so an
// interrupt lands within microseconds.
const pollEvery = 1024
