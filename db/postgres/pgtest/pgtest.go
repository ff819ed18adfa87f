// Package pgtest runs a throwaway PostgreSQL cluster for tests: initdb into
// a temporary directory, postgres listening on a free 127.0.0.1 port (and on
// a unix socket in that directory), fsync off, stopped and removed when the
// test binary ends. One cluster per test binary (Main, from TestMain); each
// test gets a fresh database of its own (Database).
//
// The server binaries are $MINIBASE_PG_BIN's, else those scripts/postgres.sh
// prints (it installs Debian's postgresql package when none is there).
// PostgreSQL refuses to run as root, and tests run as root: then initdb and
// postgres run as the unprivileged user "nobody" (the process credentials
// Go's os/exec sets in the child before exec, as runuser would), and the
// temporary directory is given to that user. A test that needs the cluster
// and cannot get it fails; it is never skipped.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// cluster is the running server of this test binary.
type cluster struct {
	dir      string // temporary directory: data/, the socket, the log
	port     int
	cmd      *exec.Cmd
	done     chan struct{} // closed when postgres has exited
	log      *bytes.Buffer
	logM     sync.Mutex
	startErr error // why it could not start
	bin      string
	cred     *syscall.Credential
	exitErr  error // how postgres exited, once done is closed
}

var (
	startOnce  sync.Once
	cur        *cluster
	mainCalled bool
	dbNo       atomic.Int64
)

// Main runs the tests and stops the cluster if one of them started it: call
// it from TestMain as os.Exit(pgtest.Main(m)). The cluster starts at the
// first Database call, so that runs needing none (a fuzz target's workers)
// start none. When it cannot start, every Database call fails its test
// with the reason.
func Main(m *testing.M) int {
	mainCalled = true
	code := m.Run()
	if c := cur; c != nil && c.cmd != nil {
		if err := c.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping PostgreSQL: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// Database creates a fresh, empty database for t, dropped when t ends,
// and returns its connection string (a postgres:// URL on 127.0.0.1).
func Database(t testing.TB) string {
	t.Helper()
	if !mainCalled {
		t.Fatal("pgtest: call pgtest.Main from the package's TestMain (it stops the cluster)")
	}
	startOnce.Do(func() {
		c, err := start()
		if err != nil {
			c = &cluster{startErr: err}
		}
		cur = c
	})
	if cur.startErr != nil {
		t.Fatalf("pgtest: PostgreSQL is not available: %v", cur.startErr)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbNo.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, cur.url("postgres"))
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer admin.Close(context.Background())
	// FILE_COPY copies template0's files (fsync is off): faster than
	// WAL-logging them one by one.
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8' STRATEGY FILE_COPY"); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := pgx.Connect(ctx, cur.url("postgres"))
		if err != nil {
			t.Errorf("pgtest: connect to drop %s: %v", name, err)
			return
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return cur.url(name)
}

// Log returns what the server has written to its log so far, for test
// failure messages.
func Log() string {
	if cur == nil || cur.log == nil {
		return ""
	}
	cur.logM.Lock()
	defer cur.logM.Unlock()
	return cur.log.String()
}

func (c *cluster) url(dbname string) string {
	return fmt.Sprintf("postgres://minibase@127.0.0.1:%d/%s?sslmode=disable", c.port, dbname)
}

// lockedWriter appends to the cluster's log buffer.
type lockedWriter struct{ c *cluster }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.c.logM.Lock()
	defer w.c.logM.Unlock()
	return w.c.log.Write(p)
}

func start() (c *cluster, err error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "minibase-pg-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	cred, err := credential(dir)
	if err != nil {
		return nil, err
	}
	c = &cluster{dir: dir, log: &bytes.Buffer{}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"),
		"-U", "minibase", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Env = append(os.Environ(), "LC_ALL=C")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c.port, c.bin, c.cred = port, bin, cred
	if err := c.launch(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// launch starts postgres on the cluster's data directory and port and
// waits until it accepts connections.
func (c *cluster) launch(ctx context.Context) error {
	c.done = make(chan struct{})
	c.cmd = exec.Command(filepath.Join(c.bin, "postgres"), "-D", filepath.Join(c.dir, "data"),
		"-p", strconv.Itoa(c.port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=64MB",
		"-c", "log_min_messages=warning")
	// SIGQUIT (immediate shutdown) when this process dies without stopping
	// it: no cluster outlives its test binary.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGQUIT}
	c.cmd.Stdout = lockedWriter{c}
	c.cmd.Stderr = lockedWriter{c}
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	cmd, done := c.cmd, c.done
	go func() {
		c.exitErr = cmd.Wait()
		close(done)
	}()
	if err := c.waitReady(ctx); err != nil {
		cmd.Process.Signal(syscall.SIGQUIT)
		<-done
		return fmt.Errorf("%w\n%s", err, Log())
	}
	return nil
}

// Restart stops the server (fast shutdown: open connections are cut) and
// starts it again on the same data and port, for tests of what a client
// does when PostgreSQL goes away and comes back. down runs while it is
// stopped. Tests that call it must not run in parallel with others of the
// same binary.
func Restart(t testing.TB, down func()) {
	t.Helper()
	if cur == nil || cur.cmd == nil {
		t.Fatal("pgtest: Restart before any Database")
	}
	cur.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-cur.done:
	case <-time.After(time.Minute):
		t.Fatal("pgtest: postgres did not stop within a minute")
	}
	if down != nil {
		down()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := cur.launch(ctx); err != nil {
		t.Fatalf("pgtest: restart: %v", err)
	}
}

// waitReady waits until the server accepts connections, it exits, or ctx
// ends.
func (c *cluster) waitReady(ctx context.Context) error {
	for delay := 10 * time.Millisecond; ; delay = min(2*delay, 500*time.Millisecond) {
		conn, err := pgx.Connect(ctx, c.url("postgres"))
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.done:
			return fmt.Errorf("postgres exited: %v", c.exitErr)
		case <-ctx.Done():
			return fmt.Errorf("postgres did not accept connections: %v", err)
		case <-time.After(delay):
		}
	}
}

// stop shuts the server down (fast shutdown: SIGINT) and removes its
// directory.
func (c *cluster) stop() error {
	c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(time.Minute):
		c.cmd.Process.Kill()
		<-c.done
	}
	return os.RemoveAll(c.dir)
}

// credential returns the user to run PostgreSQL as: nil (this process's)
// unless this process is root, else "nobody", who is given dir.
func credential(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("running as root, and no user nobody to run PostgreSQL as: %w", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	// nobody must reach dir: the directories above it must be searchable.
	for p := filepath.Dir(dir); p != "/"; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return nil, fmt.Errorf("%s is not searchable by other users, so PostgreSQL (running as nobody) cannot reach %s: set TMPDIR", p, dir)
		}
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: false}, nil
}

// binDir returns the directory of the server binaries.
func binDir() (string, error) {
	if p := os.Getenv("MINIBASE_PG_BIN"); p != "" {
		return p, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "postgres.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/postgres.sh: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// moduleRoot finds the directory of minibase's go.mod above the working
// directory (tests run in their package's directory).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module minibase\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("pgtest: no minibase go.mod above the working directory; set MINIBASE_PG_BIN")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
