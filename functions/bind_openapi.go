package functions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"minibase/auth"
	"minibase/functions/openapi"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

// OpenAPI is WeChat's server APIs behind wx-server-sdk's cloud.openapi
// (云调用): a *openapi.Client for the configured mini-program, which holds
// its access_token.
type OpenAPI interface {
	// Call calls the API named api ("wxacode.getUnlimited"); its errors
	// are openapi.Client.Call's.
	Call(ctx context.Context, api string, req openapi.Request) (*openapi.Answer, error)
	// AppID is the mini-program's appid (the watermark of its open data).
	AppID() string
}

var _ OpenAPI = (*openapi.Client)(nil)

// Accounts is where getOpenData finds the calling user's WeChat session
// key, kept from their last sign-in with wx.login: the users store
// (db/sqlite's Users).
type Accounts interface {
	User(ctx context.Context, uid string) (*auth.UserAccount, error)
}

var _ Accounts = auth.Users(nil)

// wx-server-sdk's errCodes for calls that fail before or besides WeChat
// (its ERR_CODE table), and for getOpenData.
const (
	errOpenAPINotFound     = -604100 // API not found
	errOpenAPINoPermission = -604101 // function has no permission to call this API
	errOpenAPITimeout      = -604102 // call open API timeout
	errOpenAPISystem       = -604103 // call open API system error
	errInvalidParam        = -501007 // invalid parameters
	errInvalidSource       = -501008 // invalid request source
)

// notConfiguredText says what a server without WeChat's credentials lacks.
const notConfiguredText = "function has no permission to call this API. WeChat's server APIs need the mini-program's " +
	"appid and secret: set MINIBASE_WECHAT_APPID and MINIBASE_WECHAT_SECRET on this server, or auth.wechat.appId and auth.wechat.appSecret in the admin console's Settings"

// openapiNatives adds the Go side of cloud.openapi and getOpenData to n.
func (in *instance) openapiNatives(n *goja.Object) {
	n.Set("openapi", in.nativeOpenAPI)
	n.Set("getOpenData", in.nativeGetOpenData)
}

// nativeOpenAPI is natives.openapi(api, params, files): a promise of
// {json} (the answer's JSON text) or {contentType, buffer}, rejected with
// {errCode, message}. params is turned into JSON now (at most
// openapi.MaxParams bytes) and files' bytes copied (at most openapi.MaxFiles
// together, and the function's memory), so the call goes on whatever the
// function does meanwhile.
func (in *instance) nativeOpenAPI(call goja.FunctionCall) goja.Value {
	api := call.Argument(0).String()
	params, over := in.jsonArg(call.Argument(1), openapi.MaxParams)
	files, ferr := in.openapiFiles(call.Argument(2))
	_, client := in.rt.wechat()
	return in.loop.async(func(ctx context.Context) func(*goja.Runtime) (goja.Value, error) {
		var ans *openapi.Answer
		err := ferr
		_, known := openapi.Lookup(api)
		switch {
		case !known:
			err = fmt.Errorf("%w: %s", openapi.ErrUnknownAPI, api)
		case client == nil:
			err = openapi.ErrNotConfigured
		case over:
			err = fmt.Errorf("%w: the parameters are more than %d bytes of JSON", openapi.ErrInvalidRequest, openapi.MaxParams)
		case err == nil:
			ans, err = client.Call(ctx, api, openapi.Request{Params: params, Files: files})
		}
		return func(vm *goja.Runtime) (goja.Value, error) {
			if err != nil {
				code, msg := openapiFailure(api, err)
				return nil, &jsError{vm.ToValue(map[string]any{"errCode": code, "message": msg})}
			}
			o := vm.NewObject()
			if ans.JSON != nil {
				o.Set("json", string(ans.JSON))
			} else {
				o.Set("contentType", ans.ContentType)
				o.Set("buffer", buffer.WrapBytes(vm, ans.Body))
			}
			return o, nil
		}
	})
}

// openapiFiles reads natives.openapi's files: [{field, contentType, name,
// value}], value a Buffer, typed array, DataView or ArrayBuffer (copied).
func (in *instance) openapiFiles(v goja.Value) ([]openapi.File, error) {
	arr, ok := v.(*goja.Object)
	if !ok {
		return nil, nil
	}
	n := toLength(arr.Get("length"))
	if n > 16 {
		return nil, fmt.Errorf("%w: more than 16 files", openapi.ErrInvalidRequest)
	}
	var files []openapi.File
	total, budget := 0, in.memoryBudget()
	for i := int64(0); i < n; i++ {
		o, ok := arr.Get(strconv.FormatInt(i, 10)).(*goja.Object)
		if !ok {
			return nil, fmt.Errorf("%w: a file must be {contentType, value}", openapi.ErrInvalidRequest)
		}
		data, ok := in.viewBytes(o.Get("value"))
		if !ok {
			return nil, fmt.Errorf("%w: a file's value must be a Buffer", openapi.ErrInvalidRequest)
		}
		if total += len(data); total > openapi.MaxFiles || int64(total) > budget {
			return nil, fmt.Errorf("%w: the files are more than %d bytes together", openapi.ErrInvalidRequest, min(int64(openapi.MaxFiles), budget))
		}
		files = append(files, openapi.File{Field: o.Get("field").String(), ContentType: o.Get("contentType").String(),
			Name: o.Get("name").String(), Data: bytes.Clone(data)})
	}
	return files, nil
}

