package functions

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
)

// tailBuffer is how many records a tail holds for a reader that has not
// taken them yet; beyond, it loses records (Tail.Lost counts them).
const tailBuffer = 256

// Tail is a live feed of the records a LogStore stores, from when it was
// opened: each as the JSON of a LogEntry. It never slows the store: a
// reader that falls behind loses records, and Lost says how many.
type Tail struct {
	// C delivers the records; it is closed when the tail or the store is
	// closed.
	C <-chan []byte

	ch       chan []byte
	function string // only this function's records; "" for all
	lost     atomic.Int64
	hub      *tailHub
	once     sync.Once
	claimed  atomic.Bool // taken by the WebSocket it was reserved for (or closed for want of one)
}

// Lost returns how many records the tail lost since the last call because
// C was full.
func (t *Tail) Lost() int64 { return t.lost.Swap(0) }

// Close ends the tail (C is closed). Every tail must be closed: the
// store's Close waits for its tails' (a little while).
func (t *Tail) Close() {
	t.once.Do(func() {
		h := t.hub
		h.mu.Lock()
		if _, ok := h.subs[t]; ok {
			delete(h.subs, t)
			h.n.Add(-1)
			close(t.ch)
		}
		h.mu.Unlock()
		h.open.Done()
	})
}

// Tail opens a live feed of the records stored from now on, of one
// function or (function "") all. Errors: CodeBusy when MaxTails are open,
// CodeUnavailable when the store is closed. The caller closes the tail.
func (s *LogStore) Tail(function string) (*Tail, error) {
	h := &s.tails
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, Errorf(CodeUnavailable, "the function log store is shut down")
	}
	if len(h.subs) >= h.max {
		return nil, Errorf(CodeBusy, "%d live log tails are open, the most allowed; close one or try again later", h.max)
	}
	ch := make(chan []byte, tailBuffer)
	t := &Tail{C: ch, ch: ch, function: function, hub: h}
	if h.subs == nil {
		h.subs = make(map[*Tail]struct{})
	}
	h.subs[t] = struct{}{}
	h.n.Add(1)
	h.open.Add(1)
	return t, nil
}

// tailFull reports whether Tail would refuse a new tail for lack of room.
func (s *LogStore) tailFull() bool { return int(s.tails.n.Load()) >= s.tails.max }

// tailHub hands each stored record to the live tails.
type tailHub struct {
	mu     sync.Mutex
	subs   map[*Tail]struct{}
	max    int
	closed bool
	n      atomic.Int32   // len(subs), read without the lock
	open   sync.WaitGroup // tails not yet closed by their readers
}

func (h *tailHub) count() int { return int(h.n.Load()) }

// publish gives the record stored as id to every tail that wants it,
// without waiting for any.
func (h *tailHub) publish(id string, r *LogRecord) {
	if h.n.Load() == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var msg []byte
	for t := range h.subs {
		if t.function != "" && t.function != r.Function {
			continue
		}
		if msg == nil {
			msg, _ = json.Marshal(logEntryOf(id, r))
		}
		select {
		case t.ch <- msg:
		default:
			t.lost.Add(1)
		}
	}
}

// close ends every tail and refuses new ones, then gives the readers up
// to wait to close their tails (a WebSocket says goodbye to its client).
func (h *tailHub) close(wait time.Duration) {
	h.end()
	done := make(chan struct{})
	go func() { h.open.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
	}
}

func (h *tailHub) end() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for t := range h.subs {
		close(t.ch)
		delete(h.subs, t)
	}
	h.n.Store(0)
}
