package transfer

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"minibase/db"
)

// Options are an import's choices. The zero value imports JSON Lines in
// Insert mode and stops at the first bad line.
type Options struct {
	Format  Format
	Mode    Mode
	OnError OnError
	// Progress, when set, is called after each batch is written with the
	// report so far (on the importing goroutine; keep it short).
	Progress func(Report)
	// Now is the time of the import's $serverDate values (default time.Now).
	Now func() time.Time
}

// Batch bounds: a batch is written when it holds batchDocs documents or
// batchBytes bytes of input, whichever comes first, as one atomic write.
const (
	batchDocs  = 1000
	batchBytes = 4 << 20
)

// importer is the state of one Import.
type importer struct {
	ctx   context.Context
	drv   db.Driver
	coll  string
	opt   Options
	now   time.Time
	rep   Report
	batch []pending
	size  int
	stop  bool // a bad line ended the import (OnError Stop)
	// inflight is the outcome of the batch being written (write.go).
	inflight chan outcome
}

// pending is a decoded line waiting for its batch.
type pending struct {
	line int64
	doc  db.Doc
}

// Import reads documents from r in opt.Format and writes them into coll
// (created by the first write, so an import that writes nothing leaves no
// new collection) through drv, as an admin: rules are not checked.
// A Meta line (JSON Lines' first) is applied first. Lines are written in
// batches, each one atomic write; a bad line (one that does not decode,
// breaks a limit, or cannot be written: a taken _id in Insert mode, a
// taken unique key) is reported by number and never partly written. The
// error is nil when the input was read to its end or to the bad line that
// stopped it (Report.Stopped); otherwise it is a *Fatal holding the report
// of what was written before the failure, or a db.*Error when the
// collection or options are refused before anything is read.
func Import(ctx context.Context, drv db.Driver, coll string, r io.Reader, opt Options) (Report, error) {
	if !db.ValidCollectionName(coll) {
		return Report{}, db.Errorf(db.CodeInvalidParam, "invalid collection name %q: use 1-64 letters, digits, '_' or '-', starting with a letter or digit", coll)
	}
	if opt.Format == "" {
		opt.Format = JSONL
	}
	if opt.Mode == "" {
		opt.Mode = Insert
	}
	if opt.OnError == "" {
		opt.OnError = Stop
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	im := &importer{ctx: ctx, drv: drv, coll: coll, opt: opt, now: opt.Now(), rep: Report{Errors: []LineError{}}}
	var err error
	if opt.Format == CSV {
		err = im.readCSV(r)
	} else {
		err = im.readJSONL(r)
	}
	if err == nil {
		err = im.flush()
	} else if werr := im.wait(); werr != nil {
		err = errors.Join(err, werr)
	}
	// Under Skip a batch's bad lines are found when it is written, after
	// later lines that did not decode: the report lists them in order.
	slices.SortStableFunc(im.rep.Errors, func(a, b LineError) int { return cmp.Compare(a.Line, b.Line) })
	if err != nil {
		return im.rep, &Fatal{Report: im.rep, Err: err}
	}
	return im.rep, nil
}

// bad records a bad line; under Stop it ends the import (the batch before
// it is still written).
func (im *importer) bad(line int64, err error) {
	im.rep.fail(line, message(err))
	if im.opt.OnError == Stop {
		im.stop, im.rep.Stopped = true, true
		return
	}
	im.rep.Skipped++
}

// reject records a bad line. Under Stop it first writes the batch of the
// lines before it, which may itself hold the first bad line.
func (im *importer) reject(line int64, err error) error {
	if im.opt.OnError == Stop {
		if err := im.flush(); err != nil || im.stop {
			return err
		}
	}
	im.bad(line, err)
	return nil
}

// message is what a report says of a bad line's error: a database error's
// message; anything else is not a line's fault (the caller fails).
func message(err error) string {
	var e *db.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// add queues a decoded line, writing the batch when it is full.
func (im *importer) add(line int64, doc db.Doc, n int) error {
	im.batch = append(im.batch, pending{line, doc})
	im.size += n
	if len(im.batch) >= batchDocs || im.size >= batchBytes {
		return im.submit()
	}
	return nil
}

// readJSONL reads JSON Lines: blank lines are passed over, a byte-order
// mark and \r\n line ends are accepted, and a first line {"$minibase": …}
// is the Meta.
func (im *importer) readJSONL(r io.Reader) error {
	lr := newLineReader(r, MaxLine)
	first := true
	for !im.stop {
		line, err := lr.next()
		if err == io.EOF {
			return nil
		}
		im.rep.Lines, im.rep.Bytes = lr.n, lr.read
		if errors.Is(err, errLineTooLong) {
			if err := im.reject(lr.n, db.Errorf(db.CodeInvalidParam, "line is longer than %d bytes (the largest document)", MaxLine)); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if first {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		line = bytes.TrimRight(line, " \t\r")
		if len(bytes.TrimLeft(line, " \t")) == 0 {
			continue
		}
		if first && IsMeta(line) {
			first = false
			if err := im.meta(lr.n, line); err != nil {
				return err
			}
			continue
		}
		first = false
		doc, err := DecodeLine(line, im.now)
		if err != nil {
			if err := im.reject(lr.n, err); err != nil {
				return err
			}
			continue
		}
		if err := im.add(lr.n, doc, len(line)); err != nil {
			return err
		}
	}
	return nil
}

// meta applies a Meta line. A Meta that does not parse, or cannot be
// applied (an index the data breaks, one of the name with other keys), is
// a bad line: under Skip the documents are imported without it.
func (im *importer) meta(line int64, text []byte) error {
	m, err := ParseMeta(text)
	if err == nil {
		err = im.drv.CreateCollection(im.ctx, im.coll)
		if db.ErrorCode(err) == db.CodeCollectionExists {
			err = nil
		}
	}
	if err == nil {
		err = m.Apply(im.ctx, im.drv, im.coll)
	}
	if err != nil {
		if db.ErrorCode(err) == "" {
			return err
		}
		return im.reject(line, err)
	}
	im.rep.Meta = true
	return nil
}

// errLineTooLong is a line over the reader's limit; the reader has passed
// over the rest of it.
var errLineTooLong = errors.New("line too long")

// lineReader reads lines of at most max bytes, counting them from 1.
type lineReader struct {
	r    *bufio.Reader
	max  int
	buf  []byte
	n    int64 // the number of the line last returned
	read int64 // bytes read
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without its "\n" (valid until the next call),
// errLineTooLong for a line over the limit, or io.EOF at the end. A last
// line without a "\n" is a line.
func (lr *lineReader) next() ([]byte, error) {
	lr.buf = lr.buf[:0]
	long := false
	for {
		chunk, err := lr.r.ReadSlice('\n')
		lr.read += int64(len(chunk))
		if !long {
			if len(lr.buf)+len(chunk) > lr.max+1 { // +1: the "\n"
				long, lr.buf = true, lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			if len(chunk) == 0 && len(lr.buf) == 0 && !long {
				return nil, io.EOF
			}
		case err != nil:
			return nil, err
		}
		lr.n++
		if long {
			return nil, errLineTooLong
		}
		return bytes.TrimSuffix(lr.buf, []byte("\n")), nil
	}
}
