package db

import (
	"strings"
	"time"
)

// Date operators work in UTC unless given a timezone: an Olson name
// ("Asia/Shanghai") or a UTC offset ("+08:00", "+0800", "+08").

// tzFn gives the location of an evaluation; nil locFn means UTC.
type tzFn func(e *evalEnv) (*time.Location, error)

// parseTZ resolves a timezone name or offset.
func parseTZ(s string) (*time.Location, error) {
	if s == "" || s == "UTC" || s == "GMT" || s == "Z" {
		return time.UTC, nil
	}
	if s[0] == '+' || s[0] == '-' {
		digits := strings.ReplaceAll(s[1:], ":", "")
		if len(digits) == 2 {
			digits += "00"
		}
		if len(digits) == 4 && allDigits(digits) {
			h := int(digits[0]-'0')*10 + int(digits[1]-'0')
			m := int(digits[2]-'0')*10 + int(digits[3]-'0')
			if h <= 23 && m <= 59 {
				off := h*3600 + m*60
				if s[0] == '-' {
					off = -off
				}
				return time.FixedZone(s, off), nil
			}
		}
	} else if !strings.ContainsAny(s, "\x00\\") && !strings.Contains(s, "..") && len(s) < 64 {
		if loc, err := time.LoadLocation(s); err == nil {
			return loc, nil
		}
	}
	return nil, Errorf(CodeInvalidOperator, "unrecognized time zone identifier: %.64q", s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseTimezone compiles a timezone argument: resolved once when it is a
// constant string.
func (sc *exprScope) parseTimezone(v any, present bool) (tzFn, error) {
	if !present {
		return nil, nil
	}
	if s, ok := v.(string); ok && !strings.HasPrefix(s, "$") {
		loc, err := parseTZ(s)
		if err != nil {
			return nil, err
		}
		return func(*evalEnv) (*time.Location, error) { return loc, nil }, nil
	}
	fn, err := sc.parseExpr(v)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (*time.Location, error) {
		v, err := fn(e)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case nil, missingValue:
			return nil, nil
		case string:
			return parseTZ(x)
		}
		return nil, typeErr("timezone", "must be a string, found", v)
	}, nil
}

// location evaluates tz (UTC without one); null when the timezone
// evaluates to null.
func location(e *evalEnv, tz tzFn) (*time.Location, bool, error) {
	if tz == nil {
		return time.UTC, true, nil
	}
	loc, err := tz(e)
	return loc, loc != nil, err
}

// dateOperator compiles the date operators; ok is false for other names.
func (sc *exprScope) dateOperator(name string, arg any) (evalFn, bool, error) {
	var fn evalFn
	var err error
	switch name {
	case "$year", "$month", "$dayOfMonth", "$hour", "$minute", "$second", "$millisecond", "$dayOfYear",
		"$dayOfWeek", "$week", "$isoWeek", "$isoWeekYear", "$isoDayOfWeek":
		fn, err = sc.datePart(name, arg)
	case "$dateToString":
		fn, err = sc.dateToString(arg)
	case "$dateFromString":
		fn, err = sc.dateFromString(arg)
	case "$dateToParts":
		fn, err = sc.dateToParts(arg)
	case "$dateFromParts":
		fn, err = sc.dateFromParts(arg)
	case "$dateAdd", "$dateSubtract":
		fn, err = sc.dateAdd(name, arg)
	case "$dateDiff":
		fn, err = sc.dateDiff(arg)
	case "$dateTrunc":
		fn, err = sc.dateTrunc(arg)
	default:
		return nil, false, nil
	}
	return fn, true, err
}

// asDate reads a date argument: ok is false for null or missing.
func asDate(op string, v any) (time.Time, bool, error) {
	switch x := v.(type) {
	case time.Time:
		return x, true, nil
	case nil, missingValue:
		return time.Time{}, false, nil
	}
	return time.Time{}, false, Errorf(CodeInvalidOperator, "%s: can't convert from type %s to Date", op, exprType(v))
}

// datePart: {$year: date} or {$year: {date, timezone}}.
func (sc *exprScope) datePart(name string, arg any) (evalFn, error) {
	var date evalFn
	var tz tzFn
	var err error
	if d, ok := arg.(Doc); ok && len(d) > 0 && d[0].Key == "date" {
		o, err := sc.options(name, Doc{{"date", d[0].Value}}, "date!")
		if err != nil {
			return nil, err
		}
		date = o["date"]
		for _, f := range d[1:] {
			if f.Key != "timezone" {
				return nil, Errorf(CodeInvalidOperator, "%s found an unknown argument: %.64s", name, f.Key)
			}
			if tz, err = sc.parseTimezone(f.Value, true); err != nil {
				return nil, err
			}
		}
	} else {
		args, err := sc.args(name, arg, 1, 1)
		if err != nil {
			return nil, err
		}
		date = args[0]
	}
	return func(e *evalEnv) (any, error) {
		v, err := date(e)
		if err != nil {
			return nil, err
		}
		t, ok, err := asDate(name, v)
		if !ok {
			return nil, err
		}
		loc, ok, err := location(e, tz)
		if !ok {
			return nil, err
		}
		return datePartOf(name, t.In(loc)), nil
	}, err
}

func datePartOf(name string, t time.Time) int64 {
	switch name {
	case "$year":
		return int64(t.Year())
	case "$month":
		return int64(t.Month())
	case "$dayOfMonth":
		return int64(t.Day())
	case "$hour":
		return int64(t.Hour())
	case "$minute":
		return int64(t.Minute())
	case "$second":
		return int64(t.Second())
	case "$millisecond":
		return int64(t.Nanosecond() / 1e6)
	case "$dayOfYear":
		return int64(t.YearDay())
	case "$dayOfWeek":
		return int64(t.Weekday()) + 1
	case "$week":
		return int64((t.YearDay() - 1 + 7 - int(t.Weekday())) / 7)
	case "$isoWeek":
		_, w := t.ISOWeek()
		return int64(w)
	case "$isoWeekYear":
		y, _ := t.ISOWeek()
		return int64(y)
	}
	return int64((int(t.Weekday())+6)%7) + 1 // $isoDayOfWeek
}

// defaultDateFormat is $dateToString's format without one.
const defaultDateFormat = "%Y-%m-%dT%H:%M:%S.%LZ"

func (sc *exprScope) dateToString(arg any) (evalFn, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidOperator, "$dateToString takes an object")
	}
	tzv, hasTZ := d.Get("timezone")
	tz, err := sc.parseTimezone(tzv, hasTZ)
	if err != nil {
		return nil, err
	}
	rest := Doc{}
	for _, f := range d {
		if f.Key != "timezone" {
			rest = append(rest, f)
		}
	}
	o, err := sc.options("$dateToString", rest, "date!", "format", "onNull")
	if err != nil {
		return nil, err
	}
	if fv, ok := d.Get("format"); ok {
		if s, isStr := fv.(string); isStr && !strings.HasPrefix(s, "$") {
			if err := checkDateFormat(s); err != nil {
				return nil, err
			}
		}
	}
	return func(e *evalEnv) (any, error) {
		v, err := o["date"](e)
		if err != nil {
			return nil, err
		}
		t, ok, err := asDate("$dateToString", v)
		if err != nil {
			return nil, err
		}
		if !ok {
			if o["onNull"] != nil {
				return o["onNull"](e)
			}
			return nil, nil
		}
		format := defaultDateFormat
		if o["format"] != nil {
			fv, err := o["format"](e)
			if err != nil || nullish(fv) {
				return nullOr(fv, err)
			}
			s, ok := fv.(string)
			if !ok {
				return nil, typeErr("$dateToString", "requires that 'format' be a string, found:", fv)
			}
			if err := checkDateFormat(s); err != nil {
				return nil, err
			}
			format = s
		} else if tz != nil {
			format = "%Y-%m-%dT%H:%M:%S.%L" // without 'Z' when the time is not UTC
		}
		loc, ok, err := location(e, tz)
		if !ok {
			return nil, err
		}
		return formatDate(t.In(loc), format), nil
	}, nil
}

