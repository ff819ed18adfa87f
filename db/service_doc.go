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
	return s.readDoc(ctx, g, id)
}

// SetDoc replaces the document id with body {data: doc}, or creates it.
// The document must be plain data: set replaces, it does not take update
// operators. A client's replacement keeps the document's owner: under a
// preset a client replaces only its own documents (another user's is
// refused); under custom rules the update rule decides, or the create rule
// for a new document.
func (s *Service) SetDoc(ctx context.Context, coll, id string, body Doc) (WriteResult, error) {
	g, err := s.admitSet(ctx, coll)
	if err != nil {
		return WriteResult{}, err
	}
	return s.setDocAs(ctx, g, id, body)
}

func (s *Service) setDocAs(ctx context.Context, g grant, id string, body Doc) (WriteResult, error) {
	op, err := s.setOp(ctx, g, id, body)
	if err != nil {
		return WriteResult{}, err
	}
	return s.drv.Write(ctx, g.coll, op)
}

// setOp parses and authorizes doc(id).set, body {data}.
func (s *Service) setOp(ctx context.Context, g grant, id string, body Doc) (*WriteOp, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	m, err := fields(body, "data")
	if err != nil {
		return nil, err
	}
	d, ok := m["data"].(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "data must be a document")
	}
	for _, f := range d {
		if len(f.Key) > 0 && f.Key[0] == '$' {
			return nil, Errorf(CodeInvalidParam, "set replaces the whole document: data must be a plain document, not update operators like %s", f.Key)
		}
	}
	if v, ok := d.Get("_id"); ok && v != id {
		return nil, Errorf(CodeInvalidParam, "cannot modify _id: data._id must be absent or equal to %q", id)
	}
	d = append(Doc{{"_id", id}}, d...)
	now := s.now()
	if d, err = s.prepareDoc(d, now); err != nil {
		return nil, err
	}
	op := &WriteOp{Kind: WriteReplace, Doc: d, Now: now, MustExist: !g.admin}
	if err := s.guardSet(ctx, g, op); err != nil {
		return nil, err
	}
	return op, nil
}

// UpdateDoc applies body {update} to the document id; updated is 0 when it
// does not exist. Under custom rules the stored document is checked, so the
// filter need not pin what the rule reads.
func (s *Service) UpdateDoc(ctx context.Context, coll, id string, body Doc) (WriteResult, error) {
	g, err := s.admit(ctx, coll, opUpdate)
	if err != nil {
		return WriteResult{}, err
	}
	return s.updateDocAs(ctx, g, id, body)
}

func (s *Service) updateDocAs(ctx context.Context, g grant, id string, body Doc) (WriteResult, error) {
	op, err := s.docUpdateOp(ctx, g, id, body)
	if err != nil {
		return WriteResult{}, err
	}
	return written(s.drv.Write(ctx, g.coll, op))
}

// docUpdateOp parses and authorizes doc(id).update, body {update}.
func (s *Service) docUpdateOp(ctx context.Context, g grant, id string, body Doc) (*WriteOp, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	m, err := fields(body, "update")
	if err != nil {
		return nil, err
	}
	return s.updateOp(ctx, g, idFilter(id), m, true)
}

// DeleteDoc removes the document id; removed is 0 when it does not exist.
// Under custom rules the stored document is checked.
func (s *Service) DeleteDoc(ctx context.Context, coll, id string) (int64, error) {
	g, err := s.authorize(ctx, coll, ActionDelete)
	if err != nil {
		return 0, err
	}
	op, err := s.docRemoveOp(ctx, g, id)
	if err != nil {
		return 0, err
	}
	res, err := written(s.drv.Write(ctx, g.coll, op))
	return res.Removed, err
}

// docRemoveOp authorizes doc(id).remove.
func (s *Service) docRemoveOp(ctx context.Context, g grant, id string) (*WriteOp, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return s.removeOp(ctx, g, idFilter(id), false, true)
}
