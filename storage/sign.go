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
// bucket, the path, the file's owner (its _openid; "" for a file an admin
// uploaded) and the expiry t (Unix seconds). Binding the owner keeps a URL
// valid across its owner's overwrites (an avatar.png re-uploaded keeps its
// cached URLs working, as on CloudBase) while a file deleted and created
// again at that path by someone else does not answer it. The input is
// versioned: URLs of version 1 (without the owner) no longer match.
type signer struct{ key []byte }

func (s signer) mac(bucket, path, owner string, t int64) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("minibase-url-v2\n" + bucket + "\n" + path + "\n" + owner + "\n" + strconv.FormatInt(t, 10)))
	return m.Sum(nil)[:16]
}

// sign returns the sign parameter for the file, owned by owner, until t.
func (s signer) sign(bucket, path, owner string, t int64) string {
	return hex.EncodeToString(s.mac(bucket, path, owner, t))
}

// parse checks the form of sign and t (as they came in the URL) and that t
// is not past at now: an altered URL, a malformed one and an expired one
// are all CodeSignInvalid. It returns the expiry and the signature, which
// match checks once the file's owner is known.
func (s signer) parse(sign, t string, now time.Time) (int64, []byte, error) {
	exp, err := strconv.ParseInt(t, 10, 64)
	if err != nil || len(t) > 12 || exp <= 0 {
		return 0, nil, Errorf(CodeSignInvalid, "invalid signed URL: t must be a Unix time")
	}
	got, err := hex.DecodeString(sign)
	if err != nil || len(got) != 16 {
		return 0, nil, Errorf(CodeSignInvalid, "invalid signed URL: sign must be 32 hex digits")
	}
	if now.Unix() > exp {
		return 0, nil, Errorf(CodeSignInvalid, "signed URL expired at %s", time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	return exp, got, nil
}

// match reports whether got signs the file of owner at bucket/path until exp.
func (s signer) match(got []byte, bucket, path, owner string, exp int64) bool {
	return hmac.Equal(got, s.mac(bucket, path, owner, exp))
}

// errSignMismatch is the answer to a signature that does not match, and to
// a well-formed one for a file that is not there (any more): the two are
// not told apart, so a forged URL does not reveal which paths exist.
func errSignMismatch() error {
	return Errorf(CodeSignInvalid, "invalid signed URL: the signature does not match the file (altered, or the file was deleted or replaced by another user's)")
}
