package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// SecretStore keeps secrets that every node of a cluster must share,
// instead of files in one node's data directory (db/postgres.DB is one).
type SecretStore interface {
	// InitSecret stores value under name unless a value is stored there
	// already, and returns the stored one: the first caller's, whichever
	// node it ran on.
	InitSecret(ctx context.Context, name string, value []byte) ([]byte, error)
}

// Names of the secrets in a SecretStore.
const (
	SigningKeySecret = "auth.jwt_key"        // the access-token key (SigningKeyFile's)
	AdminKeySecret   = "auth.admin_key_hash" // the generated admin key's SHA-256 (KeyFile's)
)

// LoadSigningKeyFrom returns the access-token secret kept in store,
// generating it (32 random bytes) when there is none: nodes starting at
// the same moment all end with the first one stored, so each accepts the
// others' tokens.
func LoadSigningKeyFrom(ctx context.Context, store SecretStore) ([]byte, error) {
	key := make([]byte, signingKeyLen)
	rand.Read(key)
	got, err := store.InitSecret(ctx, SigningKeySecret, key)
	if err != nil {
		return nil, err
	}
	if len(got) < signingKeyLen {
		return nil, fmt.Errorf("the stored signing key (%s) is %d bytes, want at least %d", SigningKeySecret, len(got), signingKeyLen)
	}
	return got, nil
}

// LoadAdminKeysFrom is LoadAdminKeys for a cluster: without a configured
// key, the generated key's hash is kept in store. The node whose key was
// stored gets it back as generated (to print once); the others get "" and
// accept that key.
func LoadAdminKeysFrom(ctx context.Context, store SecretStore, configured string) (keys *AdminKeys, generated string, err error) {
	if configured != "" {
		return LoadAdminKeys("", configured)
	}
	b := make([]byte, 32)
	rand.Read(b)
	key := "mbk_" + base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(key))
	got, err := store.InitSecret(ctx, AdminKeySecret, sum[:])
	if err != nil {
		return nil, "", err
	}
	if len(got) != sha256.Size {
		return nil, "", fmt.Errorf("the stored admin key hash (%s) is not a SHA-256 digest", AdminKeySecret)
	}
	if !bytes.Equal(got, sum[:]) {
		key = ""
	}
	return &AdminKeys{hashes: [][sha256.Size]byte{[sha256.Size]byte(got)}}, key, nil
}
