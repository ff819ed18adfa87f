package transfer

import (
	"bytes"
	"strconv"
	"time"

	"minibase/db"
)

// DecodeLine reads one line of JSON Lines as a document to store: an
// object of extended JSON (dates as {"$date": "<RFC 3339>"} or
// {"$date": <ms>}, as WeChat's console writes them; MongoDB's
// {"$numberLong"}, {"$numberInt"}, {"$numberDouble"} and {"$oid"} too),
// within the database's limits (db.DecodeBody while it reads,
// db.ValidateDoc after). _id is kept (an integer becomes its decimal
// string) or made when absent, and put first. Errors are INVALID_PARAM.
func DecodeLine(line []byte, now time.Time) (db.Doc, error) {
	if len(line) > MaxLine {
		return nil, db.Errorf(db.CodeInvalidParam, "line is longer than %d bytes (the largest document)", MaxLine)
	}
	if t := bytes.TrimLeft(line, " \t\r"); len(t) == 0 || t[0] != '{' {
		return nil, db.Errorf(db.CodeInvalidParam, "a line must be one JSON object")
	}
	d, err := db.DecodeBody(line)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(line, []byte(`"$number`)) || bytes.Contains(line, []byte(`"$oid"`)) {
		v, err := mongoTypes(d)
		if err != nil {
			return nil, err
		}
		d = v.(db.Doc)
	}
	return prepare(d, now)
}

// prepare makes d a document to store: _id first (made when absent),
// server dates resolved at now, db.ValidateDoc's checks.
func prepare(d db.Doc, now time.Time) (db.Doc, error) {
	out := make(db.Doc, 0, len(d)+1)
	id, ok := d.Get("_id")
	switch x := id.(type) {
	case nil:
		if ok {
			return nil, db.Errorf(db.CodeInvalidParam, "_id must not be null")
		}
		id = db.NewID()
	case string:
	case int64:
		id = strconv.FormatInt(x, 10)
	default:
		return nil, db.Errorf(db.CodeInvalidParam, "_id must be a string or an integer")
	}
	out = append(out, db.Field{Key: "_id", Value: id})
	for _, f := range d {
		if f.Key != "_id" {
			out = append(out, f)
		}
	}
	db.ResolveServerDates(out, now)
	if err := db.ValidateDoc(out); err != nil {
		return nil, err
	}
	return out, nil
}

// mongoTypes turns MongoDB's extended JSON wrappers into plain values:
// {"$oid": hex} into the string, {"$numberLong"|"$numberInt": "n"} into an
// integer, {"$numberDouble": "x"} into a number. Other "$" objects are
// left for ValidateDoc to refuse.
func mongoTypes(v any) (any, error) {
	switch x := v.(type) {
	case db.Doc:
		if len(x) == 1 && len(x[0].Key) > 0 && x[0].Key[0] == '$' {
			if s, ok := x[0].Value.(string); ok {
				switch x[0].Key {
				case "$oid":
					return s, nil
				case "$numberLong", "$numberInt":
					n, err := strconv.ParseInt(s, 10, 64)
					if err != nil {
						return nil, db.Errorf(db.CodeInvalidParam, "invalid %s %q", x[0].Key, s)
					}
					return n, nil
				case "$numberDouble":
					f, err := strconv.ParseFloat(s, 64)
					if err != nil {
						return nil, db.Errorf(db.CodeInvalidParam, "invalid $numberDouble %q (NaN and Infinity cannot be stored)", s)
					}
					return f, nil
				}
			}
		}
		for i := range x {
			e, err := mongoTypes(x[i].Value)
			if err != nil {
				return nil, err
			}
			x[i].Value = e
		}
	case []any:
		for i := range x {
			e, err := mongoTypes(x[i])
			if err != nil {
				return nil, err
			}
			x[i] = e
		}
	}
	return v, nil
}
