package db

import (
	"context"
	"errors"

	"minibase/auth/rules"
)

// What each client operation may do under the collection's rules. Presets
// behave as CloudBase's simple permissions: reads and writes are narrowed
// silently to the caller's documents where the preset says "creator", and
// refused where it says "admin". Custom rules are checked: against the
// query (every document it may match must satisfy the rule), against a new
// document, and inside the write against every stored document it changes.

func presetDenied(rs *RuleSet, op int) error {
	what := "write to"
	if op == opRead {
		what = "read"
	}
	return Errorf(CodePermissionDenied, "permission denied: only admins may %s this collection (preset %s)", what, rs.Preset)
}

// readFilter returns the filter a client's query or count runs with. Under
// a custom rule that holds only where some fields hold no array (see
// NoArray in auth/rules), the filter leaves out the documents where one
// does.
func (s *Service) readFilter(ctx context.Context, g grant, f *Filter) (*Filter, error) {
	f, _, err := s.readQuery(ctx, g, f)
	return f, err
}

// readQuery is readFilter that also returns, under custom rules, the
// checker whose returned method the query's results must pass.
func (s *Service) readQuery(ctx context.Context, g grant, f *Filter) (*Filter, *checker, error) {
	if g.admin {
		return f, nil, nil
	}
	switch g.rules.Preset {
	case PresetReadOnly, PresetAdminWrite:
		return f, nil, nil
	case PresetAdminOnly:
		return nil, nil, presetDenied(g.rules, opRead)
	case PresetPrivate:
		if g.openid == "" {
			return nil, nil, errSignIn()
		}
		return g.scope(f), nil, nil
	}
	c := s.checker(g, opRead, nil)
	v, err := c.query(ctx, f, nil)
	if err != nil {
		return nil, nil, err
	}
	if v.result.Truth != rules.True {
		return nil, nil, c.denied(v, false)
	}
	return WithoutArrays(f, v.result.NoArray), c, nil
}

// readDoc returns the document id as the caller may see it. Under custom
// rules it is checked against the query {_id: id} first and, when that does
// not decide, against the stored document itself: no need to rewrite
// doc(id).get() as where({_id, _openid: '{openid}'}). A stored document the
// rule does not let the caller read is answered as a missing one: whether
// an id exists is not the caller's to learn.
func (s *Service) readDoc(ctx context.Context, g grant, id string) ([]byte, error) {
	return s.readDocFrom(ctx, g, id, func(f *Filter) ([][]byte, error) {
		return s.drv.Find(ctx, g.coll, &Query{Filter: f, Limit: 1})
	})
}

// readDocFrom is readDoc with the document found by find: the document
// id if f, a filter on its _id, matches it (a transaction reads through
// its own writes).
func (s *Service) readDocFrom(ctx context.Context, g grant, id string, find func(f *Filter) ([][]byte, error)) ([]byte, error) {
	f := idFilter(id)
	if g.admin || g.rules.Preset != "" {
		f, err := s.readFilter(ctx, g, f)
		if err != nil {
			return nil, err
		}
		docs, err := find(f)
		return firstDoc(docs, err, id)
	}
	c := s.checker(g, opRead, nil)
	v, err := c.query(ctx, f, nil)
	if err != nil {
		return nil, err
	}
	if t := v.result.Truth; !v.open() && t != rules.True {
		return nil, c.denied(v, false)
	}
	docs, err := find(f)
	raw, err := firstDoc(docs, err, id)
	if err != nil {
		return nil, err
	}
	if v.result.Allowed() {
		if err := c.returned(ctx, docs); err != nil {
			return nil, err
		}
		return raw, nil
	}
	doc, err := DecodeJSON(raw, MaxDepth+1)
	if err != nil {
		return nil, err
	}
	if err := c.doc(ctx, doc.(Doc), nil); err != nil {
		if ErrorCode(err) == CodePermissionDenied {
			return firstDoc(nil, nil, id)
		}
		return nil, err
	}
	return raw, nil
}

func firstDoc(docs [][]byte, err error, id string) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, Errorf(CodeDocumentNotExist, "document with _id %s does not exist", id)
	}
	return docs[0], nil
}

