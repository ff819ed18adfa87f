package functions

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"minibase/auth"
	"minibase/db"
)

// functionIdentity is who the database sees when a function calls it: an
// admin, so rules do not apply (as in CloudBase).
var functionIdentity = &auth.Identity{Role: auth.Admin}

// dbAnswer is a database call's answer: JSON, or for a query the matching
// documents (each extended JSON), which become {data: [...]}.
type dbAnswer struct {
	json  []byte
	docs  [][]byte // query: {data: docs}
	doc   []byte   // doc().get(): {data: doc}
	query bool
}

// dbCall serves one request of the database builder in-process: the same
// routes, bodies and answers as the database's HTTP API (db/http.go), with
// no HTTP in between. It runs as an admin.
func (r *Runtime) dbCall(ctx context.Context, method, path string, body []byte) (dbAnswer, error) {
	if method == "POST" && strings.HasSuffix(path, "/query") {
		if coll, ok := strings.CutPrefix(strings.TrimSuffix(path, "/query"), "/v1/db/"); ok && !strings.Contains(coll, "/") {
			req, err := dbBody(body)
			if err != nil {
				return dbAnswer{}, err
			}
			docs, err := r.db.Query(auth.NewContext(ctx, functionIdentity), unescape(coll), req)
			return dbAnswer{docs: docs, query: true}, err
		}
	}
	if method == "GET" {
		if rest, ok := strings.CutPrefix(path, "/v1/db/"); ok {
			if coll, id, ok := strings.Cut(rest, "/docs/"); ok {
				doc, err := r.db.GetDoc(auth.NewContext(ctx, functionIdentity), unescape(coll), unescape(id), nil)
				return dbAnswer{doc: doc}, err
			}
		}
	}
	out, err := r.dbWrite(ctx, method, path, body)
	return dbAnswer{json: out}, err
}

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

// dbWrite serves the calls other than reads.
func (r *Runtime) dbWrite(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	ctx = auth.NewContext(ctx, functionIdentity)
	req, err := dbBody(body)
	if err != nil {
		return nil, err
	}
	s := r.db
	if method == "POST" && path == "/v1/admin/collections" {
		name, err := s.CreateCollection(ctx, req)
		return answer(err, doc("name", name))
	}
	rest, ok := strings.CutPrefix(path, "/v1/db/")
	if !ok {
		return nil, db.Errorf(db.CodeInvalidParam, "no such database call: %s %s", method, path)
	}
	rawColl, op, _ := strings.Cut(rest, "/")
	coll := unescape(rawColl)
	if id, isDoc := strings.CutPrefix(op, "docs/"); isDoc {
		return r.docCall(ctx, method, coll, unescape(id), req)
	}
	if method != "POST" {
		return nil, db.Errorf(db.CodeInvalidParam, "no such database call: %s %s", method, path)
	}
	switch op {
	case "count":
		n, err := s.Count(ctx, coll, req)
		return answer(err, doc("total", n))
	case "insert":
		ids, many, err := s.Insert(ctx, coll, req)
		if err != nil || !many {
			var id string
			if len(ids) > 0 {
				id = ids[0]
			}
			return answer(err, doc("_id", id))
		}
		list := make([]any, len(ids))
		for i, id := range ids {
			list[i] = id
		}
		return answer(nil, doc("_ids", list))
	case "update":
		res, err := s.Update(ctx, coll, req)
		out := doc("stats", doc("updated", res.Updated, "matched", res.Matched))
		if res.UpsertedID != "" {
			out = append(out, db.Field{Key: "upsertedId", Value: res.UpsertedID})
		}
		return answer(err, out)
	case "remove":
		n, err := s.Remove(ctx, coll, req)
		return answer(err, doc("stats", doc("removed", n)))
	}
	return nil, db.Errorf(db.CodeInvalidParam, "no such database call: %s %s", method, path)
}

func (r *Runtime) docCall(ctx context.Context, method, coll, id string, req db.Doc) ([]byte, error) {
	s := r.db
	switch method {
	case "PUT":
		res, err := s.SetDoc(ctx, coll, id, req)
		created := int64(0)
		if res.UpsertedID != "" {
			created = 1
		}
		return answer(err, doc("_id", id, "stats", doc("updated", res.Updated, "created", created)))
	case "DELETE":
		n, err := s.DeleteDoc(ctx, coll, id)
		return answer(err, doc("stats", doc("removed", n)))
	}
	return nil, db.Errorf(db.CodeInvalidParam, "no such database call: %s on a document", method)
}

func answer(err error, d db.Doc) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return db.MarshalJSON(d), nil
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
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
