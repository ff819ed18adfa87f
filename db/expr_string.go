package db

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// stringOperator compiles the string operators; ok is false for other
// names. Strings are UTF-8; "bytes" operators count bytes, "CP" ones code
// points; $toLower, $toUpper and $strcasecmp change ASCII letters only,
// as in MongoDB.
func (sc *exprScope) stringOperator(name string, arg any) (evalFn, bool, error) {
	var fn evalFn
	var err error
	switch name {
	case "$concat":
		fn, err = sc.concatOp(arg)
	case "$toLower", "$toUpper", "$strLenBytes", "$strLenCP":
		fn, err = sc.stringUnary(name, arg)
	case "$strcasecmp":
		fn, err = sc.strcasecmpOp(arg)
	case "$substr", "$substrBytes", "$substrCP":
		fn, err = sc.substrOp(name, arg)
	case "$indexOfBytes", "$indexOfCP":
		fn, err = sc.indexOfOp(name, arg)
	case "$split":
		fn, err = sc.splitOp(arg)
	case "$trim", "$ltrim", "$rtrim":
		fn, err = sc.trimOp(name, arg)
	case "$regexMatch", "$regexFind", "$regexFindAll":
		fn, err = sc.regexOp(name, arg)
	case "$replaceOne", "$replaceAll":
		fn, err = sc.replaceOp(name, arg)
	default:
		return nil, false, nil
	}
	return fn, true, err
}

func (sc *exprScope) concatOp(arg any) (evalFn, error) {
	args, err := sc.args("$concat", arg, 0, -1)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		var b strings.Builder
		null := false
		for _, fn := range args {
			v, err := fn(e)
			if err != nil {
				return nil, err
			}
			switch x := v.(type) {
			case string:
				if err := e.charge(len(x)); err != nil {
					return nil, err
				}
				b.WriteString(x)
			case nil, missingValue:
				null = true
			default:
				return nil, typeErr("$concat", "only supports strings, not", v)
			}
		}
		if null {
			return nil, nil
		}
		return b.String(), nil
	}, nil
}

// coerceString is MongoDB's string coercion for $substr, $toLower,
// $toUpper and $strcasecmp: null and missing are "", numbers and dates
// their text.
func coerceString(op string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil, missingValue:
		return "", nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return string(appendFloat(nil, x)), nil
	case time.Time:
		return x.UTC().Format(DateLayout), nil
	}
	return "", typeErr(op, "cannot convert to a string a value of type", v)
}

func (sc *exprScope) stringUnary(name string, arg any) (evalFn, error) {
	args, err := sc.args(name, arg, 1, 1)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		v, err := args[0](e)
		if err != nil {
			return nil, err
		}
		switch name {
		case "$strLenBytes", "$strLenCP":
			s, ok := v.(string)
			if !ok {
				return nil, typeErr(name, "requires a string argument, found:", v)
			}
			if name == "$strLenBytes" {
				return int64(len(s)), nil
			}
			return int64(utf8.RuneCountInString(s)), nil
		}
		s, err := coerceString(name, v)
		if err != nil {
			return nil, err
		}
		if name == "$toLower" {
			return asciiCase(s, 'A', 'Z', 'a'-'A'), nil
		}
		return asciiCase(s, 'a', 'z', 'A'-'a'), nil
	}, nil
}

// asciiCase shifts the ASCII letters from lo to hi by delta.
func asciiCase(s string, lo, hi byte, delta int) string {
	i := 0
	for i < len(s) && !(s[i] >= lo && s[i] <= hi) {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if b[i] >= lo && b[i] <= hi {
			b[i] = byte(int(b[i]) + delta)
		}
	}
	return string(b)
}

func (sc *exprScope) strcasecmpOp(arg any) (evalFn, error) {
	args, err := sc.args("$strcasecmp", arg, 2, 2)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		vals, err := evalAll(e, args)
		if err != nil {
			return nil, err
		}
		a, err := coerceString("$strcasecmp", vals[0])
		if err != nil {
			return nil, err
		}
		b, err := coerceString("$strcasecmp", vals[1])
		if err != nil {
			return nil, err
		}
		return int64(strings.Compare(asciiCase(a, 'A', 'Z', 'a'-'A'), asciiCase(b, 'A', 'Z', 'a'-'A'))), nil
	}, nil
}

// intArg reads an integral argument of op (1 and 1.0 alike).
func intArg(op, what string, v any) (int64, error) {
	n, ok := wholeNumber(v)
	if !ok {
		return 0, Errorf(CodeInvalidOperator, "%s: %s must be an integer, found %s", op, what, exprType(v))
	}
	return n, nil
}

