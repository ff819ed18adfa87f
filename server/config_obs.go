package server

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// ObsConfig is observability's part of Config: the server log's format
// and level, the request log, and where /metrics is also served.
type ObsConfig struct {
	LogFormat  string     // "text" or "json"
	LogLevel   slog.Level // the least level written
	RequestLog RequestLog // which requests get a line in the log
	// MetricsAddr, when set, is a second listen address serving /metrics
	// (and the health checks) with no authentication.
	MetricsAddr string
	// ReadyEvery is how often readiness checks run at most (no setting;
	// 0: a second).
	ReadyEvery time.Duration
}

// RequestLog says which requests the server log gets a line about.
type RequestLog struct {
	Mode  string // "off", "errors", "sampled" or "all"
	Every uint64 // with "sampled": one request in Every
}

// Request log modes.
const (
	RequestLogOff     = "off"
	RequestLogErrors  = "errors"
	RequestLogSampled = "sampled"
	RequestLogAll     = "all"
)

// maxSampleEvery bounds N of sampled:N.
const maxSampleEvery = 1_000_000

// ParseRequestLog reads MINIBASE_REQUEST_LOG: off, errors (answers of 400
// or more), sampled:N (every Nth request, counted; N from 1 to 1000000) or
// all.
func ParseRequestLog(v string) (RequestLog, error) {
	switch v {
	case RequestLogOff, RequestLogErrors, RequestLogAll:
		return RequestLog{Mode: v}, nil
	}
	if n, ok := strings.CutPrefix(v, RequestLogSampled+":"); ok {
		every, err := strconv.ParseUint(n, 10, 64)
		if err == nil && every >= 1 && every <= maxSampleEvery && n[0] != '+' {
			return RequestLog{Mode: RequestLogSampled, Every: every}, nil
		}
	}
	return RequestLog{}, fmt.Errorf("must be off, errors, all or sampled:N with N from 1 to %d", maxSampleEvery)
}

func (c *ObsConfig) settings() []setting {
	return []setting{
		{env: "MINIBASE_LOG_FORMAT", def: "text", usage: "the server log's format on stderr: text (key=value) or json (one object a line)",
			set: oneOf(&c.LogFormat, "text", "json")},
		{env: "MINIBASE_LOG_LEVEL", def: "info", usage: "the least level the server log writes: debug, info, warn or error",
			set: func(v string) error {
				var l slog.Level
				if err := l.UnmarshalText([]byte(v)); err != nil || strings.ContainsAny(v, "+-") {
					return fmt.Errorf("must be debug, info, warn or error")
				}
				c.LogLevel = l
				return nil
			}},
		{env: "MINIBASE_REQUEST_LOG", def: "off", usage: "a line in the server log (level info) per request: off, errors (answers of 400 or more), " +
			"sampled:N (every Nth request) or all",
			set: func(v string) (err error) { c.RequestLog, err = ParseRequestLog(v); return err }},
		{env: "MINIBASE_METRICS_ADDR", usage: "a second listen address serving Prometheus metrics at /metrics (and /v1/health, /v1/health/ready) " +
			"without authentication: bind it to loopback or a private network, e.g. 127.0.0.1:9090; off by default " +
			"(/metrics on the API's address needs an admin key or admin token)",
			set: text(&c.MetricsAddr)},
	}
}

// NewLogger is the server log cfg describes (MINIBASE_LOG_FORMAT,
// MINIBASE_LOG_LEVEL), written to w.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.Obs.LogLevel}
	if cfg.Obs.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
