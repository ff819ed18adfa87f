package functions

import (
	"testing"
	"time"
)

func TestCronNext(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, sh)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		spec, from string
		want       []string // the next fire times, in order
	}{
		{"*/5 * * * * * *", "2026-11-21 10:00:01", []string{"2026-11-21 10:00:05", "2026-11-21 10:00:10"}},
		{"0 0 2 1 * * *", "2026-11-21 10:00:00", []string{"2026-12-01 02:00:00", "2027-01-01 02:00:00"}},
		{"0 15 10 * * MON-FRI *", "2026-11-20 11:00:00", []string{"2026-11-23 10:15:00", "2026-11-24 10:15:00"}}, // Fri → Mon
		// day and weekday both set: either fires (1st of the month OR a Sunday)
		{"0 0 0 1 * 0 *", "2026-11-27 00:00:00", []string{"2026-11-29 00:00:00", "2026-12-01 00:00:00", "2026-12-06 00:00:00"}},
		{"0 0 0 1 JAN * 2028,2030", "2026-01-01 00:00:00", []string{"2028-01-01 00:00:00", "2030-01-01 00:00:00", ""}},
		{"0 0 12 * * * 2027-2028/1", "2028-12-31 12:00:00", []string{""}},
		{"30 0 0 29 2 * *", "2026-03-01 00:00:00", []string{"2028-02-29 00:00:30"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			c, err := ParseCron(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			cur := at(tt.from)
			for _, w := range tt.want {
				got := c.Next(cur)
				if w == "" {
					if !got.IsZero() {
						t.Fatalf("Next(%v) = %v, want none", cur, got)
					}
					return
				}
				if want := at(w); !got.Equal(want) {
					t.Fatalf("Next(%v) = %v, want %v", cur, got, want)
				}
				cur = got
			}
		})
	}
}

func TestParseCronErrors(t *testing.T) {
	for _, spec := range []string{
		"", "* * * * *", "0 0 2 1 * *", "* * * * * * * *", // field counts
		"61 * * * * * *", "* * 25 * * * *", "* * * * 13 * *", "* * * * * 8 *", // ranges of robfig's fields
		"* * * * * * 1969", "* * * * * * 2100", "* * * * * * 2030-2020", "* * * * * * x", "* * * * * * */0", "@every 1s * * * * * *",
	} {
		if _, err := ParseCron(spec); err == nil {
			t.Errorf("ParseCron(%q) = nil error, want one", spec)
		}
	}
}
