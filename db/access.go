package db

import (
	"context"

	"minibase/auth"
)

// OwnerField holds the openid of the end user who created a document. The
// server sets it on a client's insert; a client can neither set nor change it.
const OwnerField = "_openid"

// grant is what authorize allowed: everything (admins) or, for an end user,
// the user's own documents — the PRIVATE preset, until per-collection rules
// exist. CloudBase filters silently: another user's documents are simply not
// there (reads find nothing, updates and removes count 0).
type grant struct {
	admin  bool
	openid string // an end user's openid; documents are scoped to it
}

// authorize is the one place that decides whether the caller in ctx may do
// action on coll ("" for the whole catalog), and on which documents.
func (s *Service) authorize(ctx context.Context, coll string, action Action) (grant, error) {
	if (coll != "" || action != ActionAdmin) && !ValidCollectionName(coll) {
		return grant{}, Errorf(CodeInvalidParam, "invalid collection name %q: use 1-64 letters, digits, '_' or '-', starting with a letter or digit", coll)
	}
	id := auth.FromContext(ctx)
	switch {
	case id.IsAdmin():
		return grant{admin: true}, nil
	case action == ActionAdmin:
		return grant{}, Errorf(CodePermissionDenied, "permission denied: managing collections and indexes needs an admin")
	case id.Role == auth.User && id.OpenID != "":
		return grant{openid: id.OpenID}, nil
	}
	return grant{}, Errorf(CodePermissionDenied, "permission denied: sign in first (Authorization: Bearer <access token>)")
}

// scope narrows f to the documents the grant covers.
func (g grant) scope(f *Filter) *Filter {
	if g.admin {
		return f
	}
	ownerDoc := Doc{{OwnerField, g.openid}}
	owner, _ := ParseFilter(ownerDoc) // a string equality always parses
	if f.Root().Op == OpTrue {
		return owner
	}
	root := &Node{Op: OpAnd, Children: []*Node{f.Root(), owner.Root()}}
	return &Filter{root: root, Source: Doc{{"$and", []any{f.Source, ownerDoc}}}}
}

// stamp sets the owner of a document a client writes. A client may not
// name another owner.
func (g grant) stamp(doc Doc) (Doc, error) {
	if g.admin {
		return doc, nil
	}
	if v, ok := doc.Get(OwnerField); ok && v != g.openid {
		return nil, Errorf(CodePermissionDenied, "permission denied: %s is set by the server and cannot be chosen by a client", OwnerField)
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
