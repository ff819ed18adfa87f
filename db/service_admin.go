package db

import (
	"context"
)

// Collections lists the collections (admin only).
func (s *Service) Collections(ctx context.Context) ([]CollectionInfo, error) {
	if _, err := s.authorize(ctx, "", ActionAdmin); err != nil {
		return nil, err
	}
	return s.drv.Collections(ctx)
}

// CreateCollection creates a collection: body {name}.
func (s *Service) CreateCollection(ctx context.Context, body Doc) (string, error) {
	m, err := fields(body, "name")
	if err != nil {
		return "", err
	}
	name, _ := m["name"].(string)
	if name == "" {
		return "", Errorf(CodeInvalidParam, "name is required")
	}
	if _, err := s.authorize(ctx, name, ActionAdmin); err != nil {
		return "", err
	}
	return name, s.drv.CreateCollection(ctx, name)
}

// DropCollection deletes a collection with its documents and indexes.
func (s *Service) DropCollection(ctx context.Context, name string) error {
	if _, err := s.authorize(ctx, name, ActionAdmin); err != nil {
		return err
	}
	if err := s.drv.DropCollection(ctx, name); err != nil {
		return err
	}
	if w := s.watches.Load(); w != nil {
		w.dropped(name) // a drop records no change: its watches end here
	}
	return nil
}

// Indexes lists a collection's indexes.
func (s *Service) Indexes(ctx context.Context, coll string) ([]Index, error) {
	if _, err := s.authorize(ctx, coll, ActionAdmin); err != nil {
		return nil, err
	}
	return s.drv.Indexes(ctx, coll)
}

// CreateIndex creates an index: body {name?, keys, unique?}, keys either
// [{path, desc?, type?}, …] or {path: 1|-1|"2dsphere", …}. A 2dsphere
// index (type "2dsphere") has one key and is not unique. It returns the
// index's name.
func (s *Service) CreateIndex(ctx context.Context, coll string, body Doc) (string, error) {
	if _, err := s.authorize(ctx, coll, ActionAdmin); err != nil {
		return "", err
	}
	m, err := fields(body, "name", "keys", "unique")
	if err != nil {
		return "", err
	}
	var idx Index
	if m["name"] != nil {
		n, ok := m["name"].(string)
		if !ok {
			return "", Errorf(CodeInvalidParam, "name must be a string")
		}
		idx.Name = n
	}
	if idx.Keys, err = indexKeys(m["keys"]); err != nil {
		return "", err
	}
	if idx.Unique, err = boolField(m["unique"], "unique"); err != nil {
		return "", err
	}
	if err := checkGeoIndex(idx); err != nil {
		return "", err
	}
	if idx.Name == "" {
		idx.Name = IndexName(idx.Keys)
	}
	return idx.Name, s.drv.CreateIndex(ctx, coll, idx)
}

// checkGeoIndex enforces the shape of a 2dsphere index: one key, not
// unique.
func checkGeoIndex(idx Index) error {
	for _, k := range idx.Keys {
		if k.Type != Geo2DSphere {
			continue
		}
		if len(idx.Keys) > 1 {
			return Errorf(CodeInvalidParam, "a 2dsphere index has one key (%q): compound 2dsphere indexes are not supported", k.Path)
		}
		if idx.Unique {
			return Errorf(CodeInvalidParam, "a 2dsphere index cannot be unique")
		}
	}
	return nil
}

// IndexName is the name MongoDB gives an index: path_1, path_-1 or
// path_2dsphere per key.
func IndexName(keys []IndexKey) string {
	name := ""
	for i, k := range keys {
		if i > 0 {
			name += "_"
		}
		dir := "1"
		switch {
		case k.Type != "":
			dir = k.Type
		case k.Desc:
			dir = "-1"
		}
		name += k.Path + "_" + dir
	}
	return name
}

// indexType reads a key's type: "" (a B-tree key) or "2dsphere".
func indexType(path string, v any) (string, error) {
	switch v {
	case nil, "":
		return "", nil
	case Geo2DSphere:
		return Geo2DSphere, nil
	}
	return "", Errorf(CodeInvalidParam, "index type of %q must be \"2dsphere\" (other MongoDB index types, such as 2d, text and hashed, are not supported)", path)
}

func indexKeys(v any) ([]IndexKey, error) {
	bad := Errorf(CodeInvalidParam, `keys must be [{"path": "a.b", "desc": false, "type": "2dsphere"?}, …] or {"a.b": 1 | -1 | "2dsphere", …}`)
	var keys []IndexKey
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			d, ok := e.(Doc)
			if !ok {
				return nil, bad
			}
			m, err := fields(d, "path", "desc", "type")
			if err != nil {
				return nil, err
			}
			p, ok := m["path"].(string)
			if !ok || p == "" {
				return nil, bad
			}
			desc, err := boolField(m["desc"], "desc")
			if err != nil {
				return nil, err
			}
			typ, err := indexType(p, m["type"])
			if err != nil {
				return nil, err
			}
			if typ != "" && desc {
				return nil, Errorf(CodeInvalidParam, "a %s key of %q has no direction", typ, p)
			}
			keys = append(keys, IndexKey{Path: p, Desc: desc, Type: typ})
		}
	case Doc:
		for _, f := range x {
			if s, ok := f.Value.(string); ok {
				typ, err := indexType(f.Key, s)
				if err != nil || typ == "" {
					return nil, Errorf(CodeInvalidParam, "index direction of %q must be 1, -1 or \"2dsphere\"", f.Key)
				}
				keys = append(keys, IndexKey{Path: f.Key, Type: typ})
				continue
			}
			n, ok := f.Value.(int64)
			if !ok || (n != 1 && n != -1) {
				return nil, Errorf(CodeInvalidParam, "index direction of %q must be 1, -1 or \"2dsphere\"", f.Key)
			}
			keys = append(keys, IndexKey{Path: f.Key, Desc: n == -1})
		}
	default:
		return nil, bad
	}
	if len(keys) == 0 {
		return nil, bad
	}
	return keys, nil
}

// DropIndex drops an index by name.
func (s *Service) DropIndex(ctx context.Context, coll, name string) error {
	if _, err := s.authorize(ctx, coll, ActionAdmin); err != nil {
		return err
	}
	if name == "" {
		return Errorf(CodeInvalidParam, "index name is required")
	}
	return s.drv.DropIndex(ctx, coll, name)
}
