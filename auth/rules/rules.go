// Package rules parses and evaluates security-rule expressions, the
// JavaScript-like language of CloudBase's database and storage rules:
//
//	doc._openid == auth.openid
//	auth != null && (doc.public == true || auth.uid in doc.editors)
//	auth.openid in get(`database.room.${doc.roomId}`).members
//	/^[a-z]{3,16}$/.test(request.data.name) && request.data.tags.length <= 5
//
// The language has literals (numbers, 'strings', "strings", `templates
// ${with} expressions`, true, false, null, [arrays]), the global variables a
// caller names when parsing (auth, doc, request, resource, now, …), member
// access (a.b, a['b'], a[0]), .length of strings and arrays, the operators
// == != < <= > >= in && || ! + (numbers add, strings concatenate) and unary
// -, regular-expression tests (/re/flags.test(s), RE2 syntax, flags i m s),
// and get('database.<collection>.<id>'), which reads a document through the
// Env's Getter.
//
// Semantics, where they differ from JavaScript:
//
//   - Comparisons follow MongoDB's matching: when one side is an array and
//     the other is not, the comparison holds if it holds for some element
//     (["a","b"] == "a" is true). x in y holds when y is an array with an
//     element equal to x, an object with key x, or a value equal to x.
//     Numbers compare by value (1 == 1.0); dates compare with dates, and with
//     numbers as milliseconds since 1970; values of different kinds are
//     neither equal nor ordered. Objects are never equal to each other.
//   - A missing field is null. Reading a member of null (auth.uid when auth
//     is null, doc.a.b when doc.a is missing) is an error, and an error is
//     never true: it denies unless an || elsewhere allows.
//   - && and || short-circuit (get() right of a false && is not called),
//     take operands by JavaScript truthiness and give booleans. A rule
//     allows only when its value is the boolean true.
//
// Evaluation is three-valued. A variable bound to Facts stands for every
// document a query may match; the evaluator decides each comparison on a
// field of it from what the Facts say (a field pinned by ==, an $in set, a
// range, a $ne), and an undecided one is unknown. A result of True then
// means the rule holds for every such document, False for none of them;
// Undecided and Failed both deny, with Hints that say which fields a query
// should pin. A variable bound to a concrete value is evaluated exactly.
package rules

import (
	"context"
	"fmt"
	"slices"
)

// Limits of one expression.
const (
	MaxLen     = 1024 // characters of source
	MaxGets    = 3    // get() calls
	MaxGetDeep = 2    // get() inside the argument of get(), nested
	maxDepth   = 64   // nesting of sub-expressions
	// MaxDocs is how many distinct documents one Cache fetches (CloudBase:
	// 10 per request); more is an error.
	MaxDocs = 10
)

// Expr is a parsed expression. It is immutable and safe for concurrent use.
type Expr struct {
	src  string
	root *node
	gets int
	vars []string
}

// String returns the source text.
func (e *Expr) String() string { return e.src }

// Gets returns how many get() calls the expression contains.
func (e *Expr) Gets() int { return e.gets }

// Vars returns the global variables the expression reads, in order of first use.
func (e *Expr) Vars() []string { return e.vars }

// Fields returns the top-level fields of the variable name that the
// expression reads (doc.a.b and doc['a'] read a), in order of first use,
// and whether they are all it reads of it: false when it uses the variable
// whole or with a computed key (doc[auth.uid]). The value of the
// expression then depends on those fields of name only.
func (e *Expr) Fields(name string) ([]string, bool) {
	var out []string
	ok := true
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil || !ok {
			return
		}
		if n.kind == nVar && n.name == name {
			ok = false // the variable itself, not one of its fields
			return
		}
		if (n.kind == nMember || n.kind == nIndex) && n.x.kind == nVar && n.x.name == name {
			field := n.name
			if n.kind == nIndex {
				lit, isLit := n.y.val.(string)
				if n.y.kind != nLit || !isLit {
					ok = false
					return
				}
				field = lit
			}
			if !slices.Contains(out, field) {
				out = append(out, field)
			}
			return
		}
		walk(n.x)
		walk(n.y)
		for _, c := range n.list {
			walk(c)
		}
	}
	walk(e.root)
	if !ok {
		return nil, false
	}
	return out, true
}

// SyntaxError is a rule that does not parse or breaks a limit. Pos is the
// 1-based character (not byte) position of the problem in the source.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("at character %d: %s", e.Pos, e.Msg) }

// Object is a document-like value a rule reads fields of. db.Doc satisfies
// it; map[string]any values are read directly. A field that is absent
// reports false.
type Object interface {
	Get(key string) (any, bool)
}

// Getter loads the document get() names. path is the argument as
// evaluated, e.g. "database.room.r1"; a missing document is (nil, nil). An
// error stops the evaluation and is returned by Eval (wrap it; it is not a
// denial). Cache wraps a Getter for one request.
type Getter interface {
	Get(ctx context.Context, path string) (any, error)
}

