package otp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// SMTPConfig is an SMTP relay that sends the codes.
type SMTPConfig struct {
	Addr               string // host:port
	Username, Password string // AUTH PLAIN when Username is set; sent only over TLS or to localhost
	From               string // the sender, "addr@example.com" or "Name <addr@example.com>"
	StartTLS           bool   // STARTTLS required when true: no mail goes out unencrypted
	// ImplicitTLS speaks TLS from the first byte (SMTPS, usually port 465).
	ImplicitTLS bool
	// TLSConfig verifies the server; nil means the system roots and the host of Addr.
	TLSConfig *tls.Config
	Timeout   time.Duration // for the whole exchange; zero means 30 s
}

// NewSMTP returns a Sender that emails codes through an SMTP relay: a
// plain-text body in Chinese and English, subject "<AppName> 验证码 /
// verification code". It handles the email channel only.
func NewSMTP(cfg SMTPConfig) Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &smtpSender{cfg}
}

type smtpSender struct{ cfg SMTPConfig }

func (s *smtpSender) Send(ctx context.Context, m Message) error {
	if m.Channel != Email {
		return fmt.Errorf("smtp sender, channel %q: %w", m.Channel, ErrChannelNotConfigured)
	}
	if err := check(m); err != nil {
		return err
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil || to.Address != m.To {
		return fmt.Errorf("%w: to is not a bare email address", errBadMessage)
	}
	if hasControl(s.cfg.From) {
		return fmt.Errorf("smtp sender: From contains a control character")
	}
	from, err := mail.ParseAddress(s.cfg.From)
	if err != nil {
		return fmt.Errorf("smtp sender: From %q: %w", s.cfg.From, err)
	}
	host, _, err := net.SplitHostPort(s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp sender: Addr: %w", err)
	}
	msg, err := compose(from, to, m, time.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := s.deliver(ctx, host, from.Address, to.Address, msg); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%w)", ctxErr, err)
		}
		return fmt.Errorf("send email code: %w", err)
	}
	return nil
}

// deliver runs one SMTP session; ctx bounds every read and write.
func (s *smtpSender) deliver(ctx context.Context, host, from, to string, msg []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	// When ctx ends (cancelled, or Timeout passed), blocked reads and writes fail.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if s.cfg.ImplicitTLS {
		conn = tls.Client(conn, s.tlsConfig(host))
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if s.cfg.StartTLS && !s.cfg.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("STARTTLS is required but the server does not offer it")
		}
		if err := c.StartTLS(s.tlsConfig(host)); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if s.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("a username is configured but the server does not offer AUTH")
		}
		// PlainAuth refuses to send the password in clear except to localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	c.Quit() // the server has accepted the message; a failed goodbye changes nothing
	return nil
}

func (s *smtpSender) tlsConfig(host string) *tls.Config {
	if s.cfg.TLSConfig == nil {
		return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	c := s.cfg.TLSConfig.Clone()
	if c.ServerName == "" {
		c.ServerName = host
	}
	return c
}

// compose builds the RFC 5322 message: UTF-8 plain text, base64-encoded, its
// header fields from checked values only.
func compose(from, to *mail.Address, m Message, now time.Time) ([]byte, error) {
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	subject := strings.TrimSpace(m.AppName + " 验证码 / verification code")
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", from)
	fmt.Fprintf(&b, "To: %s\r\n", to)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.BEncoding.Encode("UTF-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id[:]), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	body := base64.StdEncoding.EncodeToString([]byte(text(m)))
	for len(body) > 76 {
		b.WriteString(body[:76] + "\r\n")
		body = body[76:]
	}
	b.WriteString(body + "\r\n")
	return b.Bytes(), nil
}

// text is the message body, Chinese first, then English.
func text(m Message) string {
	app, zhValid, enValid := m.AppName, "", ""
	if app != "" {
		app += " "
	}
	if m.TTL > 0 {
		zhValid = fmt.Sprintf("，%s内有效", zhDuration(m.TTL))
		enValid = fmt.Sprintf(" It is valid for %s.", enDuration(m.TTL))
	}
	return fmt.Sprintf("您的%s验证码是：%s%s。如非本人操作，请忽略本邮件。\r\n\r\n"+
		"Your %sverification code is %s.%s If you did not ask for it, ignore this email.\r\n",
		app, m.Code, zhValid, app, m.Code, enValid)
}

func zhDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d 分钟", d/time.Minute)
	}
	return fmt.Sprintf("%d 秒", (d+time.Second-1)/time.Second)
}

func enDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return fmt.Sprintf("%d seconds", (d+time.Second-1)/time.Second)
}
