package functions

import (
	"reflect"
	"strings"
	"time"

	"minibase/db"

	"github.com/dop251/goja"
)

// rawMembers writes the members of a document read from the database (a
// lazyDoc over its JSON, as doc().get() and get() return them) and
// reports whether it did: a field whose JSON is already what
// JSON.stringify would write — a string without escapes, a boolean, null,
// an integer of up to 15 digits, an array of those — is copied as it is,
// without becoming a JavaScript value first; the others (dates, nested
// objects, fractions, fields the function read or assigned) take the
// general path. It declines when a replacer, a property list or
// indentation applies, or when fields were added or deleted.
func (w *jsonWriter) rawMembers(o *goja.Object) bool {
	if w.hasProps || w.replacer != nil || w.gap != "" {
		return false
	}
	if o.ExportType() != lazyDocType { // Export would copy a plain object
		return false
	}
	d, ok := o.Export().(*lazyDoc)
	if !ok || d.dec != nil || len(d.extra) > 0 {
		return false
	}
	stepback := w.open('{')
	first := true
	for i, k := range d.keys {
		if d.gone[k] {
			continue
		}
		if w.steps++; w.steps%pollEvery == 0 {
			w.in.poll()
		}
		mark := len(w.b)
		w.separate(first)
		w.b = append(appendQuoted(w.b, k), ':')
		raw := d.text[d.spans[i][0]:d.spans[i][1]]
		v, read := d.vals[k]
		switch {
		case !read && w.plainJSON(raw):
			w.b = append(w.b, raw...)
			first = false
		case !read && !d.c.plain && w.rawDate(raw): // an event's {"$date": …} is a plain object
			first = false
		case w.property(o, k, nil, fieldValue(read, v, d, k)):
			first = false
		default:
			w.b = w.b[:mark]
		}
		w.check()
	}
	w.close('}', stepback, first)
	return true
}

var lazyDocType = reflect.TypeOf((*lazyDoc)(nil))

// fieldValue is the field's value: the one already made, else a new one.
func fieldValue(read bool, v goja.Value, d *lazyDoc, k string) goja.Value {
	if read {
		return v
	}
	return d.Get(k)
}

// plainJSON reports whether raw, one value of a database document's JSON,
// is written by JSON.stringify exactly as it is.
func (w *jsonWriter) plainJSON(raw string) bool {
	if raw == "" {
		return false
	}
	if raw[0] != '[' {
		return plainScalar(raw)
	}
	if w.arrayToJSON == 0 { // an Array.prototype.toJSON would change every array
		w.arrayToJSON = 1
		if w.vm.NewArray().Get("toJSON") != nil {
			w.arrayToJSON = 2
		}
	}
	if w.arrayToJSON != 1 || len(raw) < 2 || raw[len(raw)-1] != ']' {
		return false
	}
	items := raw[1 : len(raw)-1]
	for items != "" {
		end := valueEnd(items, 0)
		if end <= 0 || !plainScalar(items[:end]) {
			return false
		}
		items = items[end:]
		if items != "" {
			if items[0] != ',' || len(items) == 1 {
				return false
			}
			items = items[1:]
		}
	}
	return true
}

// plainScalar reports whether raw is a JSON scalar that JavaScript writes
// back byte for byte.
func plainScalar(raw string) bool {
	switch raw[0] {
	case '"':
		return len(raw) >= 2 && raw[len(raw)-1] == '"' && !strings.ContainsRune(raw, '\\')
	case 't', 'f', 'n':
		return raw == "true" || raw == "false" || raw == "null"
	}
	digits := strings.TrimPrefix(raw, "-")
	if digits == "" || len(digits) > 15 || digits[0] == '0' && (len(digits) > 1 || len(raw) > 1) {
		return false // "-0" is written 0; 16 digits may pass 2^53
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// rawDate writes a date of the database's JSON, {"$date":"<DateLayout>"},
// as JSON.stringify writes the Date it becomes (toISOString's text, the
// same for years 0 to 9999), when Date.prototype's methods that
// JSON.stringify calls are still the built-in ones, and reports whether
// it did.
func (w *jsonWriter) rawDate(raw string) bool {
	const prefix, suffix = `{"$date":"`, `"}`
	s, ok := strings.CutPrefix(raw, prefix)
	if !ok || len(s) != len(db.DateLayout)+len(suffix) || !strings.HasSuffix(s, suffix) {
		return false
	}
	s = s[:len(db.DateLayout)]
	if t, err := time.Parse(db.DateLayout, s); err != nil || t.Format(db.DateLayout) != s {
		return false
	}
	if w.dateToJSON == 0 {
		w.dateToJSON = 1
		if in := w.in; in.intrinsics.dateProto == nil || dateJSONMethods(in.intrinsics.dateProto) != in.intrinsics.dateJSON {
			w.dateToJSON = 2
		}
	}
	if w.dateToJSON != 1 {
		return false
	}
	w.b = append(append(append(w.b, '"'), s...), '"')
	return true
}

// dateJSONMethods returns what JSON.stringify calls on a Date through
// proto, Date.prototype.
func dateJSONMethods(proto *goja.Object) [4]goja.Value {
	return [4]goja.Value{proto.Get("toJSON"), proto.Get("toISOString"), proto.Get("valueOf"), proto.GetSymbol(goja.SymToPrimitive)}
}
