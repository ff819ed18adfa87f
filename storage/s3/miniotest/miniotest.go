// Package miniotest starts a real MinIO server for tests and benchmarks: on
// a free 127.0.0.1 port, with a temporary data directory and fresh
// credentials, stopped when the test ends. The binary is
// $MINIBASE_MINIO_BIN, else the one scripts/minio.sh prints (installing it
// into a cache directory the first time).
package miniotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Server is a running MinIO.
type Server struct {
	Endpoint  string // http://127.0.0.1:port
	AccessKey string
	SecretKey string
	dir       string
	cmd       *exec.Cmd
	out       *bytes.Buffer
	done      chan error
	args      []string // the command line, for Restart
	stopped   bool     // Stop has waited for the process
}

// TB is the part of testing.TB Start uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	TempDir() string
	Cleanup(func())
}

// Start starts a MinIO server that stops at the end of t.
func Start(t TB) *Server {
	t.Helper()
	s, err := StartDir(t.TempDir())
	if err != nil {
		t.Fatalf("start MinIO: %v", err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// StartDir starts a MinIO server keeping its data in dir. Stop it when done.
func StartDir(dir string) (*Server, error) {
	return startDir(dir, "mb"+randomHex(8), randomHex(20))
}

func startDir(dir, accessKey, secretKey string) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	console, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &Server{Endpoint: "http://" + addr, AccessKey: accessKey, SecretKey: secretKey, dir: dir,
		out: &bytes.Buffer{}, done: make(chan error, 1)}
	s.args = []string{bin, "server", "--quiet", "--address", addr, "--console-address", console, dir}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// Restart starts a stopped server again on the same address, keys and
// data: a MinIO that was down and came back.
func (s *Server) Restart() error {
	s.done, s.stopped = make(chan error, 1), false
	return s.start()
}

func (s *Server) start() error {
	s.cmd = exec.Command(s.args[0], s.args[1:]...)
	s.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+s.AccessKey, "MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	s.cmd.Stdout, s.cmd.Stderr = &lockedWriter{w: s.out}, &lockedWriter{w: s.out}
	setDeathSignal(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.args[0], err)
	}
	cmd, done := s.cmd, s.done
	go func() { done <- cmd.Wait() }()
	if err := s.waitReady(30 * time.Second); err != nil {
		s.Stop()
		return err
	}
	return nil
}

// waitReady polls MinIO's liveness endpoint.
func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("MinIO exited: %v\n%s", err, s.output())
		default:
		}
		if resp, err := http.Get(s.Endpoint + "/minio/health/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("MinIO not ready after %v:\n%s", limit, s.output())
}

// Stop ends the server (SIGTERM, then SIGKILL after 10 s) and waits for it.
// Stopping a stopped server does nothing.
func (s *Server) Stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

var outMu sync.Mutex

func (s *Server) output() string {
	outMu.Lock()
	defer outMu.Unlock()
	return s.out.String()
}

type lockedWriter struct{ w *bytes.Buffer }

func (l *lockedWriter) Write(p []byte) (int, error) {
	outMu.Lock()
	defer outMu.Unlock()
	return l.w.Write(p)
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// Binary returns the MinIO binary: $MINIBASE_MINIO_BIN, else the path
// scripts/minio.sh prints, which installs it when missing.
func Binary() (string, error) {
	binOnce.Do(func() {
		if p := os.Getenv("MINIBASE_MINIO_BIN"); p != "" {
			binPath = p
			return
		}
		root, err := moduleRoot()
		if err != nil {
			binErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "minio.sh"))
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			binErr = fmt.Errorf("scripts/minio.sh: %w", err)
			return
		}
		binPath = strings.TrimSpace(string(out))
	})
	return binPath, binErr
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
			return "", errors.New("miniotest: no minibase go.mod above the working directory; set MINIBASE_MINIO_BIN")
		}
		dir = parent
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
