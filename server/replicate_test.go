package server

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"minibase/storage/s3/miniotest"
)

// replicaStatus reads continuous backup's state from GET /v1/admin/info.
func replicaStatus(t *testing.T, s *server) (gen string, shipped time.Time) {
	t.Helper()
	code, body, err := s.do("GET", "/v1/admin/info", "")
	if err != nil || code != 200 {
		t.Fatalf("admin info: %d %v", code, err)
	}
	r, _ := body["replication"].(map[string]any)
	if r == nil {
		t.Fatalf("admin info has no replication: %v", body)
	}
	gen, _ = r["generation"].(string)
	shipped, _ = time.Parse(time.RFC3339Nano, fmt.Sprint(r["shipped"]))
	return gen, shipped
}

// TestReplicaKillDashNine: with continuous backup on, the real binary is
// killed (-9) in the middle of a load of inserts. Restored from the bucket
// alone into a fresh directory, the database holds every write
// acknowledged before the last moment the server reported as shipped
// (GET /v1/admin/info's replication.shipped). Restarted on its data, the
// killed server starts a new generation (it cannot prove the chain whole)
// and catches up: a second restore holds every acknowledged write and the
// ones made after the restart.
func TestReplicaKillDashNine(t *testing.T) {
	ms := miniotest.Start(t)
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s3env := []string{"MINIBASE_S3_ENDPOINT=" + ms.Endpoint, "MINIBASE_S3_ACCESS_KEY=" + ms.AccessKey, "MINIBASE_S3_SECRET_KEY=" + ms.SecretKey}
	env := append([]string{"MINIBASE_ADMIN_KEY=" + testKey, "MINIBASE_REPLICATE_S3_BUCKET=replica", "MINIBASE_REPLICATE_INTERVAL=200ms"}, s3env...)
	s := startServerEnv(t, bin, dir, addr, env)
	if code, _, _ := s.post("/v1/admin/collections", `{"name":"posts"}`); code != 200 {
		t.Fatalf("create collection: %d", code)
	}
	type ack struct {
		id string
		at time.Time
	}
	var (
		mu      sync.Mutex
		acked   []ack
		wg      sync.WaitGroup
		stop    = make(chan struct{})
		stopped = make(chan struct{})
	)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 100000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%d-%d", w, i)
				code, _, err := s.post("/v1/db/posts/insert", fmt.Sprintf(`{"data":{"_id":%q,"n":%d}}`, id, i))
				if err != nil {
					return
				}
				if code == 200 {
					mu.Lock()
					acked = append(acked, ack{id, time.Now()})
					mu.Unlock()
				}
			}
		}(w)
	}
	go func() { wg.Wait(); close(stopped) }()
	// Kill once the server has reported shipping past the 300th
	// acknowledged write, while the writers go on.
	var gen string
	var shipped time.Time
	waitUntil(t, "300 acknowledged writes reported shipped", func() bool {
		mu.Lock()
		n := len(acked)
		var at time.Time
		if n >= 300 {
			at = acked[299].at
		}
		mu.Unlock()
		if n < 300 {
			return false
		}
		gen, shipped = replicaStatus(t, s)
		return shipped.After(at)
	})
	s.cmd.Process.Signal(syscall.SIGKILL)
	close(stop)
	<-stopped
	s.cmd.Wait()
	mu.Lock()
	all := append([]ack(nil), acked...)
	mu.Unlock()
	var safe []string
	for _, a := range all {
		if a.at.Before(shipped) {
			safe = append(safe, a.id)
		}
	}

	// A lost disk: restore into a fresh directory from the bucket alone.
	fresh := t.TempDir()
	restore := func(into string) {
		t.Helper()
		cmd := exec.Command(bin, "backup", "restore", "--from", "s3://replica/replica/", "--dir", into)
		cmd.Env = append(cmd.Environ(), s3env...)
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "restored the database") {
			t.Fatalf("backup restore --from: %v\n%s", err, out)
		}
	}
	restore(fresh)
	r := startServer(t, bin, fresh, freeAddr(t))
	missing := 0
	for _, id := range safe {
		if code, _, _ := r.do("GET", "/v1/db/posts/docs/"+id, ""); code != 200 {
			missing++
			if missing < 5 {
				t.Errorf("write %s, acknowledged before %s (reported shipped), is not in the restored database", id, shipped.Format(time.RFC3339Nano))
			}
		}
	}
	_, body, _ := r.post("/v1/db/posts/count", `{}`)
	t.Logf("%d writes acknowledged, %d before the last reported shipping; the restore holds %v (%d missing)", len(all), len(safe), body["total"], missing)
	r.cmd.Process.Kill()

	// The killed server restarted on its data: a new generation, caught up.
	s2 := startServerEnv(t, bin, dir, addr, env)
	for i := 0; i < 20; i++ {
		if code, _, _ := s2.post("/v1/db/posts/insert", fmt.Sprintf(`{"data":{"_id":"after-%d"}}`, i)); code != 200 {
			t.Fatalf("insert after restart: %d", code)
		}
	}
	written := time.Now()
	waitUntil(t, "the restarted server to ship the new writes", func() bool {
		g, sh := replicaStatus(t, s2)
		return g != gen && g != "" && sh.After(written)
	})
	again := t.TempDir()
	restore(again)
	r2 := startServer(t, bin, again, freeAddr(t))
	for _, a := range all {
		if code, _, _ := r2.do("GET", "/v1/db/posts/docs/"+a.id, ""); code != 200 {
			t.Fatalf("acknowledged write %s missing from the restore after the restart (status %d)", a.id, code)
		}
	}
	for i := 0; i < 20; i++ {
		if code, _, _ := r2.do("GET", fmt.Sprintf("/v1/db/posts/docs/after-%d", i), ""); code != 200 {
			t.Fatalf("write after-%d missing from the restore after the restart", i)
		}
	}
}
