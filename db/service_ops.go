package db

import (
	"context"
	"errors"
	"time"
)

func (s *Service) parseQuery(g grant, body Doc) (*Query, *Projection, error) {
	m, err := fields(body, "filter", "sort", "skip", "limit", "projection")
	if err != nil {
		return nil, nil, err
	}
	q := &Query{}
	if q.Filter, err = g.filter(m["filter"]); err != nil {
		return nil, nil, err
	}
	if m["sort"] != nil {
		if q.Sort, err = ParseSort(m["sort"]); err != nil {
			return nil, nil, err
		}
	}
	if len(q.Sort) > 0 {
		q.Sort = withIDTieBreak(q.Sort)
	}
	if q.Skip, err = intField(m["skip"], "skip", 0); err != nil {
		return nil, nil, err
	}
	if q.Limit, err = intField(m["limit"], "limit", s.limits.DefaultLimit); err != nil {
		return nil, nil, err
	}
	if q.Limit == 0 {
		q.Limit = s.limits.DefaultLimit
	}
	q.Limit = min(q.Limit, s.limits.MaxLimit)
	var p *Projection
	if m["projection"] != nil {
		if p, err = ParseProjection(m["projection"]); err != nil {
			return nil, nil, err
		}
	}
	return q, p, nil
}

// withIDTieBreak ends every sort with _id, so equal keys come back in a
// stable order. (Without a sort, documents come in the driver's natural
// order, as in MongoDB: for SQLite, insertion order or the order of the
// index the filter uses.) The tie-break runs in the direction of the last key: an
// index ends with _id in the direction of its last key (see the sqlite
// driver), so a sort that follows an index, forwards or backwards, is read
// straight from it.
func withIDTieBreak(keys []SortKey) []SortKey {
	desc := false
	for _, k := range keys {
		if k.Path == "_id" {
			return keys
		}
		desc = k.Desc
	}
	return append(keys, SortKey{Path: "_id", Desc: desc})
}

// Query runs a find: body {filter, sort, skip, limit, projection}.
func (s *Service) Query(ctx context.Context, coll string, body Doc) ([][]byte, error) {
	g, err := s.admit(ctx, coll, opRead)
	if err != nil {
		return nil, err
	}
	return s.queryAs(ctx, g, body)
}

// queryAs is Query for g, from admit (as are the grants of the other …As
// methods).
func (s *Service) queryAs(ctx context.Context, g grant, body Doc) ([][]byte, error) {
	q, p, err := s.parseQuery(g, body)
	if err != nil {
		return nil, err
	}
	var c *checker
	if q.Filter, c, err = s.readQuery(ctx, g, q.Filter); err != nil {
		return nil, err
	}
	start := time.Now()
	docs, err := s.drv.Find(ctx, g.coll, q)
	if err != nil {
		return nil, err
	}
	s.observe(ctx, "query", g.coll, q, start, int64(len(docs)))
	if c != nil {
		if err := c.returned(ctx, docs); err != nil {
			return nil, err
		}
	}
	return s.finish(docs, p)
}

// finish applies the projection and the response size limit.
func (s *Service) finish(docs [][]byte, p *Projection) ([][]byte, error) {
	size := 0
	for i, raw := range docs {
		if p != nil {
			v, err := DecodeJSON(raw, MaxDepth+1)
			if err != nil {
				return nil, err
			}
			docs[i] = MarshalJSON(p.Apply(v.(Doc)))
		}
		size += len(docs[i])
		if size > s.limits.MaxResult {
			return nil, Errorf(CodeResultTooLarge, "query result is over %d bytes: ask for fewer documents (limit) or fields (projection)", s.limits.MaxResult)
		}
	}
	return docs, nil
}

// Count counts matching documents: body {filter}.
func (s *Service) Count(ctx context.Context, coll string, body Doc) (int64, error) {
	g, err := s.admit(ctx, coll, opRead)
	if err != nil {
		return 0, err
	}
	return s.countAs(ctx, g, body)
}