// Env is what an expression is evaluated against.
//
// Vars binds the global variables. Values may be nil, bool, int, int64,
// float64, string, time.Time, []any, map[string]any, an Object, Facts (a
// symbolic document, see the package comment) or Unknown; values inside
// arrays and objects likewise, except Facts.
type Env struct {
	Vars map[string]any
	Get  Getter // nil: get() is an error
}

// Unknown is a value the caller does not know yet (for example the new value
// of a field that an update increments). Anything computed from it is
// unknown.
var Unknown = unknownValue{}

type unknownValue struct{}

// Truth is the outcome of an evaluation.
type Truth int

// Outcomes. Only True allows.
const (
	False     Truth = iota // the rule is false (for every document the facts allow)
	True                   // the rule is true (for every document the facts allow)
	Undecided              // the facts do not decide; see Result.Hints
	Failed                 // the rule failed (e.g. a member of null); see Result.Err
)

func (t Truth) String() string {
	switch t {
	case True:
		return "true"
	case Undecided:
		return "unknown"
	case Failed:
		return "error"
	}
	return "false"
}

// Result is what Eval decided.
type Result struct {
	Truth Truth
	// Hints name the fields of Facts-bound variables whose values the rule
	// needed and the facts did not give (Truth Undecided), in the order met.
	Hints []Hint
	// Err describes the failure (Truth Failed): "auth is null", ….
	Err string
	// NoArray lists paths of a Facts-bound variable (e.g. "room", "a.b")
	// on which a True or False verdict relies on there being no array, at
	// the path or above it: the verdict speaks only of the documents where
	// none lies. MongoDB's == matches an array by its elements, so a
	// filter's {room: 'r1'} pins room to 'r1' only where room is no array;
	// a rule that uses room whole (get(), a template, .length, a regular
	// expression, truthiness) relies on that. Empty when the verdict holds
	// for every document the facts allow.
	NoArray []string
}

// Allowed reports whether the result allows the request: True, for every
// document the facts allow (NoArray is empty).
func (r Result) Allowed() bool { return r.Truth == True && len(r.NoArray) == 0 }

// Hint names one undecided comparison on a field of a Facts variable, as
// the rule needs it to hold: Var.Path Op Value (e.g. doc._openid == "o1";
// under a negation the operator is negated). Op is "" when the rule needed
// the field's value itself (to build a get() path, say), and Value is
// Unknown when the other side was not known either. For an Unknown value
// inside a concrete variable, Var is the whole expression
// ("request.data.score") and Path is "".
type Hint struct {
	Var   string
	Path  string
	Op    string // == != < <= > >=; "in" (Var.Path in Value), "not in"; "has" (Value in Var.Path), "not has"; "truthy", "falsy", "test", "not test"; or ""
	Value any
}

func (h Hint) String() string {
	field := h.Var
	if h.Path != "" {
		field += "." + h.Path
	}
	switch h.Op {
	case "", "truthy", "falsy", "test", "not test":
		return field
	case "has":
		return fmt.Sprintf("%s in %s", show(h.Value), field)
	case "not has":
		return fmt.Sprintf("!(%s in %s)", show(h.Value), field)
	case "not in":
		return fmt.Sprintf("!(%s in %s)", field, show(h.Value))
	}
	return fmt.Sprintf("%s %s %s", field, h.Op, show(h.Value))
}

// Facts is what a query says about the documents it may match, by dot path
// (e.g. "_openid", "a.b"): every document satisfies every Cond listed. An
// Eq Cond pins a path to a value. Conds follow MongoDB's matching, so on an
// array field they speak of some element (Eq) or of every element (Ne, Nin).
type Facts map[string][]Cond

// Cond is one condition of a query on one path.
type Cond struct {
	Op    CondOp
	Value any // In and Nin: []any
}

// CondOp is a query condition's operator.
type CondOp int

// Query operators Facts understand: MongoDB's $eq, $ne, $in, $nin, $lt,
// $lte, $gt, $gte.
const (
	Eq CondOp = iota
	Ne
	In
	Nin
	Lt
	Lte
	Gt
	Gte
)

// Eval evaluates e in env. The error is a Getter's; everything else (a
// false rule, a rule that fails, undecided facts) is in the Result.
func (e *Expr) Eval(ctx context.Context, env *Env) (Result, error) {
	ev := &evaluator{ctx: ctx, env: env}
	v := ev.eval(e.root)
	if ev.ioErr != nil {
		return Result{}, ev.ioErr
	}
	if s, ok := v.(sym); ok {
		v = ev.value(s, "truthy") // only the boolean true allows, not an array holding it
	}
	switch x := v.(type) {
	case failure:
		return Result{Truth: Failed, Err: x.msg}, nil
	case unknown:
		return Result{Truth: Undecided, Hints: x.hints}, nil
	case bool:
		if x {
			return Result{Truth: True, NoArray: ev.noArray}, nil
		}
	}
	return Result{Truth: False, NoArray: ev.noArray}, nil
}
