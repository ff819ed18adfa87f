package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"minibase/auth"
)

// The admin console's settings: a table of the settings an admin may
// change while the server runs, each with the MINIBASE_* variable that
// gives its starting value. A value saved from the console (PATCH
// /v1/admin/settings) is kept in the database and wins over the variable
// from then on; saving null removes it, and the variable (or the default)
// is in force again. This file is the table and the parser of a change;
// settings_apply.go puts the values in force, settings_http.go serves them.

// settingKind is the JSON type of a setting's value.
type settingKind int

const (
	kindBool   settingKind = iota // true or false
	kindInt                       // a whole number from lo to hi
	kindString                    // a string (check says which)
	kindSecret                    // a string never sent back: {"set", "last4"}
	kindList                      // an array of strings (check says which)
)

// consoleSetting is one row of the table.
type consoleSetting struct {
	key    string // dotted: "auth.wechat.appId"
	env    string // the variable of its starting value; "" for none
	kind   settingKind
	lo, hi int64              // kindInt's range
	check  func(string) error // kindString, kindSecret, kindList items: "must be …"; nil takes any
	start  func(c *Config) any
}

// Limits of a settings change.
const (
	maxSettingsBody  = 64 << 10 // bytes of a PATCH body
	maxSettingString = 2048     // bytes of one string value
	maxAllowIPs      = 100      // entries of admin.allowIPs
)

var (
	wechatAppID  = regexp.MustCompile(`^wx[0-9a-f]{16}$`)
	wechatSecret = regexp.MustCompile(`^[0-9A-Za-z]{8,128}$`)
)

// consoleSettings is the table, in the order the console shows them.
var consoleSettings = []consoleSetting{
	{key: "auth.anonymous", kind: kindBool, start: func(*Config) any { return true }},
	{key: "auth.password", kind: kindBool, start: func(*Config) any { return true }},
	{key: "auth.otp.email", kind: kindBool, start: func(*Config) any { return true }},
	{key: "auth.otp.sms", kind: kindBool, start: func(*Config) any { return true }},
	{key: "auth.wechat.appId", env: "MINIBASE_WECHAT_APPID", kind: kindString,
		check: matches(wechatAppID, `a mini-program AppID: "wx" and 16 hex digits, e.g. wx0123456789abcdef`),
		start: func(c *Config) any { return c.Auth.Providers.WeChat.AppID }},
	{key: "auth.wechat.appSecret", env: "MINIBASE_WECHAT_SECRET", kind: kindSecret,
		check: matches(wechatSecret, "the mini-program's AppSecret: 8-128 letters and digits"),
		start: func(c *Config) any { return c.Auth.Providers.WeChat.Secret }},
	{key: "auth.accessTokenMinutes", env: "MINIBASE_ACCESS_TTL", kind: kindInt, lo: 1, hi: int64(auth.MaxAccessTTL / time.Minute),
		start: func(c *Config) any { return wholeUnits(c.Auth.AccessTTL, auth.DefaultAccessTTL, time.Minute) }},
	{key: "auth.refreshTokenDays", env: "MINIBASE_REFRESH_TTL", kind: kindInt, lo: 1, hi: 365,
		start: func(c *Config) any { return wholeUnits(c.Auth.RefreshTTL, auth.DefaultRefreshTTL, 24*time.Hour) }},
	{key: "auth.rateLimit.signInPerMinute", env: "MINIBASE_RATE_SIGNIN", kind: kindInt, lo: 1, hi: 100_000,
		start: func(c *Config) any {
			r := c.Auth.Limits.LoginIP
			if r.N <= 0 || r.Per <= 0 {
				return int64(0) // off
			}
			return max(int64(1), int64(float64(r.N)*float64(time.Minute)/float64(r.Per)))
		}},
	{key: "auth.smtp.addr", env: "MINIBASE_SMTP_ADDR", kind: kindString, check: isHostPort,
		start: func(c *Config) any { return c.Auth.Providers.SMTP.Addr }},
	{key: "auth.smtp.from", env: "MINIBASE_SMTP_FROM", kind: kindString, check: isMailbox,
		start: func(c *Config) any { return c.Auth.Providers.SMTP.From }},
	{key: "auth.smtp.username", env: "MINIBASE_SMTP_USERNAME", kind: kindString, check: isPrintable(256),
		start: func(c *Config) any { return c.Auth.Providers.SMTP.Username }},
	{key: "auth.smtp.password", env: "MINIBASE_SMTP_PASSWORD", kind: kindSecret, check: isPrintable(1024),
		start: func(c *Config) any { return c.Auth.Providers.SMTP.Password }},
	{key: "auth.smtp.tls", env: "MINIBASE_SMTP_TLS", kind: kindString, check: isOneOf("starttls", "tls", "none"),
		start: func(c *Config) any {
			switch s := c.Auth.Providers.SMTP; {
			case s.ImplicitTLS:
				return "tls"
			case s.StartTLS:
				return "starttls"
			}
			return "none"
		}},
	{key: "auth.sms.webhookURL", env: "MINIBASE_SMS_WEBHOOK_URL", kind: kindString, check: isHTTPURL,
		start: func(c *Config) any { return c.Auth.Providers.SMS.URL }},
	{key: "auth.sms.webhookSecret", env: "MINIBASE_SMS_WEBHOOK_SECRET", kind: kindSecret, check: isPrintable(1024),
		start: func(c *Config) any { return c.Auth.Providers.SMS.Secret }},
	{key: "admin.allowIPs", kind: kindList, check: isIPOrCIDR, start: func(*Config) any { return []string{} }},
	{key: "admin.sessionMinutes", kind: kindInt, lo: 5, hi: int64(auth.MaxAccessTTL / time.Minute),
		start: func(*Config) any { return int64(auth.DefaultAdminAccessTTL / time.Minute) }},
	{key: "admin.refreshDays", kind: kindInt, lo: 1, hi: 90,
		start: func(*Config) any { return int64(auth.DefaultAdminRefreshTTL / (24 * time.Hour)) }},
	{key: "app.publicURL", env: "MINIBASE_PUBLIC_URL", kind: kindString, check: isPublicURL,
		start: func(c *Config) any { return c.Storage.PublicURL }},
}

