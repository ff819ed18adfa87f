package db

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"minibase/auth"
	"minibase/auth/rules"
)

// checker evaluates one operation's custom rule for one request, one
// evaluation at a time. Its cache makes every get() of the request read a
// document once.
type checker struct {
	g     grant
	op    int
	expr  *rules.Expr
	cache *rules.Cache   // nil when the rule has no get()
	vars  map[string]any // auth and now; doc and request are set per evaluation
}

// checker returns the checker of op for g (custom rules only); cache is
// shared by the checkers of one request (nil: a new one when needed).
func (s *Service) checker(g grant, op int, cache *rules.Cache) *checker {
	expr := g.rules.exprs[op]
	if cache == nil && expr.Gets() > 0 {
		cache = rules.NewCache(docGetter{s})
	}
	return &checker{g: g, op: op, expr: expr, cache: cache,
		vars: map[string]any{"auth": authValue(g.id), "now": s.now().UTC(), "doc": nil, "request": nil}}
}

// authValue is a rule's auth: null for visitors, else the caller's uid,
// openid, loginType and custom claims.
func authValue(id *auth.Identity) any {
	if id == nil || id.Role != auth.User {
		return nil
	}
	m := make(map[string]any, len(id.Claims)+3)
	for k, v := range id.Claims {
		m[k] = v
	}
	m["uid"], m["openid"], m["loginType"] = id.UID, id.OpenID, string(id.LoginType)
	return m
}

// eval evaluates the rule with doc (a Doc or rules.Facts) and request.data.
func (c *checker) eval(ctx context.Context, doc, data any) (rules.Result, error) {
	c.vars["doc"], c.vars["request"] = doc, map[string]any{"data": data}
	env := &rules.Env{Vars: c.vars}
	if c.cache != nil {
		env.Get = c.cache
	}
	r, err := c.expr.Eval(ctx, env)
	if err != nil {
		return r, fmt.Errorf("evaluate %s rule of %s: %w", opNames[c.op], c.g.coll, err)
	}
	return r, nil
}

// verdict is the outcome of checking a rule against a query.
type verdict struct {
	result   rules.Result
	branch   int // the first branch that is not True, when there are several
	branches int
}

// query checks the rule against every document f may match, branch by
// branch of its $or's; it returns the first branch that is not True, or
// True with the paths that must hold no array in any branch (NoArray: the
// query must leave out the documents where one does, see WithoutArrays).
func (c *checker) query(ctx context.Context, f *Filter, data any) (verdict, error) {
	var all []rules.Facts
	if uses(c.expr, "doc") {
		all = ruleFacts(f)
	} else {
		all = []rules.Facts{{}}
	}
	var noArray []string
	for i, facts := range all {
		r, err := c.eval(ctx, facts, data)
		if err != nil || r.Truth != rules.True {
			return verdict{result: r, branch: i, branches: len(all)}, err
		}
		for _, p := range r.NoArray {
			if !slices.Contains(noArray, p) {
				noArray = append(noArray, p)
			}
		}
	}
	return verdict{result: rules.Result{Truth: rules.True, NoArray: noArray}, branches: len(all)}, nil
}

// open reports whether the verdict leaves a doc(id) request to the stored
// document: the filter {_id} does not decide the rule, or decides it only
// where some field holds no array.
func (v verdict) open() bool {
	return v.result.Truth == rules.Undecided || len(v.result.NoArray) > 0
}

func uses(e *rules.Expr, name string) bool {
	for _, v := range e.Vars() {
		if v == name {
			return true
		}
	}
	return false
}

// doc checks the rule against one stored or new document; a denial is a
// DATABASE_PERMISSION_DENIED *Error.
func (c *checker) doc(ctx context.Context, doc Doc, data any) error {
	r, err := c.eval(ctx, doc, data)
	if err != nil || r.Allowed() {
		return err
	}
	return c.denied(verdict{result: r, branches: 1}, true)
}

// denied is the client's error for a verdict: a short reason, not the rule.
func (c *checker) denied(v verdict, stored bool) error {
	short, _ := c.reason(v, stored)
	return Errorf(CodePermissionDenied, "permission denied: %s", short)
}

