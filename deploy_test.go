package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// The deployment files are tested as far as this machine can: it has a
// docker client but no daemon, so the image itself is not built here.
// What Docker would do with the Dockerfile's build stage is done by hand
// (the same context, the same go build line), and the result checked.

// dockerfile is the Dockerfile's instructions: continuation lines joined,
// comments dropped.
func dockerfile(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	cur := ""
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if s, ok := strings.CutSuffix(line, "\\"); ok {
			cur += s
			continue
		}
		if cur += line; strings.TrimSpace(cur) != "" {
			out = append(out, strings.TrimSpace(cur))
		}
		cur = ""
	}
	return out
}

// stages splits the instructions by FROM.
func stages(t *testing.T) [][]string {
	var s [][]string
	for _, in := range dockerfile(t) {
		if strings.HasPrefix(in, "FROM ") {
			s = append(s, nil)
		}
		if len(s) == 0 {
			t.Fatalf("an instruction before FROM: %s", in)
		}
		s[len(s)-1] = append(s[len(s)-1], in)
	}
	return s
}

// find is the first instruction of stage starting with prefix; "" when
// none.
func find(stage []string, prefix string) string {
	for _, in := range stage {
		if strings.HasPrefix(in, prefix) {
			return in
		}
	}
	return ""
}

// The image: built in a Go stage, run from a static distroless one as a
// non-root user, data in the /data volume, the version from a build arg,
// the binary as its own health check, the same build flags as make.
func TestDockerfile(t *testing.T) {
	st := stages(t)
	if len(st) != 2 {
		t.Fatalf("%d stages, want a build stage and the final image", len(st))
	}
	build, final := st[0], st[1]
	if !strings.HasSuffix(build[0], " AS build") || !strings.HasPrefix(build[0], "FROM golang:") {
		t.Errorf("build stage: %s", build[0])
	}
	if !strings.HasPrefix(final[0], "FROM gcr.io/distroless/static") {
		t.Errorf("final image %s: want distroless static (the binary is static; no shell)", final[0])
	}
	if u := find(final, "USER "); u == "" || strings.Contains(u, "root") && !strings.Contains(u, "nonroot") || strings.HasPrefix(u, "USER 0") {
		t.Errorf("final stage runs as %q: want a non-root user", u)
	}
	run := find(build, "RUN CGO_ENABLED=0 go build")
	mk, _ := os.ReadFile("Makefile")
	flags := regexp.MustCompile(`(?m)^BUILD_FLAGS = (.*)$`).FindSubmatch(mk)
	if flags == nil || !strings.Contains(run, strings.ReplaceAll(string(flags[1]), "$(VERSION)", "${VERSION}")) {
		t.Errorf("the build line %q does not use make's flags %q", run, flags)
	}
	if find(build, "ARG VERSION") == "" || !strings.Contains(run, "-X main.version=${VERSION}") {
		t.Errorf("the version is not stamped from the VERSION build arg: %q", run)
	}
	for _, want := range []string{"VOLUME /data", "ENV MINIBASE_DIR=/data", "EXPOSE 8090", `ENTRYPOINT ["/minibase"]`, `CMD ["serve"]`} {
		if find(final, want) == "" {
			t.Errorf("final stage has no %s", want)
		}
	}
	hc := find(final, "HEALTHCHECK ")
	if !strings.HasSuffix(hc, `CMD ["/minibase", "health"]`) {
		t.Errorf("HEALTHCHECK %q: want the binary's own health command, in exec form (no shell in the image)", hc)
	}
}

