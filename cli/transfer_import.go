package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// importReport is the server's answer to an import.
type importReport struct {
	Inserted int64 `json:"inserted"`
	Updated  int64 `json:"updated"`
	Skipped  int64 `json:"skipped"`
	Failed   int64 `json:"failed"`
	Errors   []struct {
		Line    int64  `json:"line"`
		Message string `json:"message"`
	} `json:"errors"`
	Stopped bool  `json:"stopped"`
	Lines   int64 `json:"lines"`
	Meta    bool  `json:"meta"`
}

// importFile is one file to import and where.
type importFile struct {
	path, coll, format string
}

// Import runs `minibase import FILE|DIR …` against a running server's
// admin API (POST /v1/admin/collections/C/import), one file at a time,
// streaming each. A CSV file's C.meta.json (indexes and rules) is sent
// first. It fails when a file had bad lines.
func Import(ctx context.Context, args []string, env Env) error {
	fs, cl := transferFlags("import", env)
	coll := fs.String("collection", "", "the collection (default: the file's name)")
	format := fs.String("format", "", "jsonl or csv (default: by the file's extension)")
	mode := fs.String("mode", "insert", "insert, upsert or replace")
	onError := fs.String("on-error", "stop", "stop or skip")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New(transferUsage)
	}
	if err := cl.check(); err != nil {
		return err
	}
	files, err := importFiles(pos[0], *coll, *format)
	if err != nil {
		return err
	}
	bad := 0
	for _, f := range files {
		rep, err := importOne(ctx, cl, f, *mode, *onError, env)
		if err != nil {
			return fmt.Errorf("import %s into %s: %w", f.path, f.coll, err)
		}
		fmt.Fprintf(env.Stdout, "%s → %s: %d inserted, %d updated, %d bad lines", f.path, f.coll, rep.Inserted, rep.Updated, rep.Failed)
		if rep.Meta {
			fmt.Fprint(env.Stdout, ", indexes and rules applied")
		}
		fmt.Fprintln(env.Stdout)
		for _, e := range rep.Errors {
			fmt.Fprintf(env.Stdout, "  line %d: %s\n", e.Line, e.Message)
		}
		if rep.Failed > int64(len(rep.Errors)) {
			fmt.Fprintf(env.Stdout, "  … and %d more bad lines\n", rep.Failed-int64(len(rep.Errors)))
		}
		if rep.Stopped {
			fmt.Fprintf(env.Stdout, "  stopped at line %d: the lines before it are imported, none after (--on-error skip goes on)\n", rep.Errors[len(rep.Errors)-1].Line)
		}
		if rep.Failed > 0 {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d files had bad lines", bad, len(files))
	}
	return nil
}

// importFiles lists what to import from path: the file, or each .jsonl,
// .json and .csv file of the folder, into the collection of its name.
func importFiles(path, coll, format string) ([]importFile, error) {
	if !isDir(path) {
		if coll == "" {
			coll = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		}
		return []importFile{{path, coll, formatOf(path, format)}}, nil
	}
	if coll != "" {
		return nil, errors.New("--collection names the collection of one file; a folder's files go to the collections of their names")
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var files []importFile
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".jsonl" && ext != ".json" && ext != ".csv") || strings.HasSuffix(e.Name(), ".meta.json") {
			continue
		}
		files = append(files, importFile{filepath.Join(path, e.Name()), strings.TrimSuffix(e.Name(), ext), formatOf(e.Name(), format)})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s has no .jsonl, .json or .csv files", path)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	return files, nil
}

func formatOf(path, format string) string {
	if format != "" {
		return format
	}
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return "csv"
	}
	return "jsonl"
}

// importOne sends one file (after a CSV's meta sidecar) and returns the
// server's report.
func importOne(ctx context.Context, cl *fnClient, f importFile, mode, onError string, env Env) (*importReport, error) {
	base := "/v1/admin/collections/" + url.PathEscape(f.coll) + "/import?"
	applied := false
	if f.format == "csv" {
		side := strings.TrimSuffix(f.path, filepath.Ext(f.path)) + ".meta.json"
		if meta, err := os.ReadFile(side); err == nil {
			raw, err := cl.do(ctx, "POST", base+"format=jsonl", "application/x-ndjson", bytes.NewReader(meta), int64(len(meta)))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", side, err)
			}
			var rep importReport
			if err := json.Unmarshal(raw, &rep); err != nil {
				return nil, err
			}
			if len(rep.Errors) > 0 {
				return nil, fmt.Errorf("%s: %s", side, rep.Errors[0].Message)
			}
			applied = rep.Meta
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	file, err := os.Open(f.path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return nil, err
	}
	m := newMeter(env, st.Size(), "import "+f.coll)
	q := url.Values{"format": {f.format}, "mode": {mode}, "onError": {onError}}
	raw, err := cl.do(ctx, "POST", base+q.Encode(), "application/x-ndjson", io.TeeReader(file, m), st.Size())
	m.done()
	if err != nil {
		return nil, err
	}
	var rep importReport
	err = json.Unmarshal(raw, &rep)
	rep.Meta = rep.Meta || applied
	return &rep, err
}
