package otp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSMTP is enough of an RFC 5321 server on 127.0.0.1 to receive a code:
// EHLO/HELO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
type fakeSMTP struct {
	smtpOpts
	ln net.Listener

	mu       sync.Mutex
	conns    int
	mails    []received
	accepted chan struct{}
}

// smtpOpts is what a fake SMTP server offers.
type smtpOpts struct {
	tls      *tls.Config // offered by STARTTLS when set (and not implicit)
	implicit bool        // TLS from the first byte
	user     string      // AUTH PLAIN offered when set
	pass     string
	silent   bool // accept connections, never answer
}

// received is one mail the fake accepted.
type received struct {
	From, To string
	Auth     bool // authenticated with the right credentials
	TLS      bool // the session was encrypted when DATA came
	Data     string
}

func newFakeSMTP(t *testing.T, opts smtpOpts) *fakeSMTP {
	t.Helper()
	f := &fakeSMTP{smtpOpts: opts}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if f.implicit {
		ln = tls.NewListener(ln, f.tls)
	}
	f.ln, f.accepted = ln, make(chan struct{}, 16)
	done := make(chan struct{})
	var wg sync.WaitGroup
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns++
			f.mu.Unlock()
			f.accepted <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				if f.silent {
					<-done
					return
				}
				f.serve(conn)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); close(done); wg.Wait() })
	return f
}

func (f *fakeSMTP) addr() string { return f.ln.Addr().String() }

func (f *fakeSMTP) received() (conns int, mails []received) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conns, append([]received(nil), f.mails...)
}

