package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"minibase/db"

	"github.com/dop251/goja"
)

// dbEvent is the event of a database trigger's invocation: the changed
// document as extended JSON, which the function sees as it sees documents
// it reads (dates as Date objects).
type dbEvent struct {
	Type        string          `json:"Type"` // "Database"
	TriggerName string          `json:"TriggerName"`
	Collection  string          `json:"Collection"`
	Event       string          `json:"Event"` // insert, update or delete
	DocID       string          `json:"DocId"`
	Doc         json.RawMessage `json:"Doc,omitempty"`    // after the change; not for delete
	Before      json.RawMessage `json:"Before,omitempty"` // before it: update and delete
	Time        string          `json:"Time"`             // when the write ran, UTC
}

// deliver runs every trigger c matches and reports whether c is done
// (false: ctx ended first, c must stay in the feed).
func (t *DBTriggers) deliver(ctx context.Context, c db.Change, report func(error)) bool {
	doc := c.Doc
	if c.Op == db.ChangeDelete {
		doc = c.Before
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		stopped bool
	)
	for _, b := range t.triggers(c.Coll) {
		if !b.on(c.Op) || b.Filter != nil && !b.Filter.Match(doc) {
			continue
		}
		if c.Hop >= t.maxHop {
			report(fmt.Errorf("database trigger %s of function %s: %s of %s/%s not delivered: it comes from a chain of %d writes by triggered functions (does the function write what triggers it?)",
				b.Name, b.fn, c.Op, c.Coll, c.ID, c.Hop))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !t.invoke(ctx, &b, c, report) {
				mu.Lock()
				stopped = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return !stopped
}

// invoke runs b's function for c, retrying a failed attempt, and reports
// whether it is done (false: ctx ended first).
func (t *DBTriggers) invoke(ctx context.Context, b *boundDBTrigger, c db.Change, report func(error)) bool {
	event, err := t.event(b, c)
	if err != nil {
		report(fmt.Errorf("database trigger %s of function %s: %s of %s/%s dropped: %w", b.Name, b.fn, c.Op, c.Coll, c.ID, err))
		return true
	}
	ctx = db.WithHop(ctx, c.Hop+1) // the function's writes, and the changes they make
	backoff := t.backoff
	for attempt := 1; ; attempt++ {
		select {
		case t.runs <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		_, err := t.run.Invoke(ctx, b.fn, event, Invocation{Source: "wx_trigger"})
		<-t.runs
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if attempt > t.retries || !retryable(ErrorCode(err)) {
			report(fmt.Errorf("database trigger %s of function %s: %s of %s/%s dropped after %d attempts: %w", b.Name, b.fn, c.Op, c.Coll, c.ID, attempt, err))
			return true
		}
		if !t.sleep(ctx, backoff) {
			return false
		}
		if !t.bound(b) {
			return true // the trigger is gone: its change goes with it
		}
		backoff *= 2
	}
}

// event builds the event of c for b; a Before that would make it larger
// than the event limit is left out.
func (t *DBTriggers) event(b *boundDBTrigger, c db.Change) ([]byte, error) {
	e := dbEvent{Type: "Database", TriggerName: b.Name, Collection: c.Coll, Event: c.Op.String(), DocID: c.ID,
		Time: c.Time.UTC().Format("2006-01-02T15:04:05.000Z")}
	if c.Doc != nil {
		e.Doc = db.MarshalJSON(c.Doc)
	}
	if c.Before != nil {
		e.Before = db.MarshalJSON(c.Before)
	}
	out, err := json.Marshal(e)
	if err == nil && len(out) > t.maxEvent && e.Doc != nil && e.Before != nil {
		e.Before = nil
		out, err = json.Marshal(e)
	}
	if err == nil && len(out) > t.maxEvent {
		err = fmt.Errorf("the event is %d bytes of JSON, more than %d", len(out), t.maxEvent)
	}
	return out, err
}

// eventValue is the JavaScript value of an invocation's event. Trigger
// events (SOURCE wx_trigger) are read as extended JSON: a database
// trigger's documents then hold dates as Date objects, as documents a
// function reads do (GeoJSON stays GeoJSON); a timer's event has no
// extended values.
func (in *instance) eventValue(c *call, event []byte) (goja.Value, error) {
	if c.source == "wx_trigger" {
		return in.fromDB(event, keepGeoJSON)
	}
	if len(event) > pollFrom {
		return in.largeEventJSON(event)
	}
	if c.eventSpans != nil {
		return in.builtEvent(event, httpEventKeys, c.eventSpans), nil
	}
	return in.lazyEvent(event)
}

func keepGeoJSON(goja.Value, ...goja.Value) (goja.Value, error) { return goja.Undefined(), nil }
