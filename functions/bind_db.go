package functions

import (
	"context"
	"errors"

	"minibase/auth"
	"minibase/db"

	"github.com/dop251/goja"
)

// functionIdentity is who the database sees when a function calls it: an
// admin, so rules do not apply (as in CloudBase).
var functionIdentity = &auth.Identity{Role: auth.Admin}

// answer is a database operation's answer (db/answers.go): the same value
// the HTTP API sends as JSON.
type answer interface{ AppendJSON(b []byte) []byte }

// dbNatives returns natives.db, wx-server-sdk's transport of the database
// builder's operations (DbOps in sdk/src/database/ops.ts): query,
// aggregate, count, insert, update and remove take (api, coll, body);
// getDoc and removeDoc (api, coll, id); setDoc and updateDoc (api, coll,
// id, body); createCollection (api, body); transaction() (bind_txn.go).
// Each calls the db.Service method of its name in-process, as an admin
// (doc(id).update is Service.UpdateDoc, the PATCH of the HTTP API), and
// returns a Promise of its answer, rejected with the module's error of api
// (natives.toError). env is the environment, for Database.config.
func (in *instance) dbNatives(natives *goja.Object) *goja.Object {
	s, o := in.rt.db, in.vm.NewObject()
	o.Set("env", in.rt.opts.Env)
	// Operations on a collection: (api, coll, body).
	onColl := func(name string, op func(ctx context.Context, coll string, body db.Doc) (answer, error)) {
		o.Set(name, func(call goja.FunctionCall) goja.Value {
			coll := call.Argument(1).String()
			return in.dbCall(natives, call.Argument(0).String(), in.dbBodyArg(call.Argument(2)), func(ctx context.Context, body db.Doc) (answer, error) {
				return op(ctx, coll, body)
			})
		})
	}
	// Operations on one document: (api, coll, id, body?).
	onDoc := func(name string, op func(ctx context.Context, coll, id string, body db.Doc) (answer, error)) {
		o.Set(name, func(call goja.FunctionCall) goja.Value {
			coll, id := call.Argument(1).String(), call.Argument(2).String()
			return in.dbCall(natives, call.Argument(0).String(), in.dbBodyArg(call.Argument(3)), func(ctx context.Context, body db.Doc) (answer, error) {
				return op(ctx, coll, id, body)
			})
		})
	}
	onColl("query", func(ctx context.Context, coll string, body db.Doc) (answer, error) {
		docs, err := s.Query(ctx, coll, body)
		return db.QueryAnswer{Docs: docs}, err
	})
	onColl("aggregate", func(ctx context.Context, coll string, body db.Doc) (answer, error) {
		docs, err := s.Aggregate(ctx, coll, body)
		return db.QueryAnswer{Docs: docs}, err
	})
	onColl("count", func(ctx context.Context, coll string, body db.Doc) (answer, error) {
		n, err := s.Count(ctx, coll, body)
		return db.CountAnswer{Total: n}, err
	})
	onColl("insert", func(ctx context.Context, coll string, body db.Doc) (answer, error) {
		ids, many, err := s.Insert(ctx, coll, body)
		return db.InsertAnswer{IDs: ids, Many: many}, err
	})
	onColl("update", func(ctx context.Context, coll string, body db.Doc) (answer, error) {
		res, err := s.Update(ctx, coll, body)
		return db.UpdateAnswer{Result: res}, err
	})
	onColl("remove", func(ctx context.Context, coll string, body db.Doc) (answer, error) {
		n, err := s.Remove(ctx, coll, body)
		return db.RemoveAnswer{Removed: n}, err
	})
	// doc(id).get() reads one document by its primary key, a bounded few
	// tens of microseconds: it runs at once on the instance's goroutine
	// (dbCallNow) instead of going to a worker and back.
	o.Set("getDoc", func(call goja.FunctionCall) goja.Value {
		coll, id := call.Argument(1).String(), call.Argument(2).String()
		return in.dbCallNow(natives, call.Argument(0).String(), func(ctx context.Context, _ db.Doc) (answer, error) {
			doc, err := s.GetDoc(ctx, coll, id, nil)
			return db.DocAnswer{Doc: doc}, err
		})
	})
	onDoc("setDoc", func(ctx context.Context, coll, id string, body db.Doc) (answer, error) {
		res, err := s.SetDoc(ctx, coll, id, body)
		return db.SetAnswer{ID: id, Result: res}, err
	})
	onDoc("updateDoc", func(ctx context.Context, coll, id string, body db.Doc) (answer, error) {
		res, err := s.UpdateDoc(ctx, coll, id, body)
		return db.UpdateDocAnswer{Result: res}, err
	})
	onDoc("removeDoc", func(ctx context.Context, coll, id string, _ db.Doc) (answer, error) {
		n, err := s.DeleteDoc(ctx, coll, id)
		return db.RemoveAnswer{Removed: n}, err
	})
	o.Set("transaction", in.txnNative(natives))
	o.Set("createCollection", func(call goja.FunctionCall) goja.Value {
		return in.dbCall(natives, call.Argument(0).String(), in.dbBodyArg(call.Argument(1)), func(ctx context.Context, body db.Doc) (answer, error) {
			name, err := s.CreateCollection(ctx, body)
			return db.NameAnswer{Name: name}, err
		})
	})
	return o
}

