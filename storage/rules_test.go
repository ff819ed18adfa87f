package storage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"minibase/auth"
)

var ctx = context.Background()

// perms returns "rw", "r-", "-w" or "--": what r lets id do on res.
func perms(r Rule, id *auth.Identity, res resource) string {
	got := []byte("--")
	if r.allows(ctx, id, opRead, res, time.Now()) {
		got[0] = 'r'
	}
	if r.allows(ctx, id, opWrite, res, time.Now()) {
		got[1] = 'w'
	}
	return string(got)
}

// callers are the four kinds of caller the rule tests ask about.
var callers = map[string]*auth.Identity{
	"owner":   {Role: auth.User, UID: "u1", OpenID: "owner", LoginType: "WECHAT", Claims: map[string]any{"role": "editor"}},
	"other":   {Role: auth.User, UID: "u2", OpenID: "other", LoginType: "ANONYMOUS"},
	"visitor": {Role: auth.Visitor},
	"admin":   {Role: auth.Admin},
}

func sameRule(a, b Rule) bool { return a.Preset == b.Preset && a.Read == b.Read && a.Write == b.Write }

// TestRulePresets is the access matrix of CloudBase's storage presets: who
// may read and write a file owned by "owner" under each preset. Admins
// bypass every rule.
func TestRulePresets(t *testing.T) {
	// want[preset][caller] = "rw", "r-", "--"
	want := map[string]map[string]string{
		PresetReadOnly:   {"owner": "rw", "other": "r-", "visitor": "r-", "admin": "rw"},
		PresetPrivate:    {"owner": "rw", "other": "--", "visitor": "--", "admin": "rw"},
		PresetAdminWrite: {"owner": "r-", "other": "r-", "visitor": "r-", "admin": "rw"},
		PresetAdminOnly:  {"owner": "--", "other": "--", "visitor": "--", "admin": "rw"},
	}
	res := resource{OpenID: "owner", Path: "a.png"}
	for preset, row := range want {
		r := Rule{Preset: preset}
		for name, id := range callers {
			if got := perms(r, id, res); got != row[name] {
				t.Errorf("%s, %s: %s, want %s", preset, name, got, row[name])
			}
		}
		if wantPublic := row["visitor"][0] == 'r'; r.public() != wantPublic {
			t.Errorf("%s: public() = %v, want %v", preset, r.public(), wantPublic)
		}
	}
	// A file uploaded by an admin has no owner: no end user is its creator.
	if perms(Rule{Preset: PresetPrivate}, callers["owner"], resource{}) != "--" {
		t.Error("PRIVATE: an end user may use an admin's file")
	}
	// A user token without an openid is nobody's creator either.
	if perms(Rule{Preset: PresetReadOnly}, &auth.Identity{Role: auth.User}, resource{}) != "r-" {
		t.Error("READONLY: a user without an openid may write an ownerless file")
	}
}

// TestCustomRules: expressions over auth, resource and now (the examples
// of CloudBase's storage security rules, and more), for the same callers
// on files at two paths.
func TestCustomRules(t *testing.T) {
	tests := []struct {
		rule string
		path string
		want map[string]string // caller → perms; admins always "rw"
	}{
		{`{"read": true, "write": "resource.openid == auth.openid"}`, "a.png",
			map[string]string{"owner": "rw", "other": "r-", "visitor": "r-"}},
		{`{"read": "auth != null", "write": "auth.uid == 'u1'"}`, "a.png",
			map[string]string{"owner": "rw", "other": "r-", "visitor": "--"}},
		{`{"read": "/^public\\//.test(resource.path) == true", "write": false}`, "public/a.png",
			map[string]string{"owner": "r-", "other": "r-", "visitor": "r-"}},
		{`{"read": "/^public\\//.test(resource.path) == true", "write": false}`, "private/a.png",
			map[string]string{"owner": "--", "other": "--", "visitor": "--"}},
		{`{"read": "auth.role == 'editor'", "write": "auth.role == 'editor' && resource.path.length < 20"}`, "a.png",
			map[string]string{"owner": "rw", "other": "--", "visitor": "--"}},
		{`{"read": "auth.loginType != 'ANONYMOUS'"}`, "a.png",
			map[string]string{"owner": "r-", "other": "--", "visitor": "--"}},
		{`{"read": "now > 0", "write": "!(auth.openid == resource.openid)"}`, "a.png",
			map[string]string{"owner": "r-", "other": "rw", "visitor": "r-"}}, // a visitor's auth.openid fails: no write
	}
	for _, tt := range tests {
		r, err := ParseRule([]byte(tt.rule))
		if err != nil {
			t.Fatalf("ParseRule(%s): %v", tt.rule, err)
		}
		tt.want["admin"] = "rw"
		for name, id := range callers {
			if got := perms(r, id, resource{OpenID: "owner", Path: tt.path}); got != tt.want[name] {
				t.Errorf("%s on %s, %s: %s, want %s", tt.rule, tt.path, name, got, tt.want[name])
			}
		}
	}
}

