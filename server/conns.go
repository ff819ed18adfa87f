package server

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// connStates follows the server's connections so that shutdown finishes the
// requests in progress and nothing else. fasthttp's own shutdown waits for
// every connection it deems active, and it deems a connection active as soon
// as it starts reading its first request: a client that opened a connection
// and sent nothing (an HTTP client's spare keep-alive connection) held
// SIGTERM for the whole 30 s. Here a connection is waiting (no request:
// new, or idle between keep-alive requests), reading (a request not yet
// complete: its handler has not started), or busy (in a handler, or writing
// the response); shutdown closes the first two and waits for the third.
type connStates struct {
	mu      sync.Mutex
	state   map[net.Conn]connState
	closing bool
}

type connState uint8

const (
	connWaiting connState = iota
	connReading
	connBusy
)

func newConnStates() *connStates { return &connStates{state: map[net.Conn]connState{}} }

// hook is the fasthttp.Server ConnState callback.
func (s *connStates) hook(c net.Conn, st fasthttp.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case fasthttp.StateNew, fasthttp.StateIdle:
		if s.closing {
			delete(s.state, c)
			c.Close()
			return
		}
		s.state[c] = connWaiting
	case fasthttp.StateActive:
		s.state[c] = connReading
	default: // closed, hijacked
		delete(s.state, c)
	}
}

// enter is the first middleware: the request on c is complete and its
// handler runs, so shutdown waits for it.
func (s *connStates) enter(c *fiber.Ctx) error {
	conn := c.Context().Conn()
	s.mu.Lock()
	if _, ok := s.state[conn]; ok {
		s.state[conn] = connBusy
	}
	s.mu.Unlock()
	return c.Next()
}

// drain closes every connection that has no request in a handler (and each
// one that comes to have none), then waits until no handler is running or
// ctx ends, and returns how many connections still had a request then.
func (s *connStates) drain(ctx context.Context) int {
	s.mu.Lock()
	s.closing = true
	for c, st := range s.state {
		if st != connBusy {
			c.Close()
			delete(s.state, c)
		}
	}
	s.mu.Unlock()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		n := len(s.state)
		s.mu.Unlock()
		if n == 0 {
			return 0
		}
		select {
		case <-ctx.Done():
			return n
		case <-tick.C:
		}
	}
}
