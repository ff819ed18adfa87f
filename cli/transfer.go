package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

const transferUsage = `usage:
  minibase export [--collection C …] [--format jsonl|csv] [--no-meta] --out FILE|DIR
                  one collection to FILE, or each (all of them without --collection)
                  to DIR/C.jsonl (DIR/C.csv and DIR/C.meta.json)
  minibase import FILE|DIR [--collection C] [--format jsonl|csv] [--mode insert|upsert|replace]
                  [--on-error stop|skip]
                  FILE into C (default: FILE's name), or each C.jsonl, C.json and C.csv of DIR
flags of both:
  --url URL         the server (env MINIBASE_URL, default http://127.0.0.1:8090)
  --admin-key KEY   an admin key (env MINIBASE_ADMIN_KEY)`

// transferFlags are the flags export and import share.
func transferFlags(name string, env Env) (*flag.FlagSet, *fnClient) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprintln(env.Stderr, transferUsage) }
	// No total time limit: a large collection takes long; the server drops
	// a stalled body, and Ctrl-C ends the command.
	cl := &fnClient{http: &http.Client{}}
	fs.StringVar(&cl.base, "url", cmp.Or(env.Getenv("MINIBASE_URL"), "http://127.0.0.1:8090"), "server URL")
	fs.StringVar(&cl.key, "admin-key", env.Getenv("MINIBASE_ADMIN_KEY"), "admin key")
	return fs, cl
}

// multi is a flag given several times.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// Export runs `minibase export …` against a running server's admin API
// (GET /v1/admin/collections/C/export). Each file is written as
// NAME.partial and renamed when whole.
func Export(ctx context.Context, args []string, env Env) error {
	fs, cl := transferFlags("export", env)
	var colls multi
	fs.Var(&colls, "collection", "a collection to export (repeat for more; default all)")
	format := fs.String("format", "jsonl", "jsonl or csv")
	noMeta := fs.Bool("no-meta", false, "leave the $minibase line of indexes and rules out (for WeChat's console)")
	out := fs.String("out", "", "a file (one collection) or a folder")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *out == "" || (*format != "jsonl" && *format != "csv") {
		return errors.New(transferUsage)
	}
	if err := cl.check(); err != nil {
		return err
	}
	if len(colls) == 0 {
		var list struct {
			Data []struct{ Name string } `json:"data"`
		}
		if err := cl.json(ctx, "GET", "/v1/admin/collections", nil, &list); err != nil {
			return err
		}
		for _, c := range list.Data {
			colls = append(colls, c.Name)
		}
	}
	toDir := len(colls) != 1 || strings.HasSuffix(*out, "/") || isDir(*out)
	if toDir {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
	}
	for _, c := range colls {
		path := *out
		if toDir {
			path = filepath.Join(*out, c+"."+*format)
		}
		q := url.Values{"format": {*format}}
		if *noMeta {
			q.Set("meta", "false")
		}
		if err := download(ctx, cl, "/v1/admin/collections/"+url.PathEscape(c)+"/export?"+q.Encode(), path, c, env); err != nil {
			return fmt.Errorf("export %s: %w", c, err)
		}
		if *format == "csv" && !*noMeta {
			if err := writeMetaSidecar(ctx, cl, c, strings.TrimSuffix(path, ".csv")+".meta.json"); err != nil {
				return fmt.Errorf("export %s: %w", c, err)
			}
		}
	}
	return nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// download writes the answer of GET path to file, through NAME.partial.
func download(ctx context.Context, cl *fnClient, path, file, label string, env Env) error {
	req, err := http.NewRequestWithContext(ctx, "GET", cl.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+cl.key)
	resp, err := cl.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		e := &serverError{Status: resp.StatusCode}
		if json.Unmarshal(raw, e) != nil || e.Message == "" {
			e.Code, e.Message = "", strings.TrimSpace(string(raw))
		}
		return e
	}
	tmp := file + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // when not renamed
	p := newMeter(env, -1, "export "+label)
	n, err := io.Copy(io.MultiWriter(f, p), resp.Body)
	p.done()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("the export broke off after %d bytes: %w", n, err)
	}
	if err := os.Rename(tmp, file); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "exported %s to %s (%s)\n", label, file, human(n))
	return nil
}

// writeMetaSidecar writes a CSV export's $minibase line (indexes and
// rules) beside it.
func writeMetaSidecar(ctx context.Context, cl *fnClient, coll, file string) error {
	line, err := cl.do(ctx, "GET", "/v1/admin/collections/"+url.PathEscape(coll)+"/export?meta=only", "", nil, 0)
	if err != nil {
		return err
	}
	return os.WriteFile(file, line, 0o644)
}

// meter shows bytes moved: a bar on a terminal, else a line every few
// seconds.
type meter struct {
	bar   *progressbar.ProgressBar
	out   io.Writer
	label string
	n     int64
	last  time.Time
}

func newMeter(env Env, total int64, label string) *meter {
	p := &meter{out: env.Stdout, label: label, last: time.Now()}
	if f, ok := env.Stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.DefaultBytes(total, label)
	}
	return p
}

func (p *meter) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if p.bar != nil {
		p.bar.Add(len(b))
	} else if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		fmt.Fprintf(p.out, "%s: %s\n", p.label, human(p.n))
	}
	return len(b), nil
}

func (p *meter) done() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.out)
	}
}
