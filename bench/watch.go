package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// Realtime watch measurements, run with -scenarios watch-idle,watch-fanout
// (not by default):
//
//   - watch-idle opens -watchers WebSocket connections, each holding one
//     watch, all open at once (a watch of its own query each, or
//     -watch-queries distinct ones), and reports the server's private RSS
//     before and after.
//   - watch-fanout opens -subscribers connections watching one query (or
//     -fanout-queries distinct ones that all match), then inserts -events
//     documents one at a time: for each, the time from sending the insert
//     to the last subscriber receiving its event.
const (
	watchIdle   = "watch-idle"
	watchFanout = "watch-fanout"
)

func watchNames() []string { return []string{watchIdle, watchFanout} }

// watchConn is one of the driver's watch connections; read runs in its own
// goroutine once the watch's init arrived.
type watchConn struct {
	ws *websocket.Conn
	mu sync.Mutex // one writer at a time (the pinger, close)
}

// dialWatches opens n connections to coll's watch, each watching the query
// query(i) returns, dial at a time, and waits for each init.
func (m *Main) dialWatches(ctx context.Context, coll string, n, dial int, query func(i int) string, read func(c *watchConn)) ([]*watchConn, error) {
	url := "ws" + strings.TrimPrefix(m.base, "http") + "/v1/db/" + coll + "/watch"
	h := http.Header{"Authorization": {"Bearer " + m.key}}
	conns := make([]*watchConn, n)
	var next atomic.Int64
	errs := make(chan error, dial)
	var wg sync.WaitGroup
	for range dial {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, h)
				if err == nil {
					err = ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"watch","watchId":"w","query":`+query(i)+`}`))
				}
				if err == nil {
					err = awaitInit(ws)
				}
				if err != nil {
					errs <- fmt.Errorf("watch %d: %w", i, err)
					return
				}
				c := &watchConn{ws: ws}
				conns[i] = c
				go read(c)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		closeWatches(conns)
		return nil, err
	}
	return conns, nil
}

// awaitInit reads until the watch's init (or its error).
func awaitInit(ws *websocket.Conn) error {
	ws.SetReadDeadline(time.Now().Add(time.Minute))
	defer ws.SetReadDeadline(time.Time{})
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		switch {
		case bytes.HasPrefix(msg, []byte(`{"type":"init"`)):
			return nil
		case bytes.HasPrefix(msg, []byte(`{"type":"error"`)):
			return fmt.Errorf("%s", msg)
		}
	}
}

// discard reads a connection's messages until it closes.
func discard(c *watchConn) {
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			return
		}
	}
}

// pinger pings every connection every 20 s (the server closes one silent
// for a minute) until ctx ends.
func pinger(ctx context.Context, conns []*watchConn) {
	t := time.NewTicker(20 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, c := range conns {
			if c != nil {
				c.mu.Lock()
				c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`))
				c.mu.Unlock()
			}
		}
	}
}

func closeWatches(conns []*watchConn) {
	for _, c := range conns {
		if c != nil {
			c.ws.Close()
		}
	}
}

// freshCollection drops coll, when it exists: a measurement starts empty.
func freshCollection(ctx context.Context, cl *client, coll string) error {
	err := cl.call(ctx, "DELETE", "/v1/admin/collections/"+coll, nil, nil)
	if ae := (*apiError)(nil); errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil
	}
	return err
}

// seedRooms inserts n small documents {_id, room: i, text} into coll.
func seedRooms(ctx context.Context, cl *client, coll string, n int) error {
	text := strings.Repeat("x", 100)
	for start := 0; start < n; start += 1000 {
		var docs []map[string]any
		for i := start; i < min(n, start+1000); i++ {
			docs = append(docs, map[string]any{"_id": fmt.Sprintf("r%06d", i), "room": i, "text": text})
		}
		if err := cl.call(ctx, "POST", "/v1/db/"+coll+"/insert", map[string]any{"data": docs}, nil); err != nil {
			return err
		}
	}
	return nil
}

// watchResult is what a watch measurement reports.
type watchResult struct {
	name, what string
	rows       [][2]string
}

// measureIdle is watch-idle.
func (m *Main) measureIdle(ctx context.Context, cl *client) (watchResult, error) {
	cfg := m.cfg
	queries := cfg.WatchQueries
	if queries <= 0 {
		queries = cfg.Watchers
	}
	res := watchResult{name: watchIdle, what: fmt.Sprintf("%d connections, one watch each, %d distinct queries (a room each, one document of ~150 B, rooms indexed)", cfg.Watchers, queries)}
	if err := freshCollection(ctx, cl, "rt_idle"); err != nil {
		return res, err
	}
	if err := seedRooms(ctx, cl, "rt_idle", queries); err != nil {
		return res, err
	}
	if err := cl.call(ctx, "POST", "/v1/admin/collections/rt_idle/indexes", map[string]any{"keys": map[string]any{"room": 1}}, nil); err != nil {
		return res, err
	}
	before, _ := readRSS(m.pid)
	logf("%s: opening %d watches (server private RSS %s MiB) …", watchIdle, cfg.Watchers, mib(before))
	start := time.Now()
	conns, err := m.dialWatches(ctx, "rt_idle", cfg.Watchers, 32, func(i int) string {
		return `{"filter":{"room":` + strconv.Itoa(i%queries) + `}}`
	}, discard)
	if err != nil {
		return res, err
	}
	defer closeWatches(conns)
	opened := time.Since(start)
	logf("%s: %d watches opened in %s; sampling the server's RSS for 10 s …", watchIdle, cfg.Watchers, opened.Round(time.Millisecond))
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	go pinger(pctx, conns)
	// Sampled for 10 s after: the highest, and the last (after the
	// garbage collector had time to run).
	var peak, last int64
	for range 20 {
		time.Sleep(500 * time.Millisecond)
		if last, err = readRSS(m.pid); err != nil {
			break
		}
		peak = max(peak, last)
	}
	logf("%s: server private RSS %s MiB (peak %s)", watchIdle, mib(last), mib(peak))
	res.rows = [][2]string{
		{"watches open", strconv.Itoa(cfg.Watchers)},
		{"time to open them (32 at a time)", opened.Round(time.Millisecond).String()},
		{"server private RSS before", mib(before) + " MiB"},
		{"server private RSS with them open (10 s later; peak)", mib(last) + " MiB (" + mib(peak) + ")"},
		{"per watch (connection included)", fmt.Sprintf("%.1f KiB", float64(last-before)/float64(cfg.Watchers))},
	}
	return res, nil
}

