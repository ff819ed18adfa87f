package ticket

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// FileName is the keyring's file inside its directory.
const FileName = "ticket_keys.json"

const (
	keyBits     = 2048
	maxFileSize = 1 << 20
)

// Keyring holds the app's RS256 keys for custom-login tickets, persisted in
// one file (FileName, mode 0600): the current key, which signs, and the keys it
// replaced, which keep verifying for RotationGrace. It is safe for concurrent use.
type Keyring struct {
	path string
	now  func() time.Time

	store    Store     // OpenStore's; nil: the file at path
	version  int64     // the stored keyring's version (store)
	reloaded time.Time // when it was last read from store

	mu       sync.RWMutex
	current  *key
	previous []*key // replaced less than RotationGrace ago
}

// key is one RSA key pair with its CloudBase private_key_id.
type key struct {
	id      string
	priv    *rsa.PrivateKey
	created time.Time
	retired time.Time // zero for the current key
}

// keyFile is the JSON form of the keyring file.
type keyFile struct {
	Current  fileKey   `json:"current"`
	Previous []fileKey `json:"previous,omitempty"`
}

type fileKey struct {
	ID         string     `json:"private_key_id"`
	PrivateKey string     `json:"private_key"` // PKCS#1 PEM
	CreatedAt  time.Time  `json:"created_at"`
	RetiredAt  *time.Time `json:"retired_at,omitempty"`
}

// Open loads the keyring in dir, or creates dir (0700) and a keyring with a
// fresh 2048-bit key when FileName does not exist. now is the clock (nil means
// time.Now). A file that cannot be read or parsed is an error and is left as is;
// a readable file with looser permissions is tightened to 0600.
func Open(dir string, now func() time.Time) (*Keyring, error) {
	if now == nil {
		now = time.Now
	}
	k := &Keyring{path: filepath.Join(dir, FileName), now: now}
	err := k.load()
	if !errors.Is(err, fs.ErrNotExist) {
		if err != nil {
			return nil, fmt.Errorf("open ticket keys: %w", err)
		}
		return k, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open ticket keys: %w", err)
	}
	cur, err := newKey(now())
	if err != nil {
		return nil, fmt.Errorf("open ticket keys: %w", err)
	}
	if err := k.save(cur, nil); err != nil {
		return nil, fmt.Errorf("open ticket keys: %w", err)
	}
	k.current = cur
	return k, nil
}

// Rotate makes a new current key. The replaced key keeps verifying tickets for
// RotationGrace, as on CloudBase; keys replaced longer ago are dropped. On error
// the keyring and its file are unchanged.
func (k *Keyring) Rotate() error {
	fresh, err := newKey(k.now())
	if err != nil {
		return fmt.Errorf("rotate ticket key: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.store != nil { // rotate the latest keys: another node may have rotated them
		if err := k.reloadLocked(); err != nil {
			return fmt.Errorf("rotate ticket key: %w", err)
		}
	}
	now := k.now()
	old := *k.current
	old.retired = now
	prev := append([]*key{&old}, live(k.previous, now)...)
	if err := k.save(fresh, prev); err != nil {
		return fmt.Errorf("rotate ticket key: %w", err)
	}
	k.current, k.previous = fresh, prev
	return nil
}

// Credentials returns the CloudBase credentials JSON for the current key,
// {"private_key_id", "private_key" (PEM), "env_id": env}: what
// @cloudbase/node-sdk's init({credentials}) takes to create tickets. It holds
// the private key: hand it to admins only.
func (k *Keyring) Credentials(env string) ([]byte, error) {
	if k.store != nil { // the current key, whichever node rotated it last
		k.mu.Lock()
		err := k.reloadLocked()
		k.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("ticket credentials: %w", err)
		}
	}
	k.mu.RLock()
	cur := k.current
	k.mu.RUnlock()
	b, err := json.MarshalIndent(struct {
		ID         string `json:"private_key_id"`
		PrivateKey string `json:"private_key"`
		EnvID      string `json:"env_id"`
	}{cur.id, encodeKey(cur.priv), env}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("ticket credentials: %w", err)
	}
	return b, nil
}

