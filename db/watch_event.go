package db

import "strconv"

// What a watch sends (wxcloud-api.md §2.5): each event has an id, one
// more than the query's event before it, and the docChanges of one
// committed change (the changed document, and the one an orderBy+limit
// pushed out of or pulled into the list). The SDK builds the snapshots
// onChange receives from them.

// Data types and queue types of a docChange.
const (
	dataAdd     = "add"
	dataUpdate  = "update"
	dataReplace = "replace"
	dataRemove  = "remove"
	dataLimit   = "limit"

	queueEnqueue = "enqueue"
	queueUpdate  = "update"
	queueDequeue = "dequeue"
)

// docChange is one element of an event's docChanges.
type docChange struct {
	dataType, queueType string
	id                  string
	// doc is the document after the change (extended JSON), sent when the
	// client does not have it: enqueue, and replace. An update sends
	// updatedFields and removedFields instead (from before to after); a
	// dequeue nothing.
	doc           []byte
	before, after Doc
	// index is the document's position in the list after the event
	// (enqueue, update); the SDK keeps the list in the query's order with
	// it.
	index int
}

// appendDocChange appends c of event id as JSON:
// {"id", "dataType", "queueType", "docId", "doc"?, "updatedFields"?,
// "removedFields"?, "index"?}.
func appendDocChange(b []byte, id int64, c *docChange) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"dataType":"`...)
	b = append(b, c.dataType...)
	b = append(b, `","queueType":"`...)
	b = append(b, c.queueType...)
	b = append(b, `","docId":`...)
	b = appendString(b, c.id)
	if c.doc != nil {
		b = append(b, `,"doc":`...)
		b = append(b, c.doc...)
	}
	if c.dataType == dataUpdate && c.before != nil && c.after != nil {
		upd, rem := fieldDiff(nil, nil, c.before, c.after, "")
		b = append(b, `,"updatedFields":{`...)
		b = append(b, upd...)
		b = append(b, `},"removedFields":[`...)
		for i, p := range rem {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, p)
		}
		b = append(b, ']')
	}
	if c.queueType != queueDequeue {
		b = append(b, `,"index":`...)
		b = strconv.AppendInt(b, int64(c.index), 10)
	}
	return append(b, '}')
}

// fieldDiff appends to upd the members "path": value of an updatedFields
// object, for the paths whose value differs from before to after, and to
// rem the paths before has and after lacks. Documents on both sides are
// compared field by field (a.b); any other value, arrays included, whole.
func fieldDiff(upd []byte, rem []string, before, after Doc, prefix string) ([]byte, []string) {
	old := fieldIndex(before)
	for _, f := range after {
		path := prefix + f.Key
		if o, ok := old.get(before, f.Key); ok {
			od, wasDoc := o.(Doc)
			nd, isDoc := f.Value.(Doc)
			if wasDoc && isDoc {
				upd, rem = fieldDiff(upd, rem, od, nd, path+".")
				continue
			}
			if TypeRank(o) == TypeRank(f.Value) && Equal(o, f.Value) && sameNumberKind(o, f.Value) {
				continue
			}
		}
		if len(upd) > 0 {
			upd = append(upd, ',')
		}
		upd = appendString(upd, path)
		upd = append(upd, ':')
		upd = AppendJSON(upd, f.Value)
	}
	now := fieldIndex(after)
	for _, f := range before {
		if _, ok := now.get(after, f.Key); !ok {
			rem = append(rem, prefix+f.Key)
		}
	}
	return upd, rem
}

// sameNumberKind tells 1 from 1.0, which Equal does not: the client
// would show a different value.
func sameNumberKind(a, b any) bool {
	_, ai := a.(int64)
	_, bi := b.(int64)
	return ai == bi
}

// keyIndex finds a document's fields by name: a map for large documents,
// Doc.Get's scan for small ones.
type keyIndex map[string]int

func fieldIndex(d Doc) keyIndex {
	if len(d) <= smallDoc {
		return nil
	}
	m := make(keyIndex, len(d))
	for i, f := range d {
		m[f.Key] = i
	}
	return m
}

func (k keyIndex) get(d Doc, key string) (any, bool) {
	if k == nil {
		return d.Get(key)
	}
	i, ok := k[key]
	if !ok {
		return nil, false
	}
	return d[i].Value, true
}

// Bounds of a query's event log, which lets a client that lost its
// connection resume without a gap: the newest events up to these.
const (
	maxLogEvents = 1000
	maxLogBytes  = 1 << 20
)

// eventLog is a query's newest events, each as its docChanges' JSON
// (without the brackets).
type eventLog struct {
	first  int64    // id of events[0]
	events [][]byte // consecutive ids
	bytes  int
}

func (l *eventLog) add(id int64, frag []byte) {
	if len(l.events) == 0 {
		l.first = id
	}
	l.events = append(l.events, frag)
	l.bytes += len(frag)
	n := 0
	for len(l.events)-n > maxLogEvents || l.bytes > maxLogBytes && len(l.events)-n > 1 {
		l.bytes -= len(l.events[n])
		l.events[n] = nil
		n++
	}
	if n > 0 {
		l.events = l.events[n:]
		l.first += int64(n)
	}
}

// since returns the events after id up to last (the query's newest), and
// whether the log holds all of them.
func (l *eventLog) since(id, last int64) ([][]byte, bool) {
	switch {
	case id == last:
		return nil, true
	case id > last || len(l.events) == 0 || id+1 < l.first:
		return nil, false
	}
	return l.events[id+1-l.first:], true
}

// Message heads: a message is head, the subscriber's watchId as JSON and
// a body the subscribers of a query share, which starts with a comma (or
// ends the object).
const (
	headInit   = `{"type":"init","watchId":`
	headResume = `{"type":"resume","watchId":`
	headEvents = `{"type":"events","watchId":`
	headError  = `{"type":"error","watchId":`
	headClosed = `{"type":"closed","watchId":`
)

// initBody is the rest of an init message: the query's id, its newest
// event id and the documents in the query's order.
func initBody(queryID string, event int64, docs [][]byte) []byte {
	n := 64
	for _, d := range docs {
		n += len(d) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `,"queryId":`...)
	b = appendString(b, queryID)
	b = append(b, `,"eventId":`...)
	b = strconv.AppendInt(b, event, 10)
	b = append(b, `,"docs":[`...)
	for i, d := range docs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, d...)
	}
	return append(b, "]}"...)
}

// eventsBody is the rest of an events or resume message: the query's id,
// its newest event id and the docChanges of events (JSON fragments).
func eventsBody(queryID string, event int64, events ...[]byte) []byte {
	n := 64
	for _, e := range events {
		n += len(e) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `,"queryId":`...)
	b = appendString(b, queryID)
	b = append(b, `,"eventId":`...)
	b = strconv.AppendInt(b, event, 10)
	b = append(b, `,"events":[`...)
	for i, e := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return append(b, "]}"...)
}

// errorBody is the rest of an error message: err's code, errCode and
// message.
func errorBody(err *Error) []byte {
	return appendErrorFields(nil, err.Code, err.ErrCode, err.Message)
}

func appendErrorFields(b []byte, code string, errCode int, msg string) []byte {
	b = append(b, `,"code":`...)
	b = appendString(b, code)
	b = append(b, `,"errCode":`...)
	b = strconv.AppendInt(b, int64(errCode), 10)
	b = append(b, `,"message":`...)
	b = appendString(b, msg)
	return append(b, '}')
}