// dateSpecifiers are the % letters of date formats.
const dateSpecifiers = "dGHjLmMSwuUVYzZbB%"

func checkDateFormat(f string) error {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		if i+1 >= len(f) {
			return Errorf(CodeInvalidOperator, "unmatched '%%' at end of format string")
		}
		i++
		if !strings.ContainsRune(dateSpecifiers, rune(f[i])) {
			return Errorf(CodeInvalidOperator, "invalid format character '%%%c' in format string", f[i])
		}
	}
	return nil
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

func formatDate(t time.Time, f string) string {
	var b []byte
	num := func(v, width int) {
		if v < 0 {
			b = append(b, '-')
			v = -v
		}
		var d [12]byte
		i := len(d)
		for v > 0 || i == len(d) {
			i--
			d[i] = byte('0' + v%10)
			v /= 10
		}
		for n := len(d) - i; n < width; n++ {
			b = append(b, '0')
		}
		b = append(b, d[i:]...)
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b = append(b, f[i])
			continue
		}
		i++
		switch f[i] {
		case 'd':
			num(t.Day(), 2)
		case 'G':
			y, _ := t.ISOWeek()
			num(y, 4)
		case 'H':
			num(t.Hour(), 2)
		case 'j':
			num(t.YearDay(), 3)
		case 'L':
			num(t.Nanosecond()/1e6, 3)
		case 'm':
			num(int(t.Month()), 2)
		case 'M':
			num(t.Minute(), 2)
		case 'S':
			num(t.Second(), 2)
		case 'w':
			num(int(t.Weekday())+1, 1)
		case 'u':
			num((int(t.Weekday())+6)%7+1, 1)
		case 'U':
			num((t.YearDay()-1+7-int(t.Weekday()))/7, 2)
		case 'V':
			_, w := t.ISOWeek()
			num(w, 2)
		case 'Y':
			num(t.Year(), 4)
		case 'z', 'Z':
			_, off := t.Zone()
			if f[i] == 'Z' {
				if off >= 0 {
					b = append(b, '+')
				}
				num(off/60, 1)
				break
			}
			sign := byte('+')
			if off < 0 {
				sign, off = '-', -off
			}
			b = append(b, sign)
			num(off/3600, 2)
			num(off%3600/60, 2)
		case 'b':
			b = append(b, monthNames[t.Month()-1][:3]...)
		case 'B':
			b = append(b, monthNames[t.Month()-1]...)
		default:
			b = append(b, f[i])
		}
	}
	return string(b)
}

