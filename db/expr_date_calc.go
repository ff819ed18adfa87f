package db

import (
	"strings"
	"time"
)

// $dateFromString, and date arithmetic: $dateAdd, $dateSubtract,
// $dateDiff and $dateTrunc (calendar units in the timezone's wall clock).

// dateFromString: {dateString, format, timezone, onError, onNull}.
// Without a format it reads ISO 8601 dates ("2024-05-01",
// "2024-05-01T08:00:00.000Z", "2024-05-01 08:00:00+08:00", …).
func (sc *exprScope) dateFromString(arg any) (evalFn, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidOperator, "$dateFromString takes an object")
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
	o, err := sc.options("$dateFromString", rest, "dateString!", "format", "onError", "onNull")
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
		v, err := o["dateString"](e)
		if err != nil {
			return nil, err
		}
		if nullish(v) {
			if o["onNull"] != nil {
				return o["onNull"](e)
			}
			return nil, nil
		}
		t, err := dateFromString(e, v, o["format"], tz)
		if err != nil && ErrorCode(err) != "" && o["onError"] != nil {
			return o["onError"](e)
		}
		return t, err
	}, nil
}

func dateFromString(e *evalEnv, v any, format evalFn, tz tzFn) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, typeErr("$dateFromString", "requires that 'dateString' be a string, found:", v)
	}
	loc, ok, err := location(e, tz)
	if !ok {
		return nil, err
	}
	formats := []string{"%Y-%m-%dT%H:%M:%S.%L", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S.%L",
		"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"}
	explicit := false
	if format != nil {
		fv, err := format(e)
		if err != nil || nullish(fv) {
			return nullOr(fv, err)
		}
		f, ok := fv.(string)
		if !ok {
			return nil, typeErr("$dateFromString", "requires that 'format' be a string, found:", fv)
		}
		if err := checkDateFormat(f); err != nil {
			return nil, err
		}
		formats, explicit = []string{f}, true
	}
	for _, f := range formats {
		t, zone, ok := parseDate(s, f, !explicit)
		if !ok {
			continue
		}
		if zone != nil {
			if tz != nil {
				return nil, Errorf(CodeInvalidOperator, "$dateFromString: you cannot pass in a date/time string with time zone information ('%.64s') together with a timezone argument", s)
			}
			loc = zone
		}
		return checkDate(time.Date(t.year, time.Month(t.month), t.day, t.hour, t.minute, t.second, t.ms*1e6, loc))
	}
	return nil, Errorf(CodeInvalidOperator, "error parsing date string '%.64s'", s)
}

// dateFields are what parseDate reads.
type dateFields struct {
	year, month, day, hour, minute, second, ms int
}