func TestParseRule(t *testing.T) {
	tests := []struct {
		in      string
		want    Rule
		public  bool
		wantErr bool
	}{
		{in: `"READONLY"`, want: Rule{Preset: PresetReadOnly}, public: true},
		{in: `"ADMINONLY"`, want: Rule{Preset: PresetAdminOnly}},
		{in: `{"read": true, "write": false}`, want: Rule{Preset: PresetCustom, Read: "true", Write: "false"}, public: true},
		{in: `{"read": "true"}`, want: Rule{Preset: PresetCustom, Read: "true", Write: "false"}, public: true},
		{in: `{}`, want: Rule{Preset: PresetCustom, Read: "false", Write: "false"}},
		{in: `"readonly"`, wantErr: true},
		{in: `{"read": true, "delete": true}`, wantErr: true},
		{in: `{"read": 1}`, wantErr: true},
		{in: `{"read": " auth != null ", "write": "resource.openid == auth.openid"}`,
			want: Rule{Preset: PresetCustom, Read: "auth != null", Write: "resource.openid == auth.openid"}},
		{in: `{"read": "auth != "}`, wantErr: true},                   // syntax
		{in: `{"read": "doc._openid == auth.openid"}`, wantErr: true}, // doc is the database's
		{in: `{"read": "get('database.c.x').ok"}`, wantErr: true},     // no get() for files
		{in: `{"read": "` + strings.Repeat("true && ", 200) + `true"}`, wantErr: true},
		{in: `[]`, wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseRule([]byte(tt.in))
		if tt.wantErr {
			if ErrorCode(err) != CodeInvalidParam {
				t.Errorf("ParseRule(%s) = %+v, %v; want INVALID_PARAM", tt.in, got, err)
			}
			continue
		}
		if err != nil || !sameRule(got, tt.want) || got.public() != tt.public {
			t.Errorf("ParseRule(%s) = %+v (public %v), %v; want %+v (public %v)", tt.in, got, got.public(), err, tt.want, tt.public)
		}
		out, _ := json.Marshal(got)
		if back, err := ParseRule(out); err != nil || !sameRule(back, got) {
			t.Errorf("%s → %s → %+v, %v: does not round-trip", tt.in, out, back, err)
		}
	}
}

// verify is parse and match together, as Fetch uses them.
func (s signer) verify(bucket, path, owner, sign, t string, now time.Time) error {
	exp, got, err := s.parse(sign, t, now)
	if err != nil {
		return err
	}
	if !s.match(got, bucket, path, owner, exp) {
		return errSignMismatch()
	}
	return nil
}

func TestSigner(t *testing.T) {
	s := signer{key: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Unix(1_800_000_000, 0)
	exp := now.Unix() + 600
	t10 := "1800000600"
	sign := s.sign("default", "a/b.png", "alice", exp)
	if len(sign) != 32 {
		t.Fatalf("sign %q is not 32 hex digits", sign)
	}
	if err := s.verify("default", "a/b.png", "alice", sign, t10, now); err != nil {
		t.Fatalf("valid URL refused: %v", err)
	}
	if err := s.verify("default", "a/b.png", "alice", sign, t10, time.Unix(exp, 0)); err != nil {
		t.Errorf("URL refused in its last second: %v", err)
	}
	// Version 1 signed bucket, path and t without the owner.
	v1 := hmac.New(sha256.New, s.key)
	v1.Write([]byte("minibase-url-v1\ndefault\na/b.png\n" + t10))
	flip := []byte(sign)
	flip[5] ^= 1
	for name, c := range map[string][5]string{
		"expired":         {"default", "a/b.png", "alice", sign, t10},
		"other path":      {"default", "a/c.png", "alice", sign, t10},
		"other bucket":    {"avatars", "a/b.png", "alice", sign, t10},
		"other owner":     {"default", "a/b.png", "bob", sign, t10},
		"admin's file":    {"default", "a/b.png", "", sign, t10},
		"version 1 URL":   {"default", "a/b.png", "alice", hex.EncodeToString(v1.Sum(nil)[:16]), t10},
		"later t":         {"default", "a/b.png", "alice", sign, "1800009999"},
		"altered sign":    {"default", "a/b.png", "alice", string(flip), t10},
		"short sign":      {"default", "a/b.png", "alice", sign[:30], t10},
		"not hex":         {"default", "a/b.png", "alice", "zz" + sign[2:], t10},
		"no sign":         {"default", "a/b.png", "alice", "", t10},
		"no t":            {"default", "a/b.png", "alice", sign, ""},
		"t not a number":  {"default", "a/b.png", "alice", sign, "soon"},
		"negative t":      {"default", "a/b.png", "alice", sign, "-1"},
		"other key's URL": {"default", "a/b.png", "alice", signer{key: []byte("another key, also 32 bytes long!")}.sign("default", "a/b.png", "alice", exp), t10},
	} {
		at := now
		if name == "expired" {
			at = time.Unix(exp+1, 0)
		}
		if err := s.verify(c[0], c[1], c[2], c[3], c[4], at); ErrorCode(err) != CodeSignInvalid {
			t.Errorf("%s: verify = %v, want %s", name, err, CodeSignInvalid)
		}
	}
}

func TestBucketSettings(t *testing.T) {
	b := BucketSettings{Name: "imgs", MaxSize: 10, AllowedTypes: []string{"image/*", " Application/PDF "}}
	if err := b.check(); err != nil {
		t.Fatal(err)
	}
	for typ, want := range map[string]bool{"image/png": true, "IMAGE/JPEG": true, "application/pdf": true,
		"application/pdf; charset=binary": true, "text/html": false, "imagex/png": false, "": false} {
		if got := b.allowsType(typ); got != want {
			t.Errorf("allowsType(%q) = %v, want %v", typ, got, want)
		}
	}
	for _, bad := range []BucketSettings{
		{Name: "x", MaxSize: 1}, {Name: "ok", MaxSize: 0}, {Name: "ok", MaxSize: MaxFileSize + 1},
		{Name: "ok", MaxSize: 1, AllowedTypes: []string{"png"}}, {Name: "ok", MaxSize: 1, AllowedTypes: []string{"*/*"}},
		{Name: "ok", MaxSize: 1, AllowedTypes: []string{"image/png; x=1"}},
	} {
		if err := bad.check(); ErrorCode(err) != CodeInvalidParam {
			t.Errorf("check(%+v) = %v, want INVALID_PARAM", bad, err)
		}
	}
}

// TestRuleAnyOwner: whether a rule lets a caller read (or write) every file
// at a path, whoever uploaded it. Only then may a missing file be answered
// as missing; otherwise the answer would tell whose files exist.
func TestRuleAnyOwner(t *testing.T) {
	custom := func(read, write string) Rule {
		r, err := ParseRule([]byte(`{"read":` + read + `,"write":` + write + `}`))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cases := []struct {
		rule   Rule
		caller string
		want   string // "r" read and "w" write allowed for any owner
	}{
		{Rule{Preset: PresetReadOnly}, "other", "r-"},
		{Rule{Preset: PresetAdminWrite}, "visitor", "r-"},
		{Rule{Preset: PresetPrivate}, "owner", "--"},
		{Rule{Preset: PresetAdminOnly}, "owner", "--"},
		{Rule{Preset: PresetPrivate}, "admin", "rw"},
		{custom(`"resource.openid == auth.openid"`, `"resource.openid == auth.openid"`), "owner", "--"},
		{custom(`"auth != null"`, `"auth != null && resource.openid == auth.openid"`), "other", "r-"},
		{custom(`"auth != null"`, `false`), "visitor", "--"},
		{custom(`"/^pub\\//.test(resource.path)"`, `true`), "visitor", "-w"},
		{custom(`"resource.openid == auth.openid || auth.role == 'editor'"`, `false`), "owner", "r-"},
	}
	for _, c := range cases {
		got := []byte("--")
		if c.rule.anyOwner(ctx, callers[c.caller], opRead, "a.png", time.Now()) {
			got[0] = 'r'
		}
		if c.rule.anyOwner(ctx, callers[c.caller], opWrite, "a.png", time.Now()) {
			got[1] = 'w'
		}
		if string(got) != c.want {
			t.Errorf("%+v, %s: %s, want %s", c.rule, c.caller, got, c.want)
		}
	}
}
