package db

import (
	"context"
	"slices"
	"strconv"
)

// parseWatch admits the caller in ctx to watch a query of coll and
// parses it: {filter, sort, limit} as a query's (no skip, no projection:
// wx.cloud's watch takes where, orderBy and limit). Without a sort the
// list is in _id descending order; a limit is at most MaxDocs. The rules
// apply as to a query: presets narrow or refuse it, a custom rule must
// hold for every document the filter can match.
func (w *Watches) parseWatch(ctx context.Context, coll string, req watchQuery) (*watchSpec, error) {
	s := w.svc
	g, err := s.authorize(ctx, coll, ActionRead)
	if err != nil {
		return nil, err
	}
	if err := s.gate(ctx, g, opRead); err != nil {
		return nil, err
	}
	f, err := g.filter(req.filter)
	if err != nil {
		return nil, err
	}
	sort, err := ParseSort(req.sort)
	if err != nil {
		return nil, err
	}
	if len(sort) == 0 {
		sort = []SortKey{{Path: "_id", Desc: true}}
	}
	sort = withIDTieBreak(sort)
	limit, err := intField(req.limit, "limit", 0)
	if err != nil {
		return nil, err
	}
	if limit > w.opts.MaxDocs {
		return nil, Errorf(CodeInvalidParam, "a watch's limit is at most %d, got %d", w.opts.MaxDocs, limit)
	}
	eff, c, err := s.readQuery(ctx, g, f)
	if err != nil {
		return nil, err
	}
	spec := &watchSpec{coll: coll, filter: eff, sort: sort, limit: limit, g: g, rules: g.rules, custom: c != nil, source: req}
	spec.owner = pinnedOwner(eff.Root())
	spec.key = spec.keyFor(c)
	return spec, nil
}

// keyFor is the spec's key: what the query reads and which documents the
// caller's rules let it see. Admins and callers under READONLY or
// ADMINWRITE see the same; PRIVATE's scope is in the filter; under a
// custom rule, what the rule reads of the caller (auth) is.
func (s *watchSpec) keyFor(c *checker) string {
	b := append([]byte(s.coll), 0)
	b = AppendJSON(b, s.filter.Source)
	for _, k := range s.sort {
		b = append(b, 0)
		b = append(b, k.Path...)
		if k.Desc {
			b = append(b, '-')
		}
	}
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(s.limit), 10)
	b = append(b, 0)
	switch {
	case s.g.admin:
		b = append(b, "admin"...)
	case c == nil:
		b = append(b, "preset "...)
		b = append(b, s.g.rules.Preset...)
	default:
		b = append(b, "rule "...)
		b = append(b, s.g.rules.raw...)
		b = append(b, 0)
		b = AppendJSON(b, authKey(c))
	}
	return string(b)
}

// authKey is what the read rule reads of the caller: the auth fields it
// names, or all of auth.
func authKey(c *checker) any {
	if !uses(c.expr, "auth") {
		return nil
	}
	a, _ := c.vars["auth"].(map[string]any)
	if a == nil {
		return nil // a visitor
	}
	fields, some := c.expr.Fields("auth")
	if !some {
		fields = slices.Sorted(mapKeys(a))
	}
	d := make(Doc, 0, len(fields))
	for _, f := range fields {
		d = append(d, Field{f, a[f]})
	}
	return d
}

// pinnedOwner returns the owner a filter requires (an equality on
// _openid with a string, alone or in an $and), or "".
func pinnedOwner(n *Node) string {
	switch n.Op {
	case OpEq:
		if s, ok := n.Value.(string); ok && n.Path == OwnerField {
			return s
		}
	case OpAnd:
		for _, c := range n.Children {
			if o := pinnedOwner(c); o != "" {
				return o
			}
		}
	}
	return ""
}