// dockerignore is the .dockerignore's matcher, Docker's own.
func dockerignore(t *testing.T) *patternmatcher.PatternMatcher {
	t.Helper()
	f, err := os.Open(".dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return pm
}

func ignored(t *testing.T, pm *patternmatcher.PatternMatcher, path string) bool {
	t.Helper()
	m, err := pm.MatchesOrParentMatches(filepath.ToSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// buildInputs is every file `go build .` reads from the module: the Go
// files and embedded files of the packages it compiles.
func buildInputs(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=Dir,GoFiles,EmbedFiles,Module", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, _ := os.Getwd()
	var files []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			Dir                 string
			GoFiles, EmbedFiles []string
			Module              *struct{ Path string }
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || p.Module.Path != "minibase" {
			continue
		}
		rel, _ := filepath.Rel(root, p.Dir)
		for _, f := range append(p.GoFiles, p.EmbedFiles...) {
			files = append(files, filepath.Join(rel, f))
		}
	}
	return append(files, "go.mod", "go.sum")
}

// .dockerignore leaves out every node_modules (at any depth), data
// directories, binaries and history, and keeps every file the build reads
// (the embedded admin/dist and sdk/dist among them).
func TestDockerignore(t *testing.T) {
	pm := dockerignore(t)
	for _, p := range []string{"node_modules/x/index.js", "sdk/node_modules/typescript/package.json", "admin/node_modules/.bin/vite",
		"e2e/node_modules/a/b.js", "functions/testdata/bundle-esm/node_modules/lodash/index.js", "a/b/c/node_modules/d",
		"mb_data/data.db", "server/mb_data/storage/x", "data.db", "x/functions.db-wal", "bin/minibase", "minibase", ".git/HEAD",
		"e2e/out/shot.png", "server/server.test", ".cache/minibase/minio"} {
		if !ignored(t, pm, p) {
			t.Errorf("%s is sent to the docker build", p)
		}
	}
	// Every node_modules in this tree (installed, or test fixtures).
	filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Name() == "node_modules" {
			if !ignored(t, pm, p) || !ignored(t, pm, filepath.Join(p, "x", "index.js")) {
				t.Errorf("%s is sent to the docker build", p)
			}
			return filepath.SkipDir
		}
		return nil
	})
	inputs := buildInputs(t)
	if len(inputs) < 100 || !containsPrefix(inputs, "admin/dist/") || !containsPrefix(inputs, "sdk/dist/") {
		t.Fatalf("go list found %d build inputs, without the embedded dist/ folders", len(inputs))
	}
	for _, f := range inputs {
		if ignored(t, pm, f) {
			t.Errorf("%s, which the build reads, is left out of the docker build", f)
		}
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(filepath.ToSlash(s), prefix) {
			return true
		}
	}
	return false
}