// parseDate reads s in format f (date specifiers as $dateToString's);
// zoneSuffix allows a trailing Z or UTC offset after it. zone is the
// location the string names, if any.
func parseDate(s, f string, zoneSuffix bool) (t dateFields, zone *time.Location, ok bool) {
	t = dateFields{month: 1, day: 1}
	isoYear, isoWeek, isoDay, yday := -1, -1, -1, -1
	i := 0
	digits := func(lo, hi int) (int, bool) {
		n, j := 0, i
		for j < len(s) && j-i < hi && s[j] >= '0' && s[j] <= '9' {
			n = n*10 + int(s[j]-'0')
			j++
		}
		if j-i < lo {
			return 0, false
		}
		i = j
		return n, true
	}
	for k := 0; k < len(f); k++ {
		if f[k] != '%' {
			if i >= len(s) || s[i] != f[k] {
				return t, nil, false
			}
			i++
			continue
		}
		k++
		var n int
		var good bool
		switch f[k] {
		case 'Y':
			n, good = digits(4, 4)
			t.year = n
		case 'G':
			n, good = digits(4, 4)
			isoYear = n
		case 'm':
			n, good = digits(1, 2)
			t.month = n
		case 'd':
			n, good = digits(1, 2)
			t.day = n
		case 'H':
			n, good = digits(1, 2)
			t.hour = n
		case 'M':
			n, good = digits(1, 2)
			t.minute = n
		case 'S':
			n, good = digits(1, 2)
			t.second = n
		case 'L':
			start := i
			n, good = digits(1, 3)
			for w := i - start; w < 3; w++ {
				n *= 10
			}
			t.ms = n
		case 'j':
			n, good = digits(1, 3)
			yday = n
		case 'V':
			n, good = digits(1, 2)
			isoWeek = n
		case 'u':
			n, good = digits(1, 1)
			isoDay = n
		case 'z', 'Z':
			var rest string
			zone, rest, good = parseZone(s[i:], f[k] == 'Z')
			i = len(s) - len(rest)
		case 'b', 'B':
			good = false
			for m, name := range monthNames {
				for _, cand := range []string{name, name[:3]} {
					if len(s)-i >= len(cand) && strings.EqualFold(s[i:i+len(cand)], cand) {
						t.month, i, good = m+1, i+len(cand), true
						break
					}
				}
				if good {
					break
				}
			}
		case '%':
			good = i < len(s) && s[i] == '%'
			i++
		}
		if !good {
			return t, nil, false
		}
	}
	if zoneSuffix && i < len(s) {
		var rest string
		var good bool
		zone, rest, good = parseZone(s[i:], false)
		if !good || rest != "" {
			return t, nil, false
		}
		i = len(s)
	}
	if i != len(s) || t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 || t.second > 59 {
		return t, nil, false
	}
	if yday > 0 {
		d := time.Date(t.year, 1, yday, 0, 0, 0, 0, time.UTC)
		t.month, t.day = int(d.Month()), d.Day()
	}
	if isoYear > 0 {
		jan4 := time.Date(isoYear, 1, 4, 0, 0, 0, 0, time.UTC)
		d := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(max(isoWeek, 1)-1)*7+max(isoDay, 1)-1)
		t.year, t.month, t.day = d.Year(), int(d.Month()), d.Day()
	}
	return t, zone, true
}

// parseZone reads a zone at the start of s: "Z", "UTC", "+hh:mm", "+hhmm",
// "+hh", or with minutes, "+mmm" (an offset in minutes).
func parseZone(s string, minutes bool) (*time.Location, string, bool) {
	switch {
	case strings.HasPrefix(s, "Z"):
		return time.UTC, s[1:], true
	case strings.HasPrefix(s, "UTC") || strings.HasPrefix(s, "GMT"):
		return time.UTC, s[3:], true
	case s == "" || s[0] != '+' && s[0] != '-':
		return nil, s, false
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	j := 1
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ':') {
		j++
	}
	body := strings.ReplaceAll(s[1:j], ":", "")
	if !allDigits(body) || body == "" {
		return nil, s, false
	}
	var off int
	switch {
	case minutes:
		for _, c := range body {
			off = off*10 + int(c-'0')
		}
		off *= 60
	case len(body) == 2 || len(body) == 4:
		h := int(body[0]-'0')*10 + int(body[1]-'0')
		m := 0
		if len(body) == 4 {
			m = int(body[2]-'0')*10 + int(body[3]-'0')
		}
		if h > 23 || m > 59 {
			return nil, s, false
		}
		off = h*3600 + m*60
	default:
		return nil, s, false
	}
	return time.FixedZone(s[:j], sign*off), s[j:], true
}

// dateUnits are the units of $dateAdd, $dateDiff and $dateTrunc.
var dateUnits = map[string]time.Duration{
	"year": 0, "quarter": 0, "month": 0, "week": 0, "day": 0,
	"hour": time.Hour, "minute": time.Minute, "second": time.Second, "millisecond": time.Millisecond,
}

// unitArg evaluates a unit argument; ok is false for null.
func unitArg(op string, e *evalEnv, fn evalFn) (string, bool, error) {
	v, err := fn(e)
	if err != nil || nullish(v) {
		return "", false, err
	}
	s, isStr := v.(string)
	if _, known := dateUnits[s]; !isStr || !known {
		return "", false, Errorf(CodeInvalidOperator, "%s: unit must be one of year, quarter, month, week, day, hour, minute, second, millisecond", op)
	}
	return s, true, nil
}

