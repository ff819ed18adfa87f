package functions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"minibase/auth"
	"minibase/storage"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

// Files is the object storage behind wx-server-sdk's uploadFile,
// downloadFile, getTempFileURL and deleteFile (storage.Service). Functions
// call it as an admin: buckets' rules do not apply, as in CloudBase's
// server SDK.
type Files interface {
	Upload(ctx context.Context, req storage.UploadRequest) (storage.FileID, storage.ObjectInfo, error)
	Read(ctx context.Context, fileID string) (io.ReadCloser, storage.ObjectInfo, error)
	TempURLs(ctx context.Context, items []storage.TempURLItem, base string) ([]storage.Result, error)
	Delete(ctx context.Context, fileIDs []string) ([]storage.Result, error)
	// PublicURL is the base of temporary URLs ("" when it comes from each
	// request).
	PublicURL() string
}

var _ Files = (*storage.Service)(nil)

// storageNatives adds the Go side of wx-server-sdk's storage calls to n.
// Each returns a promise; failures reject with toError(api, {code,
// errCode, message}), as database calls do.
func (in *instance) storageNatives(n *goja.Object) {
	n.Set("maxFileList", storage.MaxBatch)
	n.Set("uploadFile", func(call goja.FunctionCall) goja.Value {
		path := call.Argument(0).String()
		data, err := in.fileContent(call.Argument(1))
		return in.storageCall(n, "uploadFile", func(ctx context.Context, files Files) (func(*goja.Runtime) goja.Value, error) {
			if err != nil {
				return nil, err
			}
			f, _, err := files.Upload(ctx, storage.UploadRequest{Path: path, Body: bytes.NewReader(data), Declared: int64(len(data))})
			if err != nil {
				return nil, err
			}
			return func(vm *goja.Runtime) goja.Value { return vm.ToValue(f.String()) }, nil
		})
	})
	n.Set("downloadFile", func(call goja.FunctionCall) goja.Value {
		fileID := call.Argument(0).String()
		return in.storageCall(n, "downloadFile", func(ctx context.Context, files Files) (func(*goja.Runtime) goja.Value, error) {
			data, err := in.download(ctx, files, fileID)
			if err != nil {
				return nil, err
			}
			return func(vm *goja.Runtime) goja.Value { return buffer.WrapBytes(vm, data) }, nil
		})
	})
	n.Set("getTempFileURL", func(call goja.FunctionCall) goja.Value {
		var items []storage.TempURLItem
		jerr := json.Unmarshal([]byte(call.Argument(0).String()), &items)
		base := in.fileBase()
		return in.storageCall(n, "getTempFileURL", func(ctx context.Context, files Files) (func(*goja.Runtime) goja.Value, error) {
			if jerr != nil {
				return nil, storage.Errorf(storage.CodeInvalidParam, "fileList must hold fileIDs or {fileID, maxAge}")
			}
			if b := files.PublicURL(); b != "" {
				base = b
			}
			res, err := files.TempURLs(ctx, items, base)
			return fileList(res, true), err
		})
	})
	n.Set("deleteFile", func(call goja.FunctionCall) goja.Value {
		var ids []string
		jerr := json.Unmarshal([]byte(call.Argument(0).String()), &ids)
		return in.storageCall(n, "deleteFile", func(ctx context.Context, files Files) (func(*goja.Runtime) goja.Value, error) {
			if jerr != nil {
				return nil, storage.Errorf(storage.CodeInvalidParam, "fileList must hold fileIDs")
			}
			res, err := files.Delete(ctx, ids)
			return fileList(res, false), err
		})
	})
}

// storageCall runs work on the loop's Go side as an admin and settles its
// promise: with what work's result makes, or rejected with the module's
// error for api.
func (in *instance) storageCall(n *goja.Object, api string, work func(context.Context, Files) (func(*goja.Runtime) goja.Value, error)) goja.Value {
	files := in.rt.opts.Files
	return in.loop.async(func(ctx context.Context) func(*goja.Runtime) (goja.Value, error) {
		var done func(*goja.Runtime) goja.Value
		var err error = storage.Errorf(storage.CodeRequestFailed, "object storage is not configured on this server")
		if files != nil {
			done, err = work(auth.NewContext(ctx, functionIdentity), files)
		}
		return func(vm *goja.Runtime) (goja.Value, error) {
			if err == nil {
				return done(vm), nil
			}
			if internalStorageError(err) {
				in.log("error", "[minibase] storage call "+api+" failed: "+err.Error())
			}
			return nil, &jsError{in.sdkError(n, api, vm.ToValue(storageFailure(err)))}
		}
	})
}