// openapiFailure is how err reaches wx-server-sdk: WeChat's errcode and
// errmsg as they are, else wx-server-sdk's code for what went wrong and
// its text, then what minibase knows.
func openapiFailure(api string, err error) (int, string) {
	var ae *openapi.APIError
	switch {
	case errors.As(err, &ae) && ae.Token:
		return ae.Code, ae.Msg + " (WeChat refused the access_token to this appid and secret, MINIBASE_WECHAT_APPID and MINIBASE_WECHAT_SECRET or auth.wechat.appId and auth.wechat.appSecret in the admin console's Settings: " +
			"check them, and that this server's IP is on the mini-program's IP allow list if it has one)"
	case errors.As(err, &ae):
		return ae.Code, ae.Msg
	case errors.Is(err, openapi.ErrUnknownAPI):
		return errOpenAPINotFound, fmt.Sprintf("API not found. minibase knows no WeChat API named %s (the README lists those it has)", api)
	case errors.Is(err, openapi.ErrNotConfigured):
		return errOpenAPINoPermission, notConfiguredText
	case errors.Is(err, openapi.ErrInvalidRequest):
		return errInvalidParam, "invalid parameters. " + err.Error()
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return errOpenAPITimeout, "call open API timeout. WeChat did not answer in time: " + err.Error()
	}
	return errOpenAPISystem, "call open API system error. " + err.Error()
}

// nativeGetOpenData is natives.getOpenData(items JSON): each
// {encryptedData, iv} decrypted with the calling user's session key → a
// promise of the data's JSON texts, rejected with {errCode, message}.
func (in *instance) nativeGetOpenData(call goja.FunctionCall) goja.Value {
	var items []struct{ EncryptedData, IV string }
	jerr := json.Unmarshal([]byte(call.Argument(0).String()), &items)
	var uid string
	if c := in.cur; c != nil && c.id.Role == auth.User {
		uid = c.id.UID
	}
	users := in.rt.opts.Accounts
	_, client := in.rt.wechat()
	return in.loop.async(func(ctx context.Context) func(*goja.Runtime) (goja.Value, error) {
		texts, code, msg := openData(ctx, users, client, uid, items, jerr)
		return func(vm *goja.Runtime) (goja.Value, error) {
			if code != 0 {
				return nil, &jsError{vm.ToValue(map[string]any{"errCode": code, "message": msg})}
			}
			return vm.ToValue(texts), nil
		}
	})
}

// openData decrypts items for the user uid, or says why not (a code and
// wx-server-sdk's text, then the reason).
func openData(ctx context.Context, users Accounts, client OpenAPI, uid string, items []struct{ EncryptedData, IV string }, jerr error) ([]string, int, string) {
	switch {
	case jerr != nil:
		return nil, errInvalidParam, "invalid parameters. list must hold {encryptedData, iv}"
	case client == nil:
		return nil, errOpenAPINoPermission, notConfiguredText
	case uid == "" || users == nil:
		return nil, errInvalidSource, "invalid request source. Open data is decrypted for the end user who called the function; " +
			"this invocation has none (an admin, a timer, an HTTP request without a user's token)"
	}
	u, err := users.User(ctx, uid)
	if err != nil && !errors.Is(err, auth.ErrNotFound) {
		return nil, errOpenAPISystem, "call open API system error. read the user's session key: " + err.Error()
	}
	var key string
	if u != nil {
		key = u.SessionKey
	}
	if key == "" {
		return nil, errInvalidSource, "invalid request source. The caller did not sign in with WeChat (wx.login), " +
			"so this server has no session key to decrypt their data with"
	}
	texts := make([]string, len(items))
	for i, it := range items {
		b, err := openapi.DecryptOpenData(key, it.EncryptedData, it.IV, client.AppID())
		if err != nil {
			return nil, errInvalidParam, fmt.Sprintf("invalid parameters. list[%d]: %v", i, err)
		}
		texts[i] = string(b)
	}
	return texts, 0, ""
}
