package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"minibase/functions"

	"github.com/fasthttp/websocket"
)

// logsOptions are the flags of `minibase functions logs`.
type logsOptions struct {
	name      string // the function; "" for all
	follow    bool
	limit     int
	since     string
	requestID string
	status    string
}

// maxLogsLimit bounds --limit: the records printed before following.
const maxLogsLimit = 10000

// check validates the flags and turns --since into what the log API
// takes: a duration ("10m", "2h", "7d") becomes the time that long ago.
func (o *logsOptions) check(now time.Time) error {
	if o.limit < 1 || o.limit > maxLogsLimit {
		return fmt.Errorf("--limit must be from 1 to %d, got %d", maxLogsLimit, o.limit)
	}
	if o.status != "" && o.status != functions.StatusOK && o.status != functions.StatusError {
		return fmt.Errorf("--status must be ok or error, got %q", o.status)
	}
	if o.since == "" {
		return nil
	}
	d, err := time.ParseDuration(o.since)
	if days, ok := strings.CutSuffix(o.since, "d"); ok && err != nil {
		n, nerr := strconv.Atoi(days)
		d, err = time.Duration(n)*24*time.Hour, nerr
	}
	switch {
	case err == nil && d > 0:
		o.since = now.Add(-d).UTC().Format(time.RFC3339Nano)
	case err == nil:
		return fmt.Errorf("--since must be a positive duration (10m, 2h, 7d) or a time (2024-05-01T08:00:00Z), got %q", o.since)
	}
	return nil // a time: the server checks it
}

// showLogs prints the latest records of the function's log (newest last),
// then with --follow each new one as it is stored, until ctx ends (Ctrl-C:
// a clean end, no error) or the server closes the tail.
func showLogs(ctx context.Context, cl *fnClient, o logsOptions, stdout, stderr io.Writer) error {
	if err := o.check(time.Now()); err != nil {
		return err
	}
	var tail *websocket.Conn
	if o.follow { // opened first, so that no record falls between the history and the tail
		var err error
		if tail, err = cl.tail(ctx, o.name); err != nil {
			return err
		}
		defer tail.Close()
	}
	history, err := cl.logs(ctx, o)
	if err != nil {
		return err
	}
	shown := make(map[string]bool, len(history))
	for _, e := range slices.Backward(history) {
		printEntry(stdout, e, o.name == "")
		shown[e.ID] = true
	}
	if !o.follow {
		return nil
	}
	fmt.Fprintf(stderr, "following the logs of %s (Ctrl-C to stop)\n", cmpName(o.name))
	return follow(ctx, tail, func(e *functions.LogEntry) {
		if shown[e.ID] || (o.status != "" && e.Status != o.status) || (o.requestID != "" && e.RequestID != o.requestID) {
			return
		}
		printEntry(stdout, e, o.name == "")
	}, stderr)
}

func cmpName(name string) string {
	if name == "" {
		return "every function"
	}
	return name
}

// logs returns up to o.limit records matching o, newest first, a page of
// the log API after the other.
func (c *fnClient) logs(ctx context.Context, o logsOptions) ([]*functions.LogEntry, error) {
	q := url.Values{}
	for k, v := range map[string]string{"function": o.name, "since": o.since, "requestId": o.requestID, "status": o.status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var all []*functions.LogEntry
	for len(all) < o.limit {
		q.Set("limit", strconv.Itoa(min(o.limit-len(all), functions.MaxLogPage)))
		var page functions.LogPage
		if err := c.json(ctx, "GET", "/v1/admin/functions/logs?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		if page.Next == nil {
			break
		}
		q.Set("cursor", *page.Next)
	}
	return all, nil
}

// tail opens the live tail of the function's records (all functions'
// when name is "").
func (c *fnClient) tail(ctx context.Context, name string) (*websocket.Conn, error) {
	u := "ws" + strings.TrimPrefix(c.base, "http") + "/v1/admin/functions/logs/tail"
	if name != "" {
		u += "?function=" + url.QueryEscape(name)
	}
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, Proxy: http.ProxyFromEnvironment}
	conn, resp, err := d.DialContext(ctx, u, http.Header{"Authorization": {"Bearer " + c.key}})
	if err != nil {
		if resp != nil && resp.Body != nil {
			defer resp.Body.Close()
			raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			e := &serverError{Status: resp.StatusCode}
			if json.Unmarshal(raw, e) != nil || e.Message == "" {
				e.Code, e.Message = "", strings.TrimSpace(string(raw))
			}
			return nil, fmt.Errorf("open the live tail: %w", e)
		}
		return nil, fmt.Errorf("open the live tail: %w", err)
	}
	return conn, nil
}

// follow calls show with each record the tail sends until ctx ends (then
// it closes the tail as a WebSocket should, and returns nil) or the
// server closes it (an error saying why). Notices of records the server
// could not send are written to stderr.
func follow(ctx context.Context, conn *websocket.Conn, show func(*functions.LogEntry), stderr io.Writer) error {
	msgs, failed := make(chan []byte), make(chan error, 1)
	go func() {
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				failed <- err
				return
			}
			select {
			case msgs <- msg:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			return nil
		case err := <-failed:
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return fmt.Errorf("the server ended the live tail: %d %s", ce.Code, ce.Text)
			}
			return fmt.Errorf("the live tail: %w", err)
		case msg := <-msgs:
			var e struct {
				functions.LogEntry
				Notice string `json:"notice"`
			}
			if err := json.Unmarshal(msg, &e); err != nil {
				return fmt.Errorf("the live tail sent %.100q: %w", msg, err)
			}
			if e.Notice != "" {
				fmt.Fprintf(stderr, "minibase: %s\n", e.Notice)
				continue
			}
			show(&e.LogEntry)
		}
	}
}

// printEntry writes a record as lines a person reads: its start (local
// time), function (withName), requestId, status, duration and a cold
// start, then its console lines indented, then its error.
//
//	2026-12-07 13:30:37.123  6f1c0e2a-7c1b-4b4e-9a0e-1d2f3a4b5c6d  ok     3.2 ms  cold start
//	    log    hello
func printEntry(w io.Writer, e *functions.LogEntry, withName bool) {
	var b strings.Builder
	b.WriteString(e.Start.Local().Format("2006-01-02 15:04:05.000"))
	if withName {
		b.WriteString("  " + e.Function)
	}
	fmt.Fprintf(&b, "  %s  %-5s  %s", e.RequestID, e.Status, duration(e.Duration))
	if e.ColdStart {
		b.WriteString("  cold start")
	}
	b.WriteByte('\n')
	for _, l := range e.Logs {
		fmt.Fprintf(&b, "    %-5s  %s\n", l.Level, indent(l.Message))
	}
	if e.Error != "" {
		fmt.Fprintf(&b, "    failed: %s\n", indent(e.Error))
	}
	io.WriteString(w, b.String())
}

// duration formats milliseconds: 0.4 ms, 12.3 ms, 1.52 s.
func duration(ms float64) string {
	if ms >= 1000 {
		return strconv.FormatFloat(ms/1000, 'f', 2, 64) + " s"
	}
	return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
}

// indent indents the lines after a message's first under it.
func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n           ")
}
