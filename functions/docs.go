package functions

import (
	"slices"
	"time"

	"minibase/db"

	"github.com/dop251/goja"
)

// lazyDoc is a document read from the database as a JavaScript object
// whose fields become JavaScript values when first read: a function that
// reads twenty documents and uses two fields of each does not pay for
// building the rest (in goja, building an object costs about as much as
// the query that found it). It behaves as a plain object for reading,
// assigning, deleting, enumerating (in the document's field order) and
// JSON.stringify; Object.freeze and accessor properties do not apply.
type lazyDoc struct {
	c     *docConverter
	doc   db.Doc
	vals  map[string]goja.Value // fields read (kept, so doc.a === doc.a) or assigned
	gone  map[string]bool       // fields deleted
	extra []string              // fields the function added, in order
}

var _ goja.DynamicObject = (*lazyDoc)(nil)

// docConverter turns decoded document values into JavaScript values.
type docConverter struct {
	in  *instance
	geo goja.Callable // GeoJSON → db.Geo (wx-server-sdk's fromGeoJSON)
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
	return c.in.vm.NewDynamicObject(&lazyDoc{c: c, doc: d})
}

// value converts one document value.
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

func (d *lazyDoc) Get(key string) goja.Value {
	if v, ok := d.vals[key]; ok {
		return v
	}
	if d.gone[key] {
		return nil
	}
	raw, ok := d.doc.Get(key)
	if !ok {
		return nil
	}
	v := d.c.value(raw)
	if d.vals == nil {
		d.vals = make(map[string]goja.Value, len(d.doc))
	}
	d.vals[key] = v
	return v
}

func (d *lazyDoc) Set(key string, v goja.Value) bool {
	if _, in := d.doc.Get(key); (!in || d.gone[key]) && !slices.Contains(d.extra, key) {
		d.extra = append(d.extra, key)
	}
	if d.vals == nil {
		d.vals = make(map[string]goja.Value, len(d.doc))
	}
	d.vals[key] = v
	delete(d.gone, key)
	return true
}

func (d *lazyDoc) Has(key string) bool {
	if _, ok := d.vals[key]; ok {
		return true
	}
	_, ok := d.doc.Get(key)
	return ok && !d.gone[key]
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
	keys := make([]string, 0, len(d.doc)+len(d.extra))
	for _, f := range d.doc {
		if !d.gone[f.Key] && !slices.Contains(d.extra, f.Key) {
			keys = append(keys, f.Key)
		}
	}
	return append(keys, d.extra...)
}
