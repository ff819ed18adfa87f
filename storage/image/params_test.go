package image

import (
	"errors"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	q := DefaultQuality
	tests := []struct {
		query string
		want  Params
		ok    bool
	}{
		{"", Params{}, false},
		{"sign=abc&t=123", Params{}, false},
		{"v=2", Params{}, false},
		// The simple form: fit defaults to cover when both sides are given.
		{"w=100", Params{Width: 100, Fit: FitInside, Quality: q}, true},
		{"h=50", Params{Height: 50, Fit: FitInside, Quality: q}, true},
		{"w=100&h=50", Params{Width: 100, Height: 50, Fit: FitCover, Quality: q}, true},
		{"w=100&h=50&fit=contain", Params{Width: 100, Height: 50, Fit: FitContain, Quality: q}, true},
		{"w=100&h=50&fit=fill&q=60&format=jpeg", Params{Width: 100, Height: 50, Fit: FitFill, Quality: 60, Format: FormatJPEG}, true},
		{"w=100&h=50&fit=inside&format=png", Params{Width: 100, Height: 50, Fit: FitInside, Quality: q, Format: FormatPNG}, true},
		{"w=100&h=50&fit=outside", Params{Width: 100, Height: 50, Fit: FitOutside, Quality: q}, true},
		{"w=100&fit=cover", Params{Width: 100, Fit: FitInside, Quality: q}, true}, // one side: every fit scales to it
		{"format=jpg", Params{Fit: FitInside, Quality: q, Format: FormatJPEG}, true},
		{"q=30", Params{Fit: FitInside, Quality: 30}, true},
		{"format=png&q=30", Params{Fit: FitInside, Quality: q, Format: FormatPNG}, true}, // PNG ignores q
		{"sign=x&t=1&w=10", Params{Width: 10, Fit: FitInside, Quality: q}, true},
		{"w=4096&h=4096", Params{Width: 4096, Height: 4096, Fit: FitCover, Quality: q}, true},
		{"FORMAT=png", Params{}, false}, // keys are case-sensitive, as in COS
		// imageView2, mode by mode (Tencent COS's quick thumbnail template).
		{"imageView2/0/w/200/h/100", Params{Width: 200, Height: 100, Edges: true, Fit: FitInside, Quality: q}, true},
		{"imageView2/0/w/200", Params{Width: 200, Edges: true, Fit: FitInside, Quality: q}, true},
		{"imageView2/0/h/100", Params{Height: 100, Edges: true, Fit: FitInside, Quality: q}, true},
		{"imageView2/0/w/100/h/200", Params{Width: 100, Height: 100, Fit: FitInside, Quality: q}, true},
		{"imageView2/1/w/200/h/100", Params{Width: 200, Height: 100, Fit: FitCover, Quality: q}, true},
		{"imageView2/1/w/200", Params{Width: 200, Height: 200, Fit: FitCover, Quality: q}, true},
		{"imageView2/1/h/80", Params{Width: 80, Height: 80, Fit: FitCover, Quality: q}, true},
		{"imageView2/2/w/200/h/100", Params{Width: 200, Height: 100, Fit: FitInside, Quality: q}, true},
		{"imageView2/2/w/200", Params{Width: 200, Fit: FitInside, Quality: q}, true},
		{"imageView2/3/w/200/h/100", Params{Width: 200, Height: 100, Fit: FitOutside, Quality: q}, true},
		{"imageView2/3/h/100", Params{Width: 100, Height: 100, Fit: FitOutside, Quality: q}, true},
		{"imageView2/4/w/200/h/100", Params{Width: 200, Height: 100, Edges: true, Fit: FitOutside, Quality: q}, true},
		{"imageView2/4/w/100/h/200", Params{Width: 200, Height: 200, Fit: FitOutside, Quality: q}, true},
		{"imageView2/4/w/150", Params{Width: 150, Height: 150, Fit: FitOutside, Quality: q}, true},
		{"imageView2/5/w/200/h/100", Params{Width: 200, Height: 100, Edges: true, Fit: FitCover, Quality: q}, true},
		{"imageView2/5/w/64", Params{Width: 64, Height: 64, Fit: FitCover, Quality: q}, true},
		{"imageView2/2/w/300/q/70/format/jpg", Params{Width: 300, Fit: FitInside, Quality: 70, Format: FormatJPEG}, true},
		{"imageView2/2/format/png/w/300", Params{Width: 300, Fit: FitInside, Quality: q, Format: FormatPNG}, true},
		{"imageView2/2/format/JPEG", Params{Fit: FitInside, Quality: q, Format: FormatJPEG}, true},
		{"imageView2/2", Params{Fit: FitInside, Quality: q}, true},
		{"sign=abc&imageView2/1/w/10&t=5", Params{Width: 10, Height: 10, Fit: FitCover, Quality: q}, true},
		{"imageView2%2F1%2Fw%2F10", Params{Width: 10, Height: 10, Fit: FitCover, Quality: q}, true}, // encoded slashes
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, ok, err := ParseQuery(tt.query)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.query, err)
			}
			if ok != tt.ok || got != tt.want {
				t.Errorf("ParseQuery(%q) = %+v, %v; want %+v, %v", tt.query, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct{ query, wantMsg string }{
		{"w=0", "w must be an integer from 1 to 4096"},
		{"w=4097", "w must be an integer from 1 to 4096"},
		{"w=99999", "w must be an integer from 1 to 4096"},
		{"h=-5", "h must be an integer from 1 to 4096"},
		{"w=1e3", "w must be an integer"},
		{"w=+100", "w must be an integer"},
		{"w=0100", "w must be an integer"},
		{"w=", "w must be an integer"},
		{"w=100&w=200", "w given twice"},
		{"q=0", "q must be an integer from 1 to 100"},
		{"q=101", "q must be an integer from 1 to 100"},
		{"fit=crop&w=1&h=1", "fit must be cover, contain, fill, inside or outside"},
		{"format=webp", "format webp is not supported for output"},
		{"format=gif", "format gif is not supported"},
		{"format=tiff", "format must be jpeg or png"},
		{"w=%zz", "w is not valid URL encoding"},
		{"imageView2", "imageView2 needs a mode 0–5"},
		{"imageView2/", "imageView2 needs a mode 0–5"},
		{"imageView2/6/w/10", "imageView2 mode must be 0–5"},
		{"imageView2/01/w/10", "imageView2 mode must be 0–5"},
		{"imageView2/x", "imageView2 mode must be 0–5"},
		{"imageView2/1/w", `"w" has no value`},
		{"imageView2/1/w/10/h", `"h" has no value`},
		{"imageView2/1/w/10/w/20", "imageView2 w given twice"},
		{"imageView2/1/x/10", `parameter "x" is not supported`},
		{"imageView2/1/rq/80", `parameter "rq" is not supported`},
		{"imageView2/1/w/0", "w must be an integer from 1 to 4096"},
		{"imageView2/1/w/5000", "w must be an integer from 1 to 4096"},
		{"imageView2/1/w/10/format/webp", "format webp is not supported"},
		{"imageView2/1/w/10/", `"" has no value`},
		{"imageView2/1/w/10=5", "imageView2 takes no '=' value"},
		{"imageView2/1/w/10&imageView2/2/w/5", "imageView2 given twice"},
		{"imageView2/1/w/10&w=5", "use either imageView2"},
		{"w=1&" + strings.Repeat("x", 1100), "longer than 1024 bytes"},
		{"imageMogr2/thumbnail/100x", "imageMogr2 is not supported"},
		{"imageView2/1/w/100|imageMogr2/blur/3", "chained processing"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p, ok, err := ParseQuery(tt.query)
			if !errors.Is(err, ErrParams) {
				t.Fatalf("ParseQuery(%q) = %+v, %v, %v; want an ErrParams error", tt.query, p, ok, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseQuery(%q) error %q; want it to contain %q", tt.query, err, tt.wantMsg)
			}
			if ok || p != (Params{}) {
				t.Errorf("ParseQuery(%q) returned %+v, ok=%v with its error", tt.query, p, ok)
			}
		})
	}
}

// TestParamsKeyCanonical: requests that produce the same image share a
// cache key; requests that do not, do not.
func TestParamsKeyCanonical(t *testing.T) {
	same := [][]string{
		{"imageView2/1/w/100", "imageView2/1/h/100", "imageView2/1/w/100/h/100", "w=100&h=100", "w=100&h=100&fit=cover&q=85"},
		{"imageView2/2/w/300", "w=300", "w=300&fit=contain", "w=300&fit=fill"},
		{"imageView2/0/w/100/h/300", "imageView2/2/w/100/h/100", "w=100&h=100&fit=inside"},
		{"format=png", "format=png&q=10", "imageView2/2/format/png"},
		{"imageView2/5/w/50/h/50", "imageView2/1/w/50"},
	}
	for _, group := range same {
		var first string
		for i, q := range group {
			p, _, err := ParseQuery(q)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if i == 0 {
				first = p.Key()
			} else if p.Key() != first {
				t.Errorf("%q has key %q, %q has %q; want equal", group[0], first, q, p.Key())
			}
		}
	}
	differ := []string{"w=100", "h=100", "w=100&h=100", "w=100&h=100&fit=contain", "imageView2/0/w/100",
		"imageView2/3/w/100/h/50", "imageView2/4/w/100/h/50", "imageView2/5/w/100/h/50", "w=100&q=50", "w=100&format=jpg"}
	seen := map[string]string{}
	for _, q := range differ {
		p, _, err := ParseQuery(q)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if other, dup := seen[p.Key()]; dup {
			t.Errorf("%q and %q share key %q", q, other, p.Key())
		}
		seen[p.Key()] = q
	}
}
