package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

const functionsCLIUsage = `usage:
  minibase functions deploy DIR [--name NAME]   deploy a function folder (index.js or index.ts),
                                                or every function folder in DIR (cloudfunctions/)
  minibase functions invoke NAME [--data JSON]  call a function, print {result, requestID}
  minibase functions list                       list the deployed functions
  minibase functions rollback NAME VERSION      deploy an earlier version again
flags of every command:
  --server URL   the server (env MINIBASE_URL, default http://127.0.0.1:8090)
  --key KEY      an admin key (env MINIBASE_ADMIN_KEY)`

// functionsCommand runs `minibase functions …` against a running server.
func functionsCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(functionsCLIUsage)
	}
	cmd := args[0]
	fs := flag.NewFlagSet("functions "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, functionsCLIUsage) }
	cl := &fnClient{http: &http.Client{Timeout: 15 * time.Minute}}
	fs.StringVar(&cl.base, "server", envOr(getenv, "MINIBASE_URL", "http://127.0.0.1:8090"), "server URL")
	fs.StringVar(&cl.key, "key", getenv("MINIBASE_ADMIN_KEY"), "admin key")
	name := fs.String("name", "", "deploy: the function's name (default: the folder's)")
	data := fs.String("data", "{}", "invoke: the event, a JSON object")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	want := map[string]int{"deploy": 1, "invoke": 1, "list": 0, "rollback": 2}
	if n, ok := want[cmd]; !ok || len(pos) != n {
		return errors.New(functionsCLIUsage)
	}
	if err := cl.check(); err != nil {
		return err
	}
	switch cmd {
	case "deploy":
		return deployFunctions(ctx, cl, pos[0], *name, stderr)
	case "invoke":
		return invokeFunction(ctx, cl, pos[0], *data, stdout)
	case "list":
		return listFunctions(ctx, cl, stdout)
	default:
		return rollbackFunction(ctx, cl, pos[0], pos[1], stdout)
	}
}

// parseInterleaved parses flags that may come before, between or after
// the positional arguments, which it returns.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}

// fnClient calls a minibase server's functions API with an admin key.
type fnClient struct {
	base, key string
	http      *http.Client
}

func (c *fnClient) check() error {
	u, err := url.Parse(c.base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--server must be a URL like http://127.0.0.1:8090, got %q", c.base)
	}
	c.base = strings.TrimSuffix(c.base, "/")
	if c.key == "" {
		return errors.New("no admin key: pass --key or set MINIBASE_ADMIN_KEY")
	}
	return nil
}

// serverError is an error answer of the server.
type serverError struct {
	Status    int
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"requestId"`
}

func (e *serverError) Error() string {
	msg := e.Code + ": " + e.Message
	if e.Code == "" {
		msg = fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	}
	if e.Status == http.StatusRequestEntityTooLarge {
		msg += " (the server's MINIBASE_BODY_LIMIT)"
	}
	if e.RequestID != "" {
		msg += " (requestId " + e.RequestID + ")"
	}
	return msg
}

// do sends a request and returns the answer's body; an answer other than
// 2xx is a *serverError.
func (c *fnClient) do(ctx context.Context, method, path, contentType string, body io.Reader, size int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	req.Header.Set("Authorization", "Bearer "+c.key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		e := &serverError{Status: resp.StatusCode}
		if json.Unmarshal(raw, e) != nil || e.Message == "" {
			e.Code, e.Message = "", strings.TrimSpace(string(raw))
		}
		return nil, e
	}
	return raw, nil
}

func (c *fnClient) json(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	size := int64(0)
	if in != nil {
		b, _ := json.Marshal(in)
		body, size = bytes.NewReader(b), int64(len(b))
	}
	raw, err := c.do(ctx, method, path, "application/json", body, size)
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// invokeFunction prints the answer {result, requestID} on success.
func invokeFunction(ctx context.Context, cl *fnClient, name, data string, stdout io.Writer) error {
	var event map[string]any
	if err := json.Unmarshal([]byte(data), &event); err != nil {
		return fmt.Errorf("--data must be a JSON object: %v", err)
	}
	body := append(append([]byte(`{"data":`), data...), '}')
	raw, err := cl.do(ctx, "POST", "/v1/functions/"+url.PathEscape(name)+"/invoke", "application/json", bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", bytes.TrimSpace(raw))
	return err
}

// fnInfo is what the list prints of GET /v1/admin/functions.
type fnInfo struct {
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Number    int       `json:"number"`
	UpdatedAt time.Time `json:"updatedAt"`
	Timeout   float64   `json:"timeout"`
	Memory    int       `json:"memorySize"`
	Bundled   bool      `json:"bundled"`
	Error     string    `json:"error"`
	HTTP      []struct {
		Path string `json:"path"`
	} `json:"http"`
	Timer *struct {
		Config string `json:"config"`
	} `json:"timer"`
	Database []struct {
		Collection string   `json:"collection"`
		Events     []string `json:"events"`
	} `json:"database"`
}

func listFunctions(ctx context.Context, cl *fnClient, stdout io.Writer) error {
	var out struct{ Data []fnInfo }
	if err := cl.json(ctx, "GET", "/v1/admin/functions", nil, &out); err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tVERSION\tUPDATED\tTIMEOUT\tMEMORY\tTRIGGERS")
	for _, f := range out.Data {
		ver := "v" + strconv.Itoa(f.Number)
		if f.Number == 0 {
			ver = "edited"
		}
		if f.Bundled {
			ver += " (bundled)"
		}
		var trig []string
		for _, r := range f.HTTP {
			trig = append(trig, "/fn"+r.Path)
		}
		if f.Timer != nil {
			trig = append(trig, "timer "+f.Timer.Config)
		}
		for _, d := range f.Database {
			trig = append(trig, "db "+d.Collection+" "+strings.Join(d.Events, "/"))
		}
		if f.Error != "" {
			trig = []string{"error: " + f.Error}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%gs\t%d MB\t%s\n", f.Name, ver, f.UpdatedAt.Local().Format("2006-01-02 15:04:05"),
			f.Timeout, f.Memory, strings.Join(trig, ", "))
	}
	return w.Flush()
}

// deployedVersion is the answer of a deployment or a rollback.
type deployedVersion struct {
	Number    int    `json:"number"`
	Version   string `json:"version"`
	From      int    `json:"from"`
	Bundled   bool   `json:"bundled"`
	Unchanged bool   `json:"unchanged"`
}

func rollbackFunction(ctx context.Context, cl *fnClient, name, ref string, stdout io.Writer) error {
	var version any = strings.TrimPrefix(ref, "v")
	if n, err := strconv.Atoi(version.(string)); err == nil && len(ref) < 16 {
		version = n
	}
	var v deployedVersion
	if err := cl.json(ctx, "POST", "/v1/admin/functions/"+url.PathEscape(name)+"/rollback", map[string]any{"version": version}, &v); err != nil {
		return err
	}
	if v.Unchanged {
		_, err := fmt.Fprintf(stdout, "%s: v%d (%s) is already live\n", name, v.Number, v.Version)
		return err
	}
	_, err := fmt.Fprintf(stdout, "%s: rolled back to v%d, now live as v%d (%s)\n", name, v.From, v.Number, v.Version)
	return err
}