// publicKey returns the public key named id if it may verify at now, else nil.
func (k *Keyring) publicKey(id string, now time.Time) *rsa.PublicKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.current.id == id {
		return &k.current.priv.PublicKey
	}
	for _, p := range live(k.previous, now) {
		if p.id == id {
			return &p.priv.PublicKey
		}
	}
	return nil
}

// live returns the replaced keys that still verify at now.
func live(keys []*key, now time.Time) []*key {
	var out []*key
	for _, p := range keys {
		if now.Before(p.retired.Add(RotationGrace)) {
			out = append(out, p)
		}
	}
	return out
}

func newKey(now time.Time) (*key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("generate RSA key: %w", err)
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	return &key{id: hex.EncodeToString(id[:]), priv: priv, created: now.UTC()}, nil
}

func encodeKey(priv *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)}))
}

// load reads the keyring file; fs.ErrNotExist when there is none.
func (k *Keyring) load() error {
	f, err := os.Open(k.path)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return err
	}
	cur, prev, err := parseKeys(b, k.path)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	k.current, k.previous = cur, prev
	return nil
}

// parseKeys decodes a keyring file's content; where names it in errors.
func parseKeys(b []byte, where string) (cur *key, prev []*key, err error) {
	if len(b) > maxFileSize {
		return nil, nil, fmt.Errorf("%s is larger than %d bytes", where, maxFileSize)
	}
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", where, err)
	}
	seen := map[string]bool{}
	cur, err = kf.Current.decode(seen)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: current key: %w", where, err)
	}
	for i, fk := range kf.Previous {
		p, err := fk.decode(seen)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: previous key %d: %w", where, i, err)
		}
		if p.retired.IsZero() {
			return nil, nil, fmt.Errorf("%s: previous key %d has no retired_at", where, i)
		}
		prev = append(prev, p)
	}
	return cur, prev, nil
}

func (fk fileKey) decode(seen map[string]bool) (*key, error) {
	if fk.ID == "" || len(fk.ID) > 128 || seen[fk.ID] {
		return nil, fmt.Errorf("missing, overlong or repeated private_key_id %q", fk.ID)
	}
	seen[fk.ID] = true
	block, _ := pem.Decode([]byte(fk.PrivateKey))
	if block == nil || block.Type != "RSA PRIVATE KEY" {
		return nil, errors.New("private_key is not an RSA PRIVATE KEY PEM block")
	}
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	if priv.N.BitLen() < keyBits {
		return nil, fmt.Errorf("RSA key of %d bits, want at least %d", priv.N.BitLen(), keyBits)
	}
	k := &key{id: fk.ID, priv: priv, created: fk.CreatedAt}
	if fk.RetiredAt != nil {
		k.retired = *fk.RetiredAt
	}
	return k, nil
}

func (k *key) encode() fileKey {
	fk := fileKey{ID: k.id, PrivateKey: encodeKey(k.priv), CreatedAt: k.created}
	if !k.retired.IsZero() {
		r := k.retired.UTC()
		fk.RetiredAt = &r
	}
	return fk
}

// encodeKeys is a keyring file's content.
func encodeKeys(cur *key, prev []*key) ([]byte, error) {
	kf := keyFile{Current: cur.encode()}
	for _, p := range prev {
		kf.Previous = append(kf.Previous, p.encode())
	}
	return json.MarshalIndent(kf, "", "  ")
}

// save writes the keyring file atomically (temporary file, fsync, rename),
// 0600; or, for a keyring opened with OpenStore, saves it in the store.
func (k *Keyring) save(cur *key, prev []*key) error {
	b, err := encodeKeys(cur, prev)
	if err != nil {
		return err
	}
	if k.store != nil {
		return k.saveShared(b)
	}
	dir := filepath.Dir(k.path)
	tmp, err := os.CreateTemp(dir, FileName+".*.tmp") // CreateTemp makes it 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), k.path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; best effort where directories cannot be synced
		d.Close()
	}
	return nil
}
