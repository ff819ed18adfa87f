package main

import (
	"math"
	"math/bits"
	"slices"
	"time"
)

// subBits sets the histogram's precision: each power of two is split into
// 2^subBits buckets, so a recorded value is reported within 1/64 (1.6 %).
const subBits = 6

// numBuckets covers every non-negative int64 nanosecond value.
const numBuckets = (64 - subBits) << subBits

// Histogram counts latencies in fixed log-linear buckets (HDR-style), so its
// memory stays constant however many requests a run makes. Values below
// 2^(subBits+1) ns are exact; larger ones keep ≤ 1/64 relative error.
// The zero value is empty and ready to use; it is not safe for concurrent use
// (give each worker its own and Merge them).
type Histogram struct {
	counts   [numBuckets]uint64
	n        uint64
	min, max time.Duration
}

// bucketOf returns the bucket index of a non-negative value.
func bucketOf(v uint64) int {
	if v < 2<<subBits {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1
	return shift<<subBits + int(v>>shift)
}

// bucketRange returns the smallest and largest value that land in bucket b.
func bucketRange(b int) (lo, hi uint64) {
	if b < 2<<subBits {
		return uint64(b), uint64(b)
	}
	shift := b>>subBits - 1
	lo = uint64(b-shift<<subBits) << shift
	return lo, lo + 1<<shift - 1
}

// Record adds one observation; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d))]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.n++
}

// Merge adds every observation of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 { return h.n }

// Quantile returns the nearest-rank q-quantile (0 < q ≤ 1): the smallest
// recorded value v such that at least a fraction q of observations are ≤ v.
// The smallest and largest observations are exact; others are reported as
// the middle of their bucket, clamped to them. It returns 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	switch {
	case rank <= 1:
		return h.min
	case rank >= h.n:
		return h.max
	}
	var seen uint64
	for b, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketRange(b)
			mid := time.Duration(lo + (hi-lo)/2)
			return min(max(mid, h.min), h.max)
		}
	}
	return h.max
}

// Spread summarises repeated measurements: their median and range.
type Spread struct {
	Median, Min, Max float64
}

// Summarize returns the median (the mean of the two middle values for an
// even count), minimum and maximum of vals; the zero Spread when empty.
// vals is not modified.
func Summarize(vals []float64) Spread {
	if len(vals) == 0 {
		return Spread{}
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	mid := len(s) / 2
	med := s[mid]
	if len(s)%2 == 0 {
		med = (s[mid-1] + s[mid]) / 2
	}
	return Spread{Median: med, Min: s[0], Max: s[len(s)-1]}
}