// dateToParts: {date, timezone, iso8601} → {year, month, day, hour,
// minute, second, millisecond} or, with iso8601, {isoWeekYear, isoWeek,
// isoDayOfWeek, hour, …}.
func (sc *exprScope) dateToParts(arg any) (evalFn, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidOperator, "$dateToParts takes an object")
	}
	tzv, hasTZ := d.Get("timezone")
	tz, err := sc.parseTimezone(tzv, hasTZ)
	if err != nil {
		return nil, err
	}
	var date, iso evalFn
	for _, f := range d {
		switch f.Key {
		case "date":
			date, err = sc.parseExpr(f.Value)
		case "iso8601":
			iso, err = sc.parseExpr(f.Value)
		case "timezone":
		default:
			return nil, Errorf(CodeInvalidOperator, "$dateToParts found an unknown argument: %.64s", f.Key)
		}
		if err != nil {
			return nil, err
		}
	}
	if date == nil {
		return nil, Errorf(CodeInvalidOperator, "$dateToParts requires 'date'")
	}
	return func(e *evalEnv) (any, error) {
		v, err := date(e)
		if err != nil {
			return nil, err
		}
		t, ok, err := asDate("$dateToParts", v)
		if !ok {
			return nil, err
		}
		loc, ok, err := location(e, tz)
		if !ok {
			return nil, err
		}
		t = t.In(loc)
		isISO := false
		if iso != nil {
			iv, err := iso(e)
			if err != nil {
				return nil, err
			}
			b, isBool := iv.(bool)
			if !isBool && !nullish(iv) {
				return nil, typeErr("$dateToParts", "requires 'iso8601' to be a boolean, found", iv)
			}
			isISO = b
		}
		rest := Doc{{"hour", int64(t.Hour())}, {"minute", int64(t.Minute())}, {"second", int64(t.Second())},
			{"millisecond", int64(t.Nanosecond() / 1e6)}}
		if isISO {
			y, w := t.ISOWeek()
			return append(Doc{{"isoWeekYear", int64(y)}, {"isoWeek", int64(w)}, {"isoDayOfWeek", datePartOf("$isoDayOfWeek", t)}}, rest...), nil
		}
		return append(Doc{{"year", int64(t.Year())}, {"month", int64(t.Month())}, {"day", int64(t.Day())}}, rest...), nil
	}, nil
}

