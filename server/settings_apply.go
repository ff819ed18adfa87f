package server

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"minibase/auth"
	"minibase/auth/wechat"
)

// The settings' apply path. The saved values (a JSON object by dotted key,
// in the database's _settings table, with a version) are read at Open and
// put in force: auth's Tunables (sign-in methods, token lives, the
// sign-in rate, the login providers), the admin allow-list, and the
// public URL of storage's links. A change from the console is checked
// whole (buildSettings), saved (only if the version is still the one it
// read), and then swapped in. Several nodes sharing one database pick up
// each other's changes by reading the version every settingsPoll, and on
// PostgreSQL at once, woken by NOTIFY (watchSettings, while Run runs).

// settingsPoll is how often a running server checks whether another node
// saved settings.
const settingsPoll = 5 * time.Second

// settingsState is what the server holds of the settings.
type settingsState struct {
	mu      sync.Mutex // serialises changes (PATCH, reloads)
	saved   map[string]any
	version int64
	allow   atomic.Pointer[[]netip.Prefix] // admin.allowIPs; empty: anywhere
}

// built is everything a set of saved values puts in force.
type built struct {
	tun       auth.Tunables
	allow     []netip.Prefix
	publicURL string
	wechat    wechat.Config // the mini-program's appid and secret, for the functions
}

// buildSettings computes, without changing anything, what the
// configuration with saved over it puts in force, or the problems
// (naming the settings) that keep it from being used.
func (s *Server) buildSettings(saved map[string]any) (*built, error) {
	cfg := s.Config
	a := cfg.Auth
	val := func(key string) (any, bool) { v, ok := saved[key]; return v, ok }
	str := func(key string, dst *string) {
		if v, ok := val(key); ok {
			*dst = v.(string)
		}
	}
	tun := auth.Tunables{Anonymous: true, Password: true, OTPEmail: true, OTPSMS: true,
		AccessTTL:       cmp.Or(a.AccessTTL, auth.DefaultAccessTTL),
		RefreshTTL:      cmp.Or(a.RefreshTTL, auth.DefaultRefreshTTL),
		AdminAccessTTL:  cmp.Or(a.AdminAccessTTL, auth.DefaultAdminAccessTTL),
		AdminRefreshTTL: cmp.Or(a.AdminRefreshTTL, auth.DefaultAdminRefreshTTL),
		SignInIP:        a.Limits.LoginIP,
	}
	for key, dst := range map[string]*bool{"auth.anonymous": &tun.Anonymous, "auth.password": &tun.Password,
		"auth.otp.email": &tun.OTPEmail, "auth.otp.sms": &tun.OTPSMS} {
		if v, ok := val(key); ok {
			*dst = v.(bool)
		}
	}
	for key, d := range map[string]struct {
		dst  *time.Duration
		unit time.Duration
	}{"auth.accessTokenMinutes": {&tun.AccessTTL, time.Minute}, "auth.refreshTokenDays": {&tun.RefreshTTL, 24 * time.Hour},
		"admin.sessionMinutes": {&tun.AdminAccessTTL, time.Minute}, "admin.refreshDays": {&tun.AdminRefreshTTL, 24 * time.Hour}} {
		if v, ok := val(key); ok {
			*d.dst = time.Duration(v.(int64)) * d.unit
		}
	}
	if v, ok := val("auth.rateLimit.signInPerMinute"); ok {
		tun.SignInIP = auth.Rate{N: int(v.(int64)), Per: time.Minute}
	}
	p := a.Providers
	str("auth.wechat.appId", &p.WeChat.AppID)
	str("auth.wechat.appSecret", &p.WeChat.Secret)
	str("auth.smtp.addr", &p.SMTP.Addr)
	str("auth.smtp.from", &p.SMTP.From)
	str("auth.smtp.username", &p.SMTP.Username)
	str("auth.smtp.password", &p.SMTP.Password)
	if v, ok := val("auth.smtp.tls"); ok {
		p.SMTP.StartTLS, p.SMTP.ImplicitTLS = v == "starttls", v == "tls"
	}
	str("auth.sms.webhookURL", &p.SMS.URL)
	str("auth.sms.webhookSecret", &p.SMS.Secret)
	b := &built{tun: tun, publicURL: cfg.Storage.PublicURL}
	str("app.publicURL", &b.publicURL)
	if v, ok := val("admin.allowIPs"); ok {
		for _, e := range v.([]string) {
			pfx, err := parseIPOrCIDR(e)
			if err != nil {
				return nil, settingsError([]string{fmt.Sprintf("admin.allowIPs entry %q %v", e, err)})
			}
			b.allow = append(b.allow, pfx)
		}
	}
	var problems []string
	if (p.WeChat.AppID == "") != (p.WeChat.Secret == "") {
		problems = append(problems, "auth.wechat.appId and auth.wechat.appSecret go together: set both, or neither")
	}
	if p.SMTP.Addr != "" && p.SMTP.From == "" {
		problems = append(problems, "auth.smtp.from is required with auth.smtp.addr")
	}
	if tun.AccessTTL >= tun.RefreshTTL {
		problems = append(problems, fmt.Sprintf("auth.accessTokenMinutes (%v) must be shorter than auth.refreshTokenDays (%v)", tun.AccessTTL, tun.RefreshTTL))
	}
	if tun.AdminAccessTTL >= tun.AdminRefreshTTL {
		problems = append(problems, fmt.Sprintf("admin.sessionMinutes (%v) must be shorter than admin.refreshDays (%v)", tun.AdminAccessTTL, tun.AdminRefreshTTL))
	}
	if len(problems) > 0 {
		return nil, settingsError(problems)
	}
	now := a.Now
	if now == nil {
		now = time.Now
	}
	tun.Providers = p.providers(cfg.Dir, s.store.ticketKeys, now, s.log)
	if s.auth != nil { // one ticket keyring for the server's life
		tun.Providers.Tickets = s.auth.Tunables().Providers.Tickets
	}
	b.tun, b.wechat = tun, p.WeChat
	return b, nil
}

