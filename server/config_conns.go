package server

import "time"

// ConnConfig is the connections' part of Config: how long a client may
// take over each step of a request, and how many connections it may hold
// (listener.go). A client that stops sending or reading loses its
// connection, and what the server held for it, after the step's timeout.
type ConnConfig struct {
	// HeaderTimeout bounds a request's line and headers, and the first
	// 8 KiB of its body (which the server reads with them): from the
	// connection's opening for its first request, from the first byte for
	// the next ones.
	HeaderTimeout time.Duration
	// BodyTimeout bounds each wait for more of a request's body while its
	// handler runs (uploads: Storage.Idle instead).
	BodyTimeout time.Duration
	// SendTimeout bounds each wait for the client to take sendChunk more
	// of an answer (or of a WebSocket's messages).
	SendTimeout time.Duration
	// KeepAliveTimeout bounds the wait for the next request on a
	// connection.
	KeepAliveTimeout time.Duration
	// Max is how many connections may be open at once; 0: as many as the
	// file-descriptor limit leaves room for (defaultMaxConns).
	Max int
	// PerAddr is how many of them one client address (an IPv6 /64) may
	// hold; 0: no cap. Connections from TrustedProxies are not counted.
	PerAddr int
}

func (c *ConnConfig) settings() []setting {
	return []setting{
		{env: "MINIBASE_HEADER_TIMEOUT", def: "20s", usage: "a request's line and headers (and the first 8 KiB of its body) must arrive within this",
			set: duration(&c.HeaderTimeout, time.Millisecond, 24*time.Hour)},
		{env: "MINIBASE_BODY_TIMEOUT", def: "30s", usage: "a request body that sends nothing this long loses its connection (uploads: MINIBASE_UPLOAD_IDLE_TIMEOUT)",
			set: duration(&c.BodyTimeout, time.Millisecond, 24*time.Hour)},
		{env: "MINIBASE_SEND_TIMEOUT", def: "1m", usage: "a client that takes none of its answer this long loses the connection",
			set: duration(&c.SendTimeout, time.Millisecond, 24*time.Hour)},
		{env: "MINIBASE_KEEPALIVE_TIMEOUT", def: "2m", usage: "an idle connection is closed after this",
			set: duration(&c.KeepAliveTimeout, time.Millisecond, 24*time.Hour)},
		{env: "MINIBASE_MAX_CONNS", usage: "connections open at once; beyond, 503 (default: as many as the file-descriptor limit allows, " +
			"(RLIMIT_NOFILE - 64) / 2, at most 16384)", set: integer(&c.Max, 1, 1<<24)},
		{env: "MINIBASE_MAX_CONNS_PER_ADDR", def: "512", usage: "connections one client address (an IPv6 /64) may hold; beyond, 429 " +
			"(0: no cap; MINIBASE_TRUSTED_PROXIES are not counted)", set: integer(&c.PerAddr, 0, 1<<24)},
	}
}