// substrOp: [string, start, length]; $substr and $substrBytes in bytes
// (a range that would cut a UTF-8 character is an error), $substrCP in
// code points. A negative length (bytes) means to the end.
func (sc *exprScope) substrOp(name string, arg any) (evalFn, error) {
	args, err := sc.args(name, arg, 3, 3)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		vals, err := evalAll(e, args)
		if err != nil {
			return nil, err
		}
		s, err := coerceString(name, vals[0])
		if err != nil {
			return nil, err
		}
		start, err := intArg(name, "the starting index", vals[1])
		if err != nil {
			return nil, err
		}
		length, err := intArg(name, "the length", vals[2])
		if err != nil {
			return nil, err
		}
		if name == "$substrCP" {
			if start < 0 || length < 0 {
				return nil, Errorf(CodeInvalidOperator, "$substrCP: the starting index and the length must be non-negative")
			}
			return substrCP(s, start, length), nil
		}
		if start < 0 {
			return nil, Errorf(CodeInvalidOperator, "%s: the starting index must be non-negative", name)
		}
		if start >= int64(len(s)) {
			return "", nil
		}
		end := int64(len(s))
		if length >= 0 && start+length < end {
			end = start + length
		}
		if !utf8.RuneStart(s[start]) || end < int64(len(s)) && !utf8.RuneStart(s[end]) {
			return nil, Errorf(CodeInvalidOperator, "%s: invalid range, it would cut a UTF-8 character", name)
		}
		return s[start:end], nil
	}, nil
}

func substrCP(s string, start, count int64) string {
	i, from := int64(0), len(s)
	for pos := range s {
		if i == start {
			from = pos
		}
		if i == start+count {
			return s[from:pos]
		}
		i++
	}
	if start+count >= i && from <= len(s) {
		return s[from:]
	}
	return ""
}

// indexOfOp: [string, substring, start?, end?] → the first index of
// substring (bytes or code points) from start to before end, or -1; null
// when string is null or missing.
func (sc *exprScope) indexOfOp(name string, arg any) (evalFn, error) {
	args, err := sc.args(name, arg, 2, 4)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		vals, err := evalAll(e, args)
		if err != nil {
			return nil, err
		}
		if nullish(vals[0]) {
			return nil, nil
		}
		s, ok := vals[0].(string)
		if !ok {
			return nil, typeErr(name, "requires a string as the first argument, found:", vals[0])
		}
		sub, ok := vals[1].(string)
		if !ok {
			return nil, typeErr(name, "requires a string as the second argument, found:", vals[1])
		}
		cp := name == "$indexOfCP"
		n := int64(len(s))
		if cp {
			n = int64(utf8.RuneCountInString(s))
		}
		start, end, err := bounds(name, vals[2:], n)
		if err != nil || start > end || start > n {
			return int64(-1), err
		}
		if !cp {
			if i := strings.Index(s[start:end], sub); i >= 0 {
				return start + int64(i), nil
			}
			return int64(-1), nil
		}
		runes := []rune(s)[start:end]
		if i := strings.Index(string(runes), sub); i >= 0 {
			return start + int64(utf8.RuneCountInString(string(runes)[:i])), nil
		}
		return int64(-1), nil
	}, nil
}

// bounds reads the optional start and end of an index-of operator over n
// items, clamped to n.
func bounds(op string, vals []any, n int64) (int64, int64, error) {
	start, end := int64(0), n
	for i, v := range vals {
		x, err := intArg(op, "the starting and ending indexes", v)
		if err != nil {
			return 0, 0, err
		}
		if x < 0 {
			return 0, 0, Errorf(CodeInvalidOperator, "%s: the starting and ending indexes must be non-negative", op)
		}
		if i == 0 {
			start = x
		} else {
			end = min(x, n)
		}
	}
	return start, end, nil
}

func (sc *exprScope) splitOp(arg any) (evalFn, error) {
	args, err := sc.args("$split", arg, 2, 2)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		vals, err := evalAll(e, args)
		if err != nil {
			return nil, err
		}
		if nullish(vals[0]) || nullish(vals[1]) {
			return nil, nil
		}
		s, ok := vals[0].(string)
		if !ok {
			return nil, typeErr("$split", "requires an expression that evaluates to a string as a first argument, found:", vals[0])
		}
		sep, ok := vals[1].(string)
		if !ok {
			return nil, typeErr("$split", "requires an expression that evaluates to a string as a second argument, found:", vals[1])
		}
		if sep == "" {
			return nil, Errorf(CodeInvalidOperator, "$split requires a non-empty separator")
		}
		parts := strings.Split(s, sep)
		if err := e.charge(16*len(parts) + len(s)); err != nil {
			return nil, err
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	}, nil
}

// trimSpace is what $trim removes without chars: whitespace and the null
// character, as MongoDB lists them.
const trimSpace = "\x00 \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

func (sc *exprScope) trimOp(name string, arg any) (evalFn, error) {
	o, err := sc.options(name, arg, "input!", "chars")
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		v, err := o["input"](e)
		if err != nil || nullish(v) {
			return nullOr(v, err)
		}
		s, ok := v.(string)
		if !ok {
			return nil, typeErr(name, "requires its input to be a string, got", v)
		}
		cut := trimSpace
		if o["chars"] != nil {
			c, err := o["chars"](e)
			if err != nil || nullish(c) {
				return nullOr(c, err)
			}
			if cut, ok = c.(string); !ok {
				return nil, typeErr(name, "requires 'chars' to be a string, got", c)
			}
		}
		switch name {
		case "$ltrim":
			return strings.TrimLeft(s, cut), nil
		case "$rtrim":
			return strings.TrimRight(s, cut), nil
		}
		return strings.Trim(s, cut), nil
	}, nil
}

