package db

import "strings"

// $project, $addFields (and its alias $set) and $unset, as MongoDB's
// projection executor runs them: a tree of the specification's paths whose
// leaves include, exclude or compute a field. An inclusion keeps the listed
// fields in the input's order, then sets the computed ones in the
// specification's order; an exclusion copies everything but the listed
// fields; $addFields copies everything and sets the computed fields. A path
// through an array applies to each element: inclusion drops elements that
// are not documents, and a computed field turns a non-document into a
// document holding only the computed fields.

// Projection modes.
const (
	projInclude = iota
	projExclude
	projAdd
)

// projStage is a parsed $project, $addFields, $set or $unset.
type projStage struct {
	mode int
	root *projTree
}

// projTree is one path segment of the specification.
type projTree struct {
	children map[string]*projTree
	order    []string // children by first mention, the order computed fields are set in
	leaf     bool     // an included or excluded field, or a computed one (expr)
	expr     evalFn
	computed bool // expr, or some leaf below has one
}

// child returns the child called name, created when missing.
func (t *projTree) child(name string) *projTree {
	if c := t.children[name]; c != nil {
		return c
	}
	if t.children == nil {
		t.children = map[string]*projTree{}
	}
	c := &projTree{}
	t.children[name] = c
	t.order = append(t.order, name)
	return c
}

// add places a leaf at path below t; a path that is, or lies under or
// above, another is a collision, as in MongoDB.
func (t *projTree) add(stage, path string, expr evalFn) error {
	segs := fieldSegs(path)
	if segs == nil {
		return Errorf(CodeInvalidParam, "%s: invalid field path %.64q", stage, path)
	}
	if len(segs) > MaxPathDepth {
		return Errorf(CodeInvalidParam, "%s: field path %.40q has more than %d segments", stage, path, MaxPathDepth)
	}
	cur := t
	for i, s := range segs {
		if cur.leaf {
			return Errorf(CodeInvalidParam, "%s: path collision at %s", stage, path)
		}
		if expr != nil {
			cur.computed = true
		}
		next := cur.child(s)
		if i == len(segs)-1 {
			if next.leaf || next.children != nil {
				return Errorf(CodeInvalidParam, "%s: path collision at %s", stage, path)
			}
			next.leaf, next.expr, next.computed = true, expr, expr != nil
		}
		cur = next
	}
	return nil
}

// projSpec collects a specification's fields before the mode is known.
type projSpec struct {
	stage string
	sc    *exprScope
	add   bool // $addFields: every value is an expression
	tree  *projTree
	incl  string // the first included or computed path
	excl  string // the first excluded path other than _id
	id    int    // _id: 0 unset, 1 included, -1 excluded, 2 computed
}

func parseProjectStage(arg any, sc *exprScope) (*projStage, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "$project takes a document of fields")
	}
	if len(d) == 0 {
		return nil, Errorf(CodeInvalidParam, "$project requires at least one output field")
	}
	p := &projSpec{stage: "$project", sc: sc, tree: &projTree{}}
	if err := p.fields(d, ""); err != nil {
		return nil, err
	}
	if p.incl != "" && p.excl != "" {
		return nil, Errorf(CodeInvalidParam, "$project: cannot do exclusion on field %s in inclusion projection", p.excl)
	}
	if p.excl != "" || p.incl == "" && p.id == -1 {
		if p.id == 2 {
			return nil, Errorf(CodeInvalidParam, "$project: cannot use an expression in an exclusion projection")
		}
		if p.id == -1 {
			if err := p.tree.add("$project", "_id", nil); err != nil {
				return nil, err
			}
		}
		return &projStage{mode: projExclude, root: p.tree}, nil
	}
	if (p.id == 0 || p.id == 1) && p.tree.children["_id"] == nil {
		if err := p.tree.add("$project", "_id", nil); err != nil {
			return nil, err
		}
		sc.deps.add("_id")
	}
	return &projStage{mode: projInclude, root: p.tree}, nil
}

// fields reads a (sub-)specification; prefix is its path ("" at the top).
func (p *projSpec) fields(d Doc, prefix string) error {
	for _, f := range d {
		if strings.HasPrefix(f.Key, "$") {
			return Errorf(CodeInvalidParam, "%s: field names must not start with $ (found %.64q)", p.stage, f.Key)
		}
		if prefix != "" && strings.Contains(f.Key, ".") {
			return Errorf(CodeInvalidParam, "%s: a nested field name must not contain '.' (found %.64q)", p.stage, f.Key)
		}
		path := f.Key
		if prefix != "" {
			path = prefix + "." + f.Key
		}
		if err := p.field(path, f.Value); err != nil {
			return err
		}
	}
	return nil
}

func (p *projSpec) field(path string, v any) error {
	if sub, ok := v.(Doc); ok && (len(sub) == 0 || !strings.HasPrefix(sub[0].Key, "$")) {
		if len(sub) > 0 {
			return p.fields(sub, path)
		}
		if !p.add {
			return Errorf(CodeInvalidParam, "%s: an empty object is not a valid value (field %.64s)", p.stage, path)
		}
	}
	if !p.add {
		var include, flag bool
		switch x := v.(type) {
		case bool:
			include, flag = x, true
		case int64, float64:
			include, flag = Compare(x, int64(0)) != 0, true
		}
		if flag {
			return p.flag(path, include)
		}
	}
	fn, err := p.sc.parseExpr(v)
	if err != nil {
		return err
	}
	if path == "_id" {
		p.id = 2
	} else if p.incl == "" {
		p.incl = path
	}
	if strings.Contains(path, ".") {
		p.sc.deps.add(Segments(path)[0]) // a computed a.b is set in a's value
	}
	return p.tree.add(p.stage, path, fn)
}

