package functions

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/dop251/goja"
	"github.com/go-json-experiment/json/jsontext"
)

// pollFrom is the size of JSON from which a conversion polls for
// interrupts (eventJSON).
const pollFrom = 64 << 10

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
	dec      *jsontext.Decoder
	db       bool          // extended JSON
	geo      goja.Callable // for GeoJSON, when db
	maxDepth int
	// poll: the conversion runs in the VM (under inVM, or in a native
	// function) and polls for an interrupt every pollEvery values, so that
	// a large one ends at the deadline or the memory watchdog.
	poll  bool
	steps int
}

func (in *instance) decodeJSON(b []byte, geo goja.Callable) (goja.Value, error) {
	if string(b) == "{}" { // the most common event
		return in.vm.NewObject(), nil
	}
	// The instance's spare decoder keeps its buffers between calls. A
	// repeated name is allowed, the last one winning, as in JSON.parse.
	dec := in.jsonDec
	in.jsonDec = nil
	if dec == nil {
		dec = jsontext.NewDecoder(bytes.NewBuffer(b), jsontext.AllowDuplicateNames(true))
	} else {
		dec.Reset(bytes.NewBuffer(b), jsontext.AllowDuplicateNames(true))
	}
	defer func() {
		dec.Reset(bytes.NewBuffer(nil)) // keeps nothing of b
		in.jsonDec = dec
	}()
	return in.parseJSON(&jsonDecoder{dec: dec, db: geo != nil, geo: geo, maxDepth: maxJSONDepth})
}

// largeEventJSON is fromJSON of an event over pollFrom bytes (eventValue):
// it runs in the VM and polls, so it ends at the deadline or the memory
// watchdog like the function's own work, the interrupt coming back as a
// *goja.InterruptedError. Smaller events take microseconds and skip that
// (a warm call's cost).
func (in *instance) largeEventJSON(b []byte) (v goja.Value, err error) {
	dec := jsontext.NewDecoder(bytes.NewReader(b), jsontext.AllowDuplicateNames(true))
	d := &jsonDecoder{dec: dec, maxDepth: maxJSONDepth, poll: true}
	if ierr := in.inVM(vmFunc(func() { v, err = in.parseJSON(d) })); ierr != nil {
		return nil, ierr
	}
	return v, err
}

// parseJSON reads one JSON value, and nothing after it, with d.
func (in *instance) parseJSON(d *jsonDecoder) (goja.Value, error) {
	v, err := in.jsonValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.ReadToken(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func (in *instance) jsonValue(d *jsonDecoder, depth int) (goja.Value, error) {
	dec := d.dec
	if d.poll {
		if d.steps++; d.steps%pollEvery == 0 {
			in.poll()
		}
	}
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
		if n, err := strconv.ParseInt(raw, 10, 64); err == nil && n > -1<<53 && n < 1<<53 && (n != 0 || raw[0] != '-') {
			return vm.ToValue(n), nil
		}
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, err
		}
		return vm.ToValue(f), nil
	case '[':
		if depth >= d.maxDepth {
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
		if depth >= d.maxDepth {
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
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = appendEscaped(append(b, s[start:i]...), c)
		start = i + 1
	}
	return append(append(b, s[start:]...), '"')
}

// appendEscaped writes c, a control character, '"' or '\\', as
// JSON.stringify escapes it.
func appendEscaped(b []byte, c byte) []byte {
	const hex = "0123456789abcdef"
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\t':
		return append(b, '\\', 't')
	case '\n':
		return append(b, '\\', 'n')
	case '\f':
		return append(b, '\\', 'f')
	case '\r':
		return append(b, '\\', 'r')
	}
	return append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
}

// lazyEvent is fromJSON for an invocation's event: a JSON object becomes
// an object whose members are made JavaScript values when the function
// first reads them (lazyDoc, plain JSON), so that a function that reads
// one member of an HTTP access event, or none, does not pay for building
// the rest. The event is checked whole first: invalid JSON, or nesting
// fromJSON refuses, fails here as it would there. An object with a
// repeated or a __proto__ member, or one named like an array index (which
// JavaScript lists first), is built at once, as JSON.parse builds it.
func (in *instance) lazyEvent(b []byte) (goja.Value, error) {
	if string(b) == "{}" || len(b) == 0 || b[0] != '{' {
		return in.fromJSON(b)
	}
	text := string(b)
	if jsonNesting(text) >= maxJSONDepth || !jsontext.Value(b).IsValid(jsontext.AllowDuplicateNames(true)) {
		return in.fromJSON(b)
	}
	keys, spans, ok := splitObject(text)
	if !ok || len(keys) > 64 {
		return in.fromJSON(b)
	}
	for i, k := range keys {
		if k == "__proto__" || indexLike(k) || slices.Contains(keys[:i], k) {
			return in.fromJSON(b)
		}
	}
	conv := &docConverter{in: in, plain: true}
	return in.vm.NewDynamicObject(&lazyDoc{c: conv, keys: keys, text: text, spans: spans}), nil
}

// builtEvent is lazyEvent for an event the runtime wrote itself (an HTTP
// access event): valid JSON whose members, keys, are at spans, none of
// them repeated, "__proto__" or index-like, so nothing is checked or
// parsed before the function reads a member.
func (in *instance) builtEvent(b []byte, keys []string, spans [][2]int) goja.Value {
	conv := &docConverter{in: in, plain: true}
	return in.vm.NewDynamicObject(&lazyDoc{c: conv, keys: keys, text: string(b), spans: spans})
}

// indexLike reports whether key is a canonical non-negative integer,
// which an object lists before its other keys whatever their order.
func indexLike(key string) bool {
	if key == "" || len(key) > 1 && key[0] == '0' {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return false
		}
	}
	return true
}
