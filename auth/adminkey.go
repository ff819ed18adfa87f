package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AdminKeys verifies admin keys. Only SHA-256 hashes are held: the admin
// keys are random 256-bit secrets, so a slow password hash adds nothing.
type AdminKeys struct {
	hashes [][sha256.Size]byte
}

// KeyFile is the file in the data directory holding the generated key's hash.
const KeyFile = "admin_key.sha256"

// minKeyLen is the shortest admin key accepted from configuration.
const minKeyLen = 16

// LoadAdminKeys returns the admin keys for the data directory dir. A
// non-empty configured key (from MINIBASE_ADMIN_KEY) is used as given. Without
// one, the hash stored in dir is used; when there is none either, a key is
// generated, only its hash stored (mode 0600), and the key returned as
// generated so the caller can print it once.
func LoadAdminKeys(dir, configured string) (keys *AdminKeys, generated string, err error) {
	if configured != "" {
		if len(configured) < minKeyLen {
			return nil, "", fmt.Errorf("admin key must be at least %d characters", minKeyLen)
		}
		return &AdminKeys{hashes: [][sha256.Size]byte{sha256.Sum256([]byte(configured))}}, "", nil
	}
	path := filepath.Join(dir, KeyFile)
	raw, err := os.ReadFile(path)
	if err == nil {
		h, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil || len(h) != sha256.Size {
			return nil, "", fmt.Errorf("read admin key hash %s: not a SHA-256 hex digest", path)
		}
		return &AdminKeys{hashes: [][sha256.Size]byte{[sha256.Size]byte(h)}}, "", nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, "", fmt.Errorf("read admin key hash: %w", err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	key := "mbk_" + base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(key))
	if err := writeFileAtomic(path, []byte(hex.EncodeToString(sum[:])+"\n")); err != nil {
		return nil, "", fmt.Errorf("store admin key hash: %w", err)
	}
	return &AdminKeys{hashes: [][sha256.Size]byte{sum}}, key, nil
}

// Verify reports, in constant time, whether key is an admin key.
func (k *AdminKeys) Verify(key string) bool {
	if k == nil || key == "" {
		return false
	}
	sum := sha256.Sum256([]byte(key))
	ok := 0
	for _, h := range k.hashes {
		ok |= subtle.ConstantTimeCompare(sum[:], h[:])
	}
	return ok == 1
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
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
	return os.Rename(tmp.Name(), path)
}