func (s *Service) countAs(ctx context.Context, g grant, body Doc) (int64, error) {
	m, err := fields(body, "filter")
	if err != nil {
		return 0, err
	}
	f, err := g.filter(m["filter"])
	if err != nil {
		return 0, err
	}
	if f, err = s.readFilter(ctx, g, f); err != nil {
		return 0, err
	}
	start := time.Now()
	n, err := s.drv.Count(ctx, g.coll, f)
	if err == nil {
		s.observe(ctx, "count", g.coll, &Query{Filter: f}, start, n)
	}
	return n, err
}

// Insert adds one document or many: body {data: doc | [docs]}. It returns
// the new ids and whether data was an array.
func (s *Service) Insert(ctx context.Context, coll string, body Doc) ([]string, bool, error) {
	g, err := s.admit(ctx, coll, opCreate)
	if err != nil {
		return nil, false, err
	}
	return s.insertAs(ctx, g, body)
}

func (s *Service) insertAs(ctx context.Context, g grant, body Doc) ([]string, bool, error) {
	op, many, err := s.insertOp(ctx, g, body)
	if err != nil {
		return nil, false, err
	}
	res, err := s.drv.Write(ctx, g.coll, op)
	if err != nil {
		return nil, false, err
	}
	return res.InsertedIDs, many, nil
}

// insertOp parses and authorizes an insert (body {data}) into the write to
// run; many says data was an array. (The …Op methods build a request's
// write, rules checked or set to be checked in it (WriteOp.Check), for the
// Driver or a transaction to run.)
func (s *Service) insertOp(ctx context.Context, g grant, body Doc) (*WriteOp, bool, error) {
	m, err := fields(body, "data")
	if err != nil {
		return nil, false, err
	}
	var raw []any
	many := false
	switch x := m["data"].(type) {
	case Doc:
		raw = []any{x}
	case []any:
		raw, many = x, true
		if len(x) == 0 || len(x) > s.limits.MaxInsert {
			return nil, false, Errorf(CodeInvalidParam, "data must hold 1 to %d documents", s.limits.MaxInsert)
		}
	default:
		return nil, false, Errorf(CodeInvalidParam, "data must be a document or an array of documents")
	}
	now := s.now()
	docs := make([]Doc, len(raw))
	for i, v := range raw {
		d, ok := v.(Doc)
		if !ok {
			return nil, false, Errorf(CodeInvalidParam, "data[%d] must be a document", i)
		}
		if docs[i], err = s.prepareDoc(d, now); err != nil {
			return nil, false, err
		}
	}
	if err := s.createDocs(ctx, g, docs); err != nil {
		return nil, false, err
	}
	return &WriteOp{Kind: WriteInsert, Docs: docs, Now: now, MustExist: !g.admin}, many, nil
}

func (s *Service) prepareDoc(d Doc, now time.Time) (Doc, error) {
	d, err := normalizeID(d)
	if err != nil {
		return nil, err
	}
	ResolveServerDates(d, now)
	if err := ValidateDoc(d); err != nil {
		return nil, err
	}
	return d, nil
}

// Update updates matching documents: body {filter, update, multi, upsert}.
// multi and upsert default to false.
func (s *Service) Update(ctx context.Context, coll string, body Doc) (WriteResult, error) {
	g, err := s.admit(ctx, coll, opUpdate)
	if err != nil {
		return WriteResult{}, err
	}
	return s.updateAs(ctx, g, body)
}

func (s *Service) updateAs(ctx context.Context, g grant, body Doc) (WriteResult, error) {
	op, err := s.whereUpdateOp(ctx, g, body)
	if err != nil {
		return WriteResult{}, err
	}
	return written(s.drv.Write(ctx, g.coll, op))
}

