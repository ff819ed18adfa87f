package functions

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// bindText binds TextEncoder and TextDecoder (UTF-8, the encoding the
// WHATWG Encoding standard requires everywhere).
func (in *instance) bindText() {
	vm := in.vm
	u8, _ := goja.AssertConstructor(vm.Get("Uint8Array"))
	vm.Set("TextEncoder", func(call goja.ConstructorCall) *goja.Object {
		o := call.This
		o.Set("encoding", "utf-8")
		o.Set("encode", func(c goja.FunctionCall) goja.Value {
			s := ""
			if a := c.Argument(0); !goja.IsUndefined(a) {
				s = a.String()
			}
			arr, err := u8(nil, vm.ToValue(vm.NewArrayBuffer([]byte(s))))
			if err != nil {
				panic(err)
			}
			return arr
		})
		return nil
	})
	vm.Set("TextDecoder", func(call goja.ConstructorCall) *goja.Object {
		label := "utf-8"
		if a := call.Argument(0); !goja.IsUndefined(a) {
			label = strings.ToLower(strings.TrimSpace(a.String()))
		}
		if label != "utf-8" && label != "utf8" && label != "unicode-1-1-utf-8" {
			panic(in.jsError("RangeError", "The \""+label+"\" encoding is not supported"))
		}
		var fatal, ignoreBOM bool
		if opts, ok := call.Argument(1).(*goja.Object); ok {
			fatal = opts.Get("fatal") != nil && opts.Get("fatal").ToBoolean()
			ignoreBOM = opts.Get("ignoreBOM") != nil && opts.Get("ignoreBOM").ToBoolean()
		}
		o := call.This
		o.Set("encoding", "utf-8")
		o.Set("fatal", fatal)
		o.Set("ignoreBOM", ignoreBOM)
		// With {stream: true}, a character split across calls is kept
		// (pending) for the next, and the BOM is looked for only at the
		// start of the stream.
		var pending []byte
		started := false
		o.Set("decode", func(c goja.FunctionCall) goja.Value {
			var b []byte
			if a := c.Argument(0); !goja.IsUndefined(a) && !goja.IsNull(a) {
				var ok bool
				if b, ok = in.viewBytes(a); !ok {
					panic(vm.NewTypeError("The \"input\" argument must be an instance of ArrayBuffer or ArrayBufferView"))
				}
			}
			stream := false
			if opts, ok := c.Argument(1).(*goja.Object); ok {
				stream = opts.Get("stream") != nil && opts.Get("stream").ToBoolean()
			}
			if len(pending) > 0 {
				b = append(pending, b...)
				pending = nil
			}
			if !ignoreBOM && !started {
				b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
			}
			if stream {
				if n := incompleteTail(b); n > 0 {
					pending = bytes.Clone(b[len(b)-n:])
					b = b[:len(b)-n]
				}
			}
			started = stream && (started || len(b) > 0)
			if !utf8.Valid(b) {
				if fatal {
					panic(vm.NewTypeError("The encoded data was not valid for encoding utf-8"))
				}
				return vm.ToValue(strings.ToValidUTF8(string(b), "\uFFFD"))
			}
			return vm.ToValue(string(b))
		})
		return nil
	})
}

// incompleteTail is how many bytes at the end of b begin a UTF-8
// character that the next bytes would complete.
func incompleteTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-3; i-- {
		if utf8.RuneStart(b[i]) {
			if b[i] >= 0xc0 && !utf8.FullRune(b[i:]) {
				return len(b) - i
			}
			return 0
		}
	}
	return 0
}

// jsError returns a new JavaScript error of the built-in class kind
// ("TypeError", "RangeError", …), to throw with panic.
func (in *instance) jsError(kind, msg string) goja.Value {
	ctor, ok := goja.AssertConstructor(in.vm.Get(kind))
	if !ok {
		return in.vm.NewGoError(errors.New(msg))
	}
	e, err := ctor(nil, in.vm.ToValue(msg))
	if err != nil {
		return in.vm.NewGoError(errors.New(msg))
	}
	return e
}