func (f *fakeSMTP) serve(conn net.Conn) {
	conn.SetDeadline(time.Now().Add(time.Minute))
	tp := textproto.NewConn(conn)
	_, encrypted := conn.(*tls.Conn)
	var cur received
	authed := false
	tp.PrintfLine("220 fake ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			lines := []string{"fake"}
			if f.tls != nil && !encrypted {
				lines = append(lines, "STARTTLS")
			}
			if f.user != "" {
				lines = append(lines, "AUTH PLAIN")
			}
			lines = append(lines, "8BITMIME")
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				tp.PrintfLine("250%s%s", sep, l)
			}
		case "STARTTLS":
			tp.PrintfLine("220 go ahead")
			tc := tls.Server(conn, f.tls)
			if tc.Handshake() != nil {
				return
			}
			conn, tp, encrypted = tc, textproto.NewConn(tc), true
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			creds, _ := base64.StdEncoding.DecodeString(resp)
			if strings.ToUpper(mech) == "PLAIN" && string(creds) == "\x00"+f.user+"\x00"+f.pass {
				authed = true
				tp.PrintfLine("235 2.7.0 authenticated")
			} else {
				tp.PrintfLine("535 5.7.8 bad credentials")
			}
		case "MAIL":
			cur = received{From: envelopeAddr(arg, "FROM:")}
			tp.PrintfLine("250 ok")
		case "RCPT":
			cur.To = envelopeAddr(arg, "TO:")
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 end with <CRLF>.<CRLF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data, cur.Auth, cur.TLS = string(data), authed, encrypted
			f.mu.Lock()
			f.mails = append(f.mails, cur)
			f.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "RSET", "NOOP":
			tp.PrintfLine("250 ok")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

// envelopeAddr returns the address in "FROM:<addr> PARAMS" after prefix.
func envelopeAddr(arg, prefix string) string {
	rest, _ := strings.CutPrefix(strings.ToUpper(arg[:min(len(prefix), len(arg))])+arg[min(len(prefix), len(arg)):], prefix+"<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

// selfSigned returns a server certificate for 127.0.0.1 and a client config
// that trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "fake smtp"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

var codeMessage = Message{Channel: Email, To: "user@example.com", Code: "042917", TTL: 5 * time.Minute, AppName: "Minibase Demo"}

// checkMail asserts the mail a user receives: addresses, subject, and the code
// with its validity in Chinese and English.
func checkMail(t *testing.T, got received, m Message) {
	t.Helper()
	if got.From != "noreply@example.com" || got.To != m.To {
		t.Errorf("envelope = MAIL FROM:<%s> RCPT TO:<%s>, want noreply@example.com, %s", got.From, got.To, m.To)
	}
	msg, err := mail.ReadMessage(strings.NewReader(got.Data))
	if err != nil {
		t.Fatalf("message does not parse: %v\n%s", err, got.Data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if want := m.AppName + " 验证码 / verification code"; err != nil || subject != want {
		t.Errorf("Subject = %q (%v), want %q", subject, err, want)
	}
	if to := msg.Header.Get("To"); to != "<"+m.To+">" {
		t.Errorf("To = %q", to)
	}
	if ct := msg.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	raw, _ := io.ReadAll(msg.Body)
	body, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
	if err != nil {
		t.Fatalf("body is not base64: %v", err)
	}
	for _, want := range []string{"您的" + m.AppName + " 验证码是：" + m.Code, "5 分钟内有效",
		"Your " + m.AppName + " verification code is " + m.Code + ".", "valid for 5 minutes"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body %q lacks %q", body, want)
		}
	}
}

func TestSMTPSend(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	tests := []struct {
		name     string
		server   smtpOpts
		cfg      SMTPConfig
		wantAuth bool
		wantTLS  bool
	}{
		{"plain, no auth", smtpOpts{}, SMTPConfig{}, false, false},
		{"auth to localhost", smtpOpts{user: "mailer", pass: "pw"}, SMTPConfig{Username: "mailer", Password: "pw"}, true, false},
		{"STARTTLS and auth", smtpOpts{tls: serverTLS, user: "mailer", pass: "pw"},
			SMTPConfig{StartTLS: true, TLSConfig: clientTLS, Username: "mailer", Password: "pw"}, true, true},
		{"implicit TLS", smtpOpts{tls: serverTLS, implicit: true},
			SMTPConfig{ImplicitTLS: true, TLSConfig: clientTLS}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeSMTP(t, tt.server)
			tt.cfg.Addr, tt.cfg.From = srv.addr(), "Minibase <noreply@example.com>"
			if err := NewSMTP(tt.cfg).Send(context.Background(), codeMessage); err != nil {
				t.Fatal(err)
			}
			_, mails := srv.received()
			if len(mails) != 1 {
				t.Fatalf("server received %d mails, want 1", len(mails))
			}
			if mails[0].Auth != tt.wantAuth || mails[0].TLS != tt.wantTLS {
				t.Errorf("auth %v, TLS %v; want %v, %v", mails[0].Auth, mails[0].TLS, tt.wantAuth, tt.wantTLS)
			}
			checkMail(t, mails[0], codeMessage)
		})
	}
}

// TestSMTPRefuses: bad messages never reach the server, and a server that
// cannot meet the configuration gets no mail.
func TestSMTPRefuses(t *testing.T) {
	with := func(f func(*Message)) Message { m := codeMessage; f(&m); return m }
	tests := []struct {
		name   string
		server smtpOpts
		cfg    SMTPConfig
		m      Message
		is     error
		dials  bool // the sender may connect
	}{
		{"header injection in To", smtpOpts{}, SMTPConfig{}, with(func(m *Message) { m.To = "user@example.com\r\nBcc: all@example.com" }), nil, false},
		{"header injection in AppName", smtpOpts{}, SMTPConfig{}, with(func(m *Message) { m.AppName = "App\nBcc: all@example.com" }), nil, false},
		{"header injection in From", smtpOpts{}, SMTPConfig{From: "noreply@example.com\r\nBcc: all@example.com"}, codeMessage, nil, false},
		{"To with a display name", smtpOpts{}, SMTPConfig{}, with(func(m *Message) { m.To = "Eve <eve@example.com>" }), nil, false},
		{"To not an address", smtpOpts{}, SMTPConfig{}, with(func(m *Message) { m.To = "13800000000" }), nil, false},
		{"sms channel", smtpOpts{}, SMTPConfig{}, with(func(m *Message) { m.Channel = SMS }), ErrChannelNotConfigured, false},
		{"empty code", smtpOpts{}, SMTPConfig{}, with(func(m *Message) { m.Code = "" }), nil, false},
		{"STARTTLS required, not offered", smtpOpts{}, SMTPConfig{StartTLS: true}, codeMessage, nil, true},
		{"auth configured, not offered", smtpOpts{}, SMTPConfig{Username: "u", Password: "p"}, codeMessage, nil, true},
		{"wrong password", smtpOpts{user: "u", pass: "right"}, SMTPConfig{Username: "u", Password: "wrong"}, codeMessage, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeSMTP(t, tt.server)
			tt.cfg.Addr = srv.addr()
			if tt.cfg.From == "" {
				tt.cfg.From = "noreply@example.com"
			}
			err := NewSMTP(tt.cfg).Send(context.Background(), tt.m)
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("Send err = %v, want an error (%v)", err, tt.is)
			}
			conns, mails := srv.received()
			if len(mails) != 0 {
				t.Errorf("server received %d mails, want none", len(mails))
			}
			if !tt.dials && conns != 0 {
				t.Errorf("sender connected %d times for a bad message", conns)
			}
		})
	}
}

// TestSMTPContext: a server that never answers is abandoned when the caller
// cancels or the configured timeout passes.
func TestSMTPContext(t *testing.T) {
	t.Run("cancel", func(t *testing.T) {
		srv := newFakeSMTP(t, smtpOpts{silent: true})
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-srv.accepted; cancel() }()
		err := NewSMTP(SMTPConfig{Addr: srv.addr(), From: "noreply@example.com"}).Send(ctx, codeMessage)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Send err = %v, want context.Canceled", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		srv := newFakeSMTP(t, smtpOpts{silent: true})
		err := NewSMTP(SMTPConfig{Addr: srv.addr(), From: "noreply@example.com", Timeout: 50 * time.Millisecond}).Send(context.Background(), codeMessage)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send err = %v, want context.DeadlineExceeded", err)
		}
	})
}
