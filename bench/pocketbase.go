package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// pbVersion is the PocketBase release the peer comparison builds.
const pbVersion = "v0.36.8"

// pbHooks are the JavaScript routes the comparison calls on PocketBase: its
// jsvm plugin (goja, as minibase's functions) serves them.
const pbHooks = `routerAdd("GET", "/hello", (e) => e.json(200, { message: "Hello, World!" }));
routerAdd("POST", "/hello", (e) => e.json(200, { message: "Hello, World!" }));
routerAdd("GET", "/posts/{id}", (e) => {
  const record = $app.findRecordById("posts", e.request.pathValue("id"));
  return e.json(200, record);
});
`

// pbSuperuser signs in to the PocketBase the driver starts.
const (
	pbEmail    = "bench@example.com"
	pbPassword = "bench-password-1234"
)

// pocketBaseBin returns PocketBase's examples/base binary, building it from
// its Go module with `go install` into the user's cache directory the first
// time ($XDG_CACHE_HOME/minibase-bench/pocketbase-<version>/base).
func pocketBaseBin(ctx context.Context) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("pocketbase: no cache directory: %w", err)
	}
	dir := filepath.Join(cache, "minibase-bench", "pocketbase-"+pbVersion)
	bin := filepath.Join(dir, "base")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	logf("building PocketBase %s into %s (once) …", pbVersion, dir)
	cmd := exec.CommandContext(ctx, "go", "install", "github.com/pocketbase/pocketbase/examples/base@"+pbVersion)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOBIN="+dir)
	cmd.Dir = os.TempDir() // outside any module: install the version asked for, nothing else
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install pocketbase %s: %w\n%s", pbVersion, err, out)
	}
	return bin, nil
}

// pocketBase is a PocketBase process the driver starts, seeds and owns.
type pocketBase struct {
	bin, dir, addr string
	logPath        string
	cmd            *exec.Cmd
	exited         chan struct{}
	waitErr        error
	token          string // the superuser's
}

func (p *pocketBase) url() string { return "http://" + p.addr }

// start creates the superuser, writes the hooks and starts `serve` (no
// hooks watcher: nothing changes them during the run).
func (p *pocketBase) start(ctx context.Context) error {
	hooks := filepath.Join(p.dir, "pb_hooks")
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(hooks, "bench.pb.js"), []byte(pbHooks), 0o644); err != nil {
		return err
	}
	data := filepath.Join(p.dir, "pb_data")
	out, err := exec.CommandContext(ctx, p.bin, "superuser", "upsert", pbEmail, pbPassword, "--dir", data).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pocketbase superuser upsert: %w\n%s", err, out)
	}
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(p.bin, "serve", "--http", p.addr, "--dir", data, "--hooksDir", hooks,
		"--hooksWatch=false", "--publicDir", filepath.Join(p.dir, "pb_public"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.bin, err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p.waitHealthy(ctx)
}

// waitHealthy polls GET /api/health until it answers 200.
func (p *pocketBase) waitHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", p.url()+"/api/health", nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("pocketbase exited before it was healthy (%v); see %s", p.waitErr, p.logPath)
		case <-ctx.Done():
			return fmt.Errorf("pocketbase not healthy after %v: %v; see %s", startTimeout, err, p.logPath)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and waits, killing the process after stopTimeout.
func (p *pocketBase) stop() error {
	if p.cmd == nil {
		return nil
	}
	select {
	case <-p.exited:
		return fmt.Errorf("pocketbase had already exited: %v", p.waitErr)
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return nil
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("pocketbase still running %v after SIGTERM: killed", stopTimeout)
	}
}

// setup signs in as the superuser, turns request logs off (logs.maxDays
// = 0, which also skips PocketBase's logging middleware), allows batches
// for seeding, creates the posts collection and seeds ds into it, each post
// with the id pbID(i).
func (p *pocketBase) setup(ctx context.Context, ds *dataset) error {
	admin := newClient(p.url(), "", 4, time.Minute)
	var auth struct {
		Token string `json:"token"`
	}
	err := admin.call(ctx, "POST", "/api/collections/_superusers/auth-with-password",
		map[string]string{"identity": pbEmail, "password": pbPassword}, &auth)
	if err != nil {
		return fmt.Errorf("pocketbase sign-in: %w", err)
	}
	p.token = auth.Token
	settings := map[string]any{
		"logs":  map[string]any{"maxDays": 0},
		"batch": map[string]any{"enabled": true, "maxRequests": seedBatch, "timeout": 60},
	}
	if err := admin.callAs(ctx, p.token, "PATCH", "/api/settings", settings, nil); err != nil {
		return fmt.Errorf("pocketbase settings: %w", err)
	}
	coll := map[string]any{"name": "posts", "type": "base", "fields": []map[string]any{
		{"name": "title", "type": "text"}, {"name": "description", "type": "text"},
		{"name": "author", "type": "text"}, {"name": "type", "type": "json"},
		{"name": "public", "type": "bool"}, {"name": "created", "type": "date"},
	}}
	if err := admin.callAs(ctx, p.token, "POST", "/api/collections", coll, nil); err != nil {
		return fmt.Errorf("pocketbase posts collection: %w", err)
	}
	for start := 0; start < len(ds.ids); start += seedBatch {
		var reqs []map[string]any
		for i := start; i < min(start+seedBatch, len(ds.ids)); i++ {
			po := ds.post(i)
			body := map[string]any{"id": pbID(i), "title": po.Title, "description": po.Description, "author": po.Author,
				"type": po.Type, "public": po.Public, "created": po.Created.T.Format("2006-01-02 15:04:05.000Z")}
			reqs = append(reqs, map[string]any{"method": "POST", "url": "/api/collections/posts/records", "body": body})
		}
		if err := admin.callAs(ctx, p.token, "POST", "/api/batch", map[string]any{"requests": reqs}, nil); err != nil {
			return fmt.Errorf("pocketbase seed: %w", err)
		}
	}
	return nil
}

// pbID is post i's id in PocketBase, whose ids are 15 characters of [a-z0-9].
func pbID(i int) string { return fmt.Sprintf("p%014d", i) }

// opPBHello calls PocketBase's GET /hello route.
func opPBHello(ctx context.Context, e *env, _ *rand.Rand) error {
	var out struct{ Message string }
	if err := e.cl.callAs(ctx, "", "GET", "/hello", nil, &out); err != nil {
		return err
	}
	if out.Message != "Hello, World!" {
		return fmt.Errorf("hello answered %+v", out)
	}
	return nil
}

// opPBGet reads a random post through PocketBase's GET /posts/{id} route.
func opPBGet(ctx context.Context, e *env, rng *rand.Rand) error {
	i := rng.IntN(len(e.data.ids))
	var out struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := e.cl.callAs(ctx, "", "GET", "/posts/"+pbID(i), nil, &out); err != nil {
		return err
	}
	if want := e.data.post(i).Title; out.ID != pbID(i) || out.Title != want {
		return fmt.Errorf("post %s answered id %q title %q, want %q", pbID(i), out.ID, out.Title, want)
	}
	return nil
}