// flag records an included or excluded path.
func (p *projSpec) flag(path string, include bool) error {
	switch {
	case path == "_id" && include:
		p.id = 1
		return nil // the mode decides how _id enters the tree
	case path == "_id":
		p.id = -1
		return nil
	case include && p.incl == "":
		p.incl = path
	case !include && p.excl == "":
		p.excl = path
	}
	if include {
		p.sc.deps.add(Segments(path)[0])
	}
	return p.tree.add(p.stage, path, nil)
}

// parseAddFields parses $addFields and $set: {path: expression, …}.
func parseAddFields(name string, arg any, sc *exprScope) (*projStage, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "%s takes a document of fields and expressions", name)
	}
	if len(d) == 0 {
		return nil, Errorf(CodeInvalidParam, "%s requires at least one field", name)
	}
	p := &projSpec{stage: name, sc: sc, add: true, tree: &projTree{}}
	if err := p.fields(d, ""); err != nil {
		return nil, err
	}
	return &projStage{mode: projAdd, root: p.tree}, nil
}

// parseUnset parses $unset: a field path or an array of them.
func parseUnset(arg any) (*projStage, error) {
	list, ok := arg.([]any)
	if !ok {
		list = []any{arg}
	}
	if len(list) == 0 {
		return nil, Errorf(CodeInvalidParam, "$unset specification must be a string or an array with at least one field")
	}
	t := &projTree{}
	for _, v := range list {
		s, ok := v.(string)
		if !ok {
			return nil, Errorf(CodeInvalidParam, "$unset specification must be a string or an array containing only string values")
		}
		if err := t.add("$unset", s, nil); err != nil {
			return nil, err
		}
	}
	return &projStage{mode: projExclude, root: t}, nil
}

func (p *projStage) open(x *aggRun, in docIter) docIter {
	return iterFunc(func() (Doc, bool, error) {
		d, ok, err := in.next()
		if err != nil || !ok {
			return nil, false, err
		}
		out, err := p.apply(x, d)
		return out, err == nil, err
	})
}

// apply projects one document.
func (p *projStage) apply(x *aggRun, d Doc) (Doc, error) {
	var out Doc
	switch p.mode {
	case projExclude:
		return p.root.exclude(d), nil
	case projInclude:
		out = p.root.include(d)
	default:
		out = make(Doc, len(d), len(d)+len(p.root.order))
		copy(out, d)
	}
	if !p.root.computed {
		return out, nil
	}
	x.bind(d)
	x.env.work = docWork
	return p.root.setComputed(x.env, out)
}

// include keeps the included fields of d, in d's order.
func (t *projTree) include(d Doc) Doc {
	out := make(Doc, 0, len(t.children))
	for _, f := range d {
		c := t.children[f.Key]
		switch {
		case c == nil || c.expr != nil:
		case c.leaf:
			out = append(out, f)
		default:
			if v := c.includeValue(f.Value); !isMissing(v) {
				out = append(out, Field{f.Key, v})
			}
		}
	}
	return out
}

// includeValue projects a value below an inner node: a document by its
// fields, an array element by element; anything else is dropped (kept as
// missing inside an array when computed fields will fill it in).
func (t *projTree) includeValue(v any) any {
	switch x := v.(type) {
	case Doc:
		return t.include(x)
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if pe := t.includeValue(e); !isMissing(pe) || t.computed {
				out = append(out, pe)
			}
		}
		return out
	}
	return missing
}

// exclude copies d without the excluded fields.
func (t *projTree) exclude(d Doc) Doc {
	out := make(Doc, 0, len(d))
	for _, f := range d {
		c := t.children[f.Key]
		switch {
		case c == nil:
			out = append(out, f)
		case c.leaf:
		default:
			out = append(out, Field{f.Key, c.excludeValue(f.Value)})
		}
	}
	return out
}

func (t *projTree) excludeValue(v any) any {
	switch x := v.(type) {
	case Doc:
		return t.exclude(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = t.excludeValue(e)
		}
		return out
	}
	return v
}

// setComputed sets t's computed fields on out (a document this stage
// built, so changed in place), in the specification's order.
func (t *projTree) setComputed(e *evalEnv, out Doc) (Doc, error) {
	for _, name := range t.order {
		c := t.children[name]
		if !c.computed {
			continue
		}
		var v any
		var err error
		if c.expr != nil {
			v, err = c.expr(e)
		} else {
			cur, ok := out.Get(name)
			if !ok {
				cur = missing
			}
			v, err = c.computedValue(e, cur)
		}
		if err != nil {
			return nil, err
		}
		if isMissing(v) {
			out.Delete(name)
		} else {
			out.Set(name, v)
		}
	}
	return out, nil
}

// computedValue sets the computed fields below t on v: a document gets
// them, an array's elements each get them, anything else becomes a
// document of them alone.
func (t *projTree) computedValue(e *evalEnv, v any) (any, error) {
	switch x := v.(type) {
	case Doc:
		out := make(Doc, len(x), len(x)+len(t.order))
		copy(out, x)
		return t.setComputed(e, out)
	case []any:
		if err := e.charge(16 * len(x)); err != nil {
			return nil, err
		}
		out := make([]any, len(x))
		for i, el := range x {
			pe, err := t.computedValue(e, el)
			if err != nil {
				return nil, err
			}
			out[i] = pe
		}
		return out, nil
	}
	return t.setComputed(e, Doc{})
}