// putInForce swaps b in.
func (s *Server) putInForce(b *built) error {
	if err := s.auth.Apply(b.tun); err != nil {
		return err
	}
	s.settings.allow.Store(&b.allow)
	s.files.SetPublicURL(b.publicURL)
	s.setWeChat(b.wechat)
	return nil
}

// loadSettings reads the saved settings and puts them in force (at Open,
// and when another node saved). Saved values that no longer fit the
// configuration (a lifetime now longer than the variable's refresh life)
// are not used: the server runs on its variables, says why in the log,
// and keeps the saved values for the console to correct.
func (s *Server) loadSettings(ctx context.Context) error {
	doc, version, err := s.store.settings.Load(ctx)
	if err != nil {
		return err
	}
	saved, err := decodeSaved(doc)
	if err == nil {
		var b *built
		if b, err = s.buildSettings(saved); err == nil {
			err = s.putInForce(b)
		}
	}
	st := &s.settings
	st.saved, st.version = saved, version
	if err != nil {
		s.log.Error("the settings saved from the admin console are not used: the server runs on its MINIBASE_* settings", "err", err)
		b, err := s.buildSettings(nil)
		if err != nil {
			return err
		}
		return s.putInForce(b)
	}
	return nil
}

// decodeSaved reads the saved document, checking each value as a PATCH
// would.
func decodeSaved(doc []byte) (map[string]any, error) {
	if len(doc) == 0 {
		return map[string]any{}, nil
	}
	saved, err := parseSettingsPatch(doc)
	if err != nil {
		return map[string]any{}, fmt.Errorf("read saved settings: %w", err)
	}
	maps.DeleteFunc(saved, func(_ string, v any) bool { return v == nil })
	return saved, nil
}

// errLockout refuses an allow-list that leaves the caller out.
func errLockout(ip netip.Addr) error {
	return auth.Errorf(auth.CodeInvalidParam, "settings not saved, nothing changed: admin.allowIPs does not include your address %s, "+
		"so this change would lock you out (add it, or change the list from the server itself: loopback is always allowed)", ip)
}