// fanoutEvent is what the subscribers saw of one inserted document.
type fanoutEvent struct {
	got  atomic.Int64 // subscribers that received it
	last atomic.Int64 // the latest receipt, unix ns
}

// measureFanout is watch-fanout.
func (m *Main) measureFanout(ctx context.Context, cl *client) (watchResult, error) {
	cfg := m.cfg
	n, queries := cfg.Subscribers, max(1, cfg.FanoutQueries)
	res := watchResult{name: watchFanout, what: fmt.Sprintf("%d subscribers of %d distinct queries; %d inserts one at a time", n, queries, cfg.Events)}
	events := make([]fanoutEvent, cfg.Events)
	read := func(c *watchConn) {
		for {
			_, msg, err := c.ws.ReadMessage()
			if err != nil {
				return
			}
			at := time.Now().UnixNano()
			i := bytes.Index(msg, []byte(`"docId":"e`))
			if i < 0 {
				continue
			}
			rest := msg[i+len(`"docId":"e`):]
			k, err := strconv.Atoi(string(rest[:bytes.IndexByte(rest, '"')]))
			if err != nil || k < 0 || k >= len(events) {
				continue
			}
			for {
				old := events[k].last.Load()
				if old >= at || events[k].last.CompareAndSwap(old, at) {
					break
				}
			}
			events[k].got.Add(1)
		}
	}
	if err := freshCollection(ctx, cl, "rt_fanout"); err != nil {
		return res, err
	}
	if err := cl.call(ctx, "POST", "/v1/db/rt_fanout/insert", map[string]any{"data": map[string]any{"_id": "seed", "topic": "other"}}, nil); err != nil {
		return res, err
	}
	logf("%s: opening %d subscribers …", watchFanout, n)
	conns, err := m.dialWatches(ctx, "rt_fanout", n, 32, func(i int) string {
		return `{"filter":{"topic":"bench","n":{"$ne":` + strconv.Itoa(-1-i%queries) + `}}}`
	}, read)
	if err != nil {
		return res, err
	}
	defer closeWatches(conns)
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	go pinger(pctx, conns)
	fromSend, fromAnswer := &Histogram{}, &Histogram{}
	var worst time.Duration
	cpu0, self0 := cpuOrZero(m.pid), cpuOrZero(os.Getpid())
	for k := range events {
		t0 := time.Now()
		doc := map[string]any{"_id": "e" + strconv.Itoa(k), "topic": "bench", "n": k}
		if err := cl.call(ctx, "POST", "/v1/db/rt_fanout/insert", map[string]any{"data": doc}, nil); err != nil {
			return res, err
		}
		t1 := time.Now()
		deadline := t0.Add(10 * time.Second)
		for events[k].got.Load() < int64(n) {
			if time.Now().After(deadline) {
				return res, fmt.Errorf("event %d reached %d of %d subscribers in 10 s", k, events[k].got.Load(), n)
			}
			time.Sleep(200 * time.Microsecond)
		}
		last := time.Unix(0, events[k].last.Load())
		fromSend.Record(last.Sub(t0))
		fromAnswer.Record(max(0, last.Sub(t1)))
		worst = max(worst, last.Sub(t0))
	}
	server, driver := (cpuOrZero(m.pid)-cpu0)/time.Duration(len(events)), (cpuOrZero(os.Getpid())-self0)/time.Duration(len(events))
	logf("%s: insert sent → last subscriber p50 %s ms, p99 %s ms, max %s ms; CPU per event: server %s, driver %s",
		watchFanout, ms(fromSend.Quantile(0.5)), ms(fromSend.Quantile(0.99)), ms(worst), server, driver)
	res.rows = [][2]string{
		{"insert sent → last of the subscribers has its event: p50 / p99 / max", fmt.Sprintf("%s / %s / %s ms", ms(fromSend.Quantile(0.5)), ms(fromSend.Quantile(0.99)), ms(worst))},
		{"insert answered → last subscriber: p50 / p99", fmt.Sprintf("%s / %s ms", ms(fromAnswer.Quantile(0.5)), ms(fromAnswer.Quantile(0.99)))},
		{"CPU per insert and its events: server / driver (its subscribers' reads)", fmt.Sprintf("%s / %s", server.Round(10*time.Microsecond), driver.Round(10*time.Microsecond))},
	}
	return res, nil
}

// writeWatch prints a watch measurement as a Markdown table.
func (r watchResult) writeMarkdown(w io.Writer) {
	fmt.Fprintf(w, "\n**%s**: %s\n\n| | |\n|---|--:|\n", r.name, r.what)
	for _, row := range r.rows {
		fmt.Fprintf(w, "| %s | %s |\n", row[0], row[1])
	}
}

// cpuOrZero is cpuTime, or 0 where it cannot be read.
func cpuOrZero(pid int) time.Duration {
	d, _ := cpuTime(pid)
	return d
}
