package db

import (
	"context"

	"minibase/auth"
)

// OwnerField holds the openid of the end user who created a document. The
// server sets it on a client's insert; a client can neither set nor change it.
const OwnerField = "_openid"

// OpenIDPlaceholder in a client's filter stands for the caller's openid.
const OpenIDPlaceholder = "{openid}"

// grant is who is calling and under which rules: admins bypass rules;
// everyone else (end users and visitors) is held to the collection's
// RuleSet, by the methods in access_ops.go.
type grant struct {
	admin  bool
	id     *auth.Identity
	openid string // an end user's openid; "" for visitors
	coll   string
	rules  *RuleSet // nil for admins
}

// authorize is the one place that decides who the caller in ctx is for an
// action on coll ("" for the whole catalog), and loads coll's rules for a
// client. What the rules allow is decided per operation.
func (s *Service) authorize(ctx context.Context, coll string, action Action) (grant, error) {
	if (coll != "" || action != ActionAdmin) && !ValidCollectionName(coll) {
		return grant{}, Errorf(CodeInvalidParam, "invalid collection name %q: use 1-64 letters, digits, '_' or '-', starting with a letter or digit", coll)
	}
	id := auth.FromContext(ctx)
	if id.IsAdmin() {
		return grant{admin: true, id: id, coll: coll}, nil
	}
	if action == ActionAdmin {
		return grant{}, Errorf(CodePermissionDenied, "permission denied: managing collections, indexes and rules needs an admin")
	}
	g := grant{id: id, coll: coll}
	if id.Role == auth.User {
		g.openid = id.OpenID
	}
	var err error
	g.rules, err = s.rulesOf(ctx, coll)
	return g, err
}

// errSignIn is the denial of presets that need an owner, for visitors.
func errSignIn() error {
	return Errorf(CodePermissionDenied, "permission denied: sign in first (Authorization: Bearer <access token>)")
}

// filter parses a client's filter, replacing the '{openid}' placeholder
// with the caller's openid (admins' filters are taken as they are).
func (g grant) filter(v any) (*Filter, error) {
	if !g.admin && hasPlaceholder(v) {
		if g.openid == "" {
			return nil, Errorf(CodePermissionDenied, "permission denied: the filter uses '{openid}': sign in first")
		}
		v = replacePlaceholder(v, g.openid)
	}
	return ParseFilter(v)
}

func hasPlaceholder(v any) bool {
	switch x := v.(type) {
	case string:
		return x == OpenIDPlaceholder
	case Doc:
		for _, f := range x {
			if hasPlaceholder(f.Value) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasPlaceholder(e) {
				return true
			}
		}
	}
	return false
}

func replacePlaceholder(v any, openid string) any {
	switch x := v.(type) {
	case string:
		if x == OpenIDPlaceholder {
			return openid
		}
	case Doc:
		out := make(Doc, len(x))
		for i, f := range x {
			out[i] = Field{f.Key, replacePlaceholder(f.Value, openid)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replacePlaceholder(e, openid)
		}
		return out
	}
	return v
}

// scope narrows f to the caller's own documents (presets PRIVATE, and
// READONLY for writes): CloudBase filters silently, so another user's
// documents are simply not there (reads find nothing, updates and removes
// count 0).
func (g grant) scope(f *Filter) *Filter {
	ownerDoc := Doc{{OwnerField, g.openid}}
	owner, _ := ParseFilter(ownerDoc) // a string equality always parses
	if f.Root().Op == OpTrue {
		return owner
	}
	root := &Node{Op: OpAnd, Children: []*Node{f.Root(), owner.Root()}}
	return &Filter{root: root, Source: Doc{{"$and", []any{f.Source, ownerDoc}}}}
}

// stamp sets the owner of a document a client writes. A client may not
// name another owner; a visitor's document has none.
func (g grant) stamp(doc Doc) (Doc, error) {
	if g.admin {
		return doc, nil
	}
	if v, ok := doc.Get(OwnerField); ok && (g.openid == "" || v != g.openid) {
		return nil, Errorf(CodePermissionDenied, "permission denied: %s is set by the server and cannot be chosen by a client", OwnerField)
	}
	if g.openid == "" {
		return doc, nil
	}
	doc.Delete(OwnerField)
	out := make(Doc, 0, len(doc)+1)
	out = append(out, doc[0], Field{OwnerField, g.openid}) // after _id
	return append(out, doc[1:]...), nil
}

// checkUpdate refuses a client's update that would touch the owner field.
func (g grant) checkUpdate(u *Update) error {
	if g.admin {
		return nil
	}
	for _, op := range u.ops {
		if touches(op.segs, OwnerField) || touches(op.to, OwnerField) {
			return Errorf(CodePermissionDenied, "permission denied: a client cannot change %s", OwnerField)
		}
	}
	return nil
}

func touches(segs []string, field string) bool { return len(segs) > 0 && segs[0] == field }
