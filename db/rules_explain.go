package db

import (
	"context"
	"fmt"
	"strings"

	"minibase/auth"
	"minibase/auth/rules"
)

// Users finds the end user Explain speaks for; *auth.Service satisfies it.
type Users interface {
	GetUser(ctx context.Context, uid string) (*auth.UserAccount, error)
}

// SetUsers gives Explain its user directory. Call it before serving.
func (s *Service) SetUsers(u Users) { s.users = u }

// Explanation is Explain's answer: whether the request would be allowed,
// the rule that decides it, and why (for a denial, how to fix the request).
type Explanation struct {
	Allowed bool   `json:"allowed"`
	Rule    string `json:"rule"`
	Reason  string `json:"reason"`
}

var explainOps = map[string]int{
	"read": opRead, "query": opRead, "get": opRead, "count": opRead,
	"create": opCreate, "insert": opCreate, "add": opCreate,
	"update": opUpdate, "delete": opDelete, "remove": opDelete,
}

// Explain says what a client's request would meet (admin only): body
// {collection, operation, filter?, data?, id?, uid?}. operation is read,
// create, update or delete (or query, count, get, insert, add, remove);
// filter is the request's filter ('{openid}' allowed); data is the new
// document (create) or the update ({"$set": …}); id makes it a doc(id)
// request, checked against the stored document; uid is the end user
// (absent: a visitor who is not signed in). Nothing is written.
func (s *Service) Explain(ctx context.Context, body Doc) (*Explanation, error) {
	if _, err := s.authorize(ctx, "", ActionAdmin); err != nil {
		return nil, err
	}
	m, err := fields(body, "collection", "operation", "filter", "data", "id", "uid")
	if err != nil {
		return nil, err
	}
	coll, _ := m["collection"].(string)
	opName, _ := m["operation"].(string)
	op, ok := explainOps[opName]
	if !ok {
		return nil, Errorf(CodeInvalidParam, "operation must be read, create, update or delete")
	}
	uid, _ := m["uid"].(string)
	id, _ := m["id"].(string)
	ictx, err := s.identity(ctx, uid)
	if err != nil {
		return nil, err
	}
	g, err := s.authorize(ictx, coll, ActionRead)
	if err != nil {
		return nil, err
	}
	f, err := g.filter(m["filter"])
	if ErrorCode(err) == CodePermissionDenied { // '{openid}' for a visitor
		return &Explanation{Rule: g.rules.describe(explainOps[opName]), Reason: err.Error()}, nil
	}
	if id != "" && err == nil {
		f, err = idFilter(id), checkID(id)
	}
	if err != nil {
		return nil, err
	}
	e := &explainer{s: s, g: g, op: op, filter: f, id: id, data: m["data"]}
	return e.explain(ctx)
}

// identity is a context whose caller is the end user uid ("" for a visitor).
func (s *Service) identity(ctx context.Context, uid string) (context.Context, error) {
	if uid == "" {
		return auth.NewContext(ctx, &auth.Identity{Role: auth.Visitor}), nil
	}
	if s.users == nil {
		return nil, Errorf(CodeInvalidParam, "explain cannot look up users on this server")
	}
	u, err := s.users.GetUser(ctx, uid)
	if err != nil {
		return nil, err
	}
	return auth.NewContext(ctx, &auth.Identity{Role: auth.User, UID: u.UID, OpenID: u.OpenID, LoginType: u.LoginType, Claims: u.Claims}), nil
}

type explainer struct {
	s      *Service
	g      grant
	op     int
	filter *Filter
	id     string
	data   any
}

func (e *explainer) explain(ctx context.Context) (*Explanation, error) {
	rs := e.g.rules
	out := &Explanation{Rule: rs.describe(e.op)}
	if rs.Preset != "" {
		out.Allowed, out.Reason = e.preset()
		return out, nil
	}
	c := e.s.checker(e.g, e.op, nil)
	var data any
	var upd *Update
	switch e.op {
	case opCreate:
		return e.create(ctx, c, out)
	case opUpdate:
		var err error
		if upd, err = ParseUpdate(e.data); err != nil {
			return nil, err
		}
		data = upd.dataBefore(e.s.now())
	}
	v, err := c.query(ctx, e.filter, data)
	if err != nil {
		return nil, err
	}
	t := v.result.Truth
	switch {
	case v.result.Allowed():
		out.Allowed, out.Reason = true, "every document the filter can match satisfies the rule"
		return out, nil
	case e.id != "" && v.open():
		return e.stored(ctx, c, upd, out)
	case t == rules.True:
		out.Allowed, out.Reason = true, noArrayReason(v.result.NoArray)
		return out, nil
	}
	_, out.Reason = c.reason(v, false)
	return out, nil
}

