package storage

import (
	"encoding/json"
	"testing"
	"time"

	"minibase/auth"
)

// TestRulePresets is the access matrix of §4.4: who may read and write a
// file owned by "owner" under each preset. Admins bypass every rule.
func TestRulePresets(t *testing.T) {
	callers := map[string]*auth.Identity{
		"owner":   {Role: auth.User, UID: "u1", OpenID: "owner"},
		"other":   {Role: auth.User, UID: "u2", OpenID: "other"},
		"visitor": {Role: auth.Visitor},
		"admin":   {Role: auth.Admin},
	}
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
			got := []byte("--")
			if r.allows(id, opRead, res) {
				got[0] = 'r'
			}
			if r.allows(id, opWrite, res) {
				got[1] = 'w'
			}
			if string(got) != row[name] {
				t.Errorf("%s, %s: %s, want %s", preset, name, got, row[name])
			}
		}
		if wantPublic := row["visitor"][0] == 'r'; r.public() != wantPublic {
			t.Errorf("%s: public() = %v, want %v", preset, r.public(), wantPublic)
		}
	}
	// A file uploaded by an admin has no owner: no end user is its creator.
	if (Rule{Preset: PresetPrivate}).allows(callers["owner"], opRead, resource{}) {
		t.Error("PRIVATE: an end user may read an admin's file")
	}
	// A user token without an openid is nobody's creator either.
	if (Rule{Preset: PresetReadOnly}).allows(&auth.Identity{Role: auth.User}, opWrite, resource{}) {
		t.Error("READONLY: a user without an openid may write an ownerless file")
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
		{in: `{"read": true, "write": false}`, want: Rule{PresetCustom, "true", "false"}, public: true},
		{in: `{"read": "true"}`, want: Rule{PresetCustom, "true", "false"}, public: true},
		{in: `{}`, want: Rule{PresetCustom, "false", "false"}},
		{in: `"readonly"`, wantErr: true},
		{in: `{"read": true, "delete": true}`, wantErr: true},
		{in: `{"read": 1}`, wantErr: true},
		{in: `{"read": "auth != null"}`, wantErr: true}, // expressions need the rule engine
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
		if err != nil || got != tt.want || got.public() != tt.public {
			t.Errorf("ParseRule(%s) = %+v (public %v), %v; want %+v (public %v)", tt.in, got, got.public(), err, tt.want, tt.public)
		}
		out, _ := json.Marshal(got)
		if back, err := ParseRule(out); err != nil || back != got {
			t.Errorf("%s → %s → %+v, %v: does not round-trip", tt.in, out, back, err)
		}
	}
	custom := Rule{PresetCustom, "true", "false"}
	id := &auth.Identity{Role: auth.User, OpenID: "x"}
	if !custom.allows(id, opRead, resource{}) || custom.allows(id, opWrite, resource{OpenID: "x"}) {
		t.Error("custom {read: true, write: false} not applied")
	}
}

func TestSigner(t *testing.T) {
	s := signer{key: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Unix(1_800_000_000, 0)
	exp := now.Unix() + 600
	t10 := "1800000600"
	sign := s.sign("default", "a/b.png", exp)
	if len(sign) != 32 {
		t.Fatalf("sign %q is not 32 hex digits", sign)
	}
	if err := s.verify("default", "a/b.png", sign, t10, now); err != nil {
		t.Fatalf("valid URL refused: %v", err)
	}
	if err := s.verify("default", "a/b.png", sign, t10, time.Unix(exp, 0)); err != nil {
		t.Errorf("URL refused in its last second: %v", err)
	}
	flip := []byte(sign)
	flip[5] ^= 1
	for name, c := range map[string][4]string{
		"expired":         {"default", "a/b.png", sign, t10},
		"other path":      {"default", "a/c.png", sign, t10},
		"other bucket":    {"avatars", "a/b.png", sign, t10},
		"later t":         {"default", "a/b.png", sign, "1800009999"},
		"altered sign":    {"default", "a/b.png", string(flip), t10},
		"short sign":      {"default", "a/b.png", sign[:30], t10},
		"not hex":         {"default", "a/b.png", "zz" + sign[2:], t10},
		"no sign":         {"default", "a/b.png", "", t10},
		"no t":            {"default", "a/b.png", sign, ""},
		"t not a number":  {"default", "a/b.png", sign, "soon"},
		"negative t":      {"default", "a/b.png", sign, "-1"},
		"other key's URL": {"default", "a/b.png", signer{key: []byte("another key, also 32 bytes long!")}.sign("default", "a/b.png", exp), t10},
	} {
		at := now
		if name == "expired" {
			at = time.Unix(exp+1, 0)
		}
		if err := s.verify(c[0], c[1], c[2], c[3], at); ErrorCode(err) != CodeSignInvalid {
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
