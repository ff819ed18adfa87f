package auth

import (
	"context"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"12345678", true},
		{"correct horse battery staple", true},
		{strings.Repeat("密", 85), true}, // 85 characters, 255 bytes
		{strings.Repeat("x", 128), true},
		{"1234567", false},
		{strings.Repeat("x", 129), false},
		{strings.Repeat("密", 86), false}, // 258 bytes
		{"        ", false},
		{"\t\n \u3000\t\n  ", false},
		{"pass\xffword", false},
		{"", false},
	} {
		if err := CheckPassword(tc.pw); (err == nil) != tc.ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", tc.pw, err, tc.ok)
		}
	}
}

func TestHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h := newHasher(DefaultPasswordParams, 2)
	enc, err := h.hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=32768,t=3,p=1$") {
		t.Errorf("encoding %q: want PHC argon2id with the default parameters", enc)
	}
	again, _ := h.hash(ctx, "correct horse")
	if again == enc {
		t.Error("two hashes of one password must differ (random salt)")
	}
	for _, tc := range []struct {
		pw, enc string
		ok      bool
	}{
		{"correct horse", enc, true},
		{"correct horse", again, true},
		{"correct horsE", enc, false},
		{"", enc, false},
		{"correct horse", "", false}, // no account: the dummy never matches
		{"", "", false},
	} {
		ok, err := h.verify(ctx, tc.pw, tc.enc)
		if err != nil || ok != tc.ok {
			t.Errorf("verify(%q, %.30q) = %v, %v; want %v", tc.pw, tc.enc, ok, err, tc.ok)
		}
	}
	if h.outdated(enc) {
		t.Error("a hash with the current parameters is not outdated")
	}
	cheap := newHasher(PasswordParams{Time: 1, Memory: 64, Threads: 1}, 1)
	old, _ := cheap.hash(ctx, "correct horse")
	if ok, _ := h.verify(ctx, "correct horse", old); !ok || !h.outdated(old) {
		t.Error("a hash made with other parameters verifies with its own and is outdated")
	}
}

// TestDecodeHashBounds: a stored hash with absurd parameters is refused
// instead of making verification allocate or spin without bound.
func TestDecodeHashBounds(t *testing.T) {
	salt, key := "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	for _, bad := range []string{
		"$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=64,t=1,p=1$!!$" + key,
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$c2hvcnQ",
		"$argon2id$v=19$m=64,t=1,p=1$" + salt,
		"plaintext",
	} {
		if _, err := newHasher(PasswordParams{}, 1).verify(context.Background(), "x", bad); err == nil {
			t.Errorf("verify against %q: want an error", bad)
		}
	}
}

// BenchmarkHashPassword is the cost of one login with the default
// parameters (DefaultPasswordParams aims at 50-250 ms).
func BenchmarkHashPassword(b *testing.B) {
	h := newHasher(DefaultPasswordParams, 1)
	enc, _ := h.hash(context.Background(), "correct horse")
	b.ResetTimer()
	for b.Loop() {
		if ok, _ := h.verify(context.Background(), "correct horse", enc); !ok {
			b.Fatal("no match")
		}
	}
}
