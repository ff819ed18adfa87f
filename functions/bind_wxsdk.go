package functions

import (
	"context"
	"errors"
	"net/netip"

	"minibase/auth"

	"github.com/dop251/goja"
)

// wxServerSDKVersion is cloud.version.
const wxServerSDKVersion = "minibase"

// wxServerSDK returns require('wx-server-sdk') for this instance: the
// bundled JavaScript module over the natives below, created once per
// instance, so cloud.init() at the top of index.js lasts as long as the
// instance.
func (in *instance) wxServerSDK() goja.Value {
	if in.wxsdk == nil {
		in.wxsdk = in.sdkModule("createCloud", in.wxNatives())
	}
	return in.wxsdk
}

// nodeSDK returns require('@cloudbase/node-sdk') for this instance, or
// with legacy require('tcb-admin-node'): dialect C over natives of its own
// (each module maps failures to its own errors), created once per
// instance.
func (in *instance) nodeSDK(legacy bool) goja.Value {
	mod := &in.nodesdk
	if legacy {
		mod = &in.tcbadmin
	}
	if *mod == nil {
		n := in.wxNatives()
		n.Set("userInfo", func(goja.FunctionCall) goja.Value { return in.userInfo() })
		n.Set("clientIP", func(goja.FunctionCall) goja.Value {
			if c := in.cur; c != nil {
				return in.vm.ToValue(c.clientIP)
			}
			return in.vm.ToValue("")
		})
		*mod = in.sdkModule("createTcb", n, in.vm.ToValue(legacy))
	}
	return *mod
}

// sdkModule calls the bundle's factory create (createCloud, createTcb)
// with args and returns the module it makes. The bundle runs once per
// instance.
func (in *instance) sdkModule(create string, args ...goja.Value) goja.Value {
	vm := in.vm
	if in.sdkExports == nil {
		prg, err := in.rt.js.wxServerSDK()
		if err != nil {
			panic(vm.NewGoError(err))
		}
		wrapper, err := vm.RunProgram(prg)
		if err != nil {
			panic(err)
		}
		fn, _ := goja.AssertFunction(wrapper)
		module := vm.NewObject()
		exports := vm.NewObject()
		module.Set("exports", exports)
		if _, err := fn(goja.Undefined(), module, exports); err != nil {
			panic(err)
		}
		in.sdkExports = module.Get("exports").ToObject(vm)
	}
	f, ok := goja.AssertFunction(in.sdkExports.Get(create))
	if !ok {
		panic(vm.NewGoError(errors.New("the SDK bundle has no " + create)))
	}
	m, err := f(goja.Undefined(), args...)
	if err != nil {
		panic(err)
	}
	return m
}

// wxNatives are the Go side of wx-server-sdk.
func (in *instance) wxNatives() *goja.Object {
	vm, rt := in.vm, in.rt
	n := vm.NewObject()
	n.Set("env", rt.opts.Env)
	n.Set("version", wxServerSDKVersion)
	n.Set("requestID", func(goja.FunctionCall) goja.Value {
		if c := in.cur; c != nil {
			return vm.ToValue(c.requestID)
		}
		return vm.ToValue("")
	})
	n.Set("db", in.dbNatives(n))
	n.Set("callFunction", func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0).String()
		data, over := in.jsonArg(call.Argument(1), rt.opts.MaxEvent)
		c := in.cur
		inv := Invocation{Source: c.source + ",scf", ClientIP: c.clientIP, BaseURL: c.baseURL, depth: c.depth + 1}
		return in.loop.async(func(ctx context.Context) func(*goja.Runtime) (goja.Value, error) {
			var res *Result
			err := error(Errorf(CodeEventTooLarge, "the event is more than %d bytes of JSON", rt.opts.MaxEvent))
			if !over {
				untagged(func() { res, err = rt.Invoke(ctx, name, data, inv) }) // the callee's memory is its own
			}
			return func(vm *goja.Runtime) (goja.Value, error) {
				if err != nil {
					var fe *Error
					if !errors.As(err, &fe) {
						fe = Errorf(CodeUnavailable, "%v", err)
					}
					return nil, &jsError{vm.ToValue(map[string]any{"code": fe.Code, "errCode": fe.ErrCode, "message": fe.Message, "requestID": fe.RequestID})}
				}
				return vm.ToValue(map[string]any{"result": string(res.Value), "requestID": res.RequestID}), nil
			}
		})
	})
	in.storageNatives(n)
	in.openapiNatives(n)
	n.Set("wxContext", func(goja.FunctionCall) goja.Value { return in.wxContext() })
	n.Set("log", func(call goja.FunctionCall) goja.Value {
		in.log(call.Argument(0).String(), call.Argument(1).String())
		return goja.Undefined()
	})
	return n
}

// jsonArg returns the JSON of a native function's argument, as
// JSON.stringify makes it (nil for undefined), or over when it is longer
// than max bytes; what JSON.stringify would throw (a cycle, a BigInt, a
// getter's exception) is thrown to the caller.
func (in *instance) jsonArg(v goja.Value, max int) (b []byte, over bool) {
	w := in.newJSONWriter(max)
	b, present, over := w.write(v)
	in.freeJSONWriter(w)
	if !present {
		return nil, over
	}
	return b, over
}

// sdkError turns a failure body into the module's error for api, with
// the toError function the module registered on its natives.
func (in *instance) sdkError(natives *goja.Object, api string, body goja.Value) goja.Value {
	if toError, ok := goja.AssertFunction(natives.Get("toError")); ok {
		if e, err := toError(goja.Undefined(), in.vm.ToValue(api), body); err == nil {
			return e
		}
	}
	return body
}

// userInfo is node-sdk's app.auth().getUserInfo(): the invocation's caller
// as {openId, appId, uid, customUserId, isAnonymous} (empty strings for
// admins and triggers; customUserId is always empty: custom logins' ids
// stay in the account).
func (in *instance) userInfo() goja.Value {
	o := in.vm.NewObject()
	openID, uid, anonymous := "", "", false
	if c := in.cur; c != nil && c.id.Role == auth.User {
		openID, uid, anonymous = c.id.OpenID, c.id.UID, c.id.LoginType == auth.LoginAnonymous
	}
	o.Set("openId", openID)
	o.Set("appId", in.rt.appID())
	o.Set("uid", uid)
	o.Set("customUserId", "")
	o.Set("isAnonymous", anonymous)
	return o
}

// wxContext is cloud.getWXContext(): OPENID (end users only), APPID, ENV,
// SOURCE, and CLIENTIP/CLIENTIPV6 when the call came over HTTP.
func (in *instance) wxContext() goja.Value {
	o := in.vm.NewObject()
	c := in.cur
	if c == nil {
		return o
	}
	if c.id.Role == auth.User && c.id.OpenID != "" {
		o.Set("OPENID", c.id.OpenID)
		if c.id.UnionID != "" {
			o.Set("UNIONID", c.id.UnionID)
		}
	}
	o.Set("APPID", in.rt.appID())
	o.Set("ENV", in.rt.opts.Env)
	o.Set("SOURCE", c.source)
	if a, err := netip.ParseAddr(c.clientIP); err == nil {
		if a.Unmap().Is4() {
			o.Set("CLIENTIP", a.Unmap().String())
		} else {
			o.Set("CLIENTIPV6", a.String())
		}
	}
	return o
}
