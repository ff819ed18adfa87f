package functions

import (
	"reflect"

	"github.com/dop251/goja"
)

// viewBytes returns the bytes an ArrayBuffer, a typed array (a Buffer) or
// a DataView holds, sharing their memory; ok is false for anything else.
// It tells them by what they are, never by what their properties say:
// goja's ExportTo takes any array-like object and allocates the length it
// claims, so decoding {length: 2**33} took the process down. It runs in
// the VM (a DataView's getters are called).
func (in *instance) viewBytes(v goja.Value) (b []byte, ok bool) {
	o, isObj := v.(*goja.Object)
	if !isObj {
		return nil, false
	}
	t := o.ExportType()
	switch {
	case t == arrayBufferType:
		return o.Export().(goja.ArrayBuffer).Bytes(), true
	case typedArrayTypes[t] && o.ClassName() == "Object":
		if in.vm.ExportTo(o, &b) != nil {
			return nil, false
		}
		return b, true
	}
	return in.dataViewBytes(o)
}

var arrayBufferType = reflect.TypeOf(goja.ArrayBuffer{})

// dataViewBytes returns the bytes a DataView views: its own getters (kept
// as they were before the function ran) throw for anything else.
func (in *instance) dataViewBytes(o *goja.Object) ([]byte, bool) {
	dv := in.intrinsics.dataView
	if dv.buffer == nil {
		return nil, false
	}
	get := func(f goja.Callable) goja.Value {
		v, err := f(o)
		if err != nil {
			panic(err) // an interrupt goes on; "not a DataView" is caught below
		}
		return v
	}
	var buf, off, n goja.Value
	if in.vm.Try(func() { buf, off, n = get(dv.buffer), get(dv.byteOffset), get(dv.byteLength) }) != nil {
		return nil, false
	}
	ab, ok := buf.Export().(goja.ArrayBuffer)
	data := ab.Bytes()
	start, end := off.ToInteger(), off.ToInteger()+n.ToInteger()
	if !ok || start < 0 || start > end || end > int64(len(data)) {
		return nil, false
	}
	return data[start:end], true
}
