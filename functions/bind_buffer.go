package functions

import (
	"bytes"
	"unicode/utf16"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

// The Buffer encodings goja_nodejs lacks — latin1 (binary), ascii and
// utf16le (ucs2) — for the prelude, which names every encoding as Node
// does (any case, with its aliases) and sends these three here.

// bufferNatives are the prelude's natives for Buffer's encodings.
func (in *instance) bufferNatives(natives *goja.Object) {
	natives.Set("encodeString", in.encodeString)
	natives.Set("decodeBytes", in.decodeBytes)
	natives.Set("indexOfBytes", in.indexOfBytes)
}

// indexOfBytes is buf.indexOf(needle, from) (last: buf.lastIndexOf, the
// match starting at or before from) for a needle of bytes: its position,
// or -1.
func (in *instance) indexOfBytes(call goja.FunctionCall) goja.Value {
	hay, ok1 := in.viewBytes(call.Argument(0))
	needle, ok2 := in.viewBytes(call.Argument(1))
	if !ok1 || !ok2 {
		panic(in.vm.NewTypeError("The \"value\" argument must be one of type number or string or an instance of Buffer or Uint8Array"))
	}
	from := call.Argument(2).ToInteger()
	from = max(0, min(from, int64(len(hay))))
	if call.Argument(3).ToBoolean() {
		end := min(from+int64(len(needle)), int64(len(hay)))
		return in.vm.ToValue(bytes.LastIndex(hay[:end], needle))
	}
	i := bytes.Index(hay[from:], needle)
	if i >= 0 {
		i += int(from)
	}
	return in.vm.ToValue(i)
}

// encodeString is Buffer.from(string, encoding): a new Buffer of string's
// UTF-16 code units, each as Node writes it in encoding (latin1 and ascii:
// its low byte; utf16le: both bytes, little-endian).
func (in *instance) encodeString(call goja.FunctionCall) goja.Value {
	s, ok := call.Argument(0).ToString().(goja.String)
	if !ok {
		panic(in.vm.NewTypeError("The \"string\" argument must be of type string"))
	}
	n := s.Length()
	var b []byte
	if call.Argument(1).String() == "utf16le" {
		b = make([]byte, 2*n)
		for i := 0; i < n; i++ {
			c := s.CharAt(i)
			b[2*i], b[2*i+1] = byte(c), byte(c>>8)
		}
	} else {
		b = make([]byte, n)
		for i := 0; i < n; i++ {
			b[i] = byte(s.CharAt(i))
		}
	}
	return buffer.WrapBytes(in.vm, b)
}

// decodeBytes is buf.toString(encoding) for a view's bytes: latin1 makes
// each byte a character, ascii its low 7 bits, utf16le each pair of bytes
// (a last odd byte is dropped, as in Node).
func (in *instance) decodeBytes(call goja.FunctionCall) goja.Value {
	b, ok := in.viewBytes(call.Argument(0))
	if !ok {
		panic(in.vm.NewTypeError("The \"this\" argument must be an instance of Buffer or Uint8Array"))
	}
	var u []uint16
	switch call.Argument(1).String() {
	case "utf16le":
		u = make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
	case "ascii":
		u = make([]uint16, len(b))
		for i, c := range b {
			u[i] = uint16(c & 0x7f)
		}
	default:
		u = make([]uint16, len(b))
		for i, c := range b {
			u[i] = uint16(c)
		}
	}
	if !hasSurrogate(u) {
		return in.vm.ToValue(string(utf16.Decode(u)))
	}
	return in.vm.ToValue(goja.StringFromUTF16(u)) // lone surrogates kept, as Node keeps them
}

// hasSurrogate reports whether u holds a UTF-16 surrogate.
func hasSurrogate(u []uint16) bool {
	for _, c := range u {
		if c >= 0xd800 && c <= 0xdfff {
			return true
		}
	}
	return false
}
