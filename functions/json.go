package functions

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/go-json-experiment/json/jsontext"
)

// maxJSONDepth bounds the nesting of JSON turned into JavaScript values
// (events and database answers; documents are at most 100 deep).
const maxJSONDepth = 1000

// fromJSON turns JSON into JavaScript values, as JSON.parse would (even a
// "__proto__" key is a plain property, not the object's prototype). It is
// several times faster than goja's JSON.parse, which matters for events
// and for every database answer a function reads.
func (in *instance) fromJSON(b []byte) (goja.Value, error) {
	return in.decodeJSON(b, nil)
}

// fromDB is fromJSON for the database's answers, whose values are
// extended JSON: dates ({"$date": "<RFC 3339>"}) become Date objects and
// GeoJSON geometries what geo makes of them (db.Geo values).
func (in *instance) fromDB(b []byte, geo goja.Callable) (goja.Value, error) {
	return in.decodeJSON(b, geo)
}

// jsonDecoder carries what one conversion needs.
type jsonDecoder struct {
	dec *jsontext.Decoder
	db  bool          // extended JSON
	geo goja.Callable // for GeoJSON, when db
}

func (in *instance) decodeJSON(b []byte, geo goja.Callable) (goja.Value, error) {
	if string(b) == "{}" { // the most common event
		return in.vm.NewObject(), nil
	}
	d := &jsonDecoder{dec: jsontext.NewDecoder(bytes.NewReader(b)), db: geo != nil, geo: geo}
	dec := d.dec
	v, err := in.jsonValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.ReadToken(); err == nil {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func (in *instance) jsonValue(d *jsonDecoder, depth int) (goja.Value, error) {
	dec := d.dec
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	vm := in.vm
	switch tok.Kind() {
	case 'n':
		return goja.Null(), nil
	case 't':
		return vm.ToValue(true), nil
	case 'f':
		return vm.ToValue(false), nil
	case '"':
		return vm.ToValue(tok.String()), nil
	case '0':
		raw := tok.String()
		if n, err := strconv.ParseInt(raw, 10, 64); err == nil && n > -1<<53 && n < 1<<53 {
			return vm.ToValue(n), nil
		}
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, err
		}
		return vm.ToValue(f), nil
	case '[':
		if depth >= maxJSONDepth {
			return nil, errors.New("JSON nested too deep")
		}
		var items []any
		for dec.PeekKind() != ']' {
			v, err := in.jsonValue(d, depth+1)
			if err != nil {
				return nil, err
			}
			items = append(items, v)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		return vm.NewArray(items...), nil
	case '{':
		if depth >= maxJSONDepth {
			return nil, errors.New("JSON nested too deep")
		}
		return in.jsonObject(d, depth)
	}
	return nil, errors.New("invalid JSON")
}

func (in *instance) jsonObject(d *jsonDecoder, depth int) (goja.Value, error) {
	dec := d.dec
	obj := in.vm.NewObject()
	first, geoish := true, false
	for dec.PeekKind() != '}' {
		kt, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		key := kt.String()
		v, err := in.jsonValue(d, depth+1)
		if err != nil {
			return nil, err
		}
		if d.db && first && key == "$date" && dec.PeekKind() == '}' {
			if d, ok := in.date(v); ok {
				dec.ReadToken()
				return d, nil
			}
		}
		first = false
		geoish = geoish || key == "coordinates"
		if key == "__proto__" { // a plain property, as JSON.parse makes it, not the prototype
			obj.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		} else {
			obj.Set(key, v)
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	if d.db && geoish {
		if g, err := d.geo(goja.Undefined(), obj); err == nil && !goja.IsUndefined(g) {
			return g, nil
		}
	}
	return obj, nil
}

// date makes a Date of an extended-JSON $date value (an RFC 3339 string
// or milliseconds).
func (in *instance) date(v goja.Value) (goja.Value, bool) {
	var ms int64
	switch x := v.Export().(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return nil, false
		}
		ms = t.UnixMilli()
	case int64:
		ms = x
	default:
		return nil, false
	}
	d, err := in.dateCtor(nil, in.vm.ToValue(ms))
	if err != nil {
		return nil, false
	}
	return d, true
}

// maxWalkDepth bounds the nesting appendJSON follows; deeper values (or a
// cycle) are left to JSON.stringify, which reports cycles.
const maxWalkDepth = 64

var errNotPlain = errors.New("not a plain value")

// toJSON returns what JSON.stringify(v) returns, as bytes (nil for
// undefined). It writes the values results are usually made of itself —
// primitives, plain objects and arrays, documents read from the database —
// which costs a third of JSON.stringify's allocations, and leaves anything
// else (a toJSON method such as a Date's, a Map, a boxed primitive, a
// Proxy, a BigInt, a lone surrogate, a cycle) to JSON.stringify itself.
func (in *instance) toJSON(v goja.Value) (out []byte, err error) {
	b, present, werr := in.appendJSON(make([]byte, 0, 256), v, 0)
	switch {
	case werr == nil && !present:
		return nil, nil
	case werr == nil:
		return b, nil
	case werr != errNotPlain:
		return nil, werr
	}
	s, err := in.stringify(goja.Undefined(), v)
	if err != nil || goja.IsUndefined(s) {
		return nil, err
	}
	return []byte(s.String()), nil
}

// jsonArg returns the JSON of a native function's argument, as
// JSON.stringify makes it (nil for undefined); what JSON.stringify would
// throw (a cycle, a BigInt, a getter's exception) is thrown to the caller.
func (in *instance) jsonArg(v goja.Value) []byte {
	b, err := in.toJSON(v)
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			panic(ex.Value())
		}
		panic(err)
	}
	return b
}

// appendJSON appends v's JSON; present is false for what JSON.stringify
// omits (undefined, functions, symbols). A JavaScript exception (a getter
// that throws, as *goja.Exception) or an interrupt comes back as the error,
// errNotPlain when v holds something only JSON.stringify writes right.
func (in *instance) appendJSON(b []byte, v goja.Value, depth int) (_ []byte, present bool, err error) {
	if v == nil || goja.IsUndefined(v) {
		return b, false, nil
	}
	if goja.IsNull(v) {
		return append(b, "null"...), true, nil
	}
	if _, ok := v.(*goja.Symbol); ok {
		return b, false, nil
	}
	o, ok := v.(*goja.Object)
	if !ok {
		switch x := v.Export().(type) {
		case bool:
			return strconv.AppendBool(b, x), true, nil
		case int64:
			return strconv.AppendInt(b, x, 10), true, nil
		case float64:
			return appendNumber(b, x, v), true, nil
		case string:
			if strings.ContainsRune(x, utf8.RuneError) {
				return b, true, errNotPlain // maybe a lone surrogate, which JSON.stringify escapes
			}
			return appendQuoted(b, x), true, nil
		}
		return b, true, errNotPlain // BigInt
	}
	if depth >= maxWalkDepth {
		return b, true, errNotPlain
	}
	if _, isFn := goja.AssertFunction(o); isFn {
		return b, false, nil
	}
	if o.ExportType() == proxyType {
		return b, true, errNotPlain
	}
	defer func() {
		if p := recover(); p != nil {
			switch e := p.(type) {
			case *goja.Exception:
				err = e
			case *goja.InterruptedError:
				err = e
			default:
				panic(p)
			}
		}
	}()
	if tj := o.Get("toJSON"); tj != nil && !goja.IsUndefined(tj) {
		return b, true, errNotPlain
	}
	switch o.ClassName() {
	case "Array":
		n := o.Get("length").ToInteger()
		b = append(b, '[')
		for i := int64(0); i < n; i++ {
			if i > 0 {
				b = append(b, ',')
			}
			var present bool
			if b, present, err = in.appendJSON(b, o.Get(strconv.FormatInt(i, 10)), depth+1); err != nil {
				return b, true, err
			}
			if !present {
				b = append(b, "null"...)
			}
		}
		return append(b, ']'), true, nil
	case "Object":
		b = append(b, '{')
		first := true
		for _, k := range o.Keys() {
			mark := len(b)
			if !first {
				b = append(b, ',')
			}
			b = append(appendQuoted(b, k), ':')
			var present bool
			if b, present, err = in.appendJSON(b, o.Get(k), depth+1); err != nil {
				return b, true, err
			}
			if present {
				first = false
			} else {
				b = b[:mark]
			}
		}
		return append(b, '}'), true, nil
	}
	return b, true, errNotPlain
}

var proxyType = reflect.TypeOf(goja.Proxy{})

// appendNumber writes a number as JavaScript does (NaN and ±Infinity as
// null, -0 as 0), without allocating for the usual ones.
func appendNumber(b []byte, f float64, v goja.Value) []byte {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return append(b, "null"...)
	case f == 0:
		return append(b, '0')
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		return strconv.AppendInt(b, int64(f), 10)
	case math.Abs(f) >= 1e-6 && math.Abs(f) < 1e21:
		return strconv.AppendFloat(b, f, 'f', -1, 64) // the same shortest digits as JavaScript's
	}
	return append(b, v.String()...) // exponent notation, as JavaScript writes it
}

// appendQuoted writes s as JSON.stringify quotes a string.
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		start = i + 1
	}
	return append(append(b, s[start:]...), '"')
}
