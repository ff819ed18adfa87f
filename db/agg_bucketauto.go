package db

import (
	"math"
	"slices"
)

// $bucketAuto: {groupBy, buckets, output, granularity}. The documents are
// sorted by their groupBy value and cut into at most `buckets` buckets of
// about the same size (the count over buckets, rounded); equal values stay
// in one bucket, so there may be fewer. Each bucket's _id is {min, max}:
// its first value and the next bucket's first, the last bucket's max being
// its largest value. With a granularity, boundaries are rounded to a
// series of preferred numbers (so values must be non-negative numbers).

type bucketAutoStage struct {
	groupBy evalFn
	buckets int
	fields  []accField
	round   *rounder
}

func parseBucketAuto(arg any, sc *exprScope) (*bucketAutoStage, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "$bucketAuto takes a document: {groupBy, buckets, output, granularity}")
	}
	b := &bucketAutoStage{}
	var output Doc
	hasOutput := false
	for _, f := range d {
		var err error
		switch f.Key {
		case "groupBy":
			b.groupBy, err = groupByExpr("$bucketAuto", f.Value, sc)
		case "buckets":
			n, ok := wholeNumber(f.Value)
			if !ok || n < 1 || n > math.MaxInt32 {
				return nil, Errorf(CodeInvalidParam, "$bucketAuto: buckets must be a positive 32-bit integer")
			}
			b.buckets = int(n)
		case "output":
			if output, ok = f.Value.(Doc); !ok {
				return nil, Errorf(CodeInvalidParam, "$bucketAuto: output must be a document of accumulators")
			}
			hasOutput = true
		case "granularity":
			s, _ := f.Value.(string)
			if b.round = rounders[s]; b.round == nil {
				return nil, Errorf(CodeInvalidParam, "$bucketAuto: unknown granularity %.64q (R5, R10, R20, R40, R80, 1-2-5, E6, E12, E24, E48, E96, E192, POWERSOF2)", s)
			}
		default:
			return nil, Errorf(CodeInvalidParam, "$bucketAuto found an unknown option: %.64s", f.Key)
		}
		if err != nil {
			return nil, err
		}
	}
	if b.groupBy == nil || b.buckets == 0 {
		return nil, Errorf(CodeInvalidParam, "$bucketAuto requires groupBy and buckets")
	}
	var err error
	if hasOutput {
		b.fields, err = parseAccFields("$bucketAuto", output, sc)
	} else {
		b.fields = []accField{{"count", "$sum", constant(int64(1))}}
	}
	return b, err
}

// autoEntry is one input document: its groupBy value and the values its
// accumulators fold.
type autoEntry struct {
	key  any
	vals []any
}

// autoBucket is one bucket being filled.
type autoBucket struct {
	min, max any
	accs     []accumulator
}

func (b *bucketAutoStage) open(x *aggRun, in docIter) docIter {
	return collectedIter(func() ([]Doc, error) { return b.collect(x, in) })
}

