package db

import (
	"math"
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
