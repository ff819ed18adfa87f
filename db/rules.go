package db

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"minibase/auth/rules"
)

// The four presets of CloudBase's simple permissions (简易权限; their
// acl_tag names in its HTTP API: https://docs.cloudbase.net/database/data-permission).
// Clients only: admins bypass rules.
const (
	PresetReadOnly   = "READONLY"   // everyone reads; the creator writes
	PresetPrivate    = "PRIVATE"    // the creator reads and writes (the default)
	PresetAdminWrite = "ADMINWRITE" // everyone reads; only admins write
	PresetAdminOnly  = "ADMINONLY"  // only admins read and write
)

// RuleVars are the variables a database rule may use.
var RuleVars = []string{"auth", "doc", "request", "now"}

// Rule operations: read, and the three writes. A custom rule set's "write"
// stands for each write it does not name.
const (
	opRead = iota
	opCreate
	opUpdate
	opDelete
)

var opNames = [...]string{"read", "create", "update", "delete"}

// RuleSet is a collection's security rules: a preset, or custom expressions
// {"read", "write", "create", "update", "delete"} (an absent one is false;
// create, update and delete fall back to write). It is immutable.
type RuleSet struct {
	Preset string // one of the Preset constants, or "" for custom rules
	exprs  [4]*rules.Expr
	keys   [4]string // the key each operation's expression came from
	raw    []byte    // the JSON the set was parsed from
}

// defaultRules is PRIVATE, the rules of a collection nobody set rules for.
var defaultRules = &RuleSet{Preset: PresetPrivate, raw: []byte(`{"preset":"PRIVATE"}`)}

// ParseRules parses a rule set: {"preset": "READONLY"} (one of the four
// presets) or {"read": …, "write": …, "create"?: …, "update"?: …,
// "delete"?: …} whose values are true, false or an expression string
// (package auth/rules). Errors are INVALID_PARAM and name the rule and the
// character position of the problem.
func ParseRules(v any) (*RuleSet, error) {
	d, ok := v.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, `rules must be an object: {"preset": "PRIVATE"} or {"read": …, "write": …}`)
	}
	if p, ok := d.Get("preset"); ok {
		name, _ := p.(string)
		if len(d) != 1 || !isPreset(name) {
			return nil, Errorf(CodeInvalidParam, `a preset is given alone: {"preset": "READONLY" | "PRIVATE" | "ADMINWRITE" | "ADMINONLY"}`)
		}
		return &RuleSet{Preset: name, raw: MarshalJSON(Doc{{"preset", name}})}, nil
	}
	src := map[string]string{}
	for _, f := range d {
		switch f.Key {
		case "read", "write", "create", "update", "delete":
		default:
			return nil, Errorf(CodeInvalidParam, "unknown rule %q: use read, write, create, update and delete (or preset)", f.Key)
		}
		switch x := f.Value.(type) {
		case bool:
			src[f.Key] = fmt.Sprint(x)
		case string:
			src[f.Key] = x
		default:
			return nil, Errorf(CodeInvalidParam, "rule %q must be true, false or an expression string", f.Key)
		}
	}
	rs := &RuleSet{raw: MarshalJSON(d)}
	for op, name := range opNames {
		key := name
		if _, ok := src[key]; !ok && op != opRead {
			key = "write"
		}
		s, ok := src[key]
		if !ok {
			s = "false"
		}
		e, err := rules.Parse(s, RuleVars...)
		if err != nil {
			return nil, Errorf(CodeInvalidParam, "rule %q: %v", key, err)
		}
		rs.exprs[op], rs.keys[op] = e, key
	}
	return rs, nil
}

func isPreset(s string) bool {
	return s == PresetReadOnly || s == PresetPrivate || s == PresetAdminWrite || s == PresetAdminOnly
}

// JSON returns the rule set as it was given (what GET …/rules answers).
func (rs *RuleSet) JSON() []byte { return rs.raw }

// describe names the rule that decides op: "preset PRIVATE" or
// `read: doc._openid == auth.openid`.
func (rs *RuleSet) describe(op int) string {
	if rs.Preset != "" {
		return "preset " + rs.Preset
	}
	return rs.keys[op] + ": " + rs.exprs[op].String()
}

// ruleCache keeps parsed rule sets by collection, checked against the
// driver's stored JSON on every use, so a change (from any Service over the
// same driver) takes effect on the next request.
type ruleCache struct {
	mu   sync.RWMutex
	sets map[string]*RuleSet
}

// rulesOf returns coll's rules; CodeCollectionNotExist when it does not exist.
func (s *Service) rulesOf(ctx context.Context, coll string) (*RuleSet, error) {
	raw, err := s.drv.Rules(ctx, coll)
	if err != nil || raw == nil {
		return defaultRules, err
	}
	s.rules.mu.RLock()
	rs := s.rules.sets[coll]
	s.rules.mu.RUnlock()
	if rs != nil && bytes.Equal(rs.raw, raw) {
		return rs, nil
	}
	v, err := DecodeJSON(raw, MaxDepth)
	if err == nil {
		rs, err = ParseRules(v)
	}
	if err != nil { // not an *Error: a client must not see it
		return nil, fmt.Errorf("stored rules of %s do not parse: %v", coll, err)
	}
	s.rules.mu.Lock()
	if s.rules.sets == nil {
		s.rules.sets = map[string]*RuleSet{}
	}
	s.rules.sets[coll] = rs
	s.rules.mu.Unlock()
	return rs, nil
}

// ValidateRules checks a rule set without saving it (admin only): body is
// {"rules": …}, the rules as SetRules takes them. It answers nil when
// SetRules would accept them, else the very error SetRules would give (the
// rule and the character position of the problem), so that an editor can
// show it while the admin types.
func (s *Service) ValidateRules(ctx context.Context, body Doc) error {
	if _, err := s.authorize(ctx, "", ActionAdmin); err != nil {
		return err
	}
	m, err := fields(body, "rules")
	if err != nil {
		return err
	}
	_, err = ParseRules(m["rules"])
	return err
}

// GetRules returns a collection's rules (admin only).
func (s *Service) GetRules(ctx context.Context, coll string) (*RuleSet, error) {
	if _, err := s.authorize(ctx, coll, ActionAdmin); err != nil {
		return nil, err
	}
	return s.rulesOf(ctx, coll)
}

// SetRules replaces a collection's rules (admin only) with body, a rule set
// as ParseRules takes it. Nothing changes when it does not parse.
func (s *Service) SetRules(ctx context.Context, coll string, body Doc) (*RuleSet, error) {
	if _, err := s.authorize(ctx, coll, ActionAdmin); err != nil {
		return nil, err
	}
	rs, err := ParseRules(body)
	if err != nil {
		return nil, err
	}
	return rs, s.drv.SetRules(ctx, coll, rs.raw)
}
