package auth

import (
	"bytes"
	"context"
	"sync"
	"testing"
)

// memSecrets is a SecretStore in memory, with the contract's
// first-one-wins semantics (db/postgres tests the real one across nodes).
type memSecrets struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memSecrets) InitSecret(_ context.Context, name string, value []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	if v, ok := s.m[name]; ok {
		return v, nil
	}
	s.m[name] = bytes.Clone(value)
	return value, nil
}

// TestSharedSigningKey: two servers loading the key from one store sign
// tokens the other accepts.
func TestSharedSigningKey(t *testing.T) {
	ctx := context.Background()
	store := &memSecrets{}
	k1, err := LoadSigningKeyFrom(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadSigningKeyFrom(ctx, store)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) < signingKeyLen {
		t.Fatalf("second load = %x, %v; first %x", k2, err, k1)
	}
	short := &memSecrets{m: map[string][]byte{SigningKeySecret: []byte("short")}}
	if _, err := LoadSigningKeyFrom(ctx, short); err == nil {
		t.Error("a stored key of 5 bytes was accepted")
	}
}

// TestSharedAdminKey: the first node generates the admin key and is the
// only one given it to print; every node accepts it; a configured key
// stores nothing.
func TestSharedAdminKey(t *testing.T) {
	ctx := context.Background()
	store := &memSecrets{}
	a, gen, err := LoadAdminKeysFrom(ctx, store, "")
	if err != nil || gen == "" {
		t.Fatalf("first node: generated %q, %v", gen, err)
	}
	b, gen2, err := LoadAdminKeysFrom(ctx, store, "")
	if err != nil || gen2 != "" {
		t.Fatalf("second node: generated %q, %v; want none", gen2, err)
	}
	if !a.Verify(gen) || !b.Verify(gen) || b.Verify(gen+"x") {
		t.Error("the generated key is not accepted by both nodes (or a wrong one is)")
	}
	empty := &memSecrets{}
	c, gen3, err := LoadAdminKeysFrom(ctx, empty, "configured-admin-key")
	if err != nil || gen3 != "" || !c.Verify("configured-admin-key") || len(empty.m) != 0 {
		t.Errorf("configured key: generated %q, %v, stored %d secrets", gen3, err, len(empty.m))
	}
	bad := &memSecrets{m: map[string][]byte{AdminKeySecret: []byte("not a digest")}}
	if _, _, err := LoadAdminKeysFrom(ctx, bad, ""); err == nil {
		t.Error("a stored hash that is no SHA-256 digest was accepted")
	}
}
