package db

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// Numbers survive a write and a read: integers stay exact int64s, floats
// stay the same float, written as JavaScript writes them except where that
// would read back as another number.
func TestNumbersRoundTrip(t *testing.T) {
	for _, c := range []struct {
		v    any
		text string
	}{
		{int64(9007199254740993), "9007199254740993"}, // past 2^53, exact as an integer
		{float64(1.5), "1.5"},
		{float64(1e20), "100000000000000000000"},
		{float64(2e16 + 8), "2.000000000000001e+16"}, // JavaScript: 20000000000000010, an exact int64 here
		{float64(1 << 53), "9.007199254740992e+15"},
		{float64(1<<53 - 1), "9007199254740991"},
		{float64(1e21), "1e+21"},
		{float64(1e-7), "1e-7"},
		{math.Copysign(0, -1), "-0"},
	} {
		got := string(MarshalJSON(c.v))
		if got != c.text {
			t.Errorf("MarshalJSON(%T %v) = %s, want %s", c.v, c.v, got, c.text)
		}
		back, err := DecodeJSON([]byte(got), MaxDepth)
		if err != nil || !Equal(back, c.v) {
			t.Errorf("DecodeJSON(%s) = %T %v, %v; want %T %v", got, back, back, err, c.v, c.v)
		}
	}
}

// TestDecodeBodyMemory: what DecodeBody allocates stays within
// MaxMemoryPerByte times the body for the shapes that cost most per byte
// of text (a decoded [0,0,…] used to take 36 times its text, 550 MB for a
// 15 MB body), and a 10 MiB body of the smallest values is refused having
// allocated about MaxBodyMemory.
func TestDecodeBodyMemory(t *testing.T) {
	// arrays of n ≤ MaxFields items (each item once within the array).
	arrays := func(item string, size int) []byte {
		inner := "[" + strings.TrimSuffix(strings.Repeat(item+",", 10000), ",") + "]"
		n := max(1, size/(len(inner)+1))
		return []byte(`{"data":[` + strings.TrimSuffix(strings.Repeat(inner+",", n), ",") + `]}`)
	}
	var fields strings.Builder
	fields.WriteString("{")
	for i := range 10000 {
		fmt.Fprintf(&fields, `"%d":0,`, i)
	}
	fieldsObj := strings.TrimSuffix(fields.String(), ",") + "}"
	shapes := map[string]func(size int) []byte{
		"zeros":         func(size int) []byte { return arrays("0", size) },
		"large numbers": func(size int) []byte { return arrays("1000", size) },
		"empty strings": func(size int) []byte { return arrays(`""`, size) },
		"empty arrays":  func(size int) []byte { return arrays("[]", size) },
		"empty objects": func(size int) []byte { return arrays("{}", size) },
		"fields": func(size int) []byte {
			n := max(1, size/(len(fieldsObj)+1))
			return []byte(`{"data":[` + strings.TrimSuffix(strings.Repeat(fieldsObj+",", n), ",") + `]}`)
		},
	}
	allocated := func(body []byte) (uint64, error) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := DecodeBody(body)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, err
	}
	for name, shape := range shapes {
		body := shape(2 << 20)
		got, err := allocated(body)
		if err != nil {
			t.Fatalf("%s, %d bytes: %v", name, len(body), err)
		}
		// The scratch stacks and the decoder's buffer come on top of the
		// values: allow one more byte per byte of text.
		if ratio := float64(got) / float64(len(body)); ratio > MaxMemoryPerByte+1 {
			t.Errorf("%s: %d bytes decoded with %d allocated, %.1f per byte; want at most %d", name, len(body), got, ratio, MaxMemoryPerByte+1)
		}
		if name == "fields" || name == "large numbers" {
			continue // 10 MiB of them fit in MaxBodyMemory
		}
		body = shape(10 << 20)
		got, err = allocated(body)
		if ErrorCode(err) != CodeInvalidParam || !strings.Contains(err.Error(), "too complex") {
			t.Errorf("%s, %d bytes: %v, want it refused as too complex", name, len(body), err)
		}
		if got > MaxBodyMemory*3/2 {
			t.Errorf("%s, %d bytes: refused having allocated %d MiB, want about MaxBodyMemory (%d MiB)", name, len(body), got>>20, MaxBodyMemory>>20)
		}
	}
}

// TestAppendStringAsJSONText: strings are quoted as jsontext quotes them,
// the plain ones without it included.
func TestAppendStringAsJSONText(t *testing.T) {
	strs := []string{"", "abc", "0190f3b2c4d5e6f708192a3b4c5d6e7f", "a b~", "<&>", "é", "中文", "\u2028", "\xff", "a\"b", `a\b`}
	for c := 0; c < 256; c++ {
		strs = append(strs, string([]byte{byte(c)}), "x"+string([]byte{byte(c)})+"y")
	}
	for _, s := range strs {
		want, _ := jsontext.AppendQuote(nil, s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestNegativeZero: "-0" is the double negative zero (an integer has none),
// so a document holding -0.0 writes "-0" and reads back as what it was (the
// CSV and JSON Lines round trips of import and export rely on it).
func TestNegativeZero(t *testing.T) {
	v, err := DecodeJSON([]byte(`{"a":-0,"b":0,"c":-0.0}`), MaxDepth)
	if err != nil {
		t.Fatal(err)
	}
	d := v.(Doc)
	if f, ok := d[0].Value.(float64); !ok || !math.Signbit(f) || f != 0 {
		t.Errorf(`-0 decodes as %T %v, want the double negative zero`, d[0].Value, d[0].Value)
	}
	if n, ok := d[1].Value.(int64); !ok || n != 0 {
		t.Errorf(`0 decodes as %T %v, want the integer 0`, d[1].Value, d[1].Value)
	}
	out := MarshalJSON(d)
	again, err := DecodeJSON(out, MaxDepth)
	if err != nil || string(MarshalJSON(again)) != string(out) {
		t.Errorf("%s reads back as %s (%v)", out, MarshalJSON(again), err)
	}
}
