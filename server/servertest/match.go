package servertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// decode parses one JSON value, numbers kept as written (json.Number).
func decode(text string) (any, error) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

// diff says where got does not match want, "" where it does. Objects
// match by key: every key of want must be in got, matching; got may have
// more unless exact. Arrays match element by element and must be as long;
// numbers by value (1, 1.0 and 1e0 are equal); other values by equality.
func diff(want, got any, exact bool) string {
	return diffAt("", want, got, exact)
}

func diffAt(path string, want, got any, exact bool) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return mismatch(path, want, got)
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("at %s: missing, want %s", join(path, k), show(wv))
			}
			if d := diffAt(join(path, k), wv, gv, exact); d != "" {
				return d
			}
		}
		if exact && len(g) > len(w) {
			for k, gv := range g {
				if _, ok := w[k]; !ok {
					return fmt.Sprintf("at %s: got %s, want nothing there", join(path, k), show(gv))
				}
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return mismatch(path, want, got)
		}
		for i := range w {
			if d := diffAt(join(path, strconv.Itoa(i)), w[i], g[i], exact); d != "" {
				return d
			}
		}
		return ""
	case json.Number:
		if g, ok := got.(json.Number); !ok || !sameNumber(w, g) {
			return mismatch(path, want, got)
		}
		return ""
	}
	if want != got { // strings, booleans, null
		return mismatch(path, want, got)
	}
	return ""
}

// sameNumber compares two JSON numbers by value: as integers when both
// are, else as float64.
func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	ai, aerr := a.Int64()
	bi, berr := b.Int64()
	if aerr == nil && berr == nil {
		return ai == bi
	}
	af, aerr := a.Float64()
	bf, berr := b.Float64()
	return aerr == nil && berr == nil && af == bf
}

func mismatch(path string, want, got any) string {
	return fmt.Sprintf("at %s: got %s, want %s", orBody(path), show(got), show(want))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orBody(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}

// show writes v as JSON, cut to 300 bytes.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
