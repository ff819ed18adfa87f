package functions

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

func deploy(t *testing.T, d *Dir, name, index, config string) {
	t.Helper()
	files := map[string][]byte{"index.js": []byte(index)}
	if config != "" {
		files["config.json"] = []byte(config)
	}
	if _, err := d.Put(context.Background(), name, files); err != nil {
		t.Fatal(err)
	}
}

// A timer trigger runs its function at the cron's times on Shanghai's
// clock, with SOURCE wx_trigger and SCF's timer event; a redeploy changes
// or removes the schedule.
func TestTimerTrigger(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rt, svc := newRuntimeOver(t, d, Options{})
	if _, err := svc.CreateCollection(adminCtx, doc("name", "ticks")); err != nil {
		t.Fatal(err)
	}
	const index = `const cloud = require('wx-server-sdk'); cloud.init()
exports.main = async (event) => { await cloud.database().collection('ticks').add({data: {event, source: cloud.getWXContext().SOURCE}}); return 'ignored' }`
	deploy(t, d, "tick", index, `{"triggers": [{"name": "every10s", "type": "timer", "config": "*/10 * * * * * *"}]}`)
	deploy(t, d, "plain", index, ``)
	tr := NewTriggers(rt, d, d, shanghai)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	ticks := func() []map[string]any {
		t.Helper()
		tr.Wait()
		docs, err := svc.Query(adminCtx, "ticks", nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for _, b := range docs {
			var m map[string]any
			json.Unmarshal(b, &m)
			out = append(out, m)
		}
		return out
	}
	ctx := context.Background()
	if err := tr.Refresh(ctx, at("2026-11-21 10:00:01")); err != nil {
		t.Fatal(err)
	}
	tr.Tick(ctx, at("2026-11-21 10:00:09"))
	if got := ticks(); len(got) != 0 {
		t.Fatalf("before its time: %d runs, want 0", len(got))
	}
	tr.Tick(ctx, at("2026-11-21 10:00:10"))
	got := ticks()
	if len(got) != 1 {
		t.Fatalf("at 10:00:10: %d runs, want 1", len(got))
	}
	ev := got[0]["event"].(map[string]any)
	if ev["Type"] != "Timer" || ev["TriggerName"] != "every10s" || ev["Time"] != "2026-11-21T02:00:10Z" || got[0]["source"] != "wx_trigger" {
		t.Errorf("run = %v, want event {Type: Timer, TriggerName: every10s, Time: 2026-11-21T02:00:10Z} and source wx_trigger", got[0])
	}
	tr.Tick(ctx, at("2026-11-21 10:00:45")) // three fire times passed: one run, not three
	if got := ticks(); len(got) != 2 {
		t.Fatalf("after a gap: %d runs, want 2", len(got))
	}
	tr.Tick(ctx, at("2026-11-21 10:00:49"))
	if got := ticks(); len(got) != 2 {
		t.Fatalf("before the next time: %d runs, want 2", len(got))
	}

	deploy(t, d, "tick", index, `{"triggers": [{"name": "hourly", "type": "timer", "config": "0 0 * * * * *"}]}`)
	tr.Refresh(ctx, at("2026-11-21 10:00:50"))
	tr.Tick(ctx, at("2026-11-21 10:59:59"))
	if got := ticks(); len(got) != 2 {
		t.Fatalf("redeployed as hourly, at 10:59:59: %d runs, want 2", len(got))
	}
	tr.Tick(ctx, at("2026-11-21 11:00:00"))
	if got := ticks(); len(got) != 3 || got[2]["event"].(map[string]any)["TriggerName"] != "hourly" {
		t.Fatalf("redeployed as hourly, at 11:00: %v, want a third run of hourly", got)
	}

	deploy(t, d, "tick", index, ``)
	tr.Refresh(ctx, at("2026-11-21 11:00:01"))
	tr.Tick(ctx, at("2026-11-21 12:00:00"))
	if got := ticks(); len(got) != 3 {
		t.Fatalf("trigger removed: %d runs, want 3", len(got))
	}
}

// blockingInvoker counts runs and holds each until released.
type blockingInvoker struct {
	runs    atomic.Int32
	started chan struct{}
	release chan struct{}
}

func (b *blockingInvoker) Invoke(ctx context.Context, name string, event []byte, inv Invocation) (*Result, error) {
	b.runs.Add(1)
	b.started <- struct{}{}
	<-b.release
	return &Result{}, nil
}

// A timer whose previous run is still going skips its turn.
func TestTimerSkipsWhileRunning(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	deploy(t, d, "slow", `exports.main = () => 1`, `{"triggers": [{"name": "t", "type": "timer", "config": "* * * * * * *"}]}`)
	inv := &blockingInvoker{started: make(chan struct{}, 10), release: make(chan struct{})}
	tr := newTriggers(inv, d, d, shanghai)
	ctx := context.Background()
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, shanghai)
	if err := tr.Refresh(ctx, start); err != nil {
		t.Fatal(err)
	}
	tr.Tick(ctx, start.Add(time.Second))
	<-inv.started // the run starts in its own goroutine
	tr.Tick(ctx, start.Add(2*time.Second))
	tr.Tick(ctx, start.Add(3*time.Second))
	close(inv.release)
	tr.Wait()
	if n := inv.runs.Load(); n != 1 {
		t.Fatalf("runs while the first was going = %d, want 1", n)
	}
	tr.Tick(ctx, start.Add(4*time.Second))
	tr.Wait()
	if n := inv.runs.Load(); n != 2 {
		t.Fatalf("runs after it ended = %d, want 2", n)
	}
}
