package functions

import (
	"time"
)

// TriggersDetail are a function's triggers as the console shows them:
// GET /v1/admin/functions/{name} "triggers".
type TriggersDetail struct {
	HTTP []RouteInfo  `json:"http"`
	Cron []CronDetail `json:"cron"`
	DB   []DBInfo     `json:"db"`
}

// CronDetail is a timer trigger with its next runs.
type CronDetail struct {
	Name string      `json:"name"`
	Expr string      `json:"expr"`
	Next []time.Time `json:"next"` // the next nextRuns times it fires, in the timers' time zone
}

const nextRuns = 5

// DefaultTimerZone is the time zone of timer triggers when none is set:
// UTC+8, as CloudBase's.
var DefaultTimerZone = time.FixedZone("UTC+8", 8*60*60)

// triggersDetail describes info's triggers, the timer's next runs after
// now in loc (nil: DefaultTimerZone).
func triggersDetail(info FunctionInfo, timer *Timer, loc *time.Location, now time.Time) *TriggersDetail {
	if loc == nil {
		loc = DefaultTimerZone
	}
	t := &TriggersDetail{HTTP: info.Routes, Cron: []CronDetail{}, DB: info.Database}
	if t.HTTP == nil {
		t.HTTP = []RouteInfo{}
	}
	if t.DB == nil {
		t.DB = []DBInfo{}
	}
	if timer != nil {
		c := CronDetail{Name: timer.Name, Expr: timer.Cron.String(), Next: []time.Time{}}
		at := now.In(loc)
		for range nextRuns {
			if at = timer.Cron.Next(at); at.IsZero() {
				break
			}
			c.Next = append(c.Next, at)
		}
		t.Cron = append(t.Cron, c)
	}
	return t
}
