package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const functionsCLIUsage = `usage:
  minibase functions deploy DIR [--name NAME]   deploy a function folder (index.js or index.ts),
                                                or every function folder in DIR (cloudfunctions/)
  minibase functions invoke NAME [--data JSON]  call a function, print {result, requestID}
  minibase functions list                       list the deployed functions
  minibase functions rollback NAME VERSION      deploy an earlier version again
  minibase functions logs [NAME] [--follow]     print a function's latest invocations (every
                                                function's without NAME), oldest first;
                                                --follow then prints new ones until Ctrl-C
    --limit N            how many (default 20, at most 10000)
    --since D|TIME       only those that started since: 10m, 2h, 7d, or an RFC 3339 time
    --request-id ID      only that invocation
    --status ok|error    only those that succeeded, or failed
flags of every command:
  --server URL   the server (env MINIBASE_URL, default http://127.0.0.1:8090)
  --key KEY      an admin key (env MINIBASE_ADMIN_KEY)`

// Functions runs `minibase functions deploy|invoke|list|rollback|logs …`
// against a running server, with an admin key (--server and --key, or
// MINIBASE_URL and MINIBASE_ADMIN_KEY). When ctx ends (Ctrl-C), `logs
// --follow` ends without an error.
func Functions(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return errors.New(functionsCLIUsage)
	}
	cmd := args[0]
	fs := flag.NewFlagSet("functions "+cmd, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprintln(env.Stderr, functionsCLIUsage) }
	cl := &fnClient{http: &http.Client{Timeout: 15 * time.Minute}}
	fs.StringVar(&cl.base, "server", cmp.Or(env.Getenv("MINIBASE_URL"), "http://127.0.0.1:8090"), "server URL")
	fs.StringVar(&cl.key, "key", env.Getenv("MINIBASE_ADMIN_KEY"), "admin key")
	name := fs.String("name", "", "deploy: the function's name (default: the folder's)")
	data := fs.String("data", "{}", "invoke: the event, a JSON object")
	var logs logsOptions
	fs.BoolVar(&logs.follow, "follow", false, "logs: print new invocations as they end, until Ctrl-C")
	fs.BoolVar(&logs.follow, "f", false, "logs: --follow")
	fs.IntVar(&logs.limit, "limit", 20, "logs: how many to print first")
	fs.StringVar(&logs.since, "since", "", "logs: only those since a duration ago or a time")
	fs.StringVar(&logs.requestID, "request-id", "", "logs: only that invocation")
	fs.StringVar(&logs.status, "status", "", "logs: ok or error")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	want := map[string]int{"deploy": 1, "invoke": 1, "list": 0, "rollback": 2, "logs": 1}
	if n, ok := want[cmd]; !ok || len(pos) != n && !(cmd == "logs" && len(pos) == 0) {
		return errors.New(functionsCLIUsage)
	}
	if err := cl.check(); err != nil {
		return err
	}
	switch cmd {
	case "deploy":
		return deployFunctions(ctx, cl, pos[0], *name, env.Stderr)
	case "invoke":
		return invokeFunction(ctx, cl, pos[0], *data, env.Stdout)
	case "list":
		return listFunctions(ctx, cl, env.Stdout)
	case "logs":
		if len(pos) == 1 {
			logs.name = pos[0]
		}
		return showLogs(ctx, cl, logs, env.Stdout, env.Stderr)
	default:
		return rollbackFunction(ctx, cl, pos[0], pos[1], env.Stdout)
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

// deployedVersion is the answer of a deployment or a rollback.
type deployedVersion struct {
	Number    int    `json:"number"`
	Version   string `json:"version"`
	From      int    `json:"from"`
	Bundled   bool   `json:"bundled"`
	Unchanged bool   `json:"unchanged"`
}