func (sc *exprScope) dateOptions(op string, arg any, keys ...string) (map[string]evalFn, tzFn, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, nil, Errorf(CodeInvalidOperator, "%s takes an object", op)
	}
	tzv, hasTZ := d.Get("timezone")
	tz, err := sc.parseTimezone(tzv, hasTZ)
	if err != nil {
		return nil, nil, err
	}
	rest := Doc{}
	for _, f := range d {
		if f.Key != "timezone" {
			rest = append(rest, f)
		}
	}
	o, err := sc.options(op, rest, keys...)
	return o, tz, err
}

// dateAdd: {startDate, unit, amount, timezone}. Months and years that
// land past the end of a month give its last day (January 31 plus one
// month is February 28 or 29).
func (sc *exprScope) dateAdd(name string, arg any) (evalFn, error) {
	o, tz, err := sc.dateOptions(name, arg, "startDate!", "unit!", "amount!")
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		sv, err := o["startDate"](e)
		if err != nil {
			return nil, err
		}
		t, ok, err := asDate(name, sv)
		if !ok {
			return nil, err
		}
		unit, ok, err := unitArg(name, e, o["unit"])
		if !ok {
			return nil, err
		}
		av, err := o["amount"](e)
		if err != nil || nullish(av) {
			return nullOr(av, err)
		}
		n, ok := wholeNumber(av)
		if !ok || n > 1e12 || n < -1e12 {
			return nil, Errorf(CodeInvalidOperator, "%s: amount must be an integer", name)
		}
		if name == "$dateSubtract" {
			n = -n
		}
		loc, ok, err := location(e, tz)
		if !ok {
			return nil, err
		}
		return checkDate(addUnits(t.In(loc), unit, n))
	}, nil
}

