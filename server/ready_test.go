package server_test

import (
	"net/http"
	"syscall"
	"testing"
	"time"

	"minibase/server"
	"minibase/server/servertest"
	"minibase/storage/s3/miniotest"
)

// everyCall makes readiness run its checks at each probe.
func everyCall(c *server.Config) { c.Obs.ReadyEvery = time.Nanosecond }

// readyNow asks for readiness until it answers status (each probe runs the
// checks), or fails the test after servertest.WaitTimeout.
func readyNow(t *testing.T, s *servertest.Server, status int) *servertest.Response {
	t.Helper()
	var r *servertest.Response
	servertest.WaitFor(t, "readiness to answer "+http.StatusText(status), func() bool {
		r = s.Do(t, servertest.Request{Method: "GET", URL: "/v1/health/ready"})
		return r.Status == status
	})
	return r
}

// Readiness: ready on a working server; when the data directory turns
// read-only (a read-only bind mount over it, as a remounted disk) it
// answers 503 naming the failed checks, while liveness still answers
// 200; it recovers when the directory is writable again.
func TestReadyDataDirReadOnly(t *testing.T) {
	dir := t.TempDir()
	s := servertest.New(t, servertest.Options{Dir: dir, Config: everyCall})
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/health/ready"}).Expect(t, 200,
		`{"status":"ok","checks":{"database":"ok","disk":"ok","storage":"ok"}}`)
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("cannot bind-mount (%v): needs root or CAP_SYS_ADMIN", err)
	}
	mounted := true
	unmount := func() {
		if mounted {
			if err := syscall.Unmount(dir, 0); err != nil {
				t.Errorf("unmount %s: %v", dir, err)
			}
			mounted = false
		}
	}
	t.Cleanup(unmount)
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot make the bind mount read-only: %v", err)
	}
	// The file store's directory handle was opened before the mount, so
	// its check may still pass here; on a disk remounted read-only it fails
	// too.
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/health/ready"}).Expect(t, 503,
		`{"status":"unavailable","checks":{"database":"ok","disk":"the data directory does not take new files"},"code":"SYS_ERR","errCode":-501001}`)
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/health"}).Expect(t, 200, `{"status":"ok"}`)
	unmount()
	readyNow(t, s, 200).Expect(t, 200, `{"status":"ok","checks":{"database":"ok","disk":"ok","storage":"ok"}}`)
}

// With MinIO as the file store: ready while it runs, 503 naming storage
// when it stops, ready again when it is back on the same address.
func TestReadyMinIO(t *testing.T) {
	m := miniotest.Start(t)
	s := servertest.New(t, servertest.Options{MinIO: m, Config: everyCall})
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/health/ready"}).Expect(t, 200, `{"status":"ok","checks":{"storage":"ok"}}`)
	m.Stop()
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/health/ready"}).Expect(t, 503,
		`{"status":"unavailable","checks":{"database":"ok","disk":"ok","storage":"the file store is not reachable"},"failed":["storage"],"message":"not ready: storage"}`)
	if err := m.Restart(); err != nil {
		t.Fatal(err)
	}
	readyNow(t, s, 200)
}

// The checks run at most once per ReadyEvery: a flood of probes makes one
// write, however many probes there are.
func TestReadyRateLimited(t *testing.T) {
	s := servertest.New(t, servertest.Options{Config: func(c *server.Config) { c.Obs.ReadyEvery = time.Hour }})
	before := metric(scrape(t, s), "minibase_ready_checks_total")
	for range 50 {
		s.Do(t, servertest.Request{Method: "GET", URL: "/v1/health/ready"}).Expect(t, 200, `{"status":"ok"}`)
	}
	if got := metric(scrape(t, s), "minibase_ready_checks_total") - before; got != 1 {
		t.Errorf("50 probes ran the checks %v times, want 1", got)
	}
}