func (b *bucketAutoStage) collect(x *aggRun, in docIter) ([]Doc, error) {
	var entries []autoEntry
	err := x.drain(in, func(d Doc) error {
		k, err := x.eval(b.groupBy, d)
		if err != nil {
			return err
		}
		e := autoEntry{key: plainValue(k), vals: make([]any, len(b.fields))}
		size := approxSize(e.key) + 48
		for i, f := range b.fields {
			if e.vals[i], err = x.eval(f.arg, d); err != nil {
				return err
			}
			size += approxSize(e.vals[i])
		}
		if b.round != nil {
			if err := b.round.check(e.key); err != nil {
				return err
			}
		}
		entries = append(entries, e)
		return x.mem.grow("$bucketAuto", size)
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(entries, func(a, c autoEntry) int { return Compare(a.key, c.key) })
	buckets, err := b.fill(entries)
	if err != nil {
		return nil, err
	}
	out := make([]Doc, len(buckets))
	for i, bk := range buckets {
		d := Doc{{"_id", Doc{{"min", bk.min}, {"max", bk.max}}}}
		for j, f := range b.fields {
			d = append(d, Field{f.name, plainValue(bk.accs[j].result())})
		}
		out[i] = d
	}
	return out, nil
}

// fill cuts the sorted entries into buckets.
func (b *bucketAutoStage) fill(entries []autoEntry) ([]*autoBucket, error) {
	size := max(int(math.Round(float64(len(entries))/float64(b.buckets))), 1)
	var out []*autoBucket
	i := 0
	add := func(bk *autoBucket, e autoEntry) error {
		bk.max = e.key
		for k := range b.fields {
			if _, err := bk.accs[k].add(e.vals[k]); err != nil {
				return err
			}
		}
		return nil
	}
	for n := 0; n < b.buckets && i < len(entries); n++ {
		bk := &autoBucket{min: entries[i].key, accs: make([]accumulator, len(b.fields))}
		for k, f := range b.fields {
			bk.accs[k] = newAccumulator(f.acc)
		}
		end := len(entries) // the last bucket takes the rest
		if n < b.buckets-1 {
			end = min(i+size, len(entries))
		}
		for ; i < end; i++ {
			if err := add(bk, entries[i]); err != nil {
				return nil, err
			}
		}
		if i < len(entries) {
			if b.round != nil {
				up := b.round.up(bk.max)
				for ; i < len(entries) && Compare(up, entries[i].key) > 0; i++ {
					if err := add(bk, entries[i]); err != nil {
						return nil, err
					}
				}
				if i < len(entries) {
					bk.max = up
				}
			} else {
				for ; i < len(entries) && Compare(bk.max, entries[i].key) == 0; i++ {
					if err := add(bk, entries[i]); err != nil {
						return nil, err
					}
				}
			}
		}
		if len(out) > 0 {
			prev := out[len(out)-1]
			if b.round == nil {
				prev.max = bk.min
			} else {
				if f, _ := ToFloat(prev.max); f == 0 {
					prev.max = b.round.down(bk.min)
				}
				bk.min = prev.max
			}
		}
		out = append(out, bk)
	}
	if b.round != nil && len(out) > 0 {
		out[0].min = b.round.down(out[0].min)
		last := out[len(out)-1]
		last.max = b.round.up(last.max)
	}
	return out, nil
}

// rounder rounds numbers up or down, strictly, to a granularity: a series
// of preferred numbers repeated in every power of ten, or the powers of 2.
type rounder struct {
	series []float64 // mantissas from 100 to 999, ascending; nil for powers of 2
}

// The series of preferred numbers (ISO 3's Renard series, the 1-2-5 series
// and IEC 60063's E series), as hundredths between 1 and 10.
var rounders = map[string]*rounder{
	"R5":  {[]float64{100, 160, 250, 400, 630}},
	"R10": {[]float64{100, 125, 160, 200, 250, 315, 400, 500, 630, 800}},
	"R20": {[]float64{100, 112, 125, 140, 160, 180, 200, 224, 250, 280, 315, 355, 400, 450, 500, 560, 630, 710, 800, 900}},
	"R40": {[]float64{100, 106, 112, 118, 125, 132, 140, 150, 160, 170, 180, 190, 200, 212, 224, 236, 250, 265,
		280, 300, 315, 335, 355, 375, 400, 425, 450, 475, 500, 530, 560, 600, 630, 670, 710, 750, 800, 850, 900, 950}},
	"R80": {[]float64{100, 103, 106, 109, 112, 115, 118, 122, 125, 128, 132, 136, 140, 145, 150, 155,
		160, 165, 170, 175, 180, 185, 190, 195, 200, 206, 212, 218, 224, 230, 236, 243, 250, 258, 265,
		272, 280, 290, 300, 307, 315, 325, 335, 345, 355, 365, 375, 387, 400, 412, 425, 437, 450, 462,
		475, 487, 500, 515, 530, 545, 560, 580, 600, 615, 630, 650, 670, 690, 710, 730, 750, 775, 800, 825,
		850, 875, 900, 925, 950, 975}},
	"1-2-5": {[]float64{100, 200, 500}},
	"E6":    {[]float64{100, 150, 220, 330, 470, 680}},
	"E12":   {[]float64{100, 120, 150, 180, 220, 270, 330, 390, 470, 560, 680, 820}},
	"E24": {[]float64{100, 110, 120, 130, 150, 160, 180, 200, 220, 240, 270, 300, 330, 360, 390, 430, 470, 510, 560,
		620, 680, 750, 820, 910}},
	"E48":       {eSeries(48)},
	"E96":       {eSeries(96)},
	"E192":      {eSeries(192)},
	"POWERSOF2": {nil},
}

// eSeries is the E48, E96 or E192 series: 10^(i/n) to three significant
// digits, with the one exception the standard makes (9.20, not 9.19, in
// E192).
func eSeries(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Round(100 * math.Pow(10, float64(i)/float64(n)))
	}
	if n == 192 {
		out[185] = 920
	}
	return out
}

// check refuses a value a rounder cannot round.
func (r *rounder) check(v any) error {
	f, ok := ToFloat(v)
	switch {
	case !ok:
		return Errorf(CodeInvalidOperator, "$bucketAuto: a granularity rounds only numbers, but found %s", exprType(v))
	case math.IsNaN(f):
		return Errorf(CodeInvalidOperator, "$bucketAuto: a granularity cannot round NaN")
	case f < 0:
		return Errorf(CodeInvalidOperator, "$bucketAuto: a granularity rounds only non-negative numbers")
	}
	return nil
}

// scaled is m (hundredths) times 10^e, computed so that decimal results
// are the nearest doubles (11.2, not 11.200000000000001).
func scaled(m float64, e int) float64 {
	if e >= 2 {
		return m * math.Pow10(e-2)
	}
	return m / math.Pow10(2-e)
}

// decade is the power of ten at or below f (f > 0).
func decade(f float64) int {
	e := int(math.Floor(math.Log10(f)))
	if scaled(100, e) > f {
		e--
	} else if scaled(100, e+1) <= f {
		e++
	}
	return e
}

// up is the smallest number of the granularity above v (0 stays 0).
func (r *rounder) up(v any) any {
	f, _ := ToFloat(v)
	if f == 0 || math.IsInf(f, 0) {
		return v
	}
	if r.series == nil {
		return powerOf2(v, f, true)
	}
	e := decade(f)
	for _, m := range r.series {
		if c := scaled(m, e); c > f {
			return c
		}
	}
	return scaled(100, e+1)
}

// down is the largest number of the granularity below v (0 stays 0).
func (r *rounder) down(v any) any {
	f, _ := ToFloat(v)
	if f == 0 || math.IsInf(f, 0) {
		return v
	}
	if r.series == nil {
		return powerOf2(v, f, false)
	}
	e := decade(f)
	for i := len(r.series) - 1; i >= 0; i-- {
		if c := scaled(r.series[i], e); c < f {
			return c
		}
	}
	return scaled(r.series[len(r.series)-1], e-1)
}

// powerOf2 is the next power of 2 above (or below) f; an integer stays an
// integer while it fits.
func powerOf2(v any, f float64, up bool) any {
	p := math.Exp2(math.Floor(math.Log2(f)))
	switch {
	case up && p <= f:
		p *= 2
	case !up && p >= f:
		p /= 2
	}
	if _, isInt := v.(int64); isInt && p >= 1 && p < 0x1p63 {
		return int64(p)
	}
	return p
}
