package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Nodes sharing the database coordinate through it in two ways
// (functions.TickClaims and functions.Leader, which DB satisfies):
//
//   - Timer ticks are claimed one by one: the node that inserts the row
//     (timer, tick) of _timer_ticks runs that tick, every other node's
//     insert finds it there and skips it. A tick is run once whichever
//     nodes are alive, none is skipped while one lives, and a node that
//     dies costs no failover: the survivors claim its ticks from the next
//     one on. Claims rather than a timer leader: a leader that dies right
//     after its tick, or one whose clock runs a little behind the next
//     leader's, would run a tick twice or skip one; a claim is decided by
//     the primary key, once.
//   - Leadership (Lead) is a session-level advisory lock, held on a
//     connection of its own: one node holds it and does the work (database
//     triggers read the change feed), the others try again every
//     leadRetry. The lock goes with the session: a node that stops or
//     crashes closes it at once; one cut off from the database is found
//     out by PostgreSQL's TCP keepalives on that session (leadKeepalive*,
//     about 10 s), while the node itself stops leading as soon as a
//     heartbeat ping fails or takes longer than leadHeartbeatTimeout (a
//     few seconds), before its lock is released to another node. A node
//     that takes the lock waits leadGrace before it starts, by which time
//     a leader whose session the server ended has seen it and stopped:
//     two nodes lead at once only when a leader's process is stalled for
//     longer than that.

// clusterSchema holds the timers' claims; ClaimTick creates it when it
// is missing.
const clusterSchema = `
CREATE TABLE IF NOT EXISTS _timer_ticks (
	timer   text NOT NULL COLLATE "C",
	tick    bigint NOT NULL,
	claimed timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (timer, tick)
);
CREATE INDEX IF NOT EXISTS _timer_ticks_tick ON _timer_ticks (tick);`

// Bounds and periods of the cluster primitives.
const (
	maxTimerKey = 256            // bytes of a timer's name in ClaimTick
	tickKeep    = 24 * time.Hour // claims older than this (by tick) are deleted

	leadRetry            = time.Second            // a node that does not lead tries again this often
	leadCheck            = 100 * time.Millisecond // the leader looks for its session's end this often (no traffic)
	leadHeartbeat        = time.Second            // and queries the database this often
	leadHeartbeatTimeout = 3 * time.Second        // a query slower than this ends the leadership
	// leadGrace is how long a new leader waits, holding the lock, before
	// it starts: a leader whose session was ended by the server (a crash
	// of its node closes it at once; pg_terminate_backend, a restart) has
	// seen it by then (leadCheck) and stopped.
	leadGrace          = time.Second
	leadConnectTimeout = 10 * time.Second
	// PostgreSQL's keepalives on the leader's session: a node cut off is
	// found dead after idle + count×interval seconds, its lock released.
	leadKeepaliveIdle     = "5"
	leadKeepaliveInterval = "1"
	leadKeepaliveCount    = "5"
	leadUserTimeout       = "10000" // ms: unacknowledged data fails the session too
)

// ClaimTick claims timer's run at tick for this node: true when no node
// had claimed it (functions.TickClaims). The same statement deletes the
// claims of ticks tickKeep older than tick, so the table holds about a
// day of ticks.
func (d *DB) ClaimTick(ctx context.Context, timer string, tick time.Time) (bool, error) {
	if timer == "" || len(timer) > maxTimerKey {
		return false, fmt.Errorf("claim a timer's tick: the timer's name must be 1 to %d bytes", maxTimerKey)
	}
	ms := tick.UnixMilli()
	const claim = `WITH gone AS (DELETE FROM _timer_ticks WHERE tick < $3)
		INSERT INTO _timer_ticks (timer, tick) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	tag, err := d.pool.Exec(ctx, claim, timer, ms, ms-tickKeep.Milliseconds())
	if isUndefinedTable(err) { // the first claim of this database
		if err = d.createTimerTicks(ctx); err == nil {
			tag, err = d.pool.Exec(ctx, claim, timer, ms, ms-tickKeep.Milliseconds())
		}
	}
	if err != nil {
		return false, fmt.Errorf("claim a timer's tick: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// createTimerTicks creates the claims' table, under the write lock: nodes
// claiming their first tick together do not race on CREATE TABLE.
func (d *DB) createTimerTicks(ctx context.Context) error {
	return d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		_, err := tx.Exec(ctx, clusterSchema)
		return err
	})
}

// leadKey is the advisory lock of leadership name.
func leadKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("minibase lead " + name))
	return int64(h.Sum64() & (1<<63 - 1))
}

// Lead runs lead while this node holds the leadership name
// (functions.Leader): a session-level advisory lock on a connection of its
// own, named "minibase lead <name>" in pg_stat_activity.
func (d *DB) Lead(ctx context.Context, name string, lead func(context.Context), report func(error)) {
	for ctx.Err() == nil {
		err := d.leadOnce(ctx, name, lead)
		if err != nil && ctx.Err() == nil && report != nil {
			report(err)
		}
		if ctx.Err() == nil {
			wait(ctx, leadRetry)
		}
	}
}

// leadOnce connects, waits until it takes the lock, runs lead while the
// connection lives, and returns why it stopped (nil: ctx ended).
func (d *DB) leadOnce(ctx context.Context, name string, lead func(context.Context)) error {
	cfg := d.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "minibase lead " + name
	cfg.RuntimeParams["tcp_keepalives_idle"] = leadKeepaliveIdle
	cfg.RuntimeParams["tcp_keepalives_interval"] = leadKeepaliveInterval
	cfg.RuntimeParams["tcp_keepalives_count"] = leadKeepaliveCount
	cfg.RuntimeParams["tcp_user_timeout"] = leadUserTimeout
	cctx, cancel := context.WithTimeout(ctx, leadConnectTimeout)
	c, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("connect to take the leadership of %s: %w", name, err)
	}
	defer c.Close(context.Background()) // releases the lock, if held
	key := leadKey(name)
	for {
		var got bool
		qctx, cancel := context.WithTimeout(ctx, leadHeartbeatTimeout)
		err := c.QueryRow(qctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("take the leadership of %s: %w", name, err)
		}
		if got {
			break
		}
		if !wait(ctx, leadRetry) {
			return nil
		}
	}
	lctx, stop := context.WithCancel(ctx)
	lost := make(chan error, 1)
	go func() {
		lost <- heartbeat(lctx, c)
		stop()
	}()
	if wait(lctx, leadGrace) {
		lead(lctx)
	}
	stop()
	if err := <-lost; err != nil {
		return fmt.Errorf("lost the leadership of %s: %w", name, err)
	}
	return nil
}

// heartbeat watches c until ctx ends (nil) or c fails (its error): every
// leadCheck it reads what the server sent (its session ended: an error
// and the connection closed; CheckConn, which sends nothing), every
// leadHeartbeat it pings the server, failing when no answer comes within
// leadHeartbeatTimeout (a connection cut off, which nothing closes).
func heartbeat(ctx context.Context, c *pgx.Conn) error {
	t := time.NewTicker(leadCheck)
	defer t.Stop()
	pinged := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		//lint:ignore SA1019 Ping is below; CheckConn costs no round trip, so it runs 10 times as often
		if err := c.PgConn().CheckConn(); err != nil {
			return err
		}
		if time.Since(pinged) < leadHeartbeat {
			continue
		}
		pinged = time.Now()
		qctx, cancel := context.WithTimeout(ctx, leadHeartbeatTimeout)
		err := c.Ping(qctx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// wait waits d or until ctx ends (false then).
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
