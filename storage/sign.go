package storage

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SignKeyFile is the file in the data directory holding the URL signing key.
const SignKeyFile = "storage_sign.key"

// LoadSignKey returns the key that signs temporary URLs: a configured one
// (hex or any string of at least 32 bytes, so several servers can share
// it), else the one in dir, generated (32 random bytes, mode 0600) the
// first time.
func LoadSignKey(dir, configured string) ([]byte, error) {
	if configured != "" {
		if len(configured) < 32 {
			return nil, errors.New("storage sign key must be at least 32 characters")
		}
		return []byte(configured), nil
	}
	path := filepath.Join(dir, SignKeyFile)
	raw, err := os.ReadFile(path)
	if err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil || len(key) < 32 {
			return nil, fmt.Errorf("read %s: not a hex key of 32 bytes or more", path)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read sign key: %w", err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("store sign key: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("store sign key: %w", err)
	}
	return key, nil
}

// signer makes and checks the signatures of temporary URLs: sign is the
// first 128 bits (32 hex digits, as CloudBase's) of HMAC-SHA256 over the
// bucket, the path and the expiry t (Unix seconds).
type signer struct{ key []byte }

func (s signer) mac(bucket, path string, t int64) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("minibase-url-v1\n" + bucket + "\n" + path + "\n" + strconv.FormatInt(t, 10)))
	return m.Sum(nil)[:16]
}

// sign returns the sign parameter for the file until t.
func (s signer) sign(bucket, path string, t int64) string {
	return hex.EncodeToString(s.mac(bucket, path, t))
}

// verify checks sign and t (as they came in the URL) at now: an altered
// URL, a malformed one and an expired one are all CodeSignInvalid.
func (s signer) verify(bucket, path, sign, t string, now time.Time) error {
	exp, err := strconv.ParseInt(t, 10, 64)
	if err != nil || len(t) > 12 || exp <= 0 {
		return Errorf(CodeSignInvalid, "invalid signed URL: t must be a Unix time")
	}
	got, err := hex.DecodeString(sign)
	if err != nil || len(got) != 16 {
		return Errorf(CodeSignInvalid, "invalid signed URL: sign must be 32 hex digits")
	}
	if !hmac.Equal(got, s.mac(bucket, path, exp)) {
		return Errorf(CodeSignInvalid, "invalid signed URL: the signature does not match")
	}
	if now.Unix() > exp {
		return Errorf(CodeSignInvalid, "signed URL expired at %s", time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	return nil
}
