package server

import "time"

// WatchConfig is realtime watch's part of Config (db.WatchOptions).
type WatchConfig struct {
	MaxDocs       int           // documents one watch may match
	PerConnection int           // watches of one connection
	PerUser       int           // watches and connections of one user (or one visitor's address)
	Total         int           // watches and connections of the server
	IdleTimeout   time.Duration // a connection silent this long is closed
	SendBuffer    int           // bytes waiting for one client before it is disconnected; 0: db's default (no setting)
}

func (c *WatchConfig) settings() []setting {
	return []setting{
		{env: "MINIBASE_WATCH_MAX_DOCS", def: "5000", usage: "documents one realtime watch may match (its first snapshot and its list); beyond, it fails",
			set: integer(&c.MaxDocs, 1, 1_000_000)},
		{env: "MINIBASE_WATCH_PER_CONNECTION", def: "100", usage: "realtime watches one WebSocket connection may hold",
			set: integer(&c.PerConnection, 1, 100_000)},
		{env: "MINIBASE_WATCH_PER_USER", def: "500", usage: "realtime watches and connections one end user (a visitor: one address) may hold",
			set: integer(&c.PerUser, 1, 10_000_000)},
		{env: "MINIBASE_WATCH_MAX", def: "50000", usage: "realtime watches and connections the server holds",
			set: integer(&c.Total, 1, 100_000_000)},
		{env: "MINIBASE_WATCH_IDLE_TIMEOUT", def: "60s", usage: "a watch connection that sends nothing (the SDK pings every 20s) for this long is closed",
			set: duration(&c.IdleTimeout, time.Second, 24*time.Hour)},
	}
}
