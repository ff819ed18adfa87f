package ticket

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// memStore is a Store in memory with the contract's compare-and-set
// (db/postgres tests the real one).
type memStore struct {
	mu   sync.Mutex
	data []byte
	v    int64
	fail error
}

func (s *memStore) LoadKeys(context.Context) ([]byte, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.data), s.v, s.fail
}

func (s *memStore) SaveKeys(_ context.Context, data []byte, prev int64) (int64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return 0, false, s.fail
	}
	if prev != s.v {
		return 0, false, nil
	}
	s.data, s.v = bytes.Clone(data), s.v+1
	return s.v, true, nil
}

// TestSharedKeyring: servers opening one stored keyring (at the same
// moment, too) share its key: a ticket one issues, the others verify; a
// rotation on one reaches the others when a ticket names the new key, and
// their credentials show it.
func TestSharedKeyring(t *testing.T) {
	store := &memStore{}
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	var rings [3]*Keyring
	var wg sync.WaitGroup
	for i := range rings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := OpenStore(store, clock)
			if err != nil {
				t.Error(err)
			}
			rings[i] = k
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	a, b := rings[0], rings[1]
	tk, err := a.Issue("user-1", IssueOptions{Env: "e"})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range rings {
		if c, err := k.Verify(tk); err != nil || c.UID != "user-1" {
			t.Errorf("server %d verifies server 0's ticket: %+v, %v", i, c, err)
		}
	}
	if err := a.Rotate(); err != nil {
		t.Fatal(err)
	}
	fresh, err := a.Issue("user-2", IssueOptions{Env: "e"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify(fresh); err == nil {
		t.Error("B verified a ticket of a key it had not read, within a second of its last read (reloads are rate-limited)")
	}
	now = now.Add(2 * time.Second)
	if c, err := b.Verify(fresh); err != nil || c.UID != "user-2" {
		t.Errorf("B verifies a ticket of the key A rotated in: %+v, %v", c, err)
	}
	if _, err := b.Verify(tk); err != nil {
		t.Errorf("the replaced key no longer verifies on B within its grace: %v", err)
	}
	ca, _ := a.Credentials("e")
	cb, err := rings[2].Credentials("e")
	if err != nil || !bytes.Equal(ca, cb) {
		t.Errorf("server 2's credentials are not A's after the rotation: %v", err)
	}
	// A rotation from a server holding an old version rotates the latest.
	if err := rings[2].Rotate(); err != nil {
		t.Fatal(err)
	}
	if c, err := a.Verify(fresh); err != nil || c.UID != "user-2" {
		t.Errorf("A's key, replaced by server 2, no longer verifies: %v", err)
	}
	store.fail = errors.New("database down")
	if _, err := OpenStore(store, clock); err == nil {
		t.Error("OpenStore on a failing store: no error")
	}
	if err := a.Rotate(); err == nil {
		t.Error("Rotate on a failing store: no error")
	}
	if c, err := a.Verify(fresh); err != nil || c.UID != "user-2" {
		t.Errorf("a failed rotation changed the keys in use: %v", err)
	}
}

// TestSharedKeyringRefusesDamage: a stored keyring that does not parse is
// an error, not replaced by a new key.
func TestSharedKeyringRefusesDamage(t *testing.T) {
	store := &memStore{data: []byte(`{"current":{}}`), v: 3}
	if _, err := OpenStore(store, nil); err == nil {
		t.Fatal("a damaged stored keyring was accepted")
	}
	if string(store.data) != `{"current":{}}` || store.v != 3 {
		t.Errorf("the damaged keyring was overwritten")
	}
}
