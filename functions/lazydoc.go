package functions

import (
	"math"
	"slices"
	"strconv"
	"time"

	"minibase/db"

	"github.com/dop251/goja"
	"github.com/go-json-experiment/json/jsontext"
)

// lazyDoc is a document read from the database as a JavaScript object
// whose fields become JavaScript values when first read: a function that
// reads twenty documents and uses two fields of each does not pay for
// building the rest (in goja, building an object costs about as much as
// the query that found it). A document as the database sent it is not even
// decoded: its JSON is only split into fields, and a field's JSON is
// decoded when the field is read. It behaves as a plain object for reading,
// assigning, deleting, enumerating (in the document's field order) and
// JSON.stringify; Object.freeze and accessor properties do not apply.
type lazyDoc struct {
	c     *docConverter
	keys  []string              // the document's own fields, in order
	text  string                // raw: the document's JSON
	spans [][2]int              // raw: where each field's value is in text
	dec   db.Doc                // decoded (a document nested in an array): the values
	vals  map[string]goja.Value // fields read (kept, so doc.a === doc.a) or assigned
	gone  map[string]bool       // fields deleted
	extra []string              // fields the function added, in order
}

var _ goja.DynamicObject = (*lazyDoc)(nil)

// docConverter turns documents into JavaScript values.
type docConverter struct {
	in  *instance
	geo goja.Callable // GeoJSON → db.Geo (wx-server-sdk's fromGeoJSON)
	// plain: the JSON is an event's, plain JSON as JSON.parse reads it,
	// not the database's extended JSON.
	plain bool
}

// document returns the lazy object of a document's JSON as the database
// sent it (extended JSON, an object whose first field is _id), or an error
// when it is not a JSON object.
func (c *docConverter) document(raw []byte) (goja.Value, error) {
	text := string(raw)
	keys, spans, ok := splitObject(text)
	if !ok {
		v, err := db.DecodeJSON(raw, db.MaxDepth+1) // says what is wrong, or copes
		if err != nil {
			return nil, err
		}
		return c.value(v), nil
	}
	return c.in.vm.NewDynamicObject(&lazyDoc{c: c, keys: keys, text: text, spans: spans}), nil
}

func (c *docConverter) object(d db.Doc) goja.Value {
	if c.geo != nil {
		if t, ok := d.Get("type"); ok {
			if _, ok := t.(string); ok {
				if coords, ok := d.Get("coordinates"); ok {
					if _, ok := coords.([]any); ok {
						plain := c.in.vm.NewObject()
						for _, f := range d {
							plain.Set(f.Key, c.value(f.Value))
						}
						if g, err := c.geo(goja.Undefined(), plain); err == nil && !goja.IsUndefined(g) {
							return g
						}
						return plain
					}
				}
			}
		}
	}
	keys := make([]string, len(d))
	for i, f := range d {
		keys[i] = f.Key
	}
	return c.in.vm.NewDynamicObject(&lazyDoc{c: c, keys: keys, dec: d})
}

// value converts one decoded document value.
func (c *docConverter) value(v any) goja.Value {
	vm := c.in.vm
	switch x := v.(type) {
	case nil:
		return goja.Null()
	case db.Doc:
		return c.object(x)
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = c.value(e)
		}
		return vm.NewArray(items...)
	case time.Time:
		d, err := c.in.dateCtor(nil, vm.ToValue(x.UnixMilli()))
		if err != nil {
			return goja.Null()
		}
		return d
	case db.Regex:
		o := vm.NewObject()
		o.Set("$regex", x.Pattern)
		o.Set("$options", x.Options)
		return o
	}
	return vm.ToValue(v) // bool, int64, float64, string
}

// rawValue converts the JSON of one field of a raw document: scalars
// directly, a plain nested object as another raw document, anything else
// (arrays, extended values such as dates, GeoJSON) through db.DecodeJSON.
func (c *docConverter) rawValue(s string) goja.Value {
	vm := c.in.vm
	if c.plain && s[0] != '"' {
		v, err := c.in.fromJSON([]byte(s))
		if err != nil {
			return goja.Null() // checked before: cannot happen
		}
		return v
	}
	switch s[0] {
	case 'n':
		return goja.Null()
	case 't':
		return vm.ToValue(true)
	case 'f':
		return vm.ToValue(false)
	case '"':
		if str, ok := unquote(s); ok {
			return vm.ToValue(str)
		}
	case '{':
		if keys, spans, ok := splitObject(s); ok && !extendedOrGeo(keys) {
			return vm.NewDynamicObject(&lazyDoc{c: c, keys: keys, text: s, spans: spans})
		}
	case '[':
	default:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return vm.ToValue(n)
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) {
			return vm.ToValue(f)
		}
	}
	v, err := db.DecodeJSON([]byte(s), db.MaxDepth)
	if err != nil {
		return goja.Null() // not from the database: it sends valid JSON
	}
	return c.value(v)
}