// noArrayReason explains a filter allowed where some fields hold no array.
func noArrayReason(paths []string) string {
	fields := make([]string, len(paths))
	for i, p := range paths {
		fields[i] = "`" + p + "`"
	}
	return fmt.Sprintf("every document the filter can match satisfies the rule, except those in which %s (or a field above it) "+
		"holds an array, which the request leaves out: the filter's == also matches an array holding the value, "+
		"and the rule uses the value whole", strings.Join(fields, " or "))
}

// stored checks a doc(id) request against the stored document.
func (e *explainer) stored(ctx context.Context, c *checker, upd *Update, out *Explanation) (*Explanation, error) {
	docs, err := e.s.drv.Find(ctx, e.g.coll, &Query{Filter: e.filter, Limit: 1})
	raw, err := firstDoc(docs, err, e.id)
	if err != nil {
		return nil, err
	}
	v, err := DecodeJSON(raw, MaxDepth+1)
	if err != nil {
		return nil, err
	}
	doc := v.(Doc)
	var data any
	if upd != nil {
		next, _, err := upd.Apply(doc, e.filter, e.s.now())
		if err != nil {
			return nil, err
		}
		data = upd.dataAfter(next)
	}
	r, err := c.eval(ctx, doc, data)
	if err != nil {
		return nil, err
	}
	if !r.Allowed() {
		_, out.Reason = c.reason(verdict{result: r, branches: 1}, true)
		switch {
		case e.op == opRead:
			out.Reason += "; the client is told the document does not exist (DATABASE_DOCUMENT_NOT_EXIST), as for a missing one"
		case !e.s.readable(ctx, e.g, doc, c.cache):
			out.Reason += "; the client may not read the document either, so it is answered as a missing one (0 " +
				map[int]string{opUpdate: "updated", opDelete: "removed"}[e.op] + ")"
		}
		return out, nil
	}
	out.Allowed, out.Reason = true, "the filter does not decide the rule, but the stored document satisfies it (doc(id) requests are checked against the document)"
	return out, nil
}

func (e *explainer) create(ctx context.Context, c *checker, out *Explanation) (*Explanation, error) {
	d, ok := e.data.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "data must be the new document")
	}
	d, err := e.s.prepareDoc(Clone(d).(Doc), e.s.now())
	if err == nil {
		d, err = e.g.stamp(d)
	}
	if err == nil {
		err = c.doc(ctx, d, d)
	}
	if ErrorCode(err) == CodePermissionDenied {
		out.Reason = err.Error()
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out.Allowed, out.Reason = true, "the new document satisfies the rule"
	return out, nil
}

// preset explains the simple permissions.
func (e *explainer) preset() (bool, string) {
	p := e.g.rules.Preset
	switch {
	case p == PresetAdminOnly || p == PresetAdminWrite && e.op != opRead:
		return false, fmt.Sprintf("only admins (cloud functions, admin keys) may %s this collection", opNames[e.op])
	case p != PresetPrivate && e.op == opRead:
		return true, "everyone may read this collection, signed in or not"
	case e.g.openid == "":
		return false, "the caller is not signed in, and this preset needs an owner (_openid): sign in first"
	case e.op == opCreate:
		return true, fmt.Sprintf("the new document gets _openid = '%s', the caller's openid", e.g.openid)
	}
	return true, fmt.Sprintf("allowed, but narrowed silently to the caller's own documents (_openid == '%s'): other users' documents are not %s (an update or remove of them counts 0)",
		e.g.openid, map[int]string{opRead: "returned", opUpdate: "updated", opDelete: "removed"}[e.op])
}
