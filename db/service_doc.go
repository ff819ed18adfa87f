package db

import (
	"context"
)

func idFilter(id string) *Filter {
	f, _ := ParseFilter(Doc{{"_id", id}}) // a string equality always parses
	return f
}

func checkID(id string) error {
	if id == "" || len(id) > 256 {
		return Errorf(CodeInvalidParam, "document id must be 1 to 256 bytes")
	}
	return nil
}

// GetDoc returns one document by id, or CodeDocumentNotExist.
func (s *Service) GetDoc(ctx context.Context, coll, id string, body Doc) ([]byte, error) {
	g, err := s.authorize(ctx, coll, ActionRead)
	if err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	docs, err := s.drv.Find(ctx, coll, &Query{Filter: g.scope(idFilter(id)), Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, Errorf(CodeDocumentNotExist, "document with _id %s does not exist", id)
	}
	return docs[0], nil
}

// SetDoc replaces the document id with body {data: doc}, or creates it.
// The document must be plain data: set replaces, it does not take update
// operators. A client may replace only its own document (another user's is
// refused) and the replacement keeps the client as owner.
func (s *Service) SetDoc(ctx context.Context, coll, id string, body Doc) (WriteResult, error) {
	g, err := s.authorize(ctx, coll, ActionUpdate)
	if err != nil {
		return WriteResult{}, err
	}
	if err := checkID(id); err != nil {
		return WriteResult{}, err
	}
	m, err := fields(body, "data")
	if err != nil {
		return WriteResult{}, err
	}
	d, ok := m["data"].(Doc)
	if !ok {
		return WriteResult{}, Errorf(CodeInvalidParam, "data must be a document")
	}
	for _, f := range d {
		if len(f.Key) > 0 && f.Key[0] == '$' {
			return WriteResult{}, Errorf(CodeInvalidParam, "set replaces the whole document: data must be a plain document, not update operators like %s", f.Key)
		}
	}
	if v, ok := d.Get("_id"); ok && v != id {
		return WriteResult{}, Errorf(CodeInvalidParam, "cannot modify _id: data._id must be absent or equal to %q", id)
	}
	d = append(Doc{{"_id", id}}, d...)
	now := s.now()
	if d, err = s.prepareDoc(d, now); err != nil {
		return WriteResult{}, err
	}
	if d, err = g.stamp(d); err != nil {
		return WriteResult{}, err
	}
	op := &WriteOp{Kind: WriteReplace, Doc: d, Now: now, MustExist: !g.admin}
	if !g.admin {
		op.Filter = g.scope(nil)
	}
	return s.drv.Write(ctx, coll, op)
}

// UpdateDoc applies body {update} to the document id; updated is 0 when it
// does not exist.
func (s *Service) UpdateDoc(ctx context.Context, coll, id string, body Doc) (WriteResult, error) {
	if err := checkID(id); err != nil {
		return WriteResult{}, err
	}
	m, err := fields(body, "update")
	if err != nil {
		return WriteResult{}, err
	}
	if m["update"] == nil {
		return WriteResult{}, Errorf(CodeInvalidParam, "update is required")
	}
	return s.Update(ctx, coll, Doc{{"filter", Doc{{"_id", id}}}, {"update", m["update"]}})
}

// DeleteDoc removes the document id; removed is 0 when it does not exist.
func (s *Service) DeleteDoc(ctx context.Context, coll, id string) (int64, error) {
	if err := checkID(id); err != nil {
		return 0, err
	}
	return s.Remove(ctx, coll, Doc{{"filter", Doc{{"_id", id}}}})
}
