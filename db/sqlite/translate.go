package sqlite

import (
	"strings"
	"time"

	"minibase/db"
)

// columnExpr returns the one canonical SQL spelling of a field path, used
// both in CREATE INDEX and in queries: SQLite uses an expression index only
// when the query spells the expression identically. Paths with numeric
// segments (array positions) or quotes have no SQL form.
func columnExpr(path string) (string, bool) {
	if path == "_id" {
		return "id", true
	}
	var b strings.Builder
	b.WriteString("json_extract(data, '$")
	if !jsonPath(&b, path) {
		return "", false
	}
	b.WriteString("')")
	return b.String(), true
}

// typeExpr is json_type of the path: 'null', 'true', 'false', 'integer',
// 'real', 'text', 'array', 'object', or NULL when missing.
func typeExpr(path string) string {
	var b strings.Builder
	b.WriteString("json_type(data, '$")
	jsonPath(&b, path)
	b.WriteString("')")
	return b.String()
}

func jsonPath(b *strings.Builder, path string) bool {
	if path == "" || len(path) > 512 {
		return false
	}
	for _, seg := range strings.Split(path, ".") {
		if seg == "" || strings.ContainsAny(seg, "\"\\'[]$*\x00") {
			return false
		}
		if _, numeric := db.ArrayIndex(seg); numeric || seg[0] >= '0' && seg[0] <= '9' {
			return false
		}
		if simpleKey(seg) {
			b.WriteString(".")
			b.WriteString(seg)
		} else {
			b.WriteString(`."`)
			b.WriteString(seg)
			b.WriteString(`"`)
		}
	}
	return true
}

