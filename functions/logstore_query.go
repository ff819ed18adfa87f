package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"minibase/auth"
	"minibase/db"
)

// LogEntry is an invocation's record as the admin API returns it and the
// live tail sends it.
type LogEntry struct {
	ID          string         `json:"id"` // the record's id, also the cursor of the page after it
	RequestID   string         `json:"requestId"`
	Function    string         `json:"function"`
	Version     string         `json:"version,omitempty"`
	OpenID      string         `json:"openid,omitempty"`
	Source      string         `json:"source"`
	Start       time.Time      `json:"start"`
	Duration    float64        `json:"duration"` // milliseconds
	Status      string         `json:"status"`   // StatusOK or StatusError
	Error       string         `json:"error,omitempty"`
	ErrCode     int            `json:"errCode,omitempty"`
	ColdStart   bool           `json:"coldStart"`
	Memory      int64          `json:"memory"`      // bytes: LogRecord.Memory
	MemoryLimit int            `json:"memoryLimit"` // MB
	Logs        []LogEntryLine `json:"logs"`
}

// LogEntryLine is one line of console output in a LogEntry.
type LogEntryLine struct {
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Message string    `json:"message"`
}

// logEntryOf is the entry of r stored as id: what a query returns for it.
func logEntryOf(id string, r *LogRecord) *LogEntry {
	e := &LogEntry{ID: id, RequestID: r.RequestID, Function: r.Function, Version: r.Version, OpenID: r.OpenID,
		Source: r.Source, Start: startOf(id), Duration: float64(r.Duration.Microseconds()) / 1000, Status: r.Status,
		ColdStart: r.ColdStart, Memory: int64(r.Memory), MemoryLimit: r.MemoryMB, Logs: entryLines(r.Lines)}
	if r.Status != StatusOK {
		e.Error, e.ErrCode = storedError(r.Error), r.ErrCode
	}
	return e
}

// entryLines are lines as a LogEntry has them: times to the millisecond.
func entryLines(lines []LogLine) []LogEntryLine {
	out := make([]LogEntryLine, len(lines))
	for i, l := range lines {
		out[i] = LogEntryLine{Time: l.Time.UTC().Truncate(time.Millisecond), Level: l.Level, Message: l.Message}
	}
	return out
}

// startOf is the start time an id carries (recordID).
func startOf(id string) time.Time {
	ns, _ := strconv.ParseUint(id[:min(16, len(id))], 16, 64)
	return time.Unix(0, int64(ns)).UTC()
}

// storedRecord is a record as the database returns it.
type storedRecord struct {
	LogEntry
	ID   string `json:"_id"`
	Logs string `json:"logs"` // JSON of []LogEntryLine
}

// ejDate is a date in extended JSON.
type ejDate struct {
	Date time.Time `json:"$date"`
}

func decodeEntry(raw []byte) (*LogEntry, error) {
	var d storedRecord
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("function logs: decode a record: %w", err)
	}
	e := d.LogEntry
	e.ID, e.Start = d.ID, startOf(d.ID)
	if d.Logs == "" { // none logged (recordDoc leaves the field out)
		e.Logs = []LogEntryLine{}
	} else if err := json.Unmarshal([]byte(d.Logs), &e.Logs); err != nil {
		return nil, fmt.Errorf("function logs: decode the lines of %s: %w", d.ID, err)
	}
	return &e, nil
}

// LogQuery selects records. Empty fields select everything.
type LogQuery struct {
	Function  string
	RequestID string
	OpenID    string
	Status    string    // StatusOK or StatusError
	Since     time.Time // records that started at or after
	Until     time.Time // records that started before
	Limit     int       // records per page: 1 to MaxLogPage (default 50)
	Cursor    string    // LogPage.Next of the previous page
}

// Page sizes of Query.
const (
	DefaultLogPage = 50
	MaxLogPage     = 200
)

// LogPage is one page of records, newest first. Next, when set, is the
// cursor of the next (older) page.
type LogPage struct {
	Data []*LogEntry `json:"data"`
	Next *string     `json:"next"`
}

var cursorRE = regexp.MustCompile(`^[0-9a-f]{24}$`)

// Query returns records matching q, newest first (admin only:
// CodePermissionDenied otherwise). Bad parameters: CodeInvalidParam.
func (s *LogStore) Query(ctx context.Context, q LogQuery) (*LogPage, error) {
	if !auth.FromContext(ctx).IsAdmin() {
		return nil, Errorf(CodePermissionDenied, "permission denied: function logs are for admins")
	}
	filter, err := q.filter()
	if err != nil {
		return nil, err
	}
	if q.Limit == 0 {
		q.Limit = DefaultLogPage
	}
	if q.Limit < 1 || q.Limit > MaxLogPage {
		return nil, Errorf(CodeInvalidParam, "limit must be from 1 to %d, got %d", MaxLogPage, q.Limit)
	}
	raw, err := s.db.Query(auth.NewContext(ctx, functionIdentity), logsColl,
		doc("filter", filter, "sort", doc("_id", int64(-1)), "limit", int64(q.Limit+1)))
	if err != nil {
		return nil, fmt.Errorf("function logs: query: %w", err)
	}
	page := &LogPage{Data: make([]*LogEntry, 0, min(len(raw), q.Limit))}
	for i, r := range raw {
		if i == q.Limit {
			next := page.Data[i-1].ID
			page.Next = &next
			break
		}
		e, err := decodeEntry(r)
		if err != nil {
			return nil, err
		}
		page.Data = append(page.Data, e)
	}
	return page, nil
}

// filter is q's database filter; ranges of start time are ranges of _id.
func (q *LogQuery) filter() (db.Doc, error) {
	f := db.Doc{}
	for _, p := range []struct{ key, val string }{
		{"function", q.Function}, {"requestId", q.RequestID}, {"openid", q.OpenID}, {"status", q.Status},
	} {
		if len(p.val) > 256 {
			return nil, Errorf(CodeInvalidParam, "%s must be at most 256 bytes", p.key)
		}
		if p.val != "" {
			f = append(f, db.Field{Key: p.key, Value: p.val})
		}
	}
	if q.Status != "" && q.Status != StatusOK && q.Status != StatusError {
		return nil, Errorf(CodeInvalidParam, "status must be %q or %q, got %q", StatusOK, StatusError, q.Status)
	}
	if q.Cursor != "" && !cursorRE.MatchString(q.Cursor) {
		return nil, Errorf(CodeInvalidParam, "cursor must be the next of a previous page, got %q", q.Cursor)
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return nil, Errorf(CodeInvalidParam, "since must be before until")
	}
	id := db.Doc{}
	if !q.Since.IsZero() {
		id = append(id, db.Field{Key: "$gte", Value: timeKey(q.Since)})
	}
	upper := q.Cursor
	if !q.Until.IsZero() && (upper == "" || timeKey(q.Until) < upper) {
		upper = timeKey(q.Until)
	}
	if upper != "" {
		id = append(id, db.Field{Key: "$lt", Value: upper})
	}
	if len(id) > 0 {
		f = append(f, db.Field{Key: "_id", Value: id})
	}
	return f, nil
}
