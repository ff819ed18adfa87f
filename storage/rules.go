package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"minibase/auth"
	"minibase/auth/rules"
)

// Rule presets: CloudBase's four bucket-level storage permissions, named
// as its storage ACL tags.
const (
	PresetReadOnly   = "READONLY"   // everyone reads, the creator writes (the default)
	PresetPrivate    = "PRIVATE"    // only the creator reads and writes
	PresetAdminWrite = "ADMINWRITE" // everyone reads, only admins write
	PresetAdminOnly  = "ADMINONLY"  // only admins
	PresetCustom     = "CUSTOM"     // Read and Write expressions
)

// Rule is a bucket's access rule for end users; admins (keys, admin
// accounts, cloud functions) are never subject to it. "Write" covers
// upload, overwrite and delete. It travels in JSON as a preset name
// ("READONLY") or as {"read": …, "write": …} with each side true, false or
// an expression string (ParseRule). Build custom rules with ParseRule.
type Rule struct {
	Preset string
	Read   string // CUSTOM: the read expression's source ("true", "auth != null", …)
	Write  string
	read   *rules.Expr
	write  *rules.Expr
}

// RuleVars are the variables a storage rule may read: auth (null for
// visitors, else {uid, openid, loginType, …custom claims}), resource (the
// file: {openid: its uploader, path: its cloudPath}) and now (the time).
var RuleVars = []string{"auth", "resource", "now"}

// DefaultRule is the rule of a bucket created without one.
var DefaultRule = Rule{Preset: PresetReadOnly}

// op is what a caller wants to do with a file.
type op int

const (
	opRead op = iota
	opWrite
)

// resource is the file a rule is asked about: its owner's openid ("" for
// files uploaded by admins; for a file being created, the caller's) and
// its path in the bucket.
type resource struct {
	OpenID string
	Path   string
}

// allows reports whether the caller id may do o on res at now. A custom
// rule that fails (reads a member of null, say auth.openid for a visitor)
// denies.
func (r Rule) allows(ctx context.Context, id *auth.Identity, o op, res resource, now time.Time) bool {
	if id.IsAdmin() {
		return true
	}
	creator := id.Role == auth.User && id.OpenID != "" && id.OpenID == res.OpenID
	switch r.Preset {
	case PresetReadOnly:
		return o == opRead || creator
	case PresetPrivate:
		return creator
	case PresetAdminWrite:
		return o == opRead
	case PresetCustom:
		expr := r.read
		if o == opWrite {
			expr = r.write
		}
		if expr == nil {
			return false
		}
		env := &rules.Env{Vars: map[string]any{"auth": authValue(id), "now": now.UTC(),
			"resource": map[string]any{"openid": res.OpenID, "path": res.Path}}}
		res, err := expr.Eval(ctx, env) // no get() in storage rules: no Getter, so no I/O error
		return err == nil && res.Allowed()
	}
	return false // ADMINONLY, and anything unknown
}

// anyOwner reports whether the rule lets id do o on every file at path,
// whoever uploaded it: the rule does not depend on resource.openid, or
// allows either way. Then whether such a file exists is no secret from id;
// otherwise a missing file must be answered as one id may not see.
func (r Rule) anyOwner(ctx context.Context, id *auth.Identity, o op, path string, now time.Time) bool {
	if id.IsAdmin() {
		return true
	}
	switch r.Preset {
	case PresetReadOnly, PresetAdminWrite:
		return o == opRead
	case PresetCustom:
		expr := r.read
		if o == opWrite {
			expr = r.write
		}
		if expr == nil {
			return false
		}
		env := &rules.Env{Vars: map[string]any{"auth": authValue(id), "now": now.UTC(),
			"resource": map[string]any{"openid": rules.Unknown, "path": path}}}
		res, err := expr.Eval(ctx, env)
		return err == nil && res.Allowed()
	}
	return false // PRIVATE (the owner decides), ADMINONLY
}