// The build stage, as Docker runs it: the context (.dockerignore
// applied) in a fresh directory, `go mod download`, then the Dockerfile's
// own RUN line with VERSION set. The binary is static, says the version,
// and its HEALTHCHECK command (exec form, no shell) passes against it
// serving with the image's settings.
func TestDockerBuildStage(t *testing.T) {
	build := stages(t)[0]
	run := strings.TrimPrefix(find(build, "RUN CGO_ENABLED=0 go build"), "RUN ")
	src, out := filepath.Join(t.TempDir(), "src"), t.TempDir()
	copyContext(t, dockerignore(t), src)
	sh := func(command string, env ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "sh", "-c", command)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", command, err, b)
		}
	}
	if find(build, "RUN go mod download") == "" {
		t.Fatal("the build stage does not download modules before copying the sources")
	}
	sh("go mod download")
	sh(strings.ReplaceAll(run, "/out", out), "VERSION=v9.9.9-test")

	bin := filepath.Join(out, "minibase")
	if fi, err := os.Stat(filepath.Join(out, "data")); err != nil || !fi.IsDir() {
		t.Errorf("no data directory made for the volume: %v", err)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is dynamically linked (%v): distroless static has no libc", p.Type)
		}
	}
	f.Close()
	if v, err := exec.Command(bin, "version").Output(); err != nil || string(v) != "minibase v9.9.9-test\n" {
		t.Errorf("version: %q %v", v, err)
	}

	// Serve with the image's environment (its port on 127.0.0.1 here), and
	// run the HEALTHCHECK's command as Docker would: exec, same environment.
	env := imageEnv(t, stages(t)[1])
	addr := freeAddr(t)
	env = append(env, "MINIBASE_DIR="+t.TempDir(), "MINIBASE_HTTP="+addr, "MINIBASE_ADMIN_KEY=test-admin-key-0123456789")
	srv := exec.Command(bin, "serve")
	srv.Env = env
	var log syncBuffer
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	hc := healthcheck(t, stages(t)[1], bin)
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(log.String(), "serving on") {
		if time.Now().After(deadline) {
			t.Fatalf("the built binary did not start:\n%s", log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	hc.Env = env
	if b, err := hc.CombinedOutput(); err != nil || !strings.Contains(string(b), "ok: minibase v9.9.9-test") {
		t.Errorf("HEALTHCHECK %v: %v\n%s", hc.Args, err, b)
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Get("http://" + addr + "/v1/health")
	if err == nil {
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("GET /v1/health of the built binary: %v", err)
	}
}

// imageEnv is the final stage's ENV over a clean environment (PATH only).
func imageEnv(t *testing.T, final []string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, in := range final {
		if kv, ok := strings.CutPrefix(in, "ENV "); ok {
			env = append(env, strings.Fields(kv)...)
		}
	}
	return env
}

// healthcheck is the HEALTHCHECK's command, with the image's binary path
// replaced by bin.
func healthcheck(t *testing.T, final []string, bin string) *exec.Cmd {
	_, js, _ := strings.Cut(find(final, "HEALTHCHECK "), " CMD ")
	var argv []string
	if err := json.Unmarshal([]byte(js), &argv); err != nil || len(argv) == 0 || argv[0] != "/minibase" {
		t.Fatalf("HEALTHCHECK CMD %q: want the exec form running /minibase", js)
	}
	return exec.Command(bin, argv[1:]...)
}

// copyContext copies what `docker build .` would send into dst.
func copyContext(t *testing.T, pm *patternmatcher.PatternMatcher, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		if ignored(t, pm, p) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, p)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		o, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(o, in); err != nil {
			o.Close()
			return err
		}
		return o.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The systemd unit: systemd-analyze verify takes it without a warning
// (with ExecStart's binary at a path that exists here), and it has the
// options the README promises.
func TestSystemdUnit(t *testing.T) {
	raw, err := os.ReadFile("deploy/minibase.service")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = line
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Errorf("not a key=value line: %q", line)
			}
			keys[section+k] = append(keys[section+k], v)
		}
	}
	for k, want := range map[string]string{
		"[Service]User": "minibase", "[Service]StateDirectory": "minibase", "[Service]NoNewPrivileges": "yes",
		"[Service]ProtectSystem": "strict", "[Service]ReadWritePaths": "/var/lib/minibase",
		"[Service]AmbientCapabilities": "CAP_NET_BIND_SERVICE", "[Service]LimitNOFILE": "65536", "[Service]Restart": "on-failure",
		"[Service]TimeoutStopSec": "45s", "[Service]KillSignal": "SIGTERM", "[Service]ExecStart": "/usr/local/bin/minibase serve",
		"[Install]WantedBy": "multi-user.target",
	} {
		if got := keys[k]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !slicesContain(keys["[Service]Environment"], "MINIBASE_DIR=/var/lib/minibase") ||
		!slicesContain(keys["[Service]Environment"], "MINIBASE_CONFIG=/etc/minibase/minibase.toml") {
		t.Errorf("Environment %q: want the data directory in StateDirectory and the config file", keys["[Service]Environment"])
	}

	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Logf("systemd-analyze is not installed: the unit's keys were checked, not verified by systemd")
		return
	}
	bin, _ := filepath.Abs(os.Args[0]) // an executable that exists, for ExecStart
	unit := filepath.Join(t.TempDir(), "minibase.service")
	os.WriteFile(unit, bytes.ReplaceAll(raw, []byte("/usr/local/bin/minibase"), []byte(bin)), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := exec.CommandContext(ctx, sa, "verify", unit).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(b)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, b)
	}
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The compose file: one node serving HTTPS itself on 80 and 443, the data
// in a volume, the domain and public URL from MINIBASE_DOMAIN, a stop
// grace longer than the shutdown's 30 s.
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile("deploy/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for _, want := range []string{`"80:80"`, `"443:443"`, "minibase-data:/data", "MINIBASE_HTTPS: ${MINIBASE_DOMAIN:?",
		"MINIBASE_PUBLIC_URL: https://${MINIBASE_DOMAIN}", "MINIBASE_ADMIN_KEY: ${MINIBASE_ADMIN_KEY:-}", "stop_grace_period: 45s",
		"context: ..", "VERSION: ${MINIBASE_VERSION:-dev}", `logs minibase | grep -A2 "admin key"`} {
		if !strings.Contains(text, want) {
			t.Errorf("docker-compose.yml has no %s", want)
		}
	}
	if strings.Contains(text, "\t") {
		t.Error("docker-compose.yml has a tab: YAML indents with spaces")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncBuffer is a buffer the child's output goes to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The cluster's compose file: PostgreSQL, MinIO, three replicas of one
// node definition and nginx in front. The node's environment, with the
// compose variables given and the services' host names as they are, is
// what `minibase config --check` accepts (the check reads no server).
func TestComposeClusterFile(t *testing.T) {
	raw, err := os.ReadFile("deploy/docker-compose.cluster.yml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	if strings.Contains(text, "\t") {
		t.Error("docker-compose.cluster.yml has a tab: YAML indents with spaces")
	}
	for _, want := range []string{"replicas: 3", "image: postgres:", "image: minio/minio", "image: nginx:",
		"condition: service_healthy", "./nginx-cluster.conf:/etc/nginx/conf.d/default.conf:ro", "stop_grace_period: 45s"} {
		if !strings.Contains(text, want) {
			t.Errorf("docker-compose.cluster.yml has no %s", want)
		}
	}
	conf, err := os.ReadFile("deploy/nginx-cluster.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"server minibase:8090", "proxy_set_header Upgrade $http_upgrade", "proxy_request_buffering off",
		"proxy_set_header X-Forwarded-For"} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("nginx-cluster.conf has no %s", want)
		}
	}
	// The node's environment: the lines under the x-minibase anchor's
	// "environment:", up to the next key at its indentation.
	vars := map[string]string{"POSTGRES_PASSWORD": "pg-secret", "MINIO_ROOT_PASSWORD": "minio-secret",
		"MINIBASE_ADMIN_KEY": "test-admin-key-0123456789"}
	ref := regexp.MustCompile(`\$\{([A-Z_]+)(?::[-?]([^}]*))?\}`)
	var env []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case line == "  environment:" && !in && len(env) == 0:
			in = true
		case in && strings.HasPrefix(line, "    ") && !strings.HasPrefix(strings.TrimSpace(line), "#"):
			k, v, ok := strings.Cut(strings.TrimSpace(line), ": ")
			if !ok {
				t.Fatalf("environment line %q", line)
			}
			v = ref.ReplaceAllStringFunc(v, func(m string) string {
				p := ref.FindStringSubmatch(m)
				if s, ok := vars[p[1]]; ok {
					return s
				}
				if strings.Contains(m, ":-") {
					return p[2]
				}
				t.Fatalf("%s needs %s", k, p[1])
				return ""
			})
			env = append(env, k+"="+v)
		case in && strings.HasPrefix(line, "    #"):
		case in:
			in = false
		}
	}
	want := map[string]bool{"MINIBASE_DATABASE": false, "MINIBASE_STORAGE": false, "MINIBASE_S3_ENDPOINT": false, "MINIBASE_TRUSTED_PROXIES": false}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := want[k]; ok {
			want[k] = true
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("the node's environment has no %s: %q", k, env)
		}
	}
	bin := filepath.Join(t.TempDir(), "minibase")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	cmd := exec.Command(bin, "config", "--check")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "MINIBASE_DIR=" + t.TempDir()}, env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("minibase config --check with the cluster node's environment: %v\n%s", err, b)
	}
}
