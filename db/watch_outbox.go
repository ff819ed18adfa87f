package db

import "sync"

// outMsg is one message to a client: head, the subscriber's quoted
// watchId (when set) and body. A close message (close
// != 0) ends the connection with that WebSocket close code, head being
// the reason.
type outMsg struct {
	head  string
	id    []byte
	body  []byte
	close int
}

func (m outMsg) size() int { return len(m.head) + len(m.id) + len(m.body) }

// WebSocket close codes the server ends connections with.
const (
	closeNormal     = 1000
	closeGoingAway  = 1001 // the server stops: reconnect
	closePolicy     = 1008 // the connection's sign-in ended
	closeTryAgain   = 1013 // the client read too slowly: reconnect
	closeReasonSize = 123  // the most a close frame's reason holds
)

// answerer is an error as clients are told it (db's and auth's *Error).
type answerer interface {
	Answer() (status int, code string, errCode int, message string)
}

// outbox is a connection's queue of messages to the client. A goroutine
// writes them while there are some, so an idle connection costs no
// goroutine beyond its reader. It is bounded (maxQueued, maxQueuedBytes):
// a client that does not read fast enough is disconnected
// (DATABASE_REALTIME_TOO_SLOW), without holding up whoever sends to it.
type outbox struct {
	// write writes one message (not a close message); stop sends a close
	// frame with code and reason and ends the connection: the reader's
	// read returns soon. It may run while write is blocked; code 0 and
	// closeTryAgain hang up at once, which unblocks the writer.
	write func(outMsg) error
	stop  func(code int, reason string)
	limit int // bytes queued at most (WatchOptions.SendBuffer)

	mu      sync.Mutex
	q       []outMsg
	bytes   int
	writing bool
	state   int
	wg      sync.WaitGroup // the writer and a disconnection in progress
}

// outbox states.
const (
	outOpen   = iota
	outEnding // the last messages are queued
	outShut   // nothing more is written
)

// send queues m; it is dropped once the connection ends.
func (o *outbox) send(m outMsg) {
	o.mu.Lock()
	if o.state != outOpen {
		o.mu.Unlock()
		return
	}
	if len(o.q) >= maxQueued || o.bytes+m.size() > o.limit {
		o.state, o.q = outShut, nil
		o.mu.Unlock()
		err := Errorf(CodeWatchSlow, "the client did not read its messages fast enough (%d waiting): watch again", maxQueued)
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			o.stop(closeTryAgain, reason(err.Code, err.Message))
		}()
		return
	}
	o.queue(m)
	o.mu.Unlock()
}

// queue appends m and starts the writer; the caller holds o.mu.
func (o *outbox) queue(m outMsg) {
	o.q = append(o.q, m)
	o.bytes += m.size()
	if !o.writing {
		o.writing = true
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			o.flush()
		}()
	}
}

// end sends the client a connection-level error, then closes the
// connection.
func (o *outbox) end(err answerer) {
	_, code, errCode, msg := err.Answer()
	o.finish(outMsg{head: `{"type":"error"`, body: appendErrorFields(nil, code, errCode, msg)},
		outMsg{close: closePolicy, head: reason(code, msg)})
}

// goingAway closes the connection: the server stops.
func (o *outbox) goingAway() {
	o.finish(outMsg{close: closeGoingAway, head: "the server is shutting down"})
}

// finish queues the last messages, beyond the bounds.
func (o *outbox) finish(ms ...outMsg) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.state != outOpen {
		return
	}
	o.state = outEnding
	for _, m := range ms {
		o.queue(m)
	}
}

// shut drops what is queued: the connection ended.
func (o *outbox) shut() {
	o.mu.Lock()
	o.state, o.q = outShut, nil
	o.mu.Unlock()
}

// close ends the outbox when the connection's reader is done: nothing
// more is written, and close returns when nothing writes any more. The
// last messages of an ending connection (its error, its close frame) are
// written first: the writer's deadlines bound that.
func (o *outbox) close() {
	o.mu.Lock()
	ending := o.state == outEnding
	o.mu.Unlock()
	if !ending {
		o.shut()
		o.stop(0, "")
	}
	o.wg.Wait()
}

func (o *outbox) flush() {
	for {
		o.mu.Lock()
		if len(o.q) == 0 || o.state == outShut {
			o.writing = false
			o.mu.Unlock()
			return
		}
		m := o.q[0]
		o.q[0] = outMsg{}
		o.q = o.q[1:]
		o.bytes -= m.size()
		o.mu.Unlock()
		if m.close != 0 {
			o.shut()
			o.stop(m.close, m.head)
			continue
		}
		if err := o.write(m); err != nil {
			o.shut()
			o.stop(closeNormal, "")
		}
	}
}

// reason is a close frame's reason: "CODE: message", cut to fit.
func reason(code, msg string) string {
	r := code + ": " + msg
	if len(r) > closeReasonSize {
		r = r[:closeReasonSize]
		for len(r) > 0 && r[len(r)-1]&0xC0 == 0x80 { // not in the middle of a character
			r = r[:len(r)-1]
		}
		if len(r) > 0 && r[len(r)-1] >= 0xC0 {
			r = r[:len(r)-1]
		}
	}
	return r
}