// authValue is a rule's auth: null for visitors, else the caller's uid,
// openid, loginType and custom claims (as in database rules).
func authValue(id *auth.Identity) any {
	if id == nil || id.Role != auth.User {
		return nil
	}
	m := make(map[string]any, len(id.Claims)+3)
	for k, v := range id.Claims {
		m[k] = v
	}
	m["uid"], m["openid"], m["loginType"] = id.UID, id.OpenID, string(id.LoginType)
	return m
}

// public reports whether anyone may read every file, so /f/ URLs need no
// signature: the presets that let everyone read, or a read rule of true.
func (r Rule) public() bool {
	return r.Preset == PresetReadOnly || r.Preset == PresetAdminWrite || r.Preset == PresetCustom && r.Read == "true"
}

// MarshalJSON writes a preset as its name and a custom rule as an object.
func (r Rule) MarshalJSON() ([]byte, error) {
	if r.Preset != PresetCustom {
		return json.Marshal(r.Preset)
	}
	side := func(s string) any {
		if s == "true" || s == "false" {
			return s == "true"
		}
		return s
	}
	return json.Marshal(map[string]any{"read": side(r.Read), "write": side(r.Write)})
}

// UnmarshalJSON reads a preset name or {"read", "write"} and checks it
// (ParseRule).
func (r *Rule) UnmarshalJSON(b []byte) error {
	rule, err := ParseRule(b)
	if err != nil {
		return err
	}
	*r = rule
	return nil
}

// ParseRule reads a rule from JSON: a preset name, or an object with "read"
// and "write", each true, false or an expression (package auth/rules) over
// RuleVars, e.g. {"read": true, "write": "resource.openid == auth.openid"}
// or "/^public\//.test(resource.path)". Missing sides are false, as in
// CloudBase. get() is not available to storage rules. Errors are
// INVALID_PARAM and give the position of the problem.
func ParseRule(b []byte) (Rule, error) {
	b = bytes.TrimSpace(b)
	var name string
	if json.Unmarshal(b, &name) == nil {
		switch name {
		case PresetReadOnly, PresetPrivate, PresetAdminWrite, PresetAdminOnly:
			return Rule{Preset: name}, nil
		}
		return Rule{}, Errorf(CodeInvalidParam, "unknown rule preset %.40q: use READONLY, PRIVATE, ADMINWRITE, ADMINONLY or {\"read\", \"write\"}", name)
	}
	var custom map[string]json.RawMessage
	if err := json.Unmarshal(b, &custom); err != nil {
		return Rule{}, Errorf(CodeInvalidParam, "a rule is a preset name or {\"read\": …, \"write\": …}")
	}
	r := Rule{Preset: PresetCustom, Read: "false", Write: "false"}
	for k, v := range custom {
		var dst *string
		switch k {
		case "read":
			dst = &r.Read
		case "write":
			dst = &r.Write
		default:
			return Rule{}, Errorf(CodeInvalidParam, "unknown rule key %.40q: a storage rule has read and write", k)
		}
		s, err := ruleSide(v)
		if err != nil {
			return Rule{}, Errorf(CodeInvalidParam, "rule %s: %v", k, err)
		}
		*dst = s
	}
	var err error
	if r.read, err = parseExpr("read", r.Read); err != nil {
		return Rule{}, err
	}
	if r.write, err = parseExpr("write", r.Write); err != nil {
		return Rule{}, err
	}
	return r, nil
}

func parseExpr(side, src string) (*rules.Expr, error) {
	e, err := rules.Parse(src, RuleVars...)
	if err != nil {
		return nil, Errorf(CodeInvalidParam, "rule %s: %v", side, err)
	}
	if e.Gets() > 0 {
		return nil, Errorf(CodeInvalidParam, "rule %s: get() is not available in storage rules", side)
	}
	return e, nil
}

// ruleSide reads one side of a custom rule.
func ruleSide(v json.RawMessage) (string, error) {
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return fmt.Sprint(b), nil
	}
	var expr string
	if json.Unmarshal(v, &expr) != nil {
		return "", fmt.Errorf("must be true, false or an expression string")
	}
	return strings.TrimSpace(expr), nil
}
