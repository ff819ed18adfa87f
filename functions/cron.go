package functions

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Cron is a CloudBase timer schedule: seven fields, "sec min hour day month
// weekday year", with "*", ",", "-" and "/"; months 1-12 or JAN-DEC,
// weekdays 0-6 (0 = Sunday) or SUN-SAT, years 1970-2099. When both day and
// weekday are restricted, a time matching either fires (as in cron).
type Cron struct {
	spec  string
	sched cron.Schedule
	years [2100 - 1970]bool
}

// cronFields parses the first six fields (robfig/cron, with seconds); the
// year field, which it lacks, is parsed here.
var cronFields = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// ParseCron parses a 7-field CloudBase cron expression.
func ParseCron(spec string) (*Cron, error) {
	f := strings.Fields(spec)
	if len(f) != 7 {
		return nil, fmt.Errorf("cron %q: want 7 fields (sec min hour day month weekday year), got %d", spec, len(f))
	}
	sched, err := cronFields.Parse(strings.Join(f[:6], " "))
	if err != nil {
		return nil, fmt.Errorf("cron %q: %w", spec, err)
	}
	c := &Cron{spec: spec, sched: sched}
	if err := c.parseYears(f[6]); err != nil {
		return nil, fmt.Errorf("cron %q: year: %w", spec, err)
	}
	return c, nil
}

// String returns the expression as written.
func (c *Cron) String() string { return c.spec }

func (c *Cron) parseYears(field string) error {
	const lo, hi = 1970, 2099
	for _, part := range strings.Split(field, ",") {
		rng, stepStr, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n < 1 {
				return fmt.Errorf("bad step %q", stepStr)
			}
			step = n
		}
		from, to := lo, hi
		switch {
		case rng == "*" || rng == "?":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err1, err2 error
			from, err1 = strconv.Atoi(a)
			to, err2 = strconv.Atoi(b)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("bad range %q", rng)
			}
		default:
			n, err := strconv.Atoi(rng)
			if err != nil {
				return fmt.Errorf("bad year %q", rng)
			}
			from, to = n, n
			if hasStep {
				to = hi
			}
		}
		if from < lo || to > hi || from > to {
			return fmt.Errorf("%q is outside %d-%d", rng, lo, hi)
		}
		for y := from; y <= to; y += step {
			c.years[y-lo] = true
		}
	}
	return nil
}

// Next returns the first time after t that the schedule matches, in t's
// location, or the zero time when there is none before 2100.
func (c *Cron) Next(t time.Time) time.Time {
	for {
		n := c.sched.Next(t)
		if n.IsZero() || n.Year() >= 2100 {
			return time.Time{}
		}
		if n.Year() >= 1970 && c.years[n.Year()-1970] {
			return n
		}
		y := max(n.Year()+1, 1970)
		for y < 2100 && !c.years[y-1970] {
			y++
		}
		if y == 2100 {
			return time.Time{}
		}
		t = time.Date(y, 1, 1, 0, 0, 0, 0, t.Location()).Add(-time.Nanosecond)
	}
}
