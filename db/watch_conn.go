package db

import (
	"context"
	"regexp"
	"sync"

	"minibase/auth"
)

// The watch protocol: JSON text messages over one WebSocket per
// collection (GET /v1/db/{coll}/watch), each watch named by an id the
// client chooses (watchId). Client to server:
//
//	{"type":"watch","watchId":"w1","query":{"filter":…,"sort":[[path,1|-1]…],"limit":n},
//	 "resume":{"queryId":"…","eventId":n}}
//	{"type":"close","watchId":"w1"}
//	{"type":"ping"}
//
// Server to client: {"type":"init","watchId","queryId","eventId","docs"},
// {"type":"resume","watchId","queryId","eventId","events"} (the events
// after the client's, when the query's log still holds them; else an
// init), {"type":"events","watchId","queryId","eventId","events"},
// {"type":"error","watchId","code","errCode","message"} (that watch
// ended), {"type":"closed","watchId"}, {"type":"pong"}, and
// {"type":"error","code",…} without watchId for the connection, which then
// closes. Event ids of a query are consecutive.

// MaxWatchMessage is the most bytes of one message a client sends on a
// watch connection; a larger one closes the connection (WebSocket close
// 1009, message too big).
const MaxWatchMessage = 256 << 10

// maxQueued is how many messages wait to be written to a client (their
// bytes: WatchOptions.SendBuffer).
const maxQueued = 1000

var watchIDRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// wconn is one watch connection.
type wconn struct {
	w    *Watches
	coll string
	ctx  context.Context // carries the caller's identity
	id   *auth.Identity
	user string // the per-user limit's key ("" for admins: no per-user limit)
	out  *outbox

	mu    sync.Mutex
	subs  map[string]*subscriber // by watchId
	ended bool
}

// subscriber is one watch of a connection.
type subscriber struct {
	conn   *wconn
	watch  string     // watchId
	quoted []byte     // watchId as JSON
	source watchQuery // the request
	q      *wquery    // the hub's; nil until attached
}

// send queues a message of kind head (headEvents…) for the client.
func (s *subscriber) send(head string, body []byte) {
	s.conn.out.send(outMsg{head: head, id: s.quoted, body: body})
}

// ended reports whether the watch was closed or its connection ended.
func (s *subscriber) ended() bool {
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ended || c.subs[s.watch] != s
}

// fail ends the watch with err: the client gets an error message for it.
func (s *subscriber) fail(err *Error) {
	if s.conn.forget(s) {
		s.send(headError, errorBody(err))
	}
}

// forget removes sub from the connection and frees its place in the
// limits; false when it was gone already.
func (c *wconn) forget(sub *subscriber) bool {
	c.mu.Lock()
	if c.subs[sub.watch] != sub {
		c.mu.Unlock()
		return false
	}
	delete(c.subs, sub.watch)
	c.mu.Unlock()
	c.w.release(c.user, 1)
	return true
}

// open registers a new connection of coll for the caller in ctx, or
// refuses it (EXCEED_REQUEST_LIMIT) when the caller or the server holds
// as many watches and connections as the limits allow.
func (w *Watches) open(ctx context.Context, coll, user string, out *outbox) (*wconn, error) {
	c := &wconn{w: w, coll: coll, ctx: ctx, id: auth.FromContext(ctx), user: user, out: out, subs: map[string]*subscriber{}}
	if err := w.reserve(user, 1); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		w.users[user]--
		w.total--
		return nil, Errorf(CodeWatchLimit, "the server is shutting down")
	}
	w.conns[c] = struct{}{}
	return c, nil
}

// reserve takes n places in the user's and the server's limits.
func (w *Watches) reserve(user string, n int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.total+n > w.opts.Total:
		return Errorf(CodeWatchLimit, "the server holds %d watches and connections, the most it allows: try again later", w.opts.Total)
	case user != "" && w.users[user]+n > w.opts.PerUser:
		return Errorf(CodeWatchLimit, "this user holds %d watches and connections, the most allowed: close some", w.opts.PerUser)
	}
	w.total += n
	if user != "" {
		w.users[user] += n
	}
	return nil
}

func (w *Watches) release(user string, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.total -= n
	if user != "" {
		if w.users[user] -= n; w.users[user] <= 0 {
			delete(w.users, user)
		}
	}
}

// close ends the connection: its watches leave their queries, and its
// place in the limits is freed. The caller has stopped reading it, and
// closes its outbox.
func (c *wconn) close() {
	c.mu.Lock()
	c.ended = true
	subs := c.subs
	c.subs = nil
	c.mu.Unlock()
	c.w.release(c.user, 1+len(subs))
	for _, sub := range subs {
		c.w.post(func() { c.w.detach(sub) })
	}
	c.w.mu.Lock()
	delete(c.w.conns, c)
	c.w.mu.Unlock()
}

// resumePoint is where a client left a query: its id and the id of the
// last event the client applied.
type resumePoint struct {
	queryID string
	event   int64
}

