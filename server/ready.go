package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"minibase/storage/local"
	"minibase/storage/s3"

	"github.com/gofiber/fiber/v2"
)

// Readiness (GET /v1/health/ready): the server can do its work now. It
// checks, each with readyTimeout:
//
//   - database: a real one-row write through the database's writer
//     (sqlite.DB.Probe), committed;
//   - disk: the data directory takes a new file (written, synced,
//     removed), and the disk is not full (the disk reserve released);
//   - storage: the file store takes a new file (local) or its bucket
//     answers a HEAD (S3/MinIO).
//
// A check runs at most once per Config.Obs.ReadyEvery (a second):
// probes in between, however many, get the last result, so that the
// endpoint cannot be used to load the database. /v1/health stays the
// liveness answer: the process answers HTTP.

// pinger is a backend that can say whether it works now.
type pinger interface {
	Ping(ctx context.Context) error
}

var (
	_ pinger = (*local.Bucket)(nil)
	_ pinger = (*s3.Bucket)(nil)
)

// readyTimeout bounds each check.
const readyTimeout = 5 * time.Second

// defaultReadyEvery is how often checks run at most.
const defaultReadyEvery = time.Second

// ReadyAnswer is GET /v1/health/ready's body: "ok" or "unavailable", each
// check's result ("ok", or what failed, without the cause's details,
// which the server log has), and the failed checks' names. A failure
// answers 503 with CloudBase's error fields too.
type ReadyAnswer struct {
	Status  string            `json:"status"`
	Checks  map[string]string `json:"checks"`
	Failed  []string          `json:"failed,omitempty"`
	Code    string            `json:"code,omitempty"`
	ErrCode int               `json:"errCode,omitempty"`
	Message string            `json:"message,omitempty"`
}

// readiness keeps the last checks' answer.
type readiness struct {
	mu     sync.Mutex // one check at a time; the others wait for its answer
	at     time.Time
	answer ReadyAnswer
}

// ready returns the readiness answer, running the checks when the last
// answer is older than ReadyEvery.
func (s *Server) ready(ctx context.Context) ReadyAnswer {
	every := s.Config.Obs.ReadyEvery
	if every <= 0 {
		every = defaultReadyEvery
	}
	r := &s.readiness
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.at.IsZero() && time.Since(r.at) < every {
		return r.answer
	}
	s.metrics.readyChecks.Inc()
	checks := []struct {
		name, failed string
		run          func(context.Context) error
	}{
		{"database", "the database does not take writes", s.store.probe},
		{"disk", "the data directory does not take new files", s.checkDisk},
		{"storage", "the file store is not reachable", s.checkStorage},
	}
	a := ReadyAnswer{Status: "ok", Checks: map[string]string{}}
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyTimeout)
		err := c.run(cctx)
		cancel()
		a.Checks[c.name] = "ok"
		if err != nil {
			a.Checks[c.name] = c.failed
			a.Failed = append(a.Failed, c.name)
			if prev := r.answer.Checks[c.name]; prev != c.failed { // logged when it starts failing
				s.log.Warn("not ready", "check", c.name, "err", err)
			}
		} else if prev := r.answer.Checks[c.name]; prev != "" && prev != "ok" {
			s.log.Info("ready again", "check", c.name)
		}
	}
	if len(a.Failed) > 0 {
		a.Status, a.Code, a.ErrCode = "unavailable", "SYS_ERR", -501001
		a.Message = "not ready: " + strings.Join(a.Failed, ", ")
	}
	r.at, r.answer = time.Now(), a
	return a
}

// checkDisk writes, syncs and removes a small file in the data directory,
// and fails while the disk reserve is released (the disk is full).
func (s *Server) checkDisk(context.Context) error {
	if s.reserve != nil && s.reserve.Full() {
		return errors.New("the disk is full")
	}
	name := filepath.Join(s.Config.Dir, ".ready-"+rand.Text())
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write([]byte("ready"))
	err = errors.Join(werr, f.Sync(), f.Close(), os.Remove(name))
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	return nil
}

// checkStorage pings the file store's backend.
func (s *Server) checkStorage(ctx context.Context) error {
	if s.filePing == nil {
		return nil
	}
	return s.filePing.Ping(ctx)
}

// handleReady answers GET /v1/health/ready: 200 when ready, else 503.
func (s *Server) handleReady(c *fiber.Ctx) error {
	a := s.ready(c.UserContext())
	c.Set(fiber.HeaderCacheControl, "no-store")
	if a.Status != "ok" {
		c.Status(fiber.StatusServiceUnavailable)
	}
	return c.JSON(a)
}

// healthAnswer is GET /v1/health's body: the process is alive.
func (s *Server) healthAnswer() map[string]string {
	return map[string]string{"status": "ok", "version": s.version()}
}

// healthHTTP answers GET and HEAD of /v1/health and /v1/health/ready on
// a plain net/http listener (the redirecting one beside HTTPS, the
// metrics one), and passes the rest to next: load balancers and Docker's
// HEALTHCHECK probe plain http.
func (s *Server) healthHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead || r.URL.Path != "/v1/health" && r.URL.Path != "/v1/health/ready" {
			next.ServeHTTP(w, r)
			return
		}
		var body any = s.healthAnswer()
		status := http.StatusOK
		if r.URL.Path == "/v1/health/ready" {
			a := s.ready(r.Context())
			if a.Status != "ok" {
				status = http.StatusServiceUnavailable
			}
			body = a
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		if r.Method == http.MethodGet {
			json.NewEncoder(w).Encode(body)
		}
	})
}
