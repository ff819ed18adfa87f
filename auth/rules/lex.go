package rules

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokKind is a token's kind.
type tokKind int

const (
	tEOF      tokKind = iota
	tIdent            // names and the keywords true, false, null, undefined, in
	tNumber           // val: int64 or float64
	tString           // val: string
	tRegex            // text: pattern, val: flags
	tTemplate         // the opening backquote; the parser scans the rest
	tPunct            // text: one of ( ) [ ] . , ! == != < <= > >= && || + - { }
)

type token struct {
	kind tokKind
	text string
	val  any
	pos  int // byte offset
}

// lexer scans src one token at a time, on demand, so that the parser can
// take over the scanning of template literals.
type lexer struct {
	src string
	pos int // next byte to scan
}

func (l *lexer) errAt(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: utf8.RuneCountInString(l.src[:min(off, len(l.src))]) + 1, Msg: sprintf(format, args...)}
}

// next scans the token at l.pos.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && strings.IndexByte(" \t\r\n", l.src[l.pos]) >= 0 {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	switch {
	case isIdentStart(c):
		for l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tIdent, text: l.src[start:l.pos], pos: start}, nil
	case c >= '0' && c <= '9' || c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
		return l.number()
	case c == '\'' || c == '"':
		s, err := l.quoted(c)
		return token{kind: tString, val: s, pos: start}, err
	case c == '`':
		l.pos++
		return token{kind: tTemplate, pos: start}, nil
	case c == '/':
		return l.regex()
	}
	for _, p := range []string{"===", "!==", "==", "!=", "<=", ">=", "&&", "||"} {
		if strings.HasPrefix(l.src[l.pos:], p) {
			l.pos += len(p)
			return token{kind: tPunct, text: p[:2], pos: start}, nil // === is ==, !== is !=
		}
	}
	if strings.IndexByte("()[].,!<>+-{}", c) >= 0 {
		l.pos++
		return token{kind: tPunct, text: string(c), pos: start}, nil
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	return token{}, l.errAt(start, "unexpected character %q", r)
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (l *lexer) number() (token, error) {
	start := l.pos
	float := false
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case isDigit(c):
		case c == '.' || c == 'e' || c == 'E':
			float = true
		case (c == '+' || c == '-') && (l.src[l.pos-1] == 'e' || l.src[l.pos-1] == 'E'):
		default:
			goto done
		}
		l.pos++
	}
done:
	text := l.src[start:l.pos]
	if l.pos < len(l.src) && isIdentStart(l.src[l.pos]) {
		return token{}, l.errAt(l.pos, "unexpected character %q after number %s", l.src[l.pos], text)
	}
	if !float {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return token{kind: tNumber, val: n, pos: start}, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return token{}, l.errAt(start, "invalid number %s", text)
	}
	return token{kind: tNumber, val: f, pos: start}, nil
}

// quoted scans a '…' or "…" string literal.
func (l *lexer) quoted(q byte) (string, error) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) || l.src[l.pos] == '\n' {
			return "", l.errAt(start, "unterminated string")
		}
		c := l.src[l.pos]
		if c == q {
			l.pos++
			return b.String(), nil
		}
		if c == '\\' {
			if err := l.escape(&b); err != nil {
				return "", err
			}
			continue
		}
		b.WriteByte(c)
		l.pos++
	}
}

// escape scans the escape sequence at l.pos (a backslash) into b.
func (l *lexer) escape(b *strings.Builder) error {
	start := l.pos
	l.pos++
	if l.pos >= len(l.src) {
		return l.errAt(start, "unterminated escape sequence")
	}
	c := l.src[l.pos]
	l.pos++
	switch c {
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'r':
		b.WriteByte('\r')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'v':
		b.WriteByte('\v')
	case '0':
		b.WriteByte(0)
	case 'u':
		r, err := l.unicodeEscape(start)
		if err != nil {
			return err
		}
		b.WriteRune(r)
	default:
		r, size := utf8.DecodeRuneInString(l.src[l.pos-1:])
		l.pos += size - 1
		b.WriteRune(r) // \' \" \\ \` \$ and any other character stand for themselves
	}
	return nil
}

func (l *lexer) unicodeEscape(start int) (rune, error) {
	var hex string
	if strings.HasPrefix(l.src[l.pos:], "{") {
		end := strings.IndexByte(l.src[l.pos:], '}')
		if end < 0 || end > 7 {
			return 0, l.errAt(start, "invalid \\u{…} escape")
		}
		hex, l.pos = l.src[l.pos+1:l.pos+end], l.pos+end+1
	} else {
		if l.pos+4 > len(l.src) {
			return 0, l.errAt(start, "invalid \\u escape: want 4 hex digits")
		}
		hex, l.pos = l.src[l.pos:l.pos+4], l.pos+4
	}
	n, err := strconv.ParseUint(hex, 16, 32)
	if err != nil || n > utf8.MaxRune {
		return 0, l.errAt(start, "invalid \\u escape %q", hex)
	}
	return rune(n), nil
}

// regex scans /pattern/flags. The language has no division, so a slash
// always starts a regular expression.
func (l *lexer) regex() (token, error) {
	start := l.pos
	l.pos++
	inClass := false
	for {
		if l.pos >= len(l.src) || l.src[l.pos] == '\n' {
			return token{}, l.errAt(start, "unterminated regular expression")
		}
		c := l.src[l.pos]
		switch {
		case c == '\\':
			l.pos++
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '/' && !inClass:
			pattern := l.src[start+1 : l.pos]
			l.pos++
			fstart := l.pos
			for l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
				l.pos++
			}
			return token{kind: tRegex, text: pattern, val: l.src[fstart:l.pos], pos: start}, nil
		}
		l.pos++
	}
}
