package db

import (
	"context"
	"encoding/binary"
)

// returned checks each document a client's query returns against the read
// rule, on the document itself. The proof against the filter is the check;
// this is its backstop, so that a mistake in the proof cannot hand out a
// document the rule denies: such a document fails the whole request.
//
// A rule's value depends only on the fields of doc it reads (and on get()
// results, which the request's cache keeps fixed), and the documents a
// proof lets through mostly share them (the filter pins them): each
// distinct combination of those fields' raw values is evaluated once.
func (c *checker) returned(ctx context.Context, docs [][]byte) error {
	if !uses(c.expr, "doc") || len(docs) == 0 {
		return nil
	}
	fields, some := c.expr.Fields("doc")
	vals := make([][]byte, len(fields))
	seen := map[string]bool{}
	var key []byte
	for _, raw := range docs {
		if !some || !topFields(raw, fields, vals) {
			if err := c.returnedDoc(ctx, raw); err != nil {
				return err
			}
			continue
		}
		key = key[:0]
		for _, v := range vals {
			key = binary.AppendUvarint(key, uint64(len(v)))
			key = append(key, v...)
		}
		if ok, done := seen[string(key)]; done {
			if !ok {
				return c.notReturned()
			}
			continue
		}
		doc := make(Doc, 0, len(fields))
		for i, v := range vals {
			if v == nil {
				continue
			}
			x, err := DecodeJSON(v, MaxDepth)
			if err != nil {
				return err
			}
			doc = append(doc, Field{fields[i], x})
		}
		r, err := c.eval(ctx, doc, nil)
		if err != nil {
			return err
		}
		seen[string(key)] = r.Allowed()
		if !r.Allowed() {
			return c.notReturned()
		}
	}
	return nil
}

// returnedDoc is returned for one document the rule reads whole.
func (c *checker) returnedDoc(ctx context.Context, raw []byte) error {
	v, err := DecodeJSON(raw, MaxDepth+1)
	if err != nil {
		return err
	}
	r, err := c.eval(ctx, v, nil)
	if err != nil {
		return err
	}
	if !r.Allowed() {
		return c.notReturned()
	}
	return nil
}

func (c *checker) notReturned() error {
	return Errorf(CodePermissionDenied, "permission denied: a document the filter matches does not satisfy the %s rule", opNames[c.op])
}
