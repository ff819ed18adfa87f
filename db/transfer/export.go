package transfer

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"

	"minibase/db"
)

// ExportOptions are an export's choices.
type ExportOptions struct {
	Format Format
	// NoMeta leaves the Meta line out of JSON Lines (for a file another
	// system reads, such as WeChat's console).
	NoMeta bool
	// Progress, when set, is called every few thousand documents with the
	// count so far.
	Progress func(docs int64)
}

// Export writes the documents of coll to w in opt.Format, in the
// collection's natural order (insertion order), and returns how many.
// JSON Lines starts with the Meta line unless opt.NoMeta; CSV has no room
// for it (write ReadMeta's line beside the file). Each pass over the
// documents reads one consistent snapshot; CSV reads twice (its header,
// the union of the top-level field names, comes first), and a document
// with a field the first pass did not see (written between the two)
// fails the export rather than lose the field.
func Export(ctx context.Context, drv db.Driver, coll string, w io.Writer, opt ExportOptions) (int64, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	var n int64
	var err error
	if opt.Format == CSV {
		n, err = exportCSV(ctx, drv, coll, bw, opt)
	} else {
		n, err = exportJSONL(ctx, drv, coll, bw, opt)
	}
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// scan calls fn with each document of coll, raw and, when decode is set,
// decoded.
func scan(ctx context.Context, drv db.Driver, coll string, decode bool, fn func(raw []byte, d db.Doc) error) error {
	cur, _, err := drv.Scan(ctx, coll, &db.Query{})
	if err != nil {
		return err
	}
	defer cur.Close()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := cur.Next()
		if err != nil {
			return err
		}
		if raw == nil {
			return cur.Close()
		}
		var d db.Doc
		if decode {
			v, err := db.DecodeJSON(raw, db.MaxDepth+1)
			if err != nil {
				return fmt.Errorf("read stored document: %w", err)
			}
			d = v.(db.Doc)
		}
		if err := fn(raw, d); err != nil {
			return err
		}
	}
}

func exportJSONL(ctx context.Context, drv db.Driver, coll string, w *bufio.Writer, opt ExportOptions) (int64, error) {
	if !opt.NoMeta {
		m, err := ReadMeta(ctx, drv, coll)
		if err != nil {
			return 0, err
		}
		if _, err := w.Write(m.AppendLine(nil)); err != nil {
			return 0, err
		}
	} else if _, err := drv.Indexes(ctx, coll); err != nil { // a missing collection is an error, not an empty file
		return 0, err
	}
	var n int64
	err := scan(ctx, drv, coll, false, func(raw []byte, _ db.Doc) error {
		if _, err := w.Write(raw); err != nil {
			return err
		}
		n++
		progress(opt, n)
		return w.WriteByte('\n')
	})
	return n, err
}

func progress(opt ExportOptions, n int64) {
	if opt.Progress != nil && n%4096 == 0 {
		opt.Progress(n)
	}
}

func exportCSV(ctx context.Context, drv db.Driver, coll string, w *bufio.Writer, opt ExportOptions) (int64, error) {
	cols := []string{"_id"}
	index := map[string]int{"_id": 0}
	err := scan(ctx, drv, coll, true, func(_ []byte, d db.Doc) error {
		for _, f := range d {
			if _, ok := index[f.Key]; !ok {
				index[f.Key] = len(cols)
				cols = append(cols, f.Key)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return 0, err
	}
	rec := make([]string, len(cols))
	var cell []byte
	var n int64
	err = scan(ctx, drv, coll, true, func(_ []byte, d db.Doc) error {
		clear(rec)
		for _, f := range d {
			i, ok := index[f.Key]
			if !ok {
				return fmt.Errorf("export %s as CSV: document %q gained field %q while the export ran; export again", coll, d.ID(), f.Key)
			}
			cell = AppendCell(cell[:0], f.Value)
			rec[i] = string(cell)
		}
		n++
		progress(opt, n)
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}
