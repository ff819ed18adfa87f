package db

import "math"

// accumulator folds the values of a group ($group, $bucket, $bucketAuto)
// or of an expression's array ({$sum: "$scores"} in $project).
type accumulator interface {
	// add folds in one value (missing when the expression named none) and
	// returns how many bytes more the accumulator holds.
	add(v any) (int, error)
	// result is the folded value.
	result() any
}

// accumulatorNames are the accumulators of $group; the first six also
// work as expressions over an array or a list of arguments.
var accumulatorNames = []string{"$sum", "$avg", "$min", "$max", "$stdDevPop", "$stdDevSamp",
	"$first", "$last", "$push", "$addToSet", "$mergeObjects", "$count"}

// newAccumulator returns a fresh accumulator called name (one of
// accumulatorNames).
func newAccumulator(name string) accumulator {
	switch name {
	case "$sum":
		return &sumAcc{}
	case "$avg":
		return &sumAcc{avg: true}
	case "$min":
		return &minMaxAcc{}
	case "$max":
		return &minMaxAcc{max: true}
	case "$stdDevPop":
		return &stdDevAcc{}
	case "$stdDevSamp":
		return &stdDevAcc{sample: true}
	case "$first":
		return &firstLastAcc{}
	case "$last":
		return &firstLastAcc{last: true}
	case "$push":
		return &pushAcc{}
	case "$addToSet":
		return &pushAcc{set: &valueSet{}}
	case "$mergeObjects":
		return &mergeAcc{}
	}
	return &sumAcc{} // $count: a sum of 1s
}

// sumAcc is $sum and $avg: numbers only, other values ignored. A sum of
// integers stays an integer until it overflows; $avg is always a double,
// or null without numbers.
type sumAcc struct {
	avg     bool
	isFloat bool
	i       int64
	f       float64
	n       int64
}

func (a *sumAcc) add(v any) (int, error) {
	switch x := v.(type) {
	case int64:
		if s, ok := addInt64(a.i, x); ok && !a.isFloat {
			a.i = s
		} else {
			if !a.isFloat {
				a.f, a.isFloat = float64(a.i), true
			}
			a.f += float64(x)
		}
	case float64:
		if !a.isFloat {
			a.f, a.isFloat = float64(a.i), true
		}
		a.f += x
	default:
		return 0, nil
	}
	a.n++
	return 0, nil
}

func (a *sumAcc) result() any {
	switch {
	case a.avg && a.n == 0:
		return nil
	case a.avg && a.isFloat:
		return a.f / float64(a.n)
	case a.avg:
		return float64(a.i) / float64(a.n)
	case a.isFloat:
		return a.f
	}
	return a.i
}

// minMaxAcc is $min and $max in MongoDB's order of values; null and
// missing are ignored (null when there is nothing else).
type minMaxAcc struct {
	max   bool
	found bool
	best  any
}

func (a *minMaxAcc) add(v any) (int, error) {
	if nullish(v) {
		return 0, nil
	}
	if !a.found {
		a.best, a.found = v, true
		return approxSize(v), nil
	}
	c := Compare(v, a.best)
	if a.max && c > 0 || !a.max && c < 0 {
		grow := approxSize(v) - approxSize(a.best)
		a.best = v
		return max(grow, 0), nil
	}
	return 0, nil
}

func (a *minMaxAcc) result() any { return a.best }

// stdDevAcc is $stdDevPop and $stdDevSamp over the numbers (Welford's
// method); null without numbers, or with one for the sample.
type stdDevAcc struct {
	sample bool
	n      int64
	mean   float64
	m2     float64
}

func (a *stdDevAcc) add(v any) (int, error) {
	x, ok := ToFloat(v)
	if !ok {
		return 0, nil
	}
	a.n++
	d := x - a.mean
	a.mean += d / float64(a.n)
	a.m2 += d * (x - a.mean)
	return 0, nil
}

func (a *stdDevAcc) result() any {
	n := a.n
	if a.sample {
		n--
	}
	if n <= 0 {
		return nil
	}
	return math.Sqrt(a.m2 / float64(n))
}

// firstLastAcc is $first and $last: the value of the first or last
// document, null when it has none.
type firstLastAcc struct {
	last bool
	seen bool
	v    any
}

func (a *firstLastAcc) add(v any) (int, error) {
	if a.seen && !a.last {
		return 0, nil
	}
	grow := approxSize(v)
	if a.seen {
		grow -= approxSize(a.v)
	}
	a.v, a.seen = plainValue(v), true
	return max(grow, 0), nil
}

func (a *firstLastAcc) result() any { return a.v }

// pushAcc is $push, and with set $addToSet: the values in order (each
// value once for $addToSet), without missing ones.
type pushAcc struct {
	set  *valueSet
	list []any
}

func (a *pushAcc) add(v any) (int, error) {
	if isMissing(v) {
		return 0, nil
	}
	if a.set != nil {
		if !a.set.add(v) {
			return 0, nil
		}
		return 2*approxSize(v) + 16, nil // the value and its key
	}
	a.list = append(a.list, v)
	return approxSize(v) + 16, nil
}

func (a *pushAcc) result() any {
	if a.set != nil {
		return a.set.list()
	}
	if a.list == nil {
		return []any{}
	}
	return a.list
}

// mergeAcc is $mergeObjects as an accumulator.
type mergeAcc struct{ out Doc }

func (a *mergeAcc) add(v any) (int, error) {
	if a.out == nil {
		a.out = Doc{}
	}
	var err error
	a.out, err = mergeInto(a.out, v)
	return approxSize(v), err
}

func (a *mergeAcc) result() any {
	if a.out == nil {
		return Doc{}
	}
	return a.out
}

// accumulatorExpr compiles $sum, $avg, $min, $max, $stdDevPop and
// $stdDevSamp as expressions: over the elements when given one argument
// that is an array, else over the arguments.
func (sc *exprScope) accumulatorExpr(name string, arg any) (evalFn, error) {
	list, many := arg.([]any)
	args, err := sc.args(name, arg, 0, -1)
	if err != nil {
		return nil, err
	}
	single := !many || len(list) == 1
	return func(e *evalEnv) (any, error) {
		acc := newAccumulator(name)
		vals, err := evalAll(e, args)
		if err != nil {
			return nil, err
		}
		if single && len(vals) == 1 {
			if arr, ok := vals[0].([]any); ok {
				vals = arr
			}
		}
		for _, v := range vals {
			if _, err := acc.add(v); err != nil {
				return nil, err
			}
		}
		return acc.result(), nil
	}, nil
}