// createDocs stamps a client's new documents with its openid and checks
// them against the create rule (doc and request.data are the new document).
func (s *Service) createDocs(ctx context.Context, g grant, docs []Doc) error {
	if g.admin {
		return nil
	}
	switch g.rules.Preset {
	case PresetAdminWrite, PresetAdminOnly:
		return presetDenied(g.rules, opCreate)
	case PresetPrivate, PresetReadOnly:
		if g.openid == "" {
			return errSignIn()
		}
	}
	var c *checker
	if g.rules.Preset == "" {
		c = s.checker(g, opCreate, nil)
	}
	for i := range docs {
		d, err := g.stamp(docs[i])
		if err != nil {
			return err
		}
		docs[i] = d
		if c != nil {
			if err := c.doc(ctx, d, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// guardWrite prepares a client's update (op opUpdate, w.Update set) or
// remove (opDelete). Presets narrow w.Filter to the caller's documents.
// Custom rules must hold for every document the filter may match (with
// request.data as far as the update tells it); the filter leaves out the
// documents where the rule's proof needs a field to hold no array. A doc(id)
// write (byID) whose rule the filter {_id} does not decide is left to the
// check of the stored document, which w.Check runs inside the write for
// every document either way; a stored document the caller may not even
// read is then answered as a missing one (errHidden: nothing changes and
// the count is 0).
func (s *Service) guardWrite(ctx context.Context, g grant, op int, w *WriteOp, byID bool) error {
	if g.admin {
		return nil
	}
	switch g.rules.Preset {
	case PresetAdminWrite, PresetAdminOnly:
		return presetDenied(g.rules, op)
	case PresetPrivate, PresetReadOnly:
		if g.openid == "" {
			return errSignIn()
		}
		w.Filter = g.scope(w.Filter)
		return nil
	}
	c := s.checker(g, op, nil)
	var data any
	if op == opUpdate {
		data = w.Update.dataBefore(w.Now)
	}
	v, err := c.query(ctx, w.Filter, data)
	if err != nil {
		return err
	}
	switch t := v.result.Truth; {
	case byID && v.open():
		// the stored document decides
	case t == rules.True:
		w.Filter = WithoutArrays(w.Filter, v.result.NoArray)
	default:
		return c.denied(v, false)
	}
	w.Check = func(old, next Doc) error {
		var data any
		if op == opUpdate {
			data = w.Update.dataAfter(next)
		}
		err := c.doc(ctx, old, data)
		if byID && ErrorCode(err) == CodePermissionDenied && !s.readable(ctx, g, old, c.cache) {
			return errHidden
		}
		return err
	}
	return nil
}

// errHidden fails a doc(id) write whose stored document the caller may
// neither write nor read; the write answers as for a missing document.
var errHidden = errors.New("the document is not the caller's to see")

// readable reports whether the read rule lets the caller (g, custom rules)
// read the stored document doc. An evaluation that cannot finish (a get()
// that fails) counts as no.
func (s *Service) readable(ctx context.Context, g grant, doc Doc, cache *rules.Cache) bool {
	return s.checker(g, opRead, cache).doc(ctx, doc, nil) == nil
}

// guardSet prepares a client's doc(id).set: the create rule when the
// document is new, the update rule (doc the stored document, request.data
// the new one) when it replaces one, which must keep its owner. Replacing a
// document the caller may not read (another user's, under PRIVATE) fails
// as an insert of a taken _id does (DuplicateID): the id cannot be created,
// and the answer says no more than that.
func (s *Service) guardSet(ctx context.Context, g grant, w *WriteOp) error {
	if g.admin {
		return nil
	}
	switch g.rules.Preset {
	case PresetAdminWrite, PresetAdminOnly:
		return presetDenied(g.rules, opUpdate)
	case PresetPrivate, PresetReadOnly:
		if g.openid == "" {
			return errSignIn()
		}
	}
	d, err := g.stamp(w.Doc)
	if err != nil {
		return err
	}
	w.Doc = d
	if g.rules.Preset != "" {
		mine := g.scope(nil)
		w.Check = func(old, _ Doc) error {
			switch {
			case old == nil || mine.Match(old):
				return nil
			case g.rules.Preset == PresetPrivate:
				return DuplicateID(g.coll)
			}
			return Errorf(CodePermissionDenied, "permission denied: document %s belongs to another user", old.ID())
		}
		return nil
	}
	cache := rules.NewCache(docGetter{s})
	create := s.checker(g, opCreate, cache)
	update := s.checker(g, opUpdate, cache)
	w.Check = func(old, next Doc) error {
		if old == nil {
			return create.doc(ctx, next, next)
		}
		was, _ := old.Get(OwnerField)
		now, _ := next.Get(OwnerField)
		var err error
		if Equal(was, now) {
			err = update.doc(ctx, old, next)
		} else {
			err = Errorf(CodePermissionDenied, "permission denied: set would change the document's %s; update it instead", OwnerField)
		}
		if ErrorCode(err) == CodePermissionDenied && !s.readable(ctx, g, old, cache) {
			return DuplicateID(g.coll)
		}
		return err
	}
	return nil
}
