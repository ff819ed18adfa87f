package server

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
)

// An address another process listens on is reported by Run before
// anything says the server is serving.
func TestRunPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var out bytes.Buffer
	m := newTestMain(t, func(c *Config) { c.HTTP = taken.Addr().String() })
	m.Out = &out
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	err = m.Run(ctx) // returns at once; the deadline only bounds a Run that would serve
	if err == nil || !strings.Contains(err.Error(), "address already in use") || ctx.Err() != nil {
		t.Errorf("Run on a taken address: %v (context: %v), want an error saying the address is in use", err, ctx.Err())
	}
	if strings.Contains(out.String(), "serving on") {
		t.Errorf("Run said it serves on a taken address:\n%s", out.String())
	}
}

// So is MINIBASE_PPROF's address: the server does not start without the
// profiler it was asked for.
func TestRunPprofPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var out bytes.Buffer
	m := newTestMain(t, func(c *Config) { c.HTTP, c.Pprof = "127.0.0.1:0", taken.Addr().String() })
	m.Out = &out
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := m.Run(ctx); err == nil || !strings.Contains(err.Error(), "MINIBASE_PPROF") || ctx.Err() != nil || out.Len() != 0 {
		t.Errorf("Run with a taken pprof address: %v (context: %v), printed %q", err, ctx.Err(), out.String())
	}
}
