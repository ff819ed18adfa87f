package db

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Aggregation expressions (MongoDB's "Aggregation Expressions"): field
// paths ("$a.b"), variables ("$$x.y"), literals, expression objects
// ({name: expr}) and operators ({$add: [a, b]}). ParseExpr compiles one into
// a tree of closures; Eval runs it against a document.
//
// An expression that names no value (a field a document does not have,
// $$REMOVE) evaluates to missing, which MongoDB keeps apart from null: it
// is left out of objects and $push, $ifNull takes it for null, $type says
// "missing", and it compares below null.

// Limits on expressions.
const (
	// MaxExprNodes bounds the operators, paths and literals of one
	// pipeline's expressions together.
	MaxExprNodes = 10_000
	// maxVars bounds the variables in scope at once ($let, $map, …).
	maxVars = 200
)

// missingValue is the value of an expression that names nothing. It never
// reaches a stored or returned document.
type missingValue struct{}

// missing is the one missingValue.
var missing any = missingValue{}

func isMissing(v any) bool {
	_, ok := v.(missingValue)
	return ok
}

// nullish reports whether v is null or missing.
func nullish(v any) bool { return v == nil || isMissing(v) }

// exprTruthy is how expressions read a condition: false, null, missing
// and zero are false; everything else (empty strings and arrays too) is
// true.
func exprTruthy(v any) bool {
	if isMissing(v) {
		return false
	}
	return truthy(v)
}

// Variable slots every expression has.
const (
	slotRoot    = iota // $$ROOT: the document the pipeline stage is at
	slotCurrent        // $$CURRENT: the same, unless a $let rebinds it; "$a" reads from it
	slotNow            // $$NOW: the request's time
	slotFirstUser
)

// evalFn is a compiled expression.
type evalFn func(e *evalEnv) (any, error)

// evalEnv is what an expression evaluates in: its variables by slot, and
// the work it may still do (arrays and strings it builds), so that no
// expression can grow without bound.
type evalEnv struct {
	vars []any
	work int64 // units left: 16 per array element built, 1 per byte of string
}

// charge takes n units of work, or fails when none are left.
func (e *evalEnv) charge(n int) error {
	if e.work -= int64(n); e.work < 0 {
		return Errorf(CodeInvalidParam, "aggregation expression builds more than the server allows for one document (arrays or strings too large)")
	}
	return nil
}

// exprScope is what a parse knows: the variables in scope (by name, their
// slot), the nodes so far, and which fields of $$CURRENT/$$ROOT the
// expressions read.
type exprScope struct {
	names []string // slot → name; "" for slots no longer in scope
	slots int      // the most slots in use at once
	nodes int
	now   time.Time
	deps  *fieldDeps
}

// newScope starts the scope of a pipeline or a filter's $expr; extra are
// variables defined around it ($lookup's let), in slots from
// slotFirstUser on.
func newScope(now time.Time, extra ...string) *exprScope {
	sc := &exprScope{names: append([]string{"ROOT", "CURRENT", "NOW"}, extra...), now: now, deps: &fieldDeps{}}
	sc.slots = len(sc.names)
	return sc
}

// bind declares a variable in a new slot for the parse of an inner
// expression; unbind ends its scope.
func (sc *exprScope) bind(name string) (int, error) {
	if len(sc.names) >= maxVars {
		return 0, Errorf(CodeInvalidParam, "too many variables in scope (at most %d)", maxVars)
	}
	sc.names = append(sc.names, name)
	sc.slots = max(sc.slots, len(sc.names))
	return len(sc.names) - 1, nil
}

func (sc *exprScope) unbind(n int) { sc.names = sc.names[:len(sc.names)-n] }

// lookupVar returns the slot of the innermost variable called name.
func (sc *exprScope) lookupVar(name string) (int, bool) {
	for i := len(sc.names) - 1; i >= 0; i-- {
		if sc.names[i] == name {
			return i, true
		}
	}
	return 0, false
}

func (sc *exprScope) count() error {
	if sc.nodes++; sc.nodes > MaxExprNodes {
		return Errorf(CodeInvalidParam, "aggregation expressions have more than %d nodes", MaxExprNodes)
	}
	return nil
}

// fieldDeps collects the top-level fields of the current document the
// expressions of a stage read ("$a.b" reads a); all says they read the
// whole document ($$ROOT, $$CURRENT).
type fieldDeps struct {
	all    bool
	fields []string
}

func (d *fieldDeps) add(field string) {
	for _, f := range d.fields {
		if f == field {
			return
		}
	}
	d.fields = append(d.fields, field)
}

// parseExpr compiles an aggregation expression.
func (sc *exprScope) parseExpr(v any) (evalFn, error) {
	if err := sc.count(); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "$") {
			return sc.parsePath(x)
		}
		return constant(x), nil
	case Doc:
		if len(x) > 0 && strings.HasPrefix(x[0].Key, "$") {
			if len(x) != 1 {
				return nil, Errorf(CodeInvalidOperator, "an expression object with an operator must have exactly one field, the operator (found %q and %q)", x[0].Key, x[1].Key)
			}
			return sc.operator(x[0].Key, x[0].Value)
		}
		return sc.parseObject(x)
	case []any:
		items := make([]evalFn, len(x))
		for i, e := range x {
			fn, err := sc.parseExpr(e)
			if err != nil {
				return nil, err
			}
			items[i] = fn
		}
		return arrayExpr(items), nil
	case ServerDate:
		return nil, Errorf(CodeInvalidParam, "serverDate cannot be used in an aggregation: use $$NOW")
	}
	if err := checkValue(v); err != nil {
		return nil, err
	}
	return constant(v), nil
}