// settingByKey finds a row of the table.
func settingByKey(key string) *consoleSetting {
	for i := range consoleSettings {
		if consoleSettings[i].key == key {
			return &consoleSettings[i]
		}
	}
	return nil
}

// isSettingPrefix reports whether p+"." starts a key of the table.
func isSettingPrefix(p string) bool {
	for _, s := range consoleSettings {
		if strings.HasPrefix(s.key, p+".") {
			return true
		}
	}
	return false
}

// wholeUnits is d (def when 0) in whole units, at least 1.
func wholeUnits(d, def, unit time.Duration) int64 {
	if d <= 0 {
		d = def
	}
	return max(1, int64(d/unit))
}

// settingsError is a change refused: INVALID_PARAM naming the settings.
func settingsError(problems []string) error {
	return auth.Errorf(auth.CodeInvalidParam, "settings not saved, nothing changed: %s", strings.Join(problems, "; "))
}

// parseSettingsPatch reads a PATCH body: a JSON object of settings by
// dotted key ({"auth.anonymous": false}) or nested ({"auth": {"anonymous":
// false}}), or both. Each value is checked against its row; null removes
// the saved value (back to the variable or default), and a secret given
// as its masked form (an object, as GET shows it) stays as it is. The
// answer maps each key to its new value, nil for null. Any problem fails
// the whole change, with a message naming every bad key.
func parseSettingsPatch(body []byte) (map[string]any, error) {
	if len(body) > maxSettingsBody {
		return nil, settingsError([]string{fmt.Sprintf("the body must be at most %d bytes", maxSettingsBody)})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, settingsError([]string{"the body must be a JSON object of settings, e.g. {\"auth.anonymous\": false}"})
	}
	if dec.More() {
		return nil, settingsError([]string{"the body must be one JSON object"})
	}
	out := map[string]any{}
	var problems []string
	flattenSettings("", obj, out, &problems)
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, settingsError(problems)
	}
	return out, nil
}

// flattenSettings reads obj, whose keys are under prefix, into out.
func flattenSettings(prefix string, obj map[string]any, out map[string]any, problems *[]string) {
	for k, v := range obj {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		def := settingByKey(key)
		sub, isObj := v.(map[string]any)
		switch {
		case def == nil && isObj && isSettingPrefix(key):
			flattenSettings(key, sub, out, problems)
		case def == nil:
			*problems = append(*problems, fmt.Sprintf("%q is not a setting", clip(key)))
		case v == nil:
			if _, dup := out[key]; dup {
				*problems = append(*problems, key+" is given twice")
			}
			out[key] = nil
		case def.kind == kindSecret && isObj: // the masked form sent back: keep
		default:
			val, err := def.parse(v)
			if err != nil {
				*problems = append(*problems, key+" "+err.Error())
				continue
			}
			if _, dup := out[key]; dup {
				*problems = append(*problems, key+" is given twice")
			}
			out[key] = val
		}
	}
}

