package main

import (
	"math"
	"testing"
	"time"
)

func TestBucketsAreContiguous(t *testing.T) {
	// Every value maps to a bucket whose range contains it, and buckets tile
	// the number line without gaps, so quantiles never skip a value.
	var prevHi uint64
	for b := range numBuckets {
		lo, hi := bucketRange(b)
		if b > 0 && lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, want %d", b, lo, prevHi+1)
		}
		for _, v := range []uint64{lo, hi} {
			if got := bucketOf(v); got != b {
				t.Fatalf("bucketOf(%d) = %d, want %d", v, got, b)
			}
		}
		prevHi = hi
	}
	if prevHi != math.MaxInt64 {
		t.Errorf("last bucket ends at %d, want %d", prevHi, int64(math.MaxInt64))
	}
}

func TestHistogramQuantile(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		vals []time.Duration
		q    float64
		want time.Duration
		tol  float64 // allowed relative error
	}{
		{"empty", nil, 0.5, 0, 0},
		{"one value", []time.Duration{3 * ms}, 0.99, 3 * ms, 0},
		{"small values are exact p50", []time.Duration{10, 20, 30, 40}, 0.5, 20, 0},
		{"small values are exact p75", []time.Duration{10, 20, 30, 40}, 0.75, 30, 0},
		{"p100 is the max", []time.Duration{1 * ms, 2 * ms, 70 * ms}, 1, 70 * ms, 0},
		{"p0 is the min", []time.Duration{5 * ms, 2 * ms, 9 * ms}, 0, 2 * ms, 0},
		{"nearest rank p50 of 1..100 ms", seq(100, ms), 0.5, 50 * ms, 1.0 / 128},
		{"nearest rank p99 of 1..100 ms", seq(100, ms), 0.99, 99 * ms, 1.0 / 128},
		{"nearest rank p99 of 1..1000 µs", seq(1000, time.Microsecond), 0.99, 990 * time.Microsecond, 1.0 / 128},
		{"negative counts as zero", []time.Duration{-5, 7}, 0.5, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tt.vals {
				h.Record(v)
			}
			got := h.Quantile(tt.q)
			if diff := math.Abs(float64(got - tt.want)); diff > tt.tol*float64(tt.want) {
				t.Errorf("Quantile(%v) = %v, want %v (±%.2f%%)", tt.q, got, tt.want, tt.tol*100)
			}
		})
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all Histogram
	for i, v := range seq(200, time.Microsecond) {
		all.Record(v)
		if i%3 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	var empty Histogram
	a.Merge(&empty)
	a.Merge(&b)
	if a.Count() != all.Count() {
		t.Fatalf("merged count = %d, want %d", a.Count(), all.Count())
	}
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 1} {
		if got, want := a.Quantile(q), all.Quantile(q); got != want {
			t.Errorf("merged Quantile(%v) = %v, want %v", q, got, want)
		}
	}
	empty.Merge(&all)
	if got, want := empty.Quantile(0), all.Quantile(0); got != want {
		t.Errorf("merge into empty: min = %v, want %v", got, want)
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name string
		vals []float64
		want Spread
	}{
		{"empty", nil, Spread{}},
		{"one", []float64{7}, Spread{7, 7, 7}},
		{"odd count, unsorted", []float64{30, 10, 20}, Spread{20, 10, 30}},
		{"even count takes the middle mean", []float64{4, 1, 3, 2}, Spread{2.5, 1, 4}},
		{"ties", []float64{5, 5, 1, 5, 9}, Spread{5, 1, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]float64(nil), tt.vals...)
			if got := Summarize(in); got != tt.want {
				t.Errorf("Summarize(%v) = %+v, want %+v", tt.vals, got, tt.want)
			}
			for i := range in {
				if in[i] != tt.vals[i] {
					t.Fatalf("Summarize modified its input: %v, want %v", in, tt.vals)
				}
			}
		})
	}
}

// seq returns 1·unit, 2·unit, …, n·unit.
func seq(n int, unit time.Duration) []time.Duration {
	s := make([]time.Duration, n)
	for i := range s {
		s[i] = time.Duration(i+1) * unit
	}
	return s
}