// fileContent returns a copy of uploadFile's fileContent: a string (as
// UTF-8) or the bytes of a Buffer, typed array, DataView or ArrayBuffer.
// It must fit in the function's memory budget (the copy is the upload's).
func (in *instance) fileContent(v goja.Value) ([]byte, error) {
	if goja.IsString(v) {
		b := []byte(v.String())
		if max := in.memoryBudget(); int64(len(b)) > max {
			return nil, overBudget("fileContent", int64(len(b)), max)
		}
		return b, nil
	}
	view, ok := in.viewBytes(v)
	if !ok {
		return nil, storage.Errorf(storage.CodeInvalidParam, "fileContent must be a Buffer, a typed array, an ArrayBuffer or a string")
	}
	if max := in.memoryBudget(); int64(len(view)) > max {
		return nil, overBudget("fileContent", int64(len(view)), max)
	}
	return bytes.Clone(view), nil
}

// download reads a whole file, which must fit in the function's memory
// budget.
func (in *instance) download(ctx context.Context, files Files, fileID string) ([]byte, error) {
	rc, info, err := files.Read(ctx, fileID)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	max := in.memoryBudget()
	if info.Size > max {
		return nil, overBudget("the file", info.Size, max)
	}
	buf := bytes.NewBuffer(make([]byte, 0, info.Size+1))
	if _, err := io.Copy(buf, io.LimitReader(rc, max+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", fileID, err)
	}
	if int64(buf.Len()) > max {
		return nil, overBudget("the file", int64(buf.Len()), max)
	}
	return buf.Bytes(), nil
}

// memoryBudget is the most one storage call may hold: the function's
// memorySize.
func (in *instance) memoryBudget() int64 { return int64(in.fn.code.Config.MemoryMB) << 20 }

func overBudget(what string, n, max int64) error {
	return storage.Errorf(storage.CodeFileTooLarge, "%s is %d bytes, more than the function's memory (memorySize %d MB) can hold", what, n, max>>20)
}

// fileBase is the scheme://host of temporary URLs when storage has no
// public URL: the HTTP request that started the invocation, else none
// (the URLs are then relative: /f/…).
func (in *instance) fileBase() string {
	if c := in.cur; c != nil {
		return c.baseURL
	}
	return ""
}

// fileList is getTempFileURL's or deleteFile's fileList, which each module
// shapes as its SDK does: every item has fileID, status (0, or the
// errCode), errMsg ("ok", or why) and code ("" when ok, else the storage
// error's code); temporary URLs also tempFileURL ("" when the item failed)
// and maxAge.
func fileList(res []storage.Result, urls bool) func(*goja.Runtime) goja.Value {
	return func(vm *goja.Runtime) goja.Value {
		items := make([]any, len(res))
		for i, r := range res {
			o := vm.NewObject()
			o.Set("fileID", r.FileID)
			if urls {
				o.Set("tempFileURL", r.TempFileURL)
				o.Set("maxAge", r.MaxAge)
			}
			o.Set("status", r.Status)
			o.Set("errMsg", r.ErrMsg)
			o.Set("code", r.Code)
			items[i] = o
		}
		return vm.NewArray(items...)
	}
}

// storageFailure is how a storage error reaches wx-server-sdk: the HTTP
// API's error body. Errors that are not *storage.Error are internal and
// say nothing more than CloudBase's generic failure.
func storageFailure(err error) map[string]any {
	var se *storage.Error
	if errors.As(err, &se) {
		return map[string]any{"code": se.Code, "errCode": se.ErrCode, "message": se.Message}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return map[string]any{"code": "SERVER_TIMEOUT", "errCode": -501002, "message": "the storage call did not finish before the invocation ended"}
	}
	return map[string]any{"code": storage.CodeRequestFailed, "errCode": -503001, "message": "storage request failed"}
}

// internalStorageError reports an error storage did not mean for clients
// (worth a line in the function's log).
func internalStorageError(err error) bool {
	var se *storage.Error
	return !errors.As(err, &se) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}