// changeSettings applies a PATCH: patch's values (nil: back to the
// variable or default) over the saved ones, checked whole, saved, and put
// in force; caller is the address of the admin making the change, who
// must stay allowed. Nothing changes when any of it fails.
func (s *Server) changeSettings(ctx context.Context, patch map[string]any, caller netip.Addr) error {
	st := &s.settings
	st.mu.Lock()
	defer st.mu.Unlock()
	next := maps.Clone(st.saved)
	for k, v := range patch {
		if v == nil {
			delete(next, k)
		} else {
			next[k] = v
		}
	}
	b, err := s.buildSettings(next)
	if err != nil {
		return err
	}
	if !addrAllowed(b.allow, caller) {
		return errLockout(caller)
	}
	doc, err := json.Marshal(next)
	if err != nil {
		return err
	}
	version, err := s.store.settings.Save(ctx, doc, st.version, time.Now())
	if errSettingsChanged(err) {
		// Another node saved: take its values and ask for the change again.
		if err := s.reloadLocked(ctx); err != nil {
			return err
		}
		return auth.Errorf(auth.CodeInvalidParam, "settings not saved: they were changed meanwhile (by another server); look at them again and retry")
	}
	if err != nil {
		return err
	}
	if err := s.putInForce(b); err != nil {
		return err // cannot happen: buildSettings checked what Apply checks
	}
	st.saved, st.version = next, version
	return nil
}

// reloadLocked reloads the saved settings; st.mu is held.
func (s *Server) reloadLocked(ctx context.Context) error {
	return s.loadSettings(ctx)
}

// watchSettings reloads the settings when another node saved them, until
// ctx ends: at once when the store tells of saves (PostgreSQL's NOTIFY),
// and every settingsPoll in any case.
func (s *Server) watchSettings(ctx context.Context) {
	t := time.NewTicker(settingsPoll)
	defer t.Stop()
	notifier, _ := s.store.settings.(settingsNotifier)
	for {
		// The wake-up is asked for before the version is read: a save
		// after the read wakes this loop.
		var saved <-chan struct{} // nil: never
		if notifier != nil {
			saved = notifier.Changed()
		}
		v, err := s.store.settings.Version(ctx)
		st := &s.settings
		st.mu.Lock()
		if err == nil && v != st.version {
			err = s.reloadLocked(ctx)
		}
		st.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			s.log.Warn("reload settings", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-saved:
		}
	}
}

// addrAllowed reports whether an admin may call from a: from the machine
// itself always (loopback, or a connection without an IP address: a Unix
// socket, an in-process request), else when the list is empty or has a
// prefix containing it.
func addrAllowed(allow []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	if len(allow) == 0 || a.IsLoopback() || !a.IsValid() || a.IsUnspecified() {
		return true
	}
	return slices.ContainsFunc(allow, func(p netip.Prefix) bool { return p.Contains(a) })
}

// settingsView is the GET answer: every setting's value in force (secrets
// masked) and where it comes from.
func (s *Server) settingsView() map[string]any {
	st := &s.settings
	st.mu.Lock()
	saved := st.saved
	st.mu.Unlock()
	values, sources := map[string]any{}, map[string]string{}
	for _, def := range consoleSettings {
		v, src := def.start(&s.Config), "default"
		if _, given := s.Config.sources[def.env]; def.env != "" && given {
			src = "env"
		}
		if sv, ok := saved[def.key]; ok {
			v, src = sv, "db"
		}
		if def.kind == kindSecret {
			v = maskSecret(v.(string))
		}
		values[def.key], sources[def.key] = v, src
	}
	return map[string]any{"settings": values, "sources": sources}
}

// maskSecret is how a secret is shown: whether it is set, and its last
// four characters when it is long enough for them to give nothing away.
func maskSecret(v string) map[string]any {
	m := map[string]any{"set": v != ""}
	if len(v) >= 12 {
		m["last4"] = v[len(v)-4:]
	}
	return m
}
