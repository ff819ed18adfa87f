package otp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	leadingZero := false
	for range 5000 {
		code, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("Generate = %q, want 6 digits", code)
		}
		leadingZero = leadingZero || code[0] == '0'
		seen[code] = true
	}
	// 5000 draws from a million values: a repeat-heavy or narrow source shows here.
	if len(seen) < 4900 {
		t.Errorf("5000 codes held only %d distinct values", len(seen))
	}
	// P(no leading zero in 5000 uniform codes) = 0.9^5000: zero-padding is missing if this fails.
	if !leadingZero {
		t.Error("no code starts with 0: codes below 100000 are never produced")
	}
}

func TestHashEqual(t *testing.T) {
	sum := sha256.Sum256([]byte("user@example.com" + "042917"))
	want := hex.EncodeToString(sum[:])
	if got := Hash("042917", "user@example.com"); got != want {
		t.Fatalf("Hash = %s, want hex(sha256(salt || code)) = %s", got, want)
	}
	stored := Hash("042917", "+8613800000000")
	tests := []struct {
		code, salt, hash string
		want             bool
	}{
		{"042917", "+8613800000000", stored, true},
		{"042918", "+8613800000000", stored, false},
		{"042917", "+8613800000001", stored, false}, // a code sent elsewhere
		{"042917", "+8613800000000", stored[:63], false},
		{"042917", "+8613800000000", "", false},
		{"", "", stored, false},
	}
	for _, tt := range tests {
		if got := Equal(tt.code, tt.salt, tt.hash); got != tt.want {
			t.Errorf("Equal(%q, %q, %.8s…) = %v, want %v", tt.code, tt.salt, tt.hash, got, tt.want)
		}
	}
}

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := NewLog(slog.New(slog.NewJSONHandler(&buf, nil)))
	m := Message{Channel: SMS, To: "+8613800000000", Code: "042917", TTL: 5 * time.Minute, AppName: "Demo"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	if rec["level"] != "WARN" || rec["code"] != "042917" || rec["to"] != m.To || rec["channel"] != SMS {
		t.Errorf("log record = %v, want level WARN with the code, destination and channel", rec)
	}
	if msg, _ := rec["msg"].(string); !strings.Contains(msg, "development") {
		t.Errorf("log message %q does not say it is for development", msg)
	}

	buf.Reset()
	m.To = "+86138\nINFO fake line"
	if err := s.Send(context.Background(), m); err == nil || buf.Len() != 0 {
		t.Errorf("a destination with a newline: err %v, log %q; want an error and nothing logged", err, buf.String())
	}
}

// recorder is a Sender that remembers what it was given.
type recorder struct{ got []Message }

func (r *recorder) Send(_ context.Context, m Message) error { r.got = append(r.got, m); return nil }

func TestMulti(t *testing.T) {
	email, sms := &recorder{}, &recorder{}
	tests := []struct {
		name      string
		s         Sender
		channel   string
		want      error
		wantEmail int
		wantSMS   int
	}{
		{"email", NewMulti(email, sms), Email, nil, 1, 0},
		{"sms", NewMulti(email, sms), SMS, nil, 0, 1},
		{"no sms route", NewMulti(email, nil), SMS, ErrChannelNotConfigured, 0, 0},
		{"no email route", NewMulti(nil, sms), Email, ErrChannelNotConfigured, 0, 0},
		{"unknown channel", NewMulti(email, sms), "fax", errBadMessage, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			email.got, sms.got = nil, nil
			err := tt.s.Send(context.Background(), Message{Channel: tt.channel, To: "x@example.com", Code: "123456"})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Send err = %v, want %v", err, tt.want)
			}
			if len(email.got) != tt.wantEmail || len(sms.got) != tt.wantSMS {
				t.Errorf("email got %d, sms got %d; want %d, %d", len(email.got), len(sms.got), tt.wantEmail, tt.wantSMS)
			}
		})
	}
}
