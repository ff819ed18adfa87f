package functions

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"hash"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/google/uuid"
)

// hashes are the algorithms createHash and createHmac know.
var hashes = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha256": sha256.New, "sha384": sha512.New384, "sha512": sha512.New,
}

// maxRandomBytes bounds randomBytes and getRandomValues (the Web Crypto
// limit for getRandomValues is 64 KiB).
const maxRandomBytes = 1 << 20

// bindCrypto binds the global crypto of the Web platform: randomUUID and
// getRandomValues.
func (in *instance) bindCrypto() {
	g := in.vm.NewObject()
	g.Set("randomUUID", in.randomUUID)
	g.Set("getRandomValues", in.getRandomValues)
	in.vm.Set("crypto", g)
}

func (in *instance) randomUUID(goja.FunctionCall) goja.Value { return in.vm.ToValue(uuid.NewString()) }

func (in *instance) getRandomValues(call goja.FunctionCall) goja.Value {
	a := call.Argument(0)
	b, ok := in.viewBytes(a)
	if !ok {
		panic(in.jsError("TypeError", "getRandomValues takes an integer TypedArray, such as a Uint8Array"))
	}
	if len(b) > 65536 {
		panic(in.jsError("RangeError", "getRandomValues fills at most 65536 bytes"))
	}
	rand.Read(b) // b shares the array's memory
	return a
}

// cryptoModule returns require('crypto'): Node's hashing, HMAC and random
// functions.
func (in *instance) cryptoModule() goja.Value {
	if in.crypto != nil {
		return in.crypto
	}
	vm := in.vm
	m := vm.NewObject()
	m.Set("randomUUID", in.randomUUID)
	m.Set("getRandomValues", in.getRandomValues)
	m.Set("randomBytes", func(call goja.FunctionCall) goja.Value {
		n := call.Argument(0).ToInteger()
		if n < 0 || n > maxRandomBytes {
			panic(in.jsError("RangeError", "The \"size\" argument must be from 0 to 1048576"))
		}
		b := make([]byte, n)
		rand.Read(b)
		buf := buffer.WrapBytes(vm, b)
		if cb, ok := goja.AssertFunction(call.Argument(1)); ok { // the callback form
			in.loop.schedule(cb, -1, false, []goja.Value{goja.Null(), buf})
			return goja.Undefined()
		}
		return buf
	})
	m.Set("createHash", func(call goja.FunctionCall) goja.Value {
		alg := strings.ToLower(call.Argument(0).String())
		newHash, ok := hashes[alg]
		if !ok {
			panic(in.jsError("Error", "Digest method not supported: "+alg+" (supported: md5, sha1, sha256, sha384, sha512)"))
		}
		return in.hashObject(newHash())
	})
	m.Set("createHmac", func(call goja.FunctionCall) goja.Value {
		alg := strings.ToLower(call.Argument(0).String())
		newHash, ok := hashes[alg]
		if !ok {
			panic(in.jsError("Error", "Invalid digest: "+alg+" (supported: md5, sha1, sha256, sha384, sha512)"))
		}
		key := buffer.DecodeBytes(vm, call.Argument(1), goja.Undefined())
		return in.hashObject(hmac.New(newHash, key))
	})
	m.Set("timingSafeEqual", func(call goja.FunctionCall) goja.Value {
		a := buffer.DecodeBytes(vm, call.Argument(0), goja.Undefined())
		b := buffer.DecodeBytes(vm, call.Argument(1), goja.Undefined())
		if len(a) != len(b) {
			panic(in.jsError("RangeError", "Input buffers must have the same byte length"))
		}
		return vm.ToValue(subtle.ConstantTimeCompare(a, b) == 1)
	})
	in.crypto = m
	return m
}

// hashObject is Node's Hash/Hmac: update(data[, inputEncoding]) returns
// the object; digest([encoding]) returns a Buffer, or a string in hex,
// base64, base64url or latin1; after digest the object is spent.
func (in *instance) hashObject(h hash.Hash) goja.Value {
	vm := in.vm
	o := vm.NewObject()
	done := false
	spent := func() {
		if done {
			panic(in.jsError("Error", "Digest already called"))
		}
	}
	o.Set("update", func(call goja.FunctionCall) goja.Value {
		spent()
		h.Write(buffer.DecodeBytes(vm, call.Argument(0), call.Argument(1)))
		return o
	})
	o.Set("digest", func(call goja.FunctionCall) goja.Value {
		spent()
		done = true
		return buffer.EncodeBytes(vm, h.Sum(nil), call.Argument(0))
	})
	return o
}
