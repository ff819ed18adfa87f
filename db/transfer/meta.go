package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"minibase/db"
)

// Meta is what a file carries besides documents: the collection's indexes
// and security rules. In JSON Lines it is the first line,
// {"$minibase": Meta} (no document can have a "$" field, so no document
// line looks like it); CSV files have it in a sidecar file of that one
// line. Import applies it before the documents.
type Meta struct {
	Version    int             `json:"version"` // MetaVersion
	Collection string          `json:"collection"`
	Indexes    []db.Index      `json:"indexes"`
	Rules      json.RawMessage `json:"rules,omitempty"` // as GET …/rules answers; absent: the default (PRIVATE)
}

// MetaVersion is the version of Meta this package writes and reads.
const MetaVersion = 1

// maxIndexes bounds the indexes a Meta may create.
const maxIndexes = 64

var metaKey = []byte(`{"$minibase"`)

// IsMeta reports whether line is a Meta line ({"$minibase": …}).
func IsMeta(line []byte) bool { return bytes.HasPrefix(bytes.TrimLeft(line, " \t"), metaKey) }

// ReadMeta reads coll's indexes and rules from drv.
func ReadMeta(ctx context.Context, drv db.Driver, coll string) (*Meta, error) {
	idx, err := drv.Indexes(ctx, coll)
	if err != nil {
		return nil, err
	}
	rules, err := drv.Rules(ctx, coll)
	if err != nil {
		return nil, err
	}
	if idx == nil {
		idx = []db.Index{}
	}
	return &Meta{Version: MetaVersion, Collection: coll, Indexes: idx, Rules: rules}, nil
}

// AppendLine appends m as its line, {"$minibase": m}, with a newline.
func (m *Meta) AppendLine(dst []byte) []byte {
	b, _ := json.Marshal(struct {
		M *Meta `json:"$minibase"`
	}{m})
	return append(append(dst, b...), '\n')
}

// ParseMeta reads a Meta line and checks it: the version, the indexes'
// shape, the rules as SetRules takes them. Its errors are INVALID_PARAM.
func ParseMeta(line []byte) (*Meta, error) {
	var wrap struct {
		M *Meta `json:"$minibase"`
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wrap); err != nil || wrap.M == nil {
		return nil, db.Errorf(db.CodeInvalidParam, "invalid $minibase header: want {\"$minibase\": {\"version\": 1, \"collection\", \"indexes\", \"rules\"}}: %v", err)
	}
	m := wrap.M
	if m.Version != MetaVersion {
		return nil, db.Errorf(db.CodeInvalidParam, "$minibase header version %d: this minibase reads version %d", m.Version, MetaVersion)
	}
	if len(m.Indexes) > maxIndexes {
		return nil, db.Errorf(db.CodeInvalidParam, "$minibase header has %d indexes, more than %d", len(m.Indexes), maxIndexes)
	}
	for _, idx := range m.Indexes {
		if err := checkIndex(idx); err != nil {
			return nil, err
		}
	}
	if len(m.Rules) > 0 && !bytes.Equal(m.Rules, []byte("null")) {
		v, err := db.DecodeJSON(m.Rules, db.MaxDepth)
		if err != nil {
			return nil, db.Errorf(db.CodeInvalidParam, "$minibase header rules: %v", err)
		}
		rs, err := db.ParseRules(v)
		if err != nil {
			return nil, db.Errorf(db.CodeInvalidParam, "$minibase header rules: %v", err)
		}
		m.Rules = rs.JSON()
	} else {
		m.Rules = nil
	}
	return m, nil
}

func checkIndex(idx db.Index) error {
	if idx.Name == "" || len(idx.Name) > 128 || len(idx.Keys) == 0 || len(idx.Keys) > 32 {
		return db.Errorf(db.CodeInvalidParam, "$minibase header: index %q must have a name (at most 128 bytes) and 1 to 32 keys", idx.Name)
	}
	for _, k := range idx.Keys {
		if k.Path == "" || (k.Type != "" && k.Type != db.Geo2DSphere) || (k.Type != "" && (k.Desc || len(idx.Keys) > 1 || idx.Unique)) {
			return db.Errorf(db.CodeInvalidParam, "$minibase header: index %q has a bad key %q (a path; type \"2dsphere\" only alone, not unique, without desc)", idx.Name, k.Path)
		}
	}
	return nil
}

// Apply creates m's indexes on coll (those it has with the same name and
// keys are kept; one with the same name and other keys is an error) and
// sets its rules when m has them. coll must exist.
func (m *Meta) Apply(ctx context.Context, drv db.Driver, coll string) error {
	have, err := drv.Indexes(ctx, coll)
	if err != nil {
		return err
	}
	for _, idx := range m.Indexes {
		i := slices.IndexFunc(have, func(h db.Index) bool { return h.Name == idx.Name })
		if i >= 0 {
			if !slices.Equal(have[i].Keys, idx.Keys) || have[i].Unique != idx.Unique {
				return db.Errorf(db.CodeInvalidParam, "index %q of collection %q has other keys than the file's: drop it or rename it first", idx.Name, coll)
			}
			continue
		}
		if err := drv.CreateIndex(ctx, coll, idx); err != nil {
			return fmt.Errorf("create index %q: %w", idx.Name, err)
		}
	}
	if m.Rules != nil {
		if err := drv.SetRules(ctx, coll, m.Rules); err != nil {
			return fmt.Errorf("set rules: %w", err)
		}
	}
	return nil
}
