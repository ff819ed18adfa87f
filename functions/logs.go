package functions

import (
	"context"
	"strconv"
	"time"
)

// LogSink receives the record of every invocation when it ends: its
// console output, outcome and timing. Write is called on the invoking
// goroutine after the caller's result is ready or, when main left work
// running (a promise it did not await), on another goroutine once that
// work is done or dropped; it must not block for long (queue and return)
// and must not keep rec's slices past the call unless it copies them.
type LogSink interface {
	Write(ctx context.Context, rec *LogRecord)
}

// LogRecord describes one invocation.
type LogRecord struct {
	RequestID string
	Function  string
	Version   string
	OpenID    string // the caller's openid; empty for admins and triggers
	Source    string // getWXContext().SOURCE: "wx_client", "wx_http", "wx_client,scf", …
	Start     time.Time
	Duration  time.Duration
	Status    string // StatusOK or StatusError
	Error     string // the error's message when Status is StatusError
	ErrCode   int    // its errCode (-504002, -604001, …)
	ColdStart bool   // a new instance ran the function's top-level code
	// Memory is the most memory the invocation's instance held (its
	// module state and what the invocation kept) when the watchdog
	// measured it while the invocation ran, in bytes: an estimate from
	// Go's heap profile, measured only while some function may be near
	// its budget (0 when it was not measured, as for most calls).
	Memory   uint64
	MemoryMB int // the memory budget (config.json memorySize)
	Lines    []LogLine
}

// Invocation statuses in a LogRecord.
const (
	StatusOK    = "ok"
	StatusError = "error"
)

// LogLine is one line of console (or cloud.logger()) output.
type LogLine struct {
	Time    time.Time
	Level   string // "log", "info", "warn", "error", "debug"
	Message string
}

// logBuffer keeps an invocation's lines up to a byte budget; what does
// not fit is counted and reported in one last line.
type logBuffer struct {
	lines   []LogLine
	size    int
	max     int
	dropped int
}

func (b *logBuffer) add(level, msg string) {
	if b.size+len(msg) > b.max {
		b.dropped++
		return
	}
	b.size += len(msg)
	b.lines = append(b.lines, LogLine{Time: time.Now(), Level: level, Message: msg})
}

// finish returns the lines, with a note when some were dropped.
func (b *logBuffer) finish() []LogLine {
	if b.dropped > 0 {
		b.lines = append(b.lines, LogLine{Time: time.Now(), Level: "warn",
			Message: "[minibase] " + strconv.Itoa(b.dropped) + " more log lines dropped: an invocation keeps " + strconv.Itoa(b.max) + " bytes of output"})
	}
	return b.lines
}
