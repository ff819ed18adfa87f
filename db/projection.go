package db

import "errors"

// Projection is a parsed inclusion or exclusion projection.
type Projection struct{}

// ParseProjection parses {path: 1|0|true|false, …}.
func ParseProjection(v any) (*Projection, error) { return nil, errors.New("TODO(update helper)") }

// Apply returns the projected copy of d.
func (p *Projection) Apply(d Doc) Doc { return d }
