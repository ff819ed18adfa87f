package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// nodeKind is an expression node's kind.
type nodeKind int

const (
	nLit      nodeKind = iota // val
	nVar                      // name
	nMember                   // x.name
	nIndex                    // x[y]
	nGet                      // get(x)
	nTest                     // re.test(x); re in val
	nNot                      // !x
	nNeg                      // -x
	nBinary                   // x op y
	nArray                    // [list…]
	nTemplate                 // `list…`: literal strings and expressions, concatenated
)

type node struct {
	kind nodeKind
	op   string // nBinary: == != < <= > >= in && || +
	name string
	val  any
	x, y *node
	list []*node
	pos  int // byte offset, for messages
}

// Parse parses src, an expression that may read the global variables vars
// (e.g. "auth", "doc", "request", "now"). It fails with a *SyntaxError when
// src does not parse, is longer than MaxLen characters, names a variable
// not in vars, or calls get() more than MaxGets times or nested deeper than
// MaxGetDeep.
func Parse(src string, vars ...string) (*Expr, error) {
	if n := utf8.RuneCountInString(src); n > MaxLen {
		return nil, &SyntaxError{Pos: MaxLen + 1, Msg: fmt.Sprintf("the rule is %d characters long, over the limit of %d", n, MaxLen)}
	}
	if !utf8.ValidString(src) {
		return nil, &SyntaxError{Pos: 1, Msg: "the rule is not valid UTF-8"}
	}
	p := &parser{lex: lexer{src: src}, allowed: vars}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, p.errAt(p.tok.pos, "empty rule: write true, false or an expression")
	}
	root, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected()
	}
	return &Expr{src: src, root: root, gets: p.gets, vars: p.used}, nil
}

type parser struct {
	lex     lexer
	tok     token // the current token
	allowed []string
	used    []string
	gets    int
	getDeep int
	depth   int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errAt(off int, format string, args ...any) *SyntaxError {
	return p.lex.errAt(off, format, args...)
}

func (p *parser) unexpected() error {
	switch p.tok.kind {
	case tEOF:
		return p.errAt(p.tok.pos, "unexpected end of the rule")
	case tIdent, tPunct:
		return p.errAt(p.tok.pos, "unexpected %q", p.tok.text)
	}
	return p.errAt(p.tok.pos, "unexpected value")
}

func (p *parser) is(punct string) bool { return p.tok.kind == tPunct && p.tok.text == punct }

func (p *parser) expect(punct string) error {
	if !p.is(punct) {
		if p.tok.kind == tEOF {
			return p.errAt(p.tok.pos, "missing %q at the end of the rule", punct)
		}
		return p.errAt(p.tok.pos, "expected %q, found %s", punct, p.describe())
	}
	return p.advance()
}

func (p *parser) describe() string {
	switch p.tok.kind {
	case tIdent, tPunct:
		return fmt.Sprintf("%q", p.tok.text)
	case tString:
		return "a string"
	case tNumber:
		return "a number"
	case tRegex:
		return "a regular expression"
	}
	return "a template string"
}

// Binary operators by precedence, loosest first.
var levels = [][]string{{"||"}, {"&&"}, {"==", "!="}, {"<", "<=", ">", ">=", "in"}, {"+", "-"}}

func (p *parser) expr() (*node, error) { return p.binary(0) }

func (p *parser) binary(level int) (*node, error) {
	if level == len(levels) {
		return p.unary()
	}
	x, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		op := ""
		if (p.tok.kind == tPunct || p.tok.kind == tIdent) && slices.Contains(levels[level], p.tok.text) {
			op = p.tok.text
		}
		if op == "" {
			return x, nil
		}
		pos := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		y, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		if op == "-" {
			y = &node{kind: nNeg, x: y, pos: y.pos}
			op = "+"
		}
		x = &node{kind: nBinary, op: op, x: x, y: y, pos: pos}
	}
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errAt(p.tok.pos, "the rule nests deeper than %d levels", maxDepth)
	}
	return nil
}

func (p *parser) unary() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if p.is("!") || p.is("-") {
		kind, pos := nNot, p.tok.pos
		if p.tok.text == "-" {
			kind = nNeg
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{kind: kind, x: x, pos: pos}, nil
	}
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	return p.postfix(x)
}

// postfix parses .name, [index] and .test(…) after x.
func (p *parser) postfix(x *node) (*node, error) {
	for {
		switch {
		case p.is("."):
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.tok.kind != tIdent {
				return nil, p.errAt(p.tok.pos, "expected a field name after '.', found %s", p.describe())
			}
			name, pos := p.tok.text, p.tok.pos
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.is("(") {
				call, err := p.method(x, name, pos)
				if err != nil {
					return nil, err
				}
				x = call
				continue
			}
			x = &node{kind: nMember, x: x, name: name, pos: pos}
		case p.is("["):
			pos := p.tok.pos
			if err := p.advance(); err != nil {
				return nil, err
			}
			y, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			x = &node{kind: nIndex, x: x, y: y, pos: pos}
		case p.is("("):
			return nil, p.errAt(p.tok.pos, "only get(…) and /regex/.test(…) can be called")
		default:
			return x, nil
		}
	}
}

