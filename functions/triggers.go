package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Lister names the functions a Source holds (Dir does).
type Lister interface {
	List(ctx context.Context) ([]string, error)
}

// invoker runs a function (Runtime does).
type invoker interface {
	Invoke(ctx context.Context, name string, event []byte, inv Invocation) (*Result, error)
}

// Triggers holds what the functions' config.json files bind: the HTTP
// access routes and the timer triggers. Refresh rereads them (after a
// deployment, and periodically for edits on disk); Tick fires the timers
// that are due; Run does both on the real clock.
type Triggers struct {
	src   Source
	list  Lister
	run   invoker
	loc   *time.Location
	env   string        // requestContext.envId of HTTP access events
	appID func() string // requestContext.appId; nil: ""

	mu     sync.Mutex
	routes []boundRoute           // longest path first
	timers map[string]*timerState // by function name
	wg     sync.WaitGroup
	db     *DBTriggers // SetDatabase; nil: none

	cluster Cluster     // SetCluster; Local by default
	onErr   func(error) // Run's; nil: failures are not reported
}

type boundRoute struct {
	Route
	fn string
}

type timerState struct {
	fn      string
	timer   *Timer
	next    time.Time
	running atomic.Bool
}

// NewTriggers returns the triggers of the functions list names, loaded
// from src and run by rt; timers run on loc's wall clock (CloudBase's is
// Asia/Shanghai). Call Refresh before use.
func NewTriggers(rt *Runtime, src Source, list Lister, loc *time.Location) *Triggers {
	t := newTriggers(rt, src, list, loc)
	t.env, t.appID = rt.opts.Env, rt.appID
	return t
}

func newTriggers(run invoker, src Source, list Lister, loc *time.Location) *Triggers {
	return &Triggers{src: src, list: list, run: run, loc: loc, timers: make(map[string]*timerState), cluster: Local{}}
}

// Refresh rereads every function's routes, timer and database triggers
// (SetDatabase). A function whose code does not load keeps no triggers; a
// timer whose trigger is unchanged keeps its schedule, a new or changed one
// is scheduled from now.
func (t *Triggers) Refresh(ctx context.Context, now time.Time) error {
	names, err := t.list.List(ctx)
	if err != nil {
		return err
	}
	var routes []boundRoute
	timers := make(map[string]*Timer)
	dbt := make(map[string][]DBTrigger)
	for _, name := range names {
		code, err := t.src.Load(ctx, name)
		if err != nil {
			continue
		}
		for _, r := range code.Config.Routes {
			routes = append(routes, boundRoute{Route: r, fn: name})
		}
		if code.Config.Timer != nil {
			timers[name] = code.Config.Timer
		}
		dbt[name] = code.Config.Database
	}
	var dbErr error
	if t.db != nil {
		dbErr = t.db.set(ctx, dbt)
	}
	slices.SortStableFunc(routes, func(a, b boundRoute) int { // names are sorted: ties go to the first
		return len(b.Path) - len(a.Path)
	})
	now = now.In(t.loc)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.routes = routes
	for name, st := range t.timers {
		if tm := timers[name]; tm == nil || tm.Name != st.timer.Name || tm.Cron.String() != st.timer.Cron.String() {
			delete(t.timers, name) // a run in progress finishes on its own
		}
	}
	for name, tm := range timers {
		if t.timers[name] == nil {
			t.timers[name] = &timerState{fn: name, timer: tm, next: tm.Cron.Next(now)}
		}
	}
	return dbErr
}

// match returns the function serving path (below /fn) and its route: the
// route with the longest path that is path or a parent of it.
func (t *Triggers) match(path string) (fn string, r Route, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, b := range t.routes {
		if b.Path == "/" || path == b.Path || strings.HasPrefix(path, b.Path+"/") {
			return b.fn, b.Route, true
		}
	}
	return "", Route{}, false
}

// timerEvent is the event of a timer invocation, as SCF/CloudBase send it.
type timerEvent struct {
	Type        string `json:"Type"`
	TriggerName string `json:"TriggerName"`
	Time        string `json:"Time"`
}

// Tick starts the timers due at now (each at most once, however many
// fire times passed since the last tick) and schedules their next run. A
// timer whose previous run is still going skips this one. Runs use ctx.
//
// With several nodes (SetCluster) each due run is first claimed by its
// scheduled time: the node that claims it runs it, the others skip it, so
// a timer runs once per tick cluster-wide, on whichever node is alive. A
// claim that fails (the database is unreachable) skips the run and is
// reported to Run's onErr.
func (t *Triggers) Tick(ctx context.Context, now time.Time) {
	now = now.In(t.loc)
	t.mu.Lock()
	defer t.mu.Unlock()
	claims, onErr := t.cluster, t.onErr
	for _, st := range t.timers {
		if st.next.IsZero() || now.Before(st.next) {
			continue
		}
		at := st.next
		st.next = st.timer.Cron.Next(now)
		if !st.running.CompareAndSwap(false, true) {
			continue
		}
		event, _ := json.Marshal(timerEvent{Type: "Timer", TriggerName: st.timer.Name, Time: at.UTC().Format(time.RFC3339)})
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			defer st.running.Store(false)
			cctx, cancel := context.WithTimeout(ctx, claimTimeout)
			mine, err := claims.ClaimTick(cctx, timerKey(st.fn, st.timer.Name), at)
			cancel()
			if err != nil && onErr != nil {
				onErr(fmt.Errorf("timer %s of function %s: run of %s skipped: %w", st.timer.Name, st.fn, at.Format(time.RFC3339), err))
			}
			if !mine {
				return
			}
			t.run.Invoke(ctx, st.fn, event, Invocation{Source: "wx_trigger"}) // the result is discarded, as CloudBase's are; the runtime logs the run
		}()
	}
}

// claimTimeout bounds a timer run's claim (TickClaims.ClaimTick).
const claimTimeout = 10 * time.Second

// Wait waits for the timer runs in progress.
func (t *Triggers) Wait() { t.wg.Wait() }

// Run refreshes the triggers every refresh and fires timers on every
// whole second until ctx ends, then waits for the runs in progress.
func (t *Triggers) Run(ctx context.Context, refresh time.Duration, onErr func(error)) {
	defer t.Wait()
	t.mu.Lock()
	t.onErr = onErr
	t.mu.Unlock()
	last := time.Time{}
	for {
		now := time.Now()
		if now.Sub(last) >= refresh {
			if err := t.Refresh(ctx, now); err != nil && onErr != nil {
				onErr(fmt.Errorf("refresh triggers: %w", err))
			}
			last = now
		}
		t.Tick(ctx, now)
		wait := now.Truncate(time.Second).Add(time.Second).Sub(time.Now())
		select {
		case <-ctx.Done():
			return
		case <-time.After(max(wait, time.Millisecond)):
		}
	}
}
