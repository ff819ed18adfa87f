package storage

import (
	"bytes"
	"encoding/json"
	"fmt"

	"minibase/auth"
)

// Rule presets (reference/wxcloud-api.md §4.4), named as CloudBase's
// storage ACL tags.
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
// an expression string.
type Rule struct {
	Preset string
	Read   string // CUSTOM: "true", "false" or an expression
	Write  string
}

// DefaultRule is the rule of a bucket created without one.
var DefaultRule = Rule{Preset: PresetReadOnly}

// op is what a caller wants to do with a file.
type op int

const (
	opRead op = iota
	opWrite
)

// resource is the file a rule is asked about: its owner's openid ("" for
// files uploaded by admins) and its path in the bucket.
type resource struct {
	OpenID string
	Path   string
}

// allows reports whether the caller id may do o on res.
func (r Rule) allows(id *auth.Identity, o op, res resource) bool {
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
		expr := r.Read
		if o == opWrite {
			expr = r.Write
		}
		return expr == "true"
	}
	return false // ADMINONLY, and anything unknown
}

// public reports whether anyone may read every file, so /f/ URLs need no
// signature.
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
// and "write", each true, false or an expression over auth (uid, openid,
// loginType, or null) and resource (openid, path). Missing sides are false,
// as in CloudBase. Expressions other than true and false need the rule
// engine, which is not in minibase yet: they are refused.
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
	return r, nil
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
	if expr == "true" || expr == "false" {
		return expr, nil
	}
	return "", fmt.Errorf("expressions (%.60q) need the rule engine, which this server does not have yet; use true, false or a preset", expr)
}