// handle acts on one message from the client.
func (c *wconn) handle(data []byte) {
	if exp := c.id.Expires; !exp.IsZero() && !c.w.opts.Now().Before(exp) {
		c.out.end(auth.Errorf(auth.CodeAccessTokenExpired, "the access token has expired: refresh it and watch again"))
		return
	}
	body, err := DecodeBody(data)
	var m map[string]any
	if err == nil {
		m, err = fields(body, "type", "watchId", "query", "resume")
	}
	if err != nil {
		c.out.send(outMsg{head: `{"type":"error"`, body: errorBody(asError(err))})
		return
	}
	switch m["type"] {
	case "ping":
		c.out.send(outMsg{head: `{"type":"pong"}`})
	case "watch":
		c.watch(m)
	case "close":
		c.closeWatch(m["watchId"])
	default:
		c.out.send(outMsg{head: `{"type":"error"`, body: errorBody(Errorf(CodeInvalidParam, `type must be "watch", "close" or "ping"`))})
	}
}

// watchID checks a watchId.
func watchID(v any) (string, []byte, error) {
	id, ok := v.(string)
	if !ok || !watchIDRE.MatchString(id) {
		return "", nil, Errorf(CodeInvalidParam, "watchId must be 1 to 64 letters, digits, '_', '.', ':' or '-'")
	}
	return id, appendString(nil, id), nil
}

// watch starts a watch: {watchId, query, resume?}.
func (c *wconn) watch(m map[string]any) {
	id, quoted, err := watchID(m["watchId"])
	if err != nil {
		c.out.send(outMsg{head: `{"type":"error"`, body: errorBody(asError(err))})
		return
	}
	sub := &subscriber{conn: c, watch: id, quoted: quoted}
	refuse := func(err error) { sub.send(headError, errorBody(asError(err))) }
	q, err := fields(docOrEmpty(m["query"]), "filter", "sort", "limit")
	if err != nil {
		refuse(err)
		return
	}
	sub.source = watchQuery{filter: q["filter"], sort: q["sort"], limit: q["limit"]}
	resume, err := parseResume(m["resume"])
	if err != nil {
		refuse(err)
		return
	}
	spec, err := c.w.parseWatch(c.ctx, c.coll, sub.source)
	if err != nil {
		refuse(err)
		return
	}
	if err := c.add(sub); err != nil {
		refuse(err)
		return
	}
	c.w.post(func() { c.w.attach(sub, spec, resume) })
}

func docOrEmpty(v any) Doc {
	if d, ok := v.(Doc); ok {
		return d
	}
	return Doc{}
}

// add adds sub to the connection, within the limits.
func (c *wconn) add(sub *subscriber) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.ended:
		return Errorf(CodeWatchLimit, "the connection is closing")
	case c.subs[sub.watch] != nil:
		return Errorf(CodeInvalidParam, "watchId %q is already watching on this connection", sub.watch)
	case len(c.subs) >= c.w.opts.PerConnection:
		return Errorf(CodeWatchLimit, "a connection holds at most %d watches", c.w.opts.PerConnection)
	}
	if err := c.w.reserve(c.user, 1); err != nil {
		return err
	}
	c.subs[sub.watch] = sub
	return nil
}

// closeWatch ends a watch the client closes; it answers closed, also for
// a watch that had ended.
func (c *wconn) closeWatch(v any) {
	id, quoted, err := watchID(v)
	if err != nil {
		c.out.send(outMsg{head: `{"type":"error"`, body: errorBody(asError(err))})
		return
	}
	c.mu.Lock()
	sub := c.subs[id]
	c.mu.Unlock()
	if sub != nil && c.forget(sub) {
		c.w.post(func() { c.w.detach(sub) })
	}
	c.out.send(outMsg{head: headClosed, id: quoted, body: []byte("}")})
}

func parseResume(v any) (*resumePoint, error) {
	if v == nil {
		return nil, nil
	}
	d, ok := v.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "resume must be {queryId, eventId}")
	}
	m, err := fields(d, "queryId", "eventId")
	if err != nil {
		return nil, err
	}
	id, _ := m["queryId"].(string)
	ev, err := intField(m["eventId"], "eventId", -1)
	if err != nil || id == "" || ev < 0 {
		return nil, Errorf(CodeInvalidParam, "resume must be {queryId, eventId}")
	}
	return &resumePoint{queryID: id, event: int64(ev)}, nil
}

// endRevoked ends the connections whose sign-in was revoked.
func (w *Watches) endRevoked() {
	w.mu.Lock()
	var ended []*wconn
	for c := range w.conns {
		if sid := c.id.SessionID; sid != "" && w.opts.Sessions.Revoked(sid) {
			ended = append(ended, c)
		}
	}
	w.mu.Unlock()
	for _, c := range ended {
		c.out.end(auth.Errorf(auth.CodeAccessTokenRevoked, "the sign-in of this watch has ended (signed out, revoked, or the account disabled or deleted)"))
	}
}

// shutdown ends every connection and refuses new ones: the server stops.
func (w *Watches) shutdown() {
	w.mu.Lock()
	w.closed = true
	conns := make([]*wconn, 0, len(w.conns))
	for c := range w.conns {
		conns = append(conns, c)
	}
	w.inbox = nil
	w.mu.Unlock()
	for _, c := range conns {
		c.out.goingAway()
	}
}

// Open returns how many WebSocket connections are open and how many
// watches they hold, now.
func (w *Watches) Open() (conns, watches int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.conns), max(w.total-len(w.conns), 0)
}