// reason explains a verdict that is not True: a short form for the client
// (which fields to pin, but no value from the rule other than the caller's
// own openid) and a long one for explain, with the values and the rule.
// stored says the rule was checked against a document, not a query.
func (c *checker) reason(v verdict, stored bool) (short, long string) {
	op := opNames[c.op]
	r := v.result
	switch r.Truth {
	case rules.False:
		short = "no document the filter can match satisfies the " + op + " rule"
		if stored {
			short = "the document does not satisfy the " + op + " rule"
		}
		long = short
	case rules.Failed:
		short = "the " + op + " rule failed"
		if strings.HasPrefix(r.Err, "auth is null") {
			short += " (sign in first)"
		}
		long = "the " + op + " rule failed: " + r.Err
	default:
		short, long = c.suggestAll(r.Hints, false), c.suggestAll(r.Hints, true)
	}
	if v.branches > 1 {
		prefix := fmt.Sprintf("in branch %d of the filter's $or: ", v.branch+1)
		short, long = prefix+short, prefix+long
	}
	return short, long + " (rule " + c.g.rules.describe(c.op) + ")"
}

func (c *checker) suggestAll(hints []rules.Hint, values bool) string {
	var parts []string
	seen := map[string]bool{}
	for _, h := range hints {
		if s := c.suggest(h, values); !seen[s] && len(parts) < 3 {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; or ")
}

// commands name the wx.cloud command of a hint's operator.
var commands = map[string]string{"!=": "neq", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "in": "in", "not in": "nin", "not has": "neq"}

// suggest says how a filter could decide one undecided comparison; values
// says whether to show the value the rule compares with.
func (c *checker) suggest(h rules.Hint, values bool) string {
	if h.Var != "doc" {
		return "the rule reads " + h.Var + ", which is not known before the write: set it with $set, or write by document id (doc(id)), which checks the stored document"
	}
	field := h.Path
	if field == "" {
		return "the rule reads the whole document, which a filter cannot pin"
	}
	val := "<value>"
	if s, ok := h.Value.(string); ok && s != "" && s == c.g.openid {
		val = "'" + OpenIDPlaceholder + "'"
	} else if values && h.Value != rules.Unknown {
		val = literal(h.Value)
	}
	switch {
	case h.Value == rules.Unknown || h.Op == "" || h.Op == "truthy" || h.Op == "falsy" || h.Op == "test" || h.Op == "not test":
		return fmt.Sprintf("the filter does not pin `%s`; add `%s: <value>` (the rule reads doc.%s)", field, field, field)
	case h.Op == "==" || h.Op == "has":
		return fmt.Sprintf("the filter does not pin `%s`; add `%s: %s`", field, field, val)
	}
	return fmt.Sprintf("the filter does not imply doc.%s %s %s; add `%s: _.%s(%s)`", field, h.Op, val, field, commands[h.Op], val)
}

// literal writes v as a wx.cloud filter value: 'strings' in single quotes.
func literal(v any) string {
	if s, ok := v.(string); ok {
		return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
	}
	if a, ok := v.([]any); ok {
		parts := make([]string, len(a))
		for i, e := range a {
			parts[i] = literal(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return string(MarshalJSON(v))
}

// docGetter serves get('database.<collection>.<id>'): the document, read
// as an admin would (the referenced collection's own rules do not apply, as
// in CloudBase), or nil when the path names none.
type docGetter struct{ s *Service }

func (g docGetter) Get(ctx context.Context, path string) (any, error) {
	rest, ok := strings.CutPrefix(path, "database.")
	coll, id, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || !ValidCollectionName(coll) || checkID(id) != nil {
		return nil, nil
	}
	docs, err := g.s.drv.Find(ctx, coll, &Query{Filter: idFilter(id), Limit: 1})
	if ErrorCode(err) == CodeCollectionNotExist || err == nil && len(docs) == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := DecodeJSON(docs[0], MaxDepth+1)
	if err != nil {
		return nil, err
	}
	return v, nil
}
