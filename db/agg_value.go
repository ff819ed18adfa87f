package db

import (
	"encoding/binary"
	"math"
	"time"
)

// appendKey appends a byte form of v in which values MongoDB holds equal
// are the same bytes: 1, 1.0 and -0.0/0 alike, documents field by field in
// order. $group, $addToSet and the set operators key values by it. A
// missing value keys as null (MongoDB groups a missing _id with null).
func appendKey(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil, missingValue:
		return append(b, 'z')
	case bool:
		if x {
			return append(b, 'b', 1)
		}
		return append(b, 'b', 0)
	case int64:
		return binary.BigEndian.AppendUint64(append(b, 'i'), uint64(x))
	case float64:
		if x == math.Trunc(x) && x >= -0x1p63 && x < 0x1p63 {
			return binary.BigEndian.AppendUint64(append(b, 'i'), uint64(int64(x)))
		}
		if math.IsNaN(x) {
			x = math.NaN()
		}
		return binary.BigEndian.AppendUint64(append(b, 'f'), math.Float64bits(x))
	case string:
		return append(binary.AppendUvarint(append(b, 's'), uint64(len(x))), x...)
	case time.Time:
		return binary.BigEndian.AppendUint64(append(b, 'd'), uint64(x.UnixMilli()))
	case Regex:
		b = append(binary.AppendUvarint(append(b, 'r'), uint64(len(x.Pattern))), x.Pattern...)
		return append(binary.AppendUvarint(b, uint64(len(x.Options))), x.Options...)
	case Doc:
		b = binary.AppendUvarint(append(b, 'o'), uint64(len(x)))
		for _, f := range x {
			b = append(binary.AppendUvarint(b, uint64(len(f.Key))), f.Key...)
			b = appendKey(b, f.Value)
		}
		return b
	case []any:
		b = binary.AppendUvarint(append(b, 'a'), uint64(len(x)))
		for _, e := range x {
			b = appendKey(b, e)
		}
		return b
	}
	return append(b, '?')
}

// approxSize estimates the memory v holds, in bytes, for the memory limit
// of the stages that keep documents (a Go value's headers and contents).
func approxSize(v any) int {
	switch x := v.(type) {
	case string:
		return 32 + len(x)
	case Doc:
		n := 24
		for _, f := range x {
			n += 16 + len(f.Key) + approxSize(f.Value)
		}
		return n
	case []any:
		n := 24
		for _, e := range x {
			n += approxSize(e)
		}
		return n
	case Regex:
		return 48 + len(x.Pattern) + len(x.Options)
	case time.Time:
		return 40
	}
	return 16
}

// plainValue replaces missing by null, for a value that must be stored in
// a document or an array.
func plainValue(v any) any {
	if isMissing(v) {
		return nil
	}
	return v
}