func constant(v any) evalFn { return func(*evalEnv) (any, error) { return v, nil } }

// isConstant reports whether v, as an expression, is a plain value (no
// path, variable or operator anywhere inside).
func isConstant(v any) bool {
	switch x := v.(type) {
	case string:
		return !strings.HasPrefix(x, "$")
	case Doc:
		for _, f := range x {
			if strings.HasPrefix(f.Key, "$") || !isConstant(f.Value) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !isConstant(e) {
				return false
			}
		}
	}
	return true
}

// arrayExpr builds an array from its element expressions; a missing
// element is null, as in MongoDB.
func arrayExpr(items []evalFn) evalFn {
	return func(e *evalEnv) (any, error) {
		if err := e.charge(16 * len(items)); err != nil {
			return nil, err
		}
		out := make([]any, len(items))
		for i, fn := range items {
			v, err := fn(e)
			if err != nil {
				return nil, err
			}
			if isMissing(v) {
				v = nil
			}
			out[i] = v
		}
		return out, nil
	}
}

// parseObject compiles an expression object {name: expr, …}: a document
// whose fields are the expressions' values, without those that are
// missing.
func (sc *exprScope) parseObject(d Doc) (evalFn, error) {
	keys := make([]string, len(d))
	fns := make([]evalFn, len(d))
	for i, f := range d {
		if err := checkFieldName(f.Key); err != nil {
			return nil, err
		}
		fn, err := sc.parseExpr(f.Value)
		if err != nil {
			return nil, err
		}
		keys[i], fns[i] = f.Key, fn
	}
	return func(e *evalEnv) (any, error) {
		out := make(Doc, 0, len(fns))
		for i, fn := range fns {
			v, err := fn(e)
			if err != nil {
				return nil, err
			}
			if !isMissing(v) {
				out = append(out, Field{keys[i], v})
			}
		}
		return out, nil
	}, nil
}

// checkFieldName refuses a field name an expression object cannot have.
func checkFieldName(name string) error {
	switch {
	case name == "":
		return Errorf(CodeInvalidParam, "field names in an expression object must not be empty")
	case strings.HasPrefix(name, "$"):
		return Errorf(CodeInvalidOperator, "field name %q in an expression object must not start with $ (an operator must be the object's only field)", name)
	case strings.Contains(name, "."):
		return Errorf(CodeInvalidParam, "field name %q in an expression object must not contain '.'", name)
	}
	return nil
}