// clip shortens a key quoted in a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// parse checks a JSON value (json.Number for numbers) against the row and
// returns it as stored: bool, int64, string or []string.
func (s *consoleSetting) parse(v any) (any, error) {
	switch s.kind {
	case kindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, errors.New("must be true or false")
	case kindInt:
		n, ok := v.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil || i < s.lo || i > s.hi {
			return nil, fmt.Errorf("must be a whole number from %d to %d", s.lo, s.hi)
		}
		return i, nil
	case kindString, kindSecret:
		str, ok := v.(string)
		if !ok {
			return nil, errors.New("must be a string")
		}
		return str, s.checkString(str)
	case kindList:
		items, ok := v.([]any)
		if !ok {
			return nil, errors.New("must be an array of strings")
		}
		if len(items) > maxAllowIPs {
			return nil, fmt.Errorf("must have at most %d entries", maxAllowIPs)
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			str, ok := it.(string)
			if !ok {
				return nil, errors.New("must be an array of strings")
			}
			if err := s.checkString(str); err != nil {
				return nil, fmt.Errorf("entry %q %v", clip(str), err)
			}
			out = append(out, canonicalIP(str))
		}
		return out, nil
	}
	return nil, errors.New("has an unknown type")
}

// checkString checks one string value; "" (unset) is always allowed but
// for list entries.
func (s *consoleSetting) checkString(v string) error {
	if len(v) > maxSettingString {
		return fmt.Errorf("must be at most %d bytes", maxSettingString)
	}
	if v == "" && s.kind != kindList || s.check == nil {
		return nil
	}
	return s.check(v)
}

func matches(re *regexp.Regexp, what string) func(string) error {
	return func(v string) error {
		if !re.MatchString(v) {
			return errors.New("must be " + what)
		}
		return nil
	}
}

func isOneOf(values ...string) func(string) error {
	return func(v string) error {
		if !slices.Contains(values, v) {
			return fmt.Errorf("must be %s", orList(values))
		}
		return nil
	}
}

func isPrintable(maxLen int) func(string) error {
	return func(v string) error {
		if len(v) > maxLen {
			return fmt.Errorf("must be at most %d bytes", maxLen)
		}
		for _, r := range v {
			if r < 0x20 || r == 0x7f {
				return errors.New("must not contain control characters")
			}
		}
		return nil
	}
}

func isHostPort(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil || host == "" || port == "" || strings.ContainsAny(v, " /\\@") {
		return errors.New("must be host:port, e.g. smtp.example.com:587")
	}
	return nil
}

func isMailbox(v string) error {
	if _, err := mail.ParseAddress(v); err != nil || strings.ContainsAny(v, "\r\n") {
		return errors.New(`must be an email address, e.g. "App <noreply@example.com>"`)
	}
	return nil
}

func isHTTPURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return errors.New("must be an http(s) URL")
	}
	return nil
}

// isPublicURL takes the server's address as clients reach it: an
// absolute http(s) URL of an origin, nothing after the host and port.
func isPublicURL(v string) error {
	u, err := url.Parse(v)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		return errors.New("must be an absolute http(s) URL, e.g. https://api.example.com")
	case u.User != nil:
		return errors.New("must not contain a user name or password")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return errors.New("must be an origin only (https://api.example.com), without a path, query or fragment")
	case u.Hostname() == "" || strings.ContainsAny(u.Host, " \\"):
		return errors.New("must have a valid host")
	}
	return nil
}

// parseIPOrCIDR reads an admin.allowIPs entry as a prefix (an address is
// its /32 or /128).
func parseIPOrCIDR(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil || p.Addr().Zone() != "" {
			return netip.Prefix{}, errors.New("must be an IP address or a CIDR, e.g. 203.0.113.7 or 10.0.0.0/8")
		}
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-unmapBits(p.Addr())).Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, errors.New("must be an IP address or a CIDR, e.g. 203.0.113.7 or 10.0.0.0/8")
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// unmapBits is how many bits of a prefix's length Unmap takes off.
func unmapBits(a netip.Addr) int {
	if a.Is4In6() {
		return 96
	}
	return 0
}

func isIPOrCIDR(v string) error {
	p, err := parseIPOrCIDR(v)
	if err != nil {
		return err
	}
	if !p.IsValid() || p.Bits() < 0 {
		return errors.New("must be an IP address or a CIDR, e.g. 203.0.113.7 or 10.0.0.0/8")
	}
	return nil
}

// canonicalIP writes an allow-list entry as it is stored: an address as
// itself, a CIDR with its host bits cleared.
func canonicalIP(v string) string {
	p, err := parseIPOrCIDR(v)
	if err != nil {
		return v
	}
	if p.IsSingleIP() && !strings.Contains(v, "/") {
		return p.Addr().String()
	}
	return p.String()
}
