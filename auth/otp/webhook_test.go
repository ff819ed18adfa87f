package otp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// gateway is a fake SMS gateway adapter on 127.0.0.1 answering status.
type gateway struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*gatewayReq
}

type gatewayReq struct {
	method, contentType, signature string
	body                           []byte
}

func newGateway(t *testing.T, status int) *gateway {
	g := &gateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.reqs = append(g.reqs, &gatewayReq{r.Method, r.Header.Get("Content-Type"), r.Header.Get(SignatureHeader), body})
		g.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, `{"result":"from the gateway"}`)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *gateway) requests() []*gatewayReq {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*gatewayReq(nil), g.reqs...)
}

func TestWebhookSend(t *testing.T) {
	m := Message{Channel: SMS, To: "+8613800000000", Code: "042917", TTL: 5 * time.Minute, AppName: "Demo"}
	tests := []struct {
		name    string
		status  int
		secret  string
		wantErr bool
	}{
		{"signed", http.StatusOK, "hook-secret", false},
		{"unsigned", http.StatusNoContent, "", false},
		{"gateway error", http.StatusInternalServerError, "hook-secret", true},
		{"gateway refuses", http.StatusBadRequest, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, tt.status)
			err := NewWebhook(WebhookConfig{URL: g.URL + "/sms?token=t0ken", Secret: tt.secret}).Send(context.Background(), m)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Send err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && (!strings.Contains(err.Error(), fmt.Sprintf("HTTP %d", tt.status)) || strings.Contains(err.Error(), "t0ken")) {
				t.Errorf("err %q: want the HTTP status and not the URL", err)
			}
			reqs := g.requests()
			if len(reqs) != 1 {
				t.Fatalf("gateway got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.method != http.MethodPost || r.contentType != "application/json" {
				t.Errorf("request %s %s, want POST application/json", r.method, r.contentType)
			}
			var got map[string]any
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatalf("body %s: %v", r.body, err)
			}
			want := map[string]any{"channel": "sms", "to": m.To, "code": "042917", "ttl_seconds": float64(300), "app": "Demo"}
			if len(got) != len(want) {
				t.Errorf("body = %v, want %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("body[%q] = %v, want %v", k, got[k], v)
				}
			}
			wantSig := ""
			if tt.secret != "" {
				mac := hmac.New(sha256.New, []byte(tt.secret))
				mac.Write(r.body)
				wantSig = hex.EncodeToString(mac.Sum(nil))
			}
			if r.signature != wantSig {
				t.Errorf("%s = %q, want %q", SignatureHeader, r.signature, wantSig)
			}
		})
	}
}

func TestWebhookRefuses(t *testing.T) {
	g := newGateway(t, http.StatusOK)
	s := NewWebhook(WebhookConfig{URL: g.URL})
	for _, m := range []Message{
		{Channel: SMS, To: "+86138\r\n00000000", Code: "042917"},
		{Channel: SMS, To: strings.Repeat("1", MaxToLen+1), Code: "042917"},
		{Channel: SMS, To: "+8613800000000", Code: strings.Repeat("1", MaxCodeLen+1)},
		{Channel: "pigeon", To: "+8613800000000", Code: "042917"},
	} {
		if err := s.Send(context.Background(), m); err == nil {
			t.Errorf("Send(%+v) succeeded, want an error", m)
		}
	}
	if n := len(g.requests()); n != 0 {
		t.Errorf("gateway got %d requests for bad messages, want none", n)
	}
}

// TestWebhookTimeout: a gateway that does not answer within Timeout fails the send.
func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	s := NewWebhook(WebhookConfig{URL: slow.URL, Timeout: 50 * time.Millisecond})
	err := s.Send(context.Background(), Message{Channel: SMS, To: "+8613800000000", Code: "042917"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send err = %v, want context.DeadlineExceeded", err)
	}
}
