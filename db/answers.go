package db

import "strconv"

// The answers of the database's operations, built here once for both
// callers: the HTTP API (http.go) sends their JSON, and wx-server-sdk's
// database inside cloud functions (functions/bind_db.go) resolves with the
// same values. Each answer appends its JSON to a buffer (AppendJSON);
// objects' keys are in the order encoding/json sorts them, as the HTTP API
// has always sent them.

// QueryAnswer is a query's answer, and an aggregation's, {"data":[doc,…]}:
// the documents as the Service returned them (extended JSON), appended
// without re-encoding.
type QueryAnswer struct{ Docs [][]byte }

// AppendJSON appends {"data":[doc,…]}.
func (a QueryAnswer) AppendJSON(b []byte) []byte {
	b = append(b, `{"data":[`...)
	for i, d := range a.Docs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, d...)
	}
	return append(b, "]}"...)
}

// Size is the length of the answer's JSON, for sizing its buffer.
func (a QueryAnswer) Size() int {
	n := len(`{"data":[]}`)
	for _, d := range a.Docs {
		n += len(d) + 1
	}
	return n
}

// DocAnswer is doc(id).get()'s answer, {"data":doc}: the document as the
// Service returned it.
type DocAnswer struct{ Doc []byte }

// AppendJSON appends {"data":doc}.
func (a DocAnswer) AppendJSON(b []byte) []byte {
	b = append(b, `{"data":`...)
	b = append(b, a.Doc...)
	return append(b, '}')
}

// CountAnswer is a count's answer, {"total":n}.
type CountAnswer struct{ Total int64 }

// AppendJSON appends {"total":n}.
func (a CountAnswer) AppendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"total":`...), a.Total, 10)
	return append(b, '}')
}

// InsertAnswer is an insert's answer: {"_id":id} for one document, and
// {"_ids":[id,…]} when data was an array (Many).
type InsertAnswer struct {
	IDs  []string
	Many bool
}

// AppendJSON appends {"_id":id} or {"_ids":[id,…]}.
func (a InsertAnswer) AppendJSON(b []byte) []byte {
	if !a.Many {
		id := ""
		if len(a.IDs) > 0 {
			id = a.IDs[0]
		}
		b = appendString(append(b, `{"_id":`...), id)
		return append(b, '}')
	}
	b = append(b, `{"_ids":[`...)
	for i, id := range a.IDs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, id)
	}
	return append(b, "]}"...)
}

// UpdateAnswer is a where-update's answer,
// {"stats":{"matched":m,"updated":u}}; when an upsert created a document,
// {"stats":{"created":1,"matched":0,"updated":0},"upsertedId":id}.
type UpdateAnswer struct{ Result WriteResult }

// AppendJSON appends the answer.
func (a UpdateAnswer) AppendJSON(b []byte) []byte {
	b = append(b, `{"stats":{`...)
	if a.Result.UpsertedID != "" {
		b = append(b, `"created":1,`...)
	}
	b = strconv.AppendInt(append(b, `"matched":`...), a.Result.Matched, 10)
	b = strconv.AppendInt(append(b, `,"updated":`...), a.Result.Updated, 10)
	b = append(b, '}')
	if a.Result.UpsertedID != "" {
		b = appendString(append(b, `,"upsertedId":`...), a.Result.UpsertedID)
	}
	return append(b, '}')
}

// RemoveAnswer is the answer of a where-remove and of doc(id).remove(),
// {"stats":{"removed":n}}.
type RemoveAnswer struct{ Removed int64 }

// AppendJSON appends {"stats":{"removed":n}}.
func (a RemoveAnswer) AppendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"stats":{"removed":`...), a.Removed, 10)
	return append(b, "}}"...)
}

// SetAnswer is doc(id).set()'s answer,
// {"_id":id,"stats":{"created":0|1,"updated":0|1}}: created when the
// document was new, updated when it replaced one.
type SetAnswer struct {
	ID     string
	Result WriteResult
}

// AppendJSON appends the answer.
func (a SetAnswer) AppendJSON(b []byte) []byte {
	created := int64(0)
	if a.Result.UpsertedID != "" {
		created = 1
	}
	b = appendString(append(b, `{"_id":`...), a.ID)
	b = strconv.AppendInt(append(b, `,"stats":{"created":`...), created, 10)
	b = strconv.AppendInt(append(b, `,"updated":`...), a.Result.Updated, 10)
	return append(b, "}}"...)
}

// UpdateDocAnswer is doc(id).update()'s answer, {"stats":{"updated":0|1}}
// (0 when the document does not exist).
type UpdateDocAnswer struct{ Result WriteResult }

// AppendJSON appends {"stats":{"updated":n}}.
func (a UpdateDocAnswer) AppendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"stats":{"updated":`...), a.Result.Updated, 10)
	return append(b, "}}"...)
}

// NameAnswer is the answer of a created collection or index, {"name":name}.
type NameAnswer struct{ Name string }

// AppendJSON appends {"name":name}.
func (a NameAnswer) AppendJSON(b []byte) []byte {
	b = appendString(append(b, `{"name":`...), a.Name)
	return append(b, '}')
}