func simpleKey(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

const (
	sqlTrue  = "1"
	sqlFalse = "0"
	// bounds of the text that dates become: {"$date":"2024-…"}
	dateLow  = `{"$date":"`
	dateHigh = `{"$date":"~`
)

// translator turns a filter into a SQL condition over one collection.
// idx are the collection's indexes (the geo conditions use its 2dsphere
// indexes; without them they scan).
type translator struct {
	sh   *shape
	idx  []catIndex
	args []any
	// nearRings: the caller reads a $nearSphere's candidates ring by ring
	// (DB.findNear), so its condition adds nothing here.
	nearRings bool
	// unindexed spells field paths with a unary + (a no-op on the value),
	// which SQLite reads as "use no index for this term": the query then
	// walks the index of its ORDER BY (see choosePlan).
	unindexed bool
}

// cond returns a SQL condition for n and whether it is exact. A condition
// that is not exact is a superset: every matching document satisfies it, and
// db.Filter.Match must decide. sqlTrue with exact=false means "no help".
func (t *translator) cond(n *db.Node) (string, bool) {
	switch n.Op {
	case db.OpTrue:
		return sqlTrue, true
	case db.OpAnd:
		return t.and(n.Children)
	case db.OpOr:
		return t.or(n.Children)
	case db.OpNor:
		s, exact := t.or(n.Children)
		return t.not(s, exact)
	case db.OpNot:
		s, exact := t.and(n.Children)
		return t.not(s, exact)
	case db.OpNoArray:
		return t.noArray(n.Path)
	case db.OpGeoWithin, db.OpGeoIntersects, db.OpNear:
		return t.geo(n)
	}
	if n.Path == "_id" {
		return t.idCond(n)
	}
	expr, ok := columnExpr(n.Path)
	if !ok {
		return sqlTrue, false
	}
	k := t.sh.lookup(n.Path)
	if k&(kArray|kUnderArray) != 0 {
		return sqlTrue, false
	}
	if t.unindexed {
		expr = "+" + expr
	}
	f := field{expr: expr, typ: typeExpr(n.Path), k: k}
	return t.fieldCond(n, f)
}

// noArray translates OpNoArray: no value along path is an array. Only the
// paths on the way that ever held an array (as the shape says) need a look
// at the document, so on a collection without arrays there it costs
// nothing.
func (t *translator) noArray(path string) (string, bool) {
	var parts []string
	for i := 0; i <= len(path); i++ {
		if i < len(path) && path[i] != '.' {
			continue
		}
		p := path[:i]
		if p == "_id" || t.sh.lookup(p)&kArray == 0 {
			continue
		}
		if _, ok := columnExpr(p); !ok {
			return sqlTrue, false
		}
		// json_type is NULL for a missing value, and for a path through an
		// array (whose own part says no).
		parts = append(parts, "IFNULL("+typeExpr(p)+", '') <> 'array'")
	}
	if len(parts) == 0 {
		return sqlTrue, true
	}
	return "(" + strings.Join(parts, " AND ") + ")", true
}

// geo narrows a geo condition to the documents its 2dsphere index files
// under the condition's key ranges; the Go matcher decides. Without such an
// index it does not help.
func (t *translator) geo(n *db.Node) (string, bool) {
	x, ok := geoIndexFor(t.idx, n.Path)
	if n.Op == db.OpNear && t.nearRings {
		return sqlTrue, true // the caller tests the distance
	}
	if !ok {
		return sqlTrue, false
	}
	ranges, ok := n.GeoKeyRanges(x.shapes.Load())
	if !ok {
		return sqlTrue, false
	}
	t.args = append(t.args, rangesJSON(ranges))
	return geoCandidates(x.geoTable()), false
}

type field struct {
	expr, typ string
	k         kind
}

func (t *translator) fieldCond(n *db.Node, f field) (string, bool) {
	switch n.Op {
	case db.OpEq:
		return t.eq(f, n.Value)
	case db.OpNe:
		return t.not(t.eq(f, n.Value))
	case db.OpIn:
		return t.in(f, n.Value.([]any))
	case db.OpNin:
		return t.not(t.in(f, n.Value.([]any)))
	case db.OpGt, db.OpGte, db.OpLt, db.OpLte:
		return t.rng(f, n.Op, n.Value)
	case db.OpExists:
		if b, _ := n.Value.(bool); b {
			return f.typ + " IS NOT NULL", true
		}
		return f.typ + " IS NULL", true
	case db.OpRegex:
		return t.regexPrefix(f, n.Value)
	}
	return sqlTrue, false
}

func (t *translator) and(children []*db.Node) (string, bool) {
	parts := make([]string, 0, len(children))
	exact := true
	for _, c := range children {
		s, e := t.cond(c)
		exact = exact && e
		if s == sqlFalse && e {
			return sqlFalse, exact
		}
		if s != sqlTrue {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return sqlTrue, exact
	}
	return "(" + strings.Join(parts, " AND ") + ")", exact
}

func (t *translator) or(children []*db.Node) (string, bool) {
	parts := make([]string, 0, len(children))
	exact := true
	mark := len(t.args)
	for _, c := range children {
		s, e := t.cond(c)
		exact = exact && e
		if s == sqlTrue {
			t.args = t.args[:mark]
			return sqlTrue, exact
		}
		parts = append(parts, s)
	}
	return "(" + strings.Join(parts, " OR ") + ")", exact
}

// not negates an exact condition; SQL NULL (unknown) counts as false inside.
func (t *translator) not(s string, exact bool) (string, bool) {
	if !exact {
		return sqlTrue, false
	}
	switch s {
	case sqlTrue:
		return sqlFalse, true
	case sqlFalse:
		return sqlTrue, true
	}
	return "NOT IFNULL(" + s + ", 0)", true
}

func (t *translator) arg(v any) string {
	t.args = append(t.args, v)
	return "?"
}

func dateText(v time.Time) string { return string(db.MarshalJSON(v)) }

// eq translates equality with a scalar; guards keep out values SQLite
// conflates with the operand (JSON true is 1; objects and dates are text).
func (t *translator) eq(f field, v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return f.expr + " IS NULL", true
	case bool:
		if x {
			return f.typ + " = 'true'", true
		}
		return f.typ + " = 'false'", true
	case int64, float64:
		s := f.expr + " = " + t.arg(x)
		if f.k&kBool != 0 {
			s = "(" + s + " AND " + f.typ + " IN ('integer','real'))"
		}
		return s, true
	case string:
		s := f.expr + " = " + t.arg(x)
		if f.k&(kDoc|kDate|kRegex) != 0 {
			s = "(" + s + " AND " + f.typ + " = 'text')"
		}
		return s, true
	case time.Time:
		s := f.expr + " = " + t.arg(dateText(x))
		if f.k&kString != 0 {
			s = "(" + s + " AND " + f.typ + " = 'object')"
		}
		return s, true
	}
	return sqlTrue, false
}

func (t *translator) in(f field, vals []any) (string, bool) {
	if len(vals) == 0 {
		return sqlFalse, true
	}
	var plain []string
	var parts []string
	guardFree := f.k&(kBool|kDoc|kDate|kRegex) == 0
	for _, v := range vals {
		switch x := v.(type) {
		case int64, float64, string:
			if guardFree {
				plain = append(plain, t.arg(x))
				continue
			}
		}
		s, exact := t.eq(f, v)
		if !exact {
			return sqlTrue, false
		}
		parts = append(parts, s)
	}
	if len(plain) > 0 {
		parts = append(parts, f.expr+" IN ("+strings.Join(plain, ",")+")")
	}
	if len(parts) == 1 {
		return parts[0], true
	}
	return "(" + strings.Join(parts, " OR ") + ")", true
}

func sqlOp(op db.Op) string {
	switch op {
	case db.OpGt:
		return " > "
	case db.OpGte:
		return " >= "
	case db.OpLt:
		return " < "
	}
	return " <= "
}

// rng translates a comparison, bounded to the operand's type bracket.
func (t *translator) rng(f field, op db.Op, v any) (string, bool) {
	up := op == db.OpGt || op == db.OpGte
	var s string
	switch x := v.(type) {
	case nil:
		if op == db.OpGte || op == db.OpLte {
			return f.expr + " IS NULL", true
		}
		return sqlFalse, true
	case int64, float64:
		s = f.expr + sqlOp(op) + t.arg(x)
		if up && f.k&(kString|kDoc|kDate|kRegex) != 0 {
			s += " AND " + f.expr + " < ''"
		}
		if f.k&kBool != 0 {
			s += " AND " + f.typ + " IN ('integer','real')"
		}
	case string:
		s = f.expr + sqlOp(op) + t.arg(x)
		if !up && f.k&(kNumber|kBool) != 0 {
			s += " AND " + f.expr + " >= ''"
		}
		if f.k&(kDoc|kDate|kRegex) != 0 {
			s += " AND " + f.typ + " = 'text'"
		}
	case time.Time:
		s = f.expr + sqlOp(op) + t.arg(dateText(x))
		if up {
			s += " AND " + f.expr + " < '" + dateHigh + "'"
		} else {
			s += " AND " + f.expr + " >= '" + dateLow + "'"
		}
		if f.k&kString != 0 {
			s += " AND " + f.typ + " = 'object'"
		}
	default:
		return sqlTrue, false
	}
	return "(" + s + ")", true
}

// regexPrefix turns an anchored literal prefix (/^abc/) into an index-
// friendly range; the Go matcher still checks every candidate.
func (t *translator) regexPrefix(f field, v any) (string, bool) {
	r, ok := v.(db.Regex)
	if !ok || r.Options != "" || !strings.HasPrefix(r.Pattern, "^") {
		return sqlTrue, false
	}
	lit := literalPrefix(r.Pattern[1:])
	if lit == "" {
		return sqlTrue, false
	}
	hi := lit[:len(lit)-1] + string(lit[len(lit)-1]+1)
	if lit[len(lit)-1] == 0xff {
		return sqlTrue, false
	}
	return "(" + f.expr + " >= " + t.arg(lit) + " AND " + f.expr + " < " + t.arg(hi) + ")", false
}

// literalPrefix returns the leading run of pattern characters that match
// only themselves.
func literalPrefix(p string) string {
	if strings.Contains(p, "|") {
		return "" // an alternation may not share the prefix
	}
	end := 0
	for end < len(p) && !strings.ContainsRune(`\.+*?()|[]{}^$`, rune(p[end])) && p[end] < 0x80 {
		end++
	}
	// a quantifier after the last literal makes it optional
	if end < len(p) && strings.ContainsRune("*?{", rune(p[end])) && end > 0 {
		end--
	}
	return p[:end]
}

// idCond translates conditions on _id, the id column (always a string).
func (t *translator) idCond(n *db.Node) (string, bool) {
	switch n.Op {
	case db.OpEq:
		if s, ok := n.Value.(string); ok {
			return "id = " + t.arg(s), true
		}
		if _, isRe := n.Value.(db.Regex); isRe {
			return sqlTrue, false
		}
		return sqlFalse, true
	case db.OpNe:
		if s, ok := n.Value.(string); ok {
			return "id <> " + t.arg(s), true
		}
		return sqlTrue, !isRegex(n.Value)
	case db.OpIn, db.OpNin:
		var ph []string
		for _, v := range n.Value.([]any) {
			if s, ok := v.(string); ok {
				ph = append(ph, t.arg(s))
			} else if isRegex(v) {
				return sqlTrue, false
			}
		}
		s := sqlFalse
		if len(ph) > 0 {
			s = "id IN (" + strings.Join(ph, ",") + ")"
		}
		if n.Op == db.OpNin {
			return t.not(s, true)
		}
		return s, true
	case db.OpGt, db.OpGte, db.OpLt, db.OpLte:
		if s, ok := n.Value.(string); ok {
			return "id" + sqlOp(n.Op) + t.arg(s), true
		}
		return sqlFalse, true
	case db.OpExists:
		if b, _ := n.Value.(bool); b {
			return sqlTrue, true
		}
		return sqlFalse, true
	}
	return sqlTrue, false
}

func isRegex(v any) bool {
	_, ok := v.(db.Regex)
	return ok
}

// orderBy translates a sort when SQL's order equals MongoDB's for the kinds
// the paths hold; ok is false when the Go sort must decide. unindexed
// spells the field paths with a unary +, so that no index gives the order:
// SQLite then reads the filter's index and sorts what it finds (see
// choosePlan).
func orderBy(sh *shape, keys []db.SortKey, unindexed bool) (string, bool) {
	parts := make([]string, 0, len(keys))
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[k.Path] {
			continue // a repeated key cannot change the order
		}
		seen[k.Path] = true
		expr, ok := columnExpr(k.Path)
		if !ok {
			return "", false
		}
		if k.Path != "_id" && !sortable(sh.lookup(k.Path)) {
			return "", false
		}
		if unindexed && k.Path != "_id" {
			expr = "+" + expr
		}
		if k.Desc {
			expr += " DESC"
		}
		parts = append(parts, expr)
	}
	return strings.Join(parts, ", "), true
}

// sortable: SQL orders NULL < numbers < text, as MongoDB orders null <
// numbers < strings; booleans alone (0 < 1) and dates alone (fixed-width
// text) also sort right. Arrays, objects and mixes with them do not.
func sortable(k kind) bool {
	switch k &^ kNull {
	case 0, kNumber, kString, kNumber | kString, kDate, kBool:
		return true
	}
	return false
}
