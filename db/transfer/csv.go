package transfer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"minibase/db"
)

// CSV: a header row of top-level field names (_id first), then one
// document a row; a field a document lacks is an empty cell. A cell holds
// (AppendCell, DecodeCell):
//
//   - a string as its text, unless the text would read back as something
//     else (empty, a number, true/false/null, starting with '{', '[' or
//     '"', or a date): then as a JSON string, "…" (in CSV quoting, """…""");
//   - a number, true, false or null as JSON writes them;
//   - a date as 2024-05-01T08:00:00.000Z (RFC 3339 with a time reads as a
//     date);
//   - an object or array (geo points too) as its extended JSON.
//
// So every value minibase stores comes back as it was, and a CSV typed by
// hand reads as one expects: 42 is a number, hello a string.

// AppendCell appends v's cell text.
func AppendCell(dst []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		if plainString(x) {
			return append(dst, x...)
		}
		return db.AppendJSON(dst, x)
	case time.Time:
		return x.UTC().AppendFormat(dst, db.DateLayout)
	}
	return db.AppendJSON(dst, v)
}

// plainString reports whether s reads back as the string s.
func plainString(s string) bool {
	if s == "" || s == "true" || s == "false" || s == "null" {
		return false
	}
	switch s[0] {
	case '{', '[', '"':
		return false
	}
	if _, ok := cellDate(s); ok {
		return false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil || looksNumeric(s) {
		return false
	}
	return true
}

// looksNumeric catches what ParseFloat refuses but a reader might take for
// a number ("1e999", "-"): any text starting like a JSON number is quoted.
func looksNumeric(s string) bool {
	c := s[0]
	return c == '-' || c >= '0' && c <= '9'
}

// cellDate reads s as a date when it is RFC 3339 with a time.
func cellDate(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[10] != 'T' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC().Truncate(time.Millisecond), true
}

// DecodeCell reads a cell's text as a value; missing reports an empty
// cell (the document lacks the field).
func DecodeCell(s string) (v any, missing bool, err error) {
	if s == "" {
		return nil, true, nil
	}
	if t, ok := cellDate(s); ok {
		return t, false, nil
	}
	c := s[0]
	if c == '{' || c == '[' || c == '"' || c == '-' || c >= '0' && c <= '9' || s == "true" || s == "false" || s == "null" {
		v, err := db.DecodeJSON([]byte(s), db.MaxDepth)
		if err != nil {
			if c == '-' || c >= '0' && c <= '9' {
				return s, false, nil // text that starts like a number: 2024-05-01, 010-1234
			}
			return nil, false, err
		}
		return v, false, nil
	}
	return s, false, nil
}

// DecodeRow reads one CSV record under header as a document to store (see
// DecodeLine for _id and the limits).
func DecodeRow(header, rec []string, now time.Time) (db.Doc, error) {
	if len(rec) != len(header) {
		return nil, db.Errorf(db.CodeInvalidParam, "the row has %d cells, the header %d", len(rec), len(header))
	}
	d := make(db.Doc, 0, len(rec))
	for i, cell := range rec {
		v, missing, err := DecodeCell(cell)
		if err != nil {
			return nil, db.Errorf(db.CodeInvalidParam, "column %q: %v", header[i], message(err))
		}
		if !missing {
			d = append(d, db.Field{Key: header[i], Value: v})
		}
	}
	return prepare(d, now)
}

// checkHeader refuses a header with an empty, repeated or invalid name.
func checkHeader(h []string) error {
	if len(h) == 0 || len(h) > db.MaxFields {
		return db.Errorf(db.CodeInvalidParam, "the header must name 1 to %d fields", db.MaxFields)
	}
	seen := make(map[string]bool, len(h))
	for _, name := range h {
		switch {
		case name == "" || name[0] == '$' || strings.Contains(name, "."):
			return db.Errorf(db.CodeInvalidParam, "header field %q: a field name is not empty, does not start with '$' and has no '.'", name)
		case seen[name]:
			return db.Errorf(db.CodeInvalidParam, "header field %q is repeated", name)
		}
		seen[name] = true
	}
	return nil
}

// errRecordTooLong is a CSV record over MaxLine bytes.
var errRecordTooLong = errors.New("record too long")

// boundedReader fails a read that takes it more than max bytes past mark:
// one CSV record (which may span lines) cannot grow without bound.
type boundedReader struct {
	r          io.Reader
	read, mark int64
	max        int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.read-b.mark > b.max {
		return 0, errRecordTooLong
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// readCSV reads CSV: the header row, then records. A record whose cells
// do not decode, or that breaks the CSV syntax in a way the reader can
// pass over, is a bad line (numbered where the record starts); a record
// longer than MaxLine ends the import, as its end cannot be found.
func (im *importer) readCSV(r io.Reader) error {
	br := &boundedReader{r: r, max: MaxLine + 128<<10}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	im.rep.Lines = 1
	if err == nil && len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
		header = append([]string(nil), header...)
		err = checkHeader(header)
	}
	if err != nil {
		return im.csvFatal(1, err)
	}
	for !im.stop {
		br.mark = cr.InputOffset()
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := cr.FieldPos(0)
		im.rep.Lines++
		im.rep.Bytes = cr.InputOffset()
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			if errors.Is(err, errRecordTooLong) || pe.Err == errRecordTooLong {
				return im.csvFatal(int64(pe.StartLine), err)
			}
			if err := im.reject(int64(pe.StartLine), db.Errorf(db.CodeInvalidParam, "CSV: %v", pe.Err)); err != nil {
				return err
			}
			continue
		case errors.Is(err, errRecordTooLong):
			return im.csvFatal(int64(line), err)
		case err != nil:
			return err
		}
		doc, err := DecodeRow(header, rec, im.now)
		if err != nil {
			if err := im.reject(int64(line), err); err != nil {
				return err
			}
			continue
		}
		if err := im.add(int64(line), doc, int(cr.InputOffset()-br.mark)); err != nil {
			return err
		}
	}
	return nil
}

// csvFatal reports a fault the CSV reader cannot pass over (the header, a
// record without an end) as the bad line that stops the import, whatever
// OnError says.
func (im *importer) csvFatal(line int64, err error) error {
	if ferr := im.flush(); ferr != nil {
		return ferr
	}
	msg := message(err)
	if errors.Is(err, errRecordTooLong) {
		msg = fmt.Sprintf("a CSV record is longer than %d bytes (the largest document); the rest of the file cannot be read", MaxLine)
	}
	if im.stop {
		return nil
	}
	im.rep.fail(line, msg)
	im.stop, im.rep.Stopped = true, true
	return nil
}