// extendedOrGeo reports whether an object with these keys may be an
// extended JSON value ({"$date": …}) or GeoJSON, which db.DecodeJSON and
// object convert.
func extendedOrGeo(keys []string) bool {
	if len(keys) > 0 && len(keys[0]) > 0 && keys[0][0] == '$' {
		return true
	}
	return slices.Contains(keys, "coordinates")
}

// field returns the JavaScript value of the document's own field i.
func (d *lazyDoc) field(i int) goja.Value {
	if d.dec != nil {
		return d.c.value(d.dec[i].Value)
	}
	sp := d.spans[i]
	return d.c.rawValue(d.text[sp[0]:sp[1]])
}

func (d *lazyDoc) own(key string) int {
	for i, k := range d.keys {
		if k == key {
			return i
		}
	}
	return -1
}

func (d *lazyDoc) Get(key string) goja.Value {
	if v, ok := d.vals[key]; ok {
		return v
	}
	if d.gone[key] {
		return nil
	}
	i := d.own(key)
	if i < 0 {
		return nil
	}
	v := d.field(i)
	if d.vals == nil {
		d.vals = make(map[string]goja.Value, len(d.keys))
	}
	d.vals[key] = v
	return v
}

func (d *lazyDoc) Set(key string, v goja.Value) bool {
	if (d.own(key) < 0 || d.gone[key]) && !slices.Contains(d.extra, key) {
		d.extra = append(d.extra, key)
	}
	if d.vals == nil {
		d.vals = make(map[string]goja.Value, len(d.keys))
	}
	d.vals[key] = v
	delete(d.gone, key)
	return true
}

func (d *lazyDoc) Has(key string) bool {
	if _, ok := d.vals[key]; ok {
		return true
	}
	return d.own(key) >= 0 && !d.gone[key]
}

func (d *lazyDoc) Delete(key string) bool {
	delete(d.vals, key)
	if i := slices.Index(d.extra, key); i >= 0 {
		d.extra = slices.Delete(d.extra, i, i+1)
	}
	if d.gone == nil {
		d.gone = make(map[string]bool)
	}
	d.gone[key] = true
	return true
}

func (d *lazyDoc) Keys() []string {
	keys := make([]string, 0, len(d.keys)+len(d.extra))
	for _, k := range d.keys {
		if !d.gone[k] && !slices.Contains(d.extra, k) {
			keys = append(keys, k)
		}
	}
	return append(keys, d.extra...)
}

// splitObject splits the JSON object s into its members: their keys and
// where their values are. ok is false when s is not one well-formed object
// (values are checked for their extent, not their content).
func splitObject[T ~string | ~[]byte](s T) (keys []string, spans [][2]int, ok bool) {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return nil, nil, false
	}
	i = skipSpace(s, i+1)
	keys, spans = make([]string, 0, 8), make([][2]int, 0, 8) // most documents fit
	if i < len(s) && s[i] == '}' {
		return keys, spans, skipSpace(s, i+1) == len(s)
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return nil, nil, false
		}
		end := stringEnd(s, i)
		if end < 0 {
			return nil, nil, false
		}
		key, ok := unquote(s[i:end])
		if !ok {
			return nil, nil, false
		}
		i = skipSpace(s, end)
		if i >= len(s) || s[i] != ':' {
			return nil, nil, false
		}
		i = skipSpace(s, i+1)
		vend := valueEnd(s, i)
		if vend < 0 {
			return nil, nil, false
		}
		keys, spans = append(keys, key), append(spans, [2]int{i, vend})
		i = skipSpace(s, vend)
		if i >= len(s) {
			return nil, nil, false
		}
		switch s[i] {
		case ',':
			i = skipSpace(s, i+1)
		case '}':
			return keys, spans, skipSpace(s, i+1) == len(s)
		default:
			return nil, nil, false
		}
	}
}

func skipSpace[T ~string | ~[]byte](s T, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the JSON string starting at s[i]
// (a '"'), or -1.
func stringEnd[T ~string | ~[]byte](s T, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index after the JSON value starting at s[i], or -1.
func valueEnd[T ~string | ~[]byte](s T, i int) int {
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '"':
		return stringEnd(s, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				e := stringEnd(s, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(s) && s[j] != ',' && s[j] != '}' && s[j] != ']' && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// unquote returns the string a JSON string literal (quotes included)
// stands for: of a string without escapes, a substring.
func unquote[T ~string | ~[]byte](q T) (string, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	body := q[1 : len(q)-1]
	for i := 0; i < len(body); i++ {
		if c := body[i]; c == '\\' || c < 0x20 {
			b, err := jsontext.AppendUnquote(nil, q)
			return string(b), err == nil
		}
	}
	return string(body), true
}
