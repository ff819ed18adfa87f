package functions

import (
	"github.com/dop251/goja"
)

// intrinsics are built-ins the runtime's Go code calls, kept as they were
// before the function's code could replace them.
type intrinsics struct {
	keys       goja.Callable                                          // Object.keys
	reflectGet goja.Callable                                          // Reflect.get
	dataView   struct{ buffer, byteOffset, byteLength goja.Callable } // DataView.prototype's getters
}

// installGuards keeps the intrinsics and replaces the built-ins that
// need guarding; the prelude calls it before the function's code runs.
func (in *instance) installGuards() {
	in.captureIntrinsics()
	in.bindJSON()
}

func (in *instance) captureIntrinsics() {
	vm := in.vm
	object := vm.Get("Object").ToObject(vm)
	in.intrinsics.keys, _ = goja.AssertFunction(object.Get("keys"))
	in.intrinsics.reflectGet, _ = goja.AssertFunction(vm.Get("Reflect").ToObject(vm).Get("get"))
	descriptor, _ := goja.AssertFunction(object.Get("getOwnPropertyDescriptor"))
	getter := func(proto goja.Value, name string) goja.Callable {
		d, err := descriptor(goja.Undefined(), proto, vm.ToValue(name))
		if err != nil || goja.IsUndefined(d) {
			return nil
		}
		f, _ := goja.AssertFunction(d.ToObject(vm).Get("get"))
		return f
	}
	dv := vm.Get("DataView").ToObject(vm).Get("prototype")
	in.intrinsics.dataView.buffer = getter(dv, "buffer")
	in.intrinsics.dataView.byteOffset = getter(dv, "byteOffset")
	in.intrinsics.dataView.byteLength = getter(dv, "byteLength")
}
