// Package transfer moves collections in and out of minibase as files:
// JSON Lines (one document of extended JSON a line, the format WeChat's
// cloud-development console exports) and CSV (a header row of top-level
// field names, one document a row). It streams both ways and works through
// a db.Driver, never on the database file, so it runs beside a live
// server. Export writes a collection's indexes and security rules with its
// documents (Meta); Import applies them, then writes the documents in
// batches, each batch one atomic write.
package transfer

import (
	"fmt"

	"minibase/db"
)

// Format is a file format: JSONL or CSV.
type Format string

// Formats.
const (
	JSONL Format = "jsonl"
	CSV   Format = "csv"
)

// ParseFormat reads a format's name ("" is JSONL; "json" too, the name
// WeChat's console gives its JSON Lines files).
func ParseFormat(s string) (Format, error) {
	switch s {
	case "", "jsonl", "json", "ndjson":
		return JSONL, nil
	case "csv":
		return CSV, nil
	}
	return "", db.Errorf(db.CodeInvalidParam, "unknown format %q: use jsonl or csv", s)
}

// Mode says what Import does with a document whose _id is taken.
type Mode string

// Modes.
const (
	// Insert refuses it: the line is an error, the stored document stays.
	Insert Mode = "insert"
	// Upsert sets the line's top-level fields on the stored document,
	// keeping its other fields (a missing document is created).
	Upsert Mode = "upsert"
	// Replace replaces the stored document with the line's (a missing
	// document is created).
	Replace Mode = "replace"
)

// ParseMode reads a mode's name ("" is Insert).
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "", Insert:
		return Insert, nil
	case Upsert, Replace:
		return Mode(s), nil
	}
	return "", db.Errorf(db.CodeInvalidParam, "unknown mode %q: use insert, upsert or replace", s)
}

// OnError says what Import does after a bad line.
type OnError string

// What to do on a bad line.
const (
	// Stop ends the import at the first bad line: the lines before it
	// are written (in the batches already committed, and the batch it
	// ended), none after it.
	Stop OnError = "stop"
	// Skip reports the line and goes on with the next.
	Skip OnError = "skip"
)

// ParseOnError reads the name of what to do on a bad line ("" is Stop).
func ParseOnError(s string) (OnError, error) {
	switch OnError(s) {
	case "", Stop:
		return Stop, nil
	case Skip:
		return Skip, nil
	}
	return "", db.Errorf(db.CodeInvalidParam, "unknown onError %q: use stop or skip", s)
}

// MaxLine is the longest line (or CSV record) Import reads: the largest
// stored document (db.MaxDocSize). A longer one is a bad line.
const MaxLine = db.MaxDocSize

// MaxReportErrors is how many bad lines a Report lists; Failed counts
// them all.
const MaxReportErrors = 100

// LineError is a bad line: its number (from 1; for CSV, the line where
// the record starts) and why.
type LineError struct {
	Line    int64  `json:"line"`
	Message string `json:"message"`
}

// Report is what an import did.
type Report struct {
	Inserted int64       `json:"inserted"` // documents created
	Updated  int64       `json:"updated"`  // stored documents replaced or updated (upsert, replace)
	Skipped  int64       `json:"skipped"`  // bad lines passed over (OnError Skip)
	Failed   int64       `json:"failed"`   // bad lines, all of them
	Errors   []LineError `json:"errors"`   // the first MaxReportErrors bad lines
	// Stopped is set when OnError Stop ended the import at a bad line
	// (the last of Errors): nothing after it was written.
	Stopped bool  `json:"stopped"`
	Lines   int64 `json:"lines"` // lines (CSV: records) read
	Bytes   int64 `json:"bytes"` // bytes read
	// Meta reports whether the file's indexes and rules were applied.
	Meta bool `json:"meta"`
}

func (r *Report) fail(line int64, msg string) {
	r.Failed++
	if len(r.Errors) < MaxReportErrors {
		r.Errors = append(r.Errors, LineError{Line: line, Message: msg})
	}
}

// Fatal is an import that ended before the end of its input for a reason
// that is not a bad line (the input could not be read, the database failed):
// Report says what was written before it.
type Fatal struct {
	Report Report
	Err    error
}

func (f *Fatal) Error() string {
	return fmt.Sprintf("import ended after line %d (%d inserted, %d updated): %v", f.Report.Lines, f.Report.Inserted, f.Report.Updated, f.Err)
}

func (f *Fatal) Unwrap() error { return f.Err }
