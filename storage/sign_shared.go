package storage

import (
	"context"
	"crypto/rand"
	"fmt"

	"minibase/auth"
)

// SignKeySecret is the name of the URL signing key in a SecretStore.
const SignKeySecret = "storage.sign_key"

// LoadSignKeyFrom is LoadSignKey for a cluster: a configured key as
// LoadSignKey takes it, else the one kept in store, generated (32 random
// bytes) by the first node that asks, so a URL one node signs is valid on
// every other.
func LoadSignKeyFrom(ctx context.Context, store auth.SecretStore, configured string) ([]byte, error) {
	if configured != "" {
		return LoadSignKey("", configured)
	}
	key := make([]byte, 32)
	rand.Read(key)
	got, err := store.InitSecret(ctx, SignKeySecret, key)
	if err != nil {
		return nil, err
	}
	if len(got) < 32 {
		return nil, fmt.Errorf("the stored URL signing key (%s) is %d bytes, want at least 32", SignKeySecret, len(got))
	}
	return got, nil
}