// dateFromParts: {year, month, day, hour, minute, second, millisecond,
// timezone} or {isoWeekYear, isoWeek, isoDayOfWeek, …}; values past their
// range carry over (month 13 is January of the next year).
func (sc *exprScope) dateFromParts(arg any) (evalFn, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidOperator, "$dateFromParts takes an object")
	}
	tzv, hasTZ := d.Get("timezone")
	tz, err := sc.parseTimezone(tzv, hasTZ)
	if err != nil {
		return nil, err
	}
	names := []string{"year", "month", "day", "isoWeekYear", "isoWeek", "isoDayOfWeek", "hour", "minute", "second", "millisecond"}
	parts := map[string]evalFn{}
	for _, f := range d {
		if f.Key == "timezone" {
			continue
		}
		known := false
		for _, n := range names {
			known = known || n == f.Key
		}
		if !known {
			return nil, Errorf(CodeInvalidOperator, "$dateFromParts found an unknown argument: %.64s", f.Key)
		}
		if parts[f.Key], err = sc.parseExpr(f.Value); err != nil {
			return nil, err
		}
	}
	iso := parts["isoWeekYear"] != nil
	switch {
	case iso && (parts["year"] != nil || parts["month"] != nil || parts["day"] != nil):
		return nil, Errorf(CodeInvalidOperator, "$dateFromParts: use either year, month and day or isoWeekYear, isoWeek and isoDayOfWeek")
	case !iso && parts["year"] == nil:
		return nil, Errorf(CodeInvalidOperator, "$dateFromParts requires either 'year' or 'isoWeekYear' to be present")
	case !iso && (parts["isoWeek"] != nil || parts["isoDayOfWeek"] != nil):
		return nil, Errorf(CodeInvalidOperator, "$dateFromParts: isoWeek and isoDayOfWeek need isoWeekYear")
	}
	return func(e *evalEnv) (any, error) {
		val := map[string]int64{"month": 1, "day": 1, "isoWeek": 1, "isoDayOfWeek": 1}
		for name, fn := range parts {
			v, err := fn(e)
			if err != nil {
				return nil, err
			}
			if nullish(v) {
				return nil, nil
			}
			n, ok := wholeNumber(v)
			if !ok {
				return nil, Errorf(CodeInvalidOperator, "$dateFromParts: '%s' must evaluate to an integer, found %s", name, exprType(v))
			}
			lo, hi := int64(-32768), int64(32767)
			if name == "year" || name == "isoWeekYear" {
				lo, hi = 1, 9999
			}
			if n < lo || n > hi {
				return nil, Errorf(CodeInvalidOperator, "$dateFromParts: '%s' must evaluate to a value from %d to %d, found %d", name, lo, hi, n)
			}
			val[name] = n
		}
		loc, ok, err := location(e, tz)
		if !ok {
			return nil, err
		}
		y, m, day := int(val["year"]), time.Month(val["month"]), int(val["day"])
		if iso {
			// ISO week 1 holds January 4th; its Monday starts the year.
			jan4 := time.Date(int(val["isoWeekYear"]), 1, 4, 0, 0, 0, 0, time.UTC)
			monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
			y, m, day = monday.Year(), monday.Month(), monday.Day()+int((val["isoWeek"]-1)*7+val["isoDayOfWeek"]-1)
		}
		t := time.Date(y, m, day, int(val["hour"]), int(val["minute"]), int(val["second"]), int(val["millisecond"])*1e6, loc)
		return checkDate(t)
	}, nil
}