// method parses the argument of x.name(…): only /re/.test(s) exists.
func (p *parser) method(x *node, name string, pos int) (*node, error) {
	if name != "test" || x.kind != nLit {
		return nil, p.errAt(pos, "unknown function %s(): only get(…) and /regex/.test(…) can be called", name)
	}
	if _, ok := x.val.(*regexp.Regexp); !ok {
		return nil, p.errAt(pos, "test() is a method of regular expressions: /regex/.test(value)")
	}
	arg, err := p.args(pos, "test")
	if err != nil {
		return nil, err
	}
	return &node{kind: nTest, val: x.val, x: arg, pos: pos}, nil
}

// args parses "(" expr ")" of a one-argument call.
func (p *parser) args(pos int, name string) (*node, error) {
	if err := p.advance(); err != nil { // "("
		return nil, err
	}
	if p.is(")") {
		return nil, p.errAt(pos, "%s() takes one argument", name)
	}
	arg, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.is(",") {
		return nil, p.errAt(p.tok.pos, "%s() takes one argument", name)
	}
	return arg, p.expect(")")
}

func (p *parser) primary() (*node, error) {
	t := p.tok
	switch t.kind {
	case tNumber, tString:
		return &node{kind: nLit, val: t.val, pos: t.pos}, p.advance()
	case tRegex:
		re, err := compileRegex(t.text, t.val.(string))
		if err != nil {
			return nil, p.errAt(t.pos, "%s", err)
		}
		return &node{kind: nLit, val: re, pos: t.pos}, p.advance()
	case tTemplate:
		return p.template()
	case tIdent:
		return p.ident()
	}
	switch {
	case p.is("("):
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		return x, p.expect(")")
	case p.is("["):
		return p.array()
	}
	return nil, p.unexpected()
}

func (p *parser) ident() (*node, error) {
	t := p.tok
	switch t.text {
	case "true", "false":
		return &node{kind: nLit, val: t.text == "true", pos: t.pos}, p.advance()
	case "null", "undefined":
		return &node{kind: nLit, val: nil, pos: t.pos}, p.advance()
	case "in":
		return nil, p.unexpected()
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if t.text == "get" && p.is("(") {
		return p.get(t.pos)
	}
	if !slices.Contains(p.allowed, t.text) {
		if p.is("(") {
			return nil, p.errAt(t.pos, "unknown function %s(): only get(…) and /regex/.test(…) can be called", t.text)
		}
		return nil, p.errAt(t.pos, "unknown name %q: a rule may use %s", t.text, strings.Join(p.allowed, ", "))
	}
	if !slices.Contains(p.used, t.text) {
		p.used = append(p.used, t.text)
	}
	return &node{kind: nVar, name: t.text, pos: t.pos}, nil
}

func (p *parser) get(pos int) (*node, error) {
	p.gets++
	if p.gets > MaxGets {
		return nil, p.errAt(pos, "more than %d get() calls in one rule", MaxGets)
	}
	p.getDeep++
	if p.getDeep > MaxGetDeep {
		return nil, p.errAt(pos, "get() nested more than %d deep", MaxGetDeep)
	}
	arg, err := p.args(pos, "get")
	p.getDeep--
	if err != nil {
		return nil, err
	}
	return &node{kind: nGet, x: arg, pos: pos}, nil
}

func (p *parser) array() (*node, error) {
	n := &node{kind: nArray, pos: p.tok.pos}
	if err := p.advance(); err != nil {
		return nil, err
	}
	for !p.is("]") {
		if len(n.list) > 0 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
			if p.is("]") { // a trailing comma
				break
			}
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		n.list = append(n.list, x)
	}
	return n, p.advance()
}

// template parses the rest of a `…${expr}…` literal; the lexer stopped
// right after the opening backquote.
func (p *parser) template() (*node, error) {
	n := &node{kind: nTemplate, pos: p.tok.pos}
	l := &p.lex
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return nil, p.errAt(n.pos, "unterminated template string")
		}
		c := l.src[l.pos]
		switch {
		case c == '`':
			l.pos++
			n.list = append(n.list, &node{kind: nLit, val: b.String()})
			return n, p.advance()
		case c == '\\':
			if err := l.escape(&b); err != nil {
				return nil, err
			}
		case c == '$' && strings.HasPrefix(l.src[l.pos:], "${"):
			n.list = append(n.list, &node{kind: nLit, val: b.String()})
			b.Reset()
			l.pos += 2
			if err := p.advance(); err != nil {
				return nil, err
			}
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if !p.is("}") { // the lexer stands right after the "}": scanning goes on from there
				return nil, p.errAt(p.tok.pos, "expected \"}\" to close ${…}, found %s", p.describe())
			}
			n.list = append(n.list, x)
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
}

// compileRegex compiles a /pattern/flags literal with Go's RE2 syntax.
func compileRegex(pattern, flags string) (*regexp.Regexp, error) {
	mods := ""
	for _, f := range flags {
		switch f {
		case 'i', 'm', 's':
			if !strings.ContainsRune(mods, f) {
				mods += string(f)
			}
		case 'g', 'u', 'y': // no effect on a test
		default:
			return nil, fmt.Errorf("unknown regular expression flag %q (use i, m or s)", f)
		}
	}
	if mods != "" {
		pattern = "(?" + mods + ")" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression: %v", err)
	}
	return re, nil
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