// dbBodyArg returns an operation's body as JSON.stringify makes it (nil
// for none). A body longer than the function's memory limit throws a
// RangeError, as a string that long would.
func (in *instance) dbBodyArg(v goja.Value) []byte {
	body, over := in.jsonArg(v, int(in.memoryBudget()))
	if over {
		panic(in.jsError("RangeError", "Invalid string length: the database request would take more than the function's memory limit (config.json memorySize)"))
	}
	return body
}

// dbCall runs op with body (JSON; nil for none) decoded, on a worker under
// the invocation's context, as an admin, and returns a promise the loop
// settles with op's answer (dbValue) or with the module's error of api.
func (in *instance) dbCall(natives *goja.Object, api string, body []byte, op func(context.Context, db.Doc) (answer, error)) goja.Value {
	return in.loop.async(in.dbWork(natives, api, body, op))
}

// dbCallNow is dbCall for an operation without a body that takes little
// and bounded time (a read by _id): op runs now, on the instance's
// goroutine, and the promise it returns is already settled. Its reactions
// still run as any promise's, after the calling code, so only the time
// differs: no hand-off to a worker goroutine and back through the loop.
// The invocation's deadline ends op as it ends dbCall's.
func (in *instance) dbCallNow(natives *goja.Object, api string, op func(context.Context, db.Doc) (answer, error)) goja.Value {
	vm := in.vm
	p, resolve, reject := vm.NewPromise()
	finish := safeWork(in.dbWork(natives, api, nil, op), in.cur.context())
	v, err := finish(vm)
	if err == nil {
		err = resolve(v)
	} else {
		err = reject(errorValue(vm, err))
	}
	if err != nil && in.loop.failure == nil { // as loop.async: a reaction was interrupted
		in.loop.failure = err
	}
	return vm.ToValue(p)
}

// dbWork is the Go work of a database call: op with body decoded, as an
// admin, then, on the loop, op's answer as JavaScript (dbValue) or the
// module's error of api.
func (in *instance) dbWork(natives *goja.Object, api string, body []byte, op func(context.Context, db.Doc) (answer, error)) func(context.Context) func(*goja.Runtime) (goja.Value, error) {
	return func(ctx context.Context) func(*goja.Runtime) (goja.Value, error) {
		a, err := runDB(auth.NewContext(ctx, functionIdentity), body, op)
		return func(vm *goja.Runtime) (goja.Value, error) {
			if err == nil {
				geo, _ := goja.AssertFunction(natives.Get("geo"))
				return in.dbValue(a, geo)
			}
			if internalDBError(err) {
				in.log("error", "[minibase] database call "+api+" failed: "+err.Error())
			}
			return nil, &jsError{in.sdkError(natives, api, vm.ToValue(dbFailure(err)))}
		}
	}
}

func runDB(ctx context.Context, body []byte, op func(context.Context, db.Doc) (answer, error)) (answer, error) {
	req, err := dbBody(body)
	if err != nil {
		return nil, err
	}
	return op(ctx, req)
}

// dbBody decodes an operation's body: a JSON object, or {} when there is
// none.
func dbBody(body []byte) (db.Doc, error) {
	if len(body) == 0 {
		return db.Doc{}, nil
	}
	v, err := db.DecodeJSON(body, db.MaxDepth+4)
	if err != nil {
		return nil, err
	}
	d, ok := v.(db.Doc)
	if !ok {
		return nil, db.Errorf(db.CodeInvalidParam, "request body must be a JSON object")
	}
	return d, nil
}

// dbValue is the JavaScript value of a database answer: the documents of
// a query ({data: [...]}) or of doc(id).get() ({data}) are lazy objects
// (lazydoc.go), other answers their JSON with extended values converted.
func (in *instance) dbValue(a answer, geo goja.Callable) (goja.Value, error) {
	conv := &docConverter{in: in, geo: geo}
	switch a := a.(type) {
	case db.QueryAnswer:
		items := make([]any, len(a.Docs))
		for i, raw := range a.Docs {
			v, err := conv.document(raw)
			if err != nil {
				return nil, err
			}
			items[i] = v
		}
		o := in.vm.NewObject()
		o.Set("data", in.vm.NewArray(items...))
		return o, nil
	case db.DocAnswer:
		v, err := conv.document(a.Doc)
		if err != nil {
			return nil, err
		}
		o := in.vm.NewObject()
		o.Set("data", v)
		return o, nil
	}
	if geo == nil {
		geo = func(goja.Value, ...goja.Value) (goja.Value, error) { return goja.Undefined(), nil }
	}
	return in.fromDB(a.AppendJSON(nil), geo)
}

// dbFailure is how a database error reaches the builder: the HTTP API's
// error body. Errors that are not *db.Error are internal and say nothing
// more than CloudBase's generic failure.
func dbFailure(err error) map[string]any {
	var de *db.Error
	if errors.As(err, &de) {
		return map[string]any{"code": de.Code, "errCode": de.ErrCode, "message": de.Message}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return map[string]any{"code": "SERVER_TIMEOUT", "errCode": -501002, "message": "the database call did not finish before the invocation ended"}
	}
	return map[string]any{"code": db.CodeRequestFailed, "errCode": -502001, "message": "database request failed"}
}

// internalDBError reports an error the database did not mean for clients
// (worth a line in the function's log).
func internalDBError(err error) bool {
	var de *db.Error
	return !errors.As(err, &de) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}

// doc builds a document from key, value pairs.
func doc(kv ...any) db.Doc {
	d := make(db.Doc, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		d = append(d, db.Field{Key: kv[i].(string), Value: kv[i+1]})
	}
	return d
}
