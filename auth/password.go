package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are argon2id's cost parameters.
type PasswordParams struct {
	Time    uint32 // passes over memory
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultPasswordParams cost about 80-90 ms per hash on one core of the
// project's machine (2 vCPU AMD EPYC; BenchmarkHashPassword): within
// 50-250 ms, slow enough to make guessing costly and quick enough for a
// login, above OWASP's argon2id minimums (19 MiB, t=2), and light enough
// that a $5 VPS can take a few logins at once.
var DefaultPasswordParams = PasswordParams{Time: 3, Memory: 32 << 10, Threads: 1}

const (
	saltLen = 16
	hashLen = 32
	// Limits on the parameters of a stored hash, so a tampered row cannot
	// make verification allocate or run without bound.
	maxMemory  = 1 << 20 // KiB (1 GiB)
	maxTime    = 64
	maxThreads = 16
)

// Password policy.
const (
	MinPasswordLen   = 8   // characters
	MaxPasswordLen   = 128 // characters
	maxPasswordBytes = 256
)

// CheckPassword enforces the password policy: 8-128 characters (at most
// 256 bytes of UTF-8), not only white space.
func CheckPassword(p string) error {
	n := utf8.RuneCountInString(p)
	switch {
	case !utf8.ValidString(p):
		return Errorf(CodeInvalidParam, "password must be valid UTF-8")
	case n < MinPasswordLen || n > MaxPasswordLen || len(p) > maxPasswordBytes:
		return Errorf(CodeInvalidParam, "password must be %d-%d characters", MinPasswordLen, MaxPasswordLen)
	case strings.TrimFunc(p, unicode.IsSpace) == "":
		return Errorf(CodeInvalidParam, "password must not be only white space")
	}
	return nil
}

// hasher hashes and verifies passwords with argon2id, at most a few at a
// time: each hash holds Memory KiB, so the semaphore bounds memory.
type hasher struct {
	params PasswordParams
	sem    chan struct{}
	dummy  string // a hash of nothing, verified for unknown accounts
}

func newHasher(p PasswordParams, concurrent int) *hasher {
	if p.Time == 0 || p.Memory == 0 || p.Threads == 0 {
		p = DefaultPasswordParams
	}
	// The dummy's key matches no password; verifying against it costs what
	// a real verification costs, and making it costs nothing at start.
	return &hasher{params: p, sem: make(chan struct{}, max(concurrent, 1)),
		dummy: encodeHash(p, make([]byte, saltLen), make([]byte, hashLen))}
}

func (h *hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *hasher) release() { <-h.sem }

// hash returns the PHC string of password with a fresh salt:
// $argon2id$v=19$m=…,t=…,p=…$salt$hash (unpadded standard base64).
func (h *hasher) hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, saltLen)
	rand.Read(salt)
	p := h.params
	return encodeHash(p, salt, argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, hashLen)), nil
}

// verify reports whether password matches encoded. An empty encoded (an
// account without a password, or none at all) is checked against a dummy
// hash, so the time taken does not tell whether the account exists.
func (h *hasher) verify(ctx context.Context, password, encoded string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	exists := encoded != ""
	if !exists {
		encoded = h.dummy
	}
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1 && exists, nil
}

// outdated reports whether encoded was made with other parameters than
// the current ones (the caller may rehash after a successful login).
func (h *hasher) outdated(encoded string) bool {
	p, _, _, err := decodeHash(encoded)
	return err == nil && p != h.params
}

var b64 = base64.RawStdEncoding

func encodeHash(p PasswordParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = errors.New("stored password hash is not a valid argon2id string")

func decodeHash(s string) (p PasswordParams, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errBadHash
	}
	if p.Memory < 8 || p.Memory > maxMemory || p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Threads > maxThreads {
		return p, nil, nil, errBadHash
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