// regexOp: {input, regex, options} with RE2 syntax (see compileRegex).
// $regexMatch → bool; $regexFind → {match, idx, captures} or null;
// $regexFindAll → an array of those. idx counts code points.
func (sc *exprScope) regexOp(name string, arg any) (evalFn, error) {
	o, err := sc.options(name, arg, "input!", "regex!", "options")
	if err != nil {
		return nil, err
	}
	// A constant pattern is compiled once, here; others on every use.
	var fixed *regexp.Regexp
	if d, _ := arg.(Doc); d != nil {
		rv, _ := d.Get("regex")
		ov, hasOpts := d.Get("options")
		if isConstant(rv) && (!hasOpts || isConstant(ov)) {
			r, ok, err := regexArg(name, rv, ov)
			if err != nil {
				return nil, err
			}
			if ok {
				if fixed, err = compileRegex(r); err != nil {
					return nil, err
				}
			}
		}
	}
	return func(e *evalEnv) (any, error) {
		in, err := o["input"](e)
		if err != nil {
			return nil, err
		}
		re := fixed
		if re == nil {
			rv, err := o["regex"](e)
			if err != nil {
				return nil, err
			}
			var ov any
			if o["options"] != nil {
				if ov, err = o["options"](e); err != nil {
					return nil, err
				}
			}
			r, ok, err := regexArg(name, rv, ov)
			if err != nil || !ok {
				return regexNoMatch(name), err
			}
			if re, err = compileRegex(r); err != nil {
				return nil, err
			}
		}
		if nullish(in) {
			return regexNoMatch(name), nil
		}
		s, ok := in.(string)
		if !ok {
			return nil, typeErr(name, "needs 'input' to be a string, found", in)
		}
		switch name {
		case "$regexMatch":
			return re.MatchString(s), nil
		case "$regexFind":
			m := re.FindStringSubmatchIndex(s)
			if m == nil {
				return nil, nil
			}
			return regexResult(s, m), nil
		}
		all := re.FindAllStringSubmatchIndex(s, -1)
		if err := e.charge(16 * len(all)); err != nil {
			return nil, err
		}
		out := make([]any, len(all))
		for i, m := range all {
			out[i] = regexResult(s, m)
		}
		return out, nil
	}, nil
}

// regexArg is the regular expression of a $regex… operator from its
// regex and options values; ok is false when regex is null (no match).
func regexArg(name string, rv, ov any) (Regex, bool, error) {
	var r Regex
	switch x := rv.(type) {
	case string:
		r.Pattern = x
	case Regex:
		r = x
	case nil, missingValue:
		return r, false, nil
	default:
		return r, false, typeErr(name, "needs 'regex' to be a string or a regular expression, found", rv)
	}
	switch x := ov.(type) {
	case string:
		if r.Options != "" && x != "" {
			return r, false, Errorf(CodeInvalidOperator, "%s: options are set in both the regular expression and 'options'", name)
		}
		r.Options += x
	case nil, missingValue:
	default:
		return r, false, typeErr(name, "needs 'options' to be a string, found", ov)
	}
	return r, true, nil
}

func regexNoMatch(name string) any {
	switch name {
	case "$regexMatch":
		return false
	case "$regexFindAll":
		return []any{}
	}
	return nil
}

func regexResult(s string, m []int) Doc {
	captures := make([]any, 0, len(m)/2-1)
	for i := 2; i+1 < len(m); i += 2 {
		if m[i] < 0 {
			captures = append(captures, nil)
		} else {
			captures = append(captures, s[m[i]:m[i+1]])
		}
	}
	return Doc{{"match", s[m[0]:m[1]]}, {"idx", int64(utf8.RuneCountInString(s[:m[0]]))}, {"captures", captures}}
}

func (sc *exprScope) replaceOp(name string, arg any) (evalFn, error) {
	o, err := sc.options(name, arg, "input!", "find!", "replacement!")
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		var parts [3]string
		null := false
		for i, k := range [...]string{"input", "find", "replacement"} {
			v, err := o[k](e)
			if err != nil {
				return nil, err
			}
			switch x := v.(type) {
			case string:
				parts[i] = x
			case nil, missingValue:
				null = true
			default:
				return nil, typeErr(name, "requires that '"+k+"' be a string, found:", v)
			}
		}
		if null {
			return nil, nil
		}
		if name == "$replaceOne" {
			return strings.Replace(parts[0], parts[1], parts[2], 1), nil
		}
		if n := strings.Count(parts[0], parts[1]); n > 0 {
			if err := e.charge(len(parts[0]) + n*len(parts[2])); err != nil {
				return nil, err
			}
		}
		return strings.ReplaceAll(parts[0], parts[1], parts[2]), nil
	}, nil
}