// parsePath compiles "$a.b" (a path in $$CURRENT) or "$$var.a.b".
func (sc *exprScope) parsePath(s string) (evalFn, error) {
	slot := slotCurrent
	var segs []string
	if name, ok := strings.CutPrefix(s, "$$"); ok {
		var rest string
		name, rest, _ = strings.Cut(name, ".")
		if name == "REMOVE" {
			return constant(missing), nil
		}
		var found bool
		if slot, found = sc.lookupVar(name); !found {
			if err := checkVarName(name); err != nil {
				return nil, err
			}
			return nil, Errorf(CodeInvalidParam, "use of undefined variable: %s", name)
		}
		if rest != "" {
			if segs = fieldSegs(rest); segs == nil {
				return nil, Errorf(CodeInvalidParam, "invalid field path %q", s)
			}
		}
		if slot == slotRoot || slot == slotCurrent {
			if len(segs) == 0 {
				sc.deps.all = true
			} else {
				sc.deps.add(segs[0])
			}
		}
	} else {
		if segs = fieldSegs(s[1:]); segs == nil {
			return nil, Errorf(CodeInvalidParam, "invalid field path %q", s)
		}
		if len(segs) > MaxPathDepth {
			return nil, Errorf(CodeInvalidParam, "field path %.40q has more than %d segments", s, MaxPathDepth)
		}
		slot, _ = sc.lookupVar("CURRENT") // a $let may rebind it
		if slot == slotCurrent {
			sc.deps.add(segs[0])
		}
	}
	if len(segs) == 0 {
		return func(e *evalEnv) (any, error) { return e.vars[slot], nil }, nil
	}
	return func(e *evalEnv) (any, error) { return fieldValue(e.vars[slot], segs), nil }, nil
}

// fieldSegs splits a field path, or returns nil when a segment is empty or
// starts with $.
func fieldSegs(path string) []string {
	if path == "" || len(path) > MaxPathLen {
		return nil
	}
	segs := strings.Split(path, ".")
	for _, s := range segs {
		if s == "" || s[0] == '$' {
			return nil
		}
	}
	return segs
}

// checkVarName enforces MongoDB's rule for user variable names: a
// lowercase letter or a non-ASCII character first, then letters, digits
// and '_'.
func checkVarName(name string) error {
	r, size := utf8.DecodeRuneInString(name)
	if name == "" || !(r >= 'a' && r <= 'z' || r >= utf8.RuneSelf) {
		return Errorf(CodeInvalidParam, "variable name %q must start with a lowercase letter or a non-ASCII character", name)
	}
	for _, c := range name[size:] {
		if !(c == '_' || c < utf8.RuneSelf && (unicode.IsLetter(c) || unicode.IsDigit(c)) || c >= utf8.RuneSelf) {
			return Errorf(CodeInvalidParam, "variable name %q may contain only letters, digits and '_'", name)
		}
	}
	return nil
}

// fieldValue follows a field path as expressions do: through documents
// and, over an array, through each element (an array of the values found,
// arrays inside arrays kept nested). Numeric segments are field names,
// not positions.
func fieldValue(v any, segs []string) any {
	for i, s := range segs {
		switch x := v.(type) {
		case Doc:
			next, ok := x.Get(s)
			if !ok {
				return missing
			}
			v = next
		case []any:
			out := make([]any, 0, len(x))
			for _, el := range x {
				switch el.(type) {
				case Doc, []any:
					if r := fieldValue(el, segs[i:]); !isMissing(r) {
						out = append(out, r)
					}
				}
			}
			return out
		default:
			return missing
		}
	}
	return v
}

// Expr is a parsed aggregation expression, for callers outside a pipeline
// ($expr in a filter).
type Expr struct {
	fn    evalFn
	scope *exprScope // its variable slots and $$NOW
}

// exprWork is the work one evaluation of a filter's $expr may do.
const exprWork = 64 << 20

// eval evaluates x with doc as $$ROOT and $$CURRENT.
func (x *Expr) eval(doc Doc) (any, error) {
	vars := make([]any, max(x.scope.slots, slotFirstUser))
	vars[slotRoot], vars[slotCurrent], vars[slotNow] = doc, doc, x.scope.now
	return x.fn(&evalEnv{vars: vars, work: exprWork})
}

// matches reports whether x is truthy for doc; an evaluation that fails
// is no match.
func (x *Expr) matches(doc Doc) bool {
	v, err := x.eval(doc)
	return err == nil && exprTruthy(v)
}
