// Package otp makes one-time login codes and delivers them.
//
// Generate makes a 6-digit code; the auth service stores only Hash(code,
// destination) and checks a guess with Equal. A Sender delivers the code: SMTP
// for email (NewSMTP), an HTTP webhook for SMS gateways (NewWebhook), the log
// for development (NewLog), and NewMulti routes by channel.
//
// A 6-digit code has a million values, so its hash is no secret to anyone who
// reads the store: what protects a code is its short life and the limit on
// guesses the auth service enforces, not the hash.
package otp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"
)

// Channels a Message can go out on.
const (
	Email = "email"
	SMS   = "sms"
)

// Limits on a Message's fields.
const (
	MaxToLen      = 254 // an email address or a phone number
	MaxCodeLen    = 16
	MaxAppNameLen = 64
)

// Message is one code to deliver.
type Message struct {
	Channel string        // "email" | "sms"
	To      string        // the address or phone number
	Code    string        // the one-time code
	TTL     time.Duration // how long the code is valid, for the text
	AppName string        // the app's name, for the text
}

// Sender delivers one-time codes.
type Sender interface {
	// Send delivers m. It fails for a Message with a bad field (control
	// characters, overlong, wrong channel) without contacting anyone.
	Send(ctx context.Context, m Message) error
}

// ErrChannelNotConfigured means no Sender handles the Message's channel.
var ErrChannelNotConfigured = errors.New("no sender is configured for this channel")

var errBadMessage = errors.New("bad one-time code message")

// Generate returns a random 6-digit code ("000000" to "999999"), each value
// equally likely, from crypto/rand.
func Generate() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000)) // rejection sampling: no modulo bias
	if err != nil {
		return "", fmt.Errorf("generate one-time code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// Hash returns what is stored for code: hex(sha256(salt || code)), where salt
// is the destination (the address or phone number) the code was sent to.
func Hash(code, salt string) string {
	sum := sha256.Sum256([]byte(salt + code))
	return hex.EncodeToString(sum[:])
}

// Equal reports, in constant time, whether code sent to salt has hash.
func Equal(code, salt, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(Hash(code, salt)), []byte(hash)) == 1
}

// check validates m's fields for any sender: header and log injection are
// impossible once they pass.
func check(m Message) error {
	if m.Channel != Email && m.Channel != SMS {
		return fmt.Errorf("%w: channel %q is not %q or %q", errBadMessage, m.Channel, Email, SMS)
	}
	fields := []struct {
		name, value string
		min, max    int
	}{
		{"to", m.To, 1, MaxToLen},
		{"code", m.Code, 1, MaxCodeLen},
		{"app name", m.AppName, 0, MaxAppNameLen},
	}
	for _, f := range fields {
		if len(f.value) < f.min || len(f.value) > f.max {
			return fmt.Errorf("%w: %s must be %d to %d bytes", errBadMessage, f.name, f.min, f.max)
		}
		if hasControl(f.value) {
			return fmt.Errorf("%w: %s contains a control character", errBadMessage, f.name)
		}
	}
	return nil
}

// hasControl reports whether s has a C0 control character (CR, LF, NUL …) or DEL.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// NewLog returns the development Sender: it writes each code to log at level
// WARN, saying it is for development. nil means slog.Default().
func NewLog(log *slog.Logger) Sender {
	if log == nil {
		log = slog.Default()
	}
	return logSender{log}
}

type logSender struct{ log *slog.Logger }

func (s logSender) Send(ctx context.Context, m Message) error {
	if err := check(m); err != nil {
		return err
	}
	s.log.WarnContext(ctx, "one-time code written to the log by the development sender; configure SMTP or an SMS webhook for production",
		"channel", m.Channel, "to", m.To, "code", m.Code, "ttl", m.TTL.String(), "app", m.AppName)
	return nil
}

// NewMulti returns a Sender that hands email to email and SMS to sms; a nil
// route fails with ErrChannelNotConfigured.
func NewMulti(email, sms Sender) Sender { return multi{email, sms} }

type multi struct{ email, sms Sender }

func (s multi) Send(ctx context.Context, m Message) error {
	route := s.email
	switch m.Channel {
	case Email:
	case SMS:
		route = s.sms
	default:
		return check(m)
	}
	if route == nil {
		return fmt.Errorf("send %s code: %w", m.Channel, ErrChannelNotConfigured)
	}
	return route.Send(ctx, m)
}
