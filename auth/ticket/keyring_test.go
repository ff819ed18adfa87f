package ticket

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRotate: after a rotation the replaced key keeps verifying tickets for
// two hours (CloudBase's grace), then stops; the new key signs and verifies.
func TestRotate(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	k, err := Open(dir, c.now)
	if err != nil {
		t.Fatal(err)
	}
	old := readCredentials(t, k, "")
	if err := k.Rotate(); err != nil {
		t.Fatal(err)
	}
	fresh := readCredentials(t, k, "")
	if fresh.ID == old.ID || fresh.Key.N.Cmp(old.Key.N) == 0 {
		t.Fatal("Rotate kept the same key")
	}
	tk, err := k.Issue("user_42", IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tk, fresh.ID+"/@@/") {
		t.Fatalf("after Rotate, Issue signs with %q, want the new key %q", tk[:strings.Index(tk, "/")], fresh.ID)
	}
	steps := []struct {
		at   time.Duration // after the rotation
		want error
	}{
		{0, nil},
		{time.Hour, nil},
		{2*time.Hour - time.Second, nil},
		{2 * time.Hour, ErrInvalidTicket},
		{5 * time.Hour, ErrInvalidTicket},
	}
	start := c.now()
	for _, s := range steps {
		c.add(start.Add(s.at).Sub(c.now()))
		// A developer's server still holding the old credentials signs now.
		oldTicket := createTicket(t, old, rs256Header, nodeClaims("", "user_42", c.now()))
		if _, err := k.Verify(oldTicket); !errors.Is(err, s.want) {
			t.Errorf("%v after Rotate, old key: Verify err = %v, want %v", s.at, err, s.want)
		}
		// The grace survives a restart.
		reopened, err := Open(dir, c.now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := reopened.Verify(oldTicket); !errors.Is(err, s.want) {
			t.Errorf("%v after Rotate, reopened, old key: Verify err = %v, want %v", s.at, err, s.want)
		}
		newTicket := createTicket(t, fresh, rs256Header, nodeClaims("", "user_42", c.now()))
		if _, err := k.Verify(newTicket); err != nil {
			t.Errorf("%v after Rotate, new key: Verify err = %v", s.at, err)
		}
	}
}

// TestOpenPersists: the key file is 0600 and reopening keeps the keys.
func TestOpenPersists(t *testing.T) {
	c := newClock()
	dir := filepath.Join(t.TempDir(), "data")
	k, err := Open(dir, c.now)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s mode = %v, want 0600", FileName, st.Mode().Perm())
	}
	tk, err := k.Issue("user_42", IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := k.Credentials("e")

	k2, err := Open(dir, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := k2.Credentials("e"); !bytes.Equal(got, want) {
		t.Errorf("reopened credentials = %s, want %s", got, want)
	}
	if _, err := k2.Verify(tk); err != nil {
		t.Errorf("reopened keyring rejects a ticket of the same key: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("dir holds %d entries, want only %s (no temporary files left)", len(entries), FileName)
	}

	// Looser permissions are tightened on open.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, c.now); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("after reopen, mode = %v, want 0600", st.Mode().Perm())
	}
}

// TestOpenBadFile: a damaged key file is an error and is never replaced.
func TestOpenBadFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"not JSON", "{garbage"},
		{"empty object", "{}"},
		{"bad PEM", `{"current":{"private_key_id":"a","private_key":"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"}}`},
		{"too large", `{"current":{"private_key_id":"` + strings.Repeat("a", maxFileSize) + `"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if k, err := Open(dir, nil); err == nil {
				t.Fatalf("Open = %v, want an error", k)
			}
			if got, _ := os.ReadFile(path); string(got) != tt.content {
				t.Errorf("Open changed the damaged file")
			}
		})
	}
}

// TestConcurrent: issuing and verifying while the key rotates (run with -race).
func TestConcurrent(t *testing.T) {
	c := newClock()
	k := openKeyring(t, c)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				tk, err := k.Issue("user_42", IssueOptions{})
				if err == nil {
					_, err = k.Verify(tk)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	if err := k.Rotate(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// FuzzVerifyTicket: no input makes Verify panic, and whatever it accepts has
// valid claims.
func FuzzVerifyTicket(f *testing.F) {
	c := newClock()
	k := openKeyring(f, c)
	cred := readCredentials(f, k, "")
	good, err := k.Issue("user_42", IssueOptions{Env: "e"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(createTicket(f, cred, rs256Header, nodeClaims("e", "x(y)z", c.now())))
	f.Add(cred.ID + "/@@/eyJhbGciOiJub25lIn0.e30.")
	f.Add("/@@/")
	f.Add("a/@@/b.c.d")
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Fuzz(func(t *testing.T, ticket string) {
		got, err := k.Verify(ticket)
		if err != nil {
			if !errors.Is(err, ErrInvalidTicket) && !errors.Is(err, ErrExpiredTicket) {
				t.Fatalf("Verify err = %v, want ErrInvalidTicket or ErrExpiredTicket", err)
			}
			return
		}
		if !ValidUID(got.UID) || got.Refresh <= 0 || !got.Expire.After(c.now()) {
			t.Fatalf("Verify accepted %q with claims %+v", ticket, got)
		}
	})
}
