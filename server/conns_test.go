package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// drain closes the connections without a request in a handler at once —
// one that never sent a request, one idle between keep-alive requests —
// and waits for the one whose request is in its handler. fasthttp's own
// shutdown is not called here: it would close the first two by itself,
// after a grace of seconds, and so hide a drain that waits for them.
func TestDrainClosesConnectionsWithoutRequest(t *testing.T) {
	conns := newConnStates()
	entered, release := make(chan struct{}), make(chan struct{})
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Server().ConnState = conns.hook
	app.Use(conns.enter)
	app.Get("/ok", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/hold", func(c *fiber.Ctx) error {
		close(entered)
		<-release
		return c.SendString("held")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithTimeout(waitLimit) })
	addr := ln.Addr().String()

	silent := dial(t, addr) // connects, never sends a request
	idle := dial(t, addr)   // one keep-alive request, then idle
	fmt.Fprintf(idle, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, err := http.ReadResponse(bufio.NewReader(idle), nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the idle connection's request: %v, %v", resp, err)
	}
	busy := dial(t, addr)
	fmt.Fprintf(busy, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered
	waitUntilState(t, conns, func(st map[net.Conn]connState) bool {
		var waiting, busy int
		for _, s := range st {
			switch s {
			case connWaiting:
				waiting++
			case connBusy:
				busy++
			}
		}
		return len(st) == 3 && waiting == 2 && busy == 1
	})

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	drained := make(chan struct{})
	go func() { conns.drain(ctx); close(drained) }()
	for name, c := range map[string]net.Conn{"a connection that never sent a request": silent, "an idle keep-alive connection": idle} {
		c.SetReadDeadline(time.Now().Add(waitLimit))
		if n, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("%s during drain: read %d bytes, %v; want it closed (EOF)", name, n, err)
		}
	}
	select {
	case <-drained:
		t.Fatal("drain returned while a request was in its handler")
	default: // it waits for the busy connection's handler
	}
	close(release)
	busy.SetReadDeadline(time.Now().Add(waitLimit))
	resp, err := http.ReadResponse(bufio.NewReader(busy), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the request in its handler during drain: %v, %v", resp, err)
	}
	select {
	case <-drained:
	case <-ctx.Done():
		t.Fatal("drain did not return once the last handler was done")
	}
	if ctx.Err() != nil {
		t.Fatal("drain ran into its deadline")
	}
}

// waitUntilState polls the connections' states until cond holds, failing
// after waitLimit.
func waitUntilState(t *testing.T, s *connStates, cond func(map[net.Conn]connState) bool) {
	t.Helper()
	for deadline := time.Now().Add(waitLimit); ; time.Sleep(time.Millisecond) {
		s.mu.Lock()
		ok := cond(s.state)
		s.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the connections' states never reached what the test needs")
		}
	}
}