// whereUpdateOp parses and authorizes a where-update, body {filter,
// update, multi, upsert}.
func (s *Service) whereUpdateOp(ctx context.Context, g grant, body Doc) (*WriteOp, error) {
	m, err := fields(body, "filter", "update", "multi", "upsert")
	if err != nil {
		return nil, err
	}
	f, err := g.filter(m["filter"])
	if err != nil {
		return nil, err
	}
	return s.updateOp(ctx, g, f, m, namesOneID(m["filter"]))
}

// namesOneID reports whether a where-update or where-remove filter names
// one document by its _id and nothing else ({_id: "x"}). That is how the
// SDK sends doc(id).update (wx.request and my.request have no PATCH), so it
// is checked as docs/{id} is: the stored document decides what the filter
// does not pin.
func namesOneID(filter any) bool {
	d, ok := filter.(Doc)
	if !ok || len(d) != 1 || d[0].Key != "_id" {
		return false
	}
	_, ok = d[0].Value.(string)
	return ok
}

// updateOp builds a parsed update's write; byID marks a doc(id).update.
func (s *Service) updateOp(ctx context.Context, g grant, f *Filter, m map[string]any, byID bool) (*WriteOp, error) {
	op := &WriteOp{Kind: WriteUpdate, Filter: f, Now: s.now(), UpsertID: NewID(), MustExist: !g.admin}
	if m["update"] == nil {
		return nil, Errorf(CodeInvalidParam, "update is required")
	}
	var err error
	if op.Update, err = ParseUpdate(m["update"]); err != nil {
		return nil, err
	}
	if op.Multi, err = boolField(m["multi"], "multi"); err != nil {
		return nil, err
	}
	if op.Upsert, err = boolField(m["upsert"], "upsert"); err != nil {
		return nil, err
	}
	if err := g.checkUpdate(op.Update); err != nil {
		return nil, err
	}
	if op.Upsert && !g.admin {
		return nil, Errorf(CodePermissionDenied, "permission denied: upsert is for admins; a client adds documents with insert")
	}
	if err := s.guardWrite(ctx, g, opUpdate, op, byID); err != nil {
		return nil, err
	}
	return op, nil
}

// written is a write's result as its caller learns it: a doc(id) write
// whose stored document the caller may not even read (errHidden) answers
// as for a missing document.
func written(res WriteResult, err error) (WriteResult, error) {
	if errors.Is(err, errHidden) {
		return WriteResult{}, nil
	}
	return res, err
}

// Remove deletes matching documents: body {filter, multi} (multi defaults
// to false: one document).
func (s *Service) Remove(ctx context.Context, coll string, body Doc) (int64, error) {
	g, err := s.admit(ctx, coll, opDelete)
	if err != nil {
		return 0, err
	}
	return s.removeAs(ctx, g, body)
}

func (s *Service) removeAs(ctx context.Context, g grant, body Doc) (int64, error) {
	op, err := s.whereRemoveOp(ctx, g, body)
	if err != nil {
		return 0, err
	}
	res, err := written(s.drv.Write(ctx, g.coll, op))
	return res.Removed, err
}

// whereRemoveOp parses and authorizes a where-remove, body {filter, multi}.
func (s *Service) whereRemoveOp(ctx context.Context, g grant, body Doc) (*WriteOp, error) {
	m, err := fields(body, "filter", "multi")
	if err != nil {
		return nil, err
	}
	f, err := g.filter(m["filter"])
	if err != nil {
		return nil, err
	}
	multi, err := boolField(m["multi"], "multi")
	if err != nil {
		return nil, err
	}
	return s.removeOp(ctx, g, f, multi, namesOneID(m["filter"]))
}

// removeOp builds a parsed remove's write; byID marks a doc(id).remove.
func (s *Service) removeOp(ctx context.Context, g grant, f *Filter, multi, byID bool) (*WriteOp, error) {
	op := &WriteOp{Kind: WriteRemove, Filter: f, Multi: multi, Now: s.now()}
	if err := s.guardWrite(ctx, g, opDelete, op, byID); err != nil {
		return nil, err
	}
	return op, nil
}