func addUnits(t time.Time, unit string, n int64) time.Time {
	if d := dateUnits[unit]; d > 0 {
		if n > int64(1<<62)/int64(d) || n < -int64(1<<62)/int64(d) {
			return time.Time{} // out of range: checkDate refuses it
		}
		return t.Add(time.Duration(n) * d)
	}
	y, m, day := t.Date()
	months := int64(0)
	switch unit {
	case "day":
		return time.Date(y, m, day+int(n), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	case "week":
		return time.Date(y, m, day+7*int(n), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	case "year":
		months = 12 * n
	case "quarter":
		months = 3 * n
	default:
		months = n
	}
	total := int64(y)*12 + int64(m) - 1 + months
	ny, nm := floorDiv(total, 12), floorMod(total, 12)+1
	if ny < 0 || ny > 10000 {
		return time.Time{}
	}
	last := time.Date(int(ny), time.Month(nm)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(int(ny), time.Month(nm), min(day, last), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// weekdays are startOfWeek's values.
var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func startOfWeek(op string, e *evalEnv, fn evalFn) (time.Weekday, error) {
	if fn == nil {
		return time.Sunday, nil
	}
	v, err := fn(e)
	if err != nil || nullish(v) {
		return time.Sunday, err
	}
	s, _ := v.(string)
	wd, ok := weekdays[strings.ToLower(s)]
	if !ok {
		return 0, Errorf(CodeInvalidOperator, "%s: startOfWeek must be a day of the week (monday, …)", op)
	}
	return wd, nil
}

// wallMillis is t's wall clock in its location as milliseconds since the
// epoch of that clock.
func wallMillis(t time.Time) int64 {
	_, off := t.Zone()
	return t.UnixMilli() + int64(off)*1000
}

// civilDay numbers t's date in its location (days since 1970-01-01).
func civilDay(t time.Time) int64 { return floorDiv(wallMillis(t), 86_400_000) }

// dateDiff: {startDate, endDate, unit, timezone, startOfWeek}: how many
// unit boundaries lie between the dates (negative when endDate is
// earlier).
func (sc *exprScope) dateDiff(arg any) (evalFn, error) {
	o, tz, err := sc.dateOptions("$dateDiff", arg, "startDate!", "endDate!", "unit!", "startOfWeek")
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		var ts [2]time.Time
		for i, k := range [...]string{"startDate", "endDate"} {
			v, err := o[k](e)
			if err != nil {
				return nil, err
			}
			t, ok, err := asDate("$dateDiff", v)
			if !ok {
				return nil, err
			}
			ts[i] = t
		}
		unit, ok, err := unitArg("$dateDiff", e, o["unit"])
		if !ok {
			return nil, err
		}
		loc, ok, err := location(e, tz)
		if !ok {
			return nil, err
		}
		wd, err := startOfWeek("$dateDiff", e, o["startOfWeek"])
		if err != nil {
			return nil, err
		}
		a, b := ts[0].In(loc), ts[1].In(loc)
		switch unit {
		case "year":
			return int64(b.Year() - a.Year()), nil
		case "quarter":
			return int64(b.Year()*4+(int(b.Month())-1)/3) - int64(a.Year()*4+(int(a.Month())-1)/3), nil
		case "month":
			return int64(b.Year()*12+int(b.Month())) - int64(a.Year()*12+int(a.Month())), nil
		case "week":
			shift := int64((int(time.Thursday) - int(wd) + 7) % 7) // 1970-01-01 was a Thursday
			return floorDiv(civilDay(b)+shift, 7) - floorDiv(civilDay(a)+shift, 7), nil
		case "day":
			return civilDay(b) - civilDay(a), nil
		}
		ms := int64(dateUnits[unit] / time.Millisecond)
		return floorDiv(wallMillis(b), ms) - floorDiv(wallMillis(a), ms), nil
	}, nil
}

// dateTrunc: {date, unit, binSize, timezone, startOfWeek}: the start of
// the bin the date falls in; bins of binSize units are counted from
// 2000-01-01 in the timezone (weeks from the startOfWeek day on or before
// it).
func (sc *exprScope) dateTrunc(arg any) (evalFn, error) {
	o, tz, err := sc.dateOptions("$dateTrunc", arg, "date!", "unit!", "binSize", "startOfWeek")
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		v, err := o["date"](e)
		if err != nil {
			return nil, err
		}
		t, ok, err := asDate("$dateTrunc", v)
		if !ok {
			return nil, err
		}
		unit, ok, err := unitArg("$dateTrunc", e, o["unit"])
		if !ok {
			return nil, err
		}
		bin := int64(1)
		if o["binSize"] != nil {
			bv, err := o["binSize"](e)
			if err != nil || nullish(bv) {
				return nullOr(bv, err)
			}
			if n, ok := wholeNumber(bv); ok && n > 0 && n <= 1e12 {
				bin = n
			} else {
				return nil, Errorf(CodeInvalidOperator, "$dateTrunc: binSize must be a positive integer")
			}
		}
		loc, ok, err := location(e, tz)
		if !ok {
			return nil, err
		}
		wd, err := startOfWeek("$dateTrunc", e, o["startOfWeek"])
		if err != nil {
			return nil, err
		}
		return checkDate(truncDate(t.In(loc), unit, bin, wd))
	}, nil
}

func truncDate(t time.Time, unit string, bin int64, wd time.Weekday) time.Time {
	loc := t.Location()
	y, m, _ := t.Date()
	switch unit {
	case "year":
		y = int(2000 + floorDiv(int64(y)-2000, bin)*bin)
		return time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	case "quarter", "month":
		step := bin
		if unit == "quarter" {
			step *= 3
		}
		months := floorDiv(int64(y-2000)*12+int64(m)-1, step) * step
		return time.Date(2000+int(floorDiv(months, 12)), time.Month(floorMod(months, 12)+1), 1, 0, 0, 0, 0, loc)
	case "week", "day":
		ref := int64(10957) // 2000-01-01, a Saturday
		step := bin
		if unit == "week" {
			ref -= int64((int(time.Saturday) - int(wd) + 7) % 7)
			step *= 7
		}
		days := ref + floorDiv(civilDay(t)-ref, step)*step
		return time.Date(1970, 1, 1+int(days), 0, 0, 0, 0, loc)
	}
	ms := int64(dateUnits[unit]/time.Millisecond) * bin
	ref := int64(946684800000) // 2000-01-01 on the wall clock
	wall := ref + floorDiv(wallMillis(t)-ref, ms)*ms
	w := time.UnixMilli(wall).UTC()
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
}
