package server

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"minibase/functions"

	"github.com/gofiber/fiber/v2"
)

// The console's series: requests, error answers, function invocations and
// failed invocations per minute over the last hour, in memory since the
// server started. Each request costs one atomic add on the counter of its
// minute (no lock, no allocation; the time is the one fasthttp took when
// the request came).

// seriesMinutes is how many minutes the series cover.
const seriesMinutes = 60

// minuteCounter counts events per minute in a ring of seriesMinutes
// slots. A slot holds its minute's number (mod 2^minuteBits) in its high
// bits and the count in the low countBits: an add that finds an older
// minute in its slot starts it over, in the same compare-and-swap, so no
// count is lost or carried into the wrong minute.
type minuteCounter [seriesMinutes]atomic.Uint64

const (
	countBits  = 40
	minuteBits = 64 - countBits
	countMask  = 1<<countBits - 1
	minuteMask = 1<<minuteBits - 1
)

// add counts one event at t.
func (c *minuteCounter) add(t time.Time) {
	m := uint64(t.Unix()/60) & minuteMask
	slot := &c[m%seriesMinutes]
	for {
		old := slot.Load()
		next := m<<countBits | 1
		if old>>countBits == m {
			if old&countMask == countMask {
				return // saturated: 10^12 events in a minute
			}
			next = old + 1
		}
		if slot.CompareAndSwap(old, next) {
			return
		}
	}
}

// last returns the counts of the seriesMinutes minutes up to now's,
// oldest first.
func (c *minuteCounter) last(now time.Time) []int64 {
	out := make([]int64, seriesMinutes)
	cur := now.Unix() / 60
	for i := range out {
		m := uint64(cur-int64(seriesMinutes-1-i)) & minuteMask
		if v := c[m%seriesMinutes].Load(); v>>countBits == m {
			out[i] = int64(v & countMask)
		}
	}
	return out
}

// series are the server's per-minute counters.
type series struct {
	requests, errors, invocations, fnErrors minuteCounter
}

var _ functions.LogSink = (*series)(nil)

// count is the handler that counts every request, and those answered
// with an error (status 400 or more, or an error the error handler will
// answer).
func (s *series) count(c *fiber.Ctx) error {
	t := c.Context().Time()
	s.requests.add(t)
	err := c.Next()
	if err != nil || c.Response().StatusCode() >= fiber.StatusBadRequest {
		s.errors.add(t)
	}
	return err
}

// Write counts a function invocation, and its failure, at its start: the
// series see every record the runtime makes (logSinks).
func (s *series) Write(_ context.Context, rec *functions.LogRecord) {
	s.invocations.add(rec.Start)
	if rec.Status != functions.StatusOK {
		s.fnErrors.add(rec.Start)
	}
}

// SeriesAnswer is the "series" of GET /v1/admin/info.
type SeriesAnswer struct {
	Minutes        int     `json:"minutes"`
	Requests       []int64 `json:"requests"`
	Errors         []int64 `json:"errors"`
	Invocations    []int64 `json:"invocations"`
	FunctionErrors []int64 `json:"functionErrors"`
}

func (s *series) answer(now time.Time) SeriesAnswer {
	return SeriesAnswer{Minutes: seriesMinutes, Requests: s.requests.last(now), Errors: s.errors.last(now),
		Invocations: s.invocations.last(now), FunctionErrors: s.fnErrors.last(now)}
}

// Figures are the totals of GET /v1/admin/info.
type Figures struct {
	Collections  int   `json:"collections"`
	Documents    int64 `json:"documents"`
	Users        int   `json:"users"`
	Functions    int   `json:"functions"`
	Files        int64 `json:"files"`
	StorageBytes int64 `json:"storageBytes"`
	// FilesCounted is false when there were more than maxCountedFiles
	// files: Files and StorageBytes are those of the first ones.
	FilesCounted bool `json:"filesCounted"`
}

// figuresTTL is how long the totals are kept: counting files lists the
// buckets, which an overview polled every few seconds must not repeat.
const (
	figuresTTL      = 30 * time.Second
	maxCountedFiles = 100_000
)

// figureCache keeps the latest Figures for figuresTTL, except Collections
// and Documents, which the database keeps cheaply and are read each time.
type figureCache struct {
	mu  sync.Mutex
	at  time.Time
	val Figures
}
