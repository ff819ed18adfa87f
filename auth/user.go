package auth

import (
	"crypto/rand"
	"encoding/hex"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// LoginType is how an account signs in: the way it was created, or the
// permanent way an anonymous account was upgraded to. Mini-program
// providers other than WeChat use their provider name (e.g. "ALIPAY").
type LoginType string

// Login types, spelled as CloudBase spells them.
const (
	LoginAnonymous LoginType = "ANONYMOUS"
	LoginUsername  LoginType = "USERNAME"
	LoginEmail     LoginType = "EMAIL"
	LoginPhone     LoginType = "PHONE"
	LoginWeChat    LoginType = "WECHAT"
	LoginCustom    LoginType = "CUSTOM"
)

// UserAccount is an end-user account. OpenID is what documents the user creates
// carry as _openid: the mini-program openid for provider logins, else the
// uid. SessionKey is the provider's session key, kept on the server only.
type UserAccount struct {
	UID           string
	OpenID        string
	UnionID       string
	Username      string // as chosen; unique regardless of case
	Email         string // lower-cased
	Phone         string // digits, with a leading '+' when given
	EmailVerified bool   // the user proved it by a one-time code
	PhoneVerified bool
	PasswordHash  string // PHC-encoded argon2id; empty without a password
	LoginType     LoginType
	CustomUserID  string // custom (ticket) logins: the app's own user id
	SessionKey    string
	Created       time.Time
	LastLogin     time.Time
	Disabled      bool
	Claims        map[string]any // custom claims (e.g. roles) copied into access tokens
}

// Key names a unique way to find a user.
type Key string

// Keys users are found by.
const (
	KeyUsername     Key = "username"
	KeyEmail        Key = "email"
	KeyPhone        Key = "phone"
	KeyOpenID       Key = "openid"
	KeyCustomUserID Key = "customUserId"
)

// NewUID returns a new user id: 32 random lowercase hex characters.
func NewUID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b)
}

var (
	usernameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]{2,31}$`)
	phoneRE    = regexp.MustCompile(`^\+?[0-9]{6,15}$`)
)

// maxEmailLen is the longest address SMTP allows (RFC 5321 path limit).
const maxEmailLen = 254

// NormalizeUsername checks a username: 3-32 characters, a letter first,
// then letters, digits, '_', '.' or '-'.
func NormalizeUsername(s string) (string, error) {
	if !usernameRE.MatchString(s) {
		return "", Errorf(CodeInvalidParam, "username must be 3-32 characters: a letter, then letters, digits, '_', '.' or '-'")
	}
	return s, nil
}

// NormalizeEmail checks a bare address (no display name) and lower-cases it.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxEmailLen || !utf8.ValidString(s) {
		return "", Errorf(CodeInvalidParam, "email is not a valid address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", Errorf(CodeInvalidParam, "email is not a valid address")
	}
	return strings.ToLower(s), nil
}

// NormalizePhone removes spaces, dashes, dots and parentheses and checks
// that 6-15 digits remain, optionally after a leading '+'.
func NormalizePhone(s string) (string, error) {
	if len(s) > 32 {
		return "", Errorf(CodeInvalidParam, "phone must be 6-15 digits, optionally with a leading +")
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, s)
	if !phoneRE.MatchString(s) {
		return "", Errorf(CodeInvalidParam, "phone must be 6-15 digits, optionally with a leading +")
	}
	return s, nil
}

// Identifier names the account of a password or one-time-code login: exactly
// one of username, email or phone, normalised.
type Identifier struct {
	Key   Key
	Value string
}

// String is the account as a rate-limit and code key, e.g. "email:a@b.cn";
// usernames are folded to lower case, as they match regardless of case.
func (a Identifier) String() string { return string(a.Key) + ":" + strings.ToLower(a.Value) }

// LoginType is the login type an account of this kind gets.
func (a Identifier) LoginType() LoginType {
	switch a.Key {
	case KeyEmail:
		return LoginEmail
	case KeyPhone:
		return LoginPhone
	}
	return LoginUsername
}

// ParseIdentifier picks the one identifier given among username, email and
// phone and normalises it. allowUsername is false for one-time codes,
// which need an address to send to.
func ParseIdentifier(username, email, phone string, allowUsername bool) (Identifier, error) {
	n := 0
	for _, s := range []string{username, email, phone} {
		if s != "" {
			n++
		}
	}
	want := "one of username, email or phone"
	if !allowUsername {
		want = "one of email or phone"
		if username != "" {
			return Identifier{}, Errorf(CodeInvalidParam, "give %s", want)
		}
	}
	if n != 1 {
		return Identifier{}, Errorf(CodeInvalidParam, "give exactly %s", want)
	}
	var (
		a   Identifier
		err error
	)
	switch {
	case username != "":
		a.Key = KeyUsername
		a.Value, err = NormalizeUsername(username)
	case email != "":
		a.Key = KeyEmail
		a.Value, err = NormalizeEmail(email)
	default:
		a.Key = KeyPhone
		a.Value, err = NormalizePhone(phone)
	}
	if err != nil {
		return Identifier{}, err
	}
	return a, nil
}

// set stores the account's identifier in u.
func (a Identifier) set(u *UserAccount) {
	switch a.Key {
	case KeyUsername:
		u.Username = a.Value
	case KeyEmail:
		u.Email = a.Value
	case KeyPhone:
		u.Phone = a.Value
	}
}
