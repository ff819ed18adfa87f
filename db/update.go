package db

import (
	"errors"
	"time"
)

// Update is a parsed, validated MongoDB update document ($set, $inc, …).
type Update struct{}

// ParseUpdate parses an update document made of update operators.
func ParseUpdate(v any) (*Update, error) { return nil, errors.New("TODO(update helper)") }

// Apply applies the update to doc (modified in place and returned) and
// reports whether anything changed. f resolves the positional "$".
func (u *Update) Apply(doc Doc, f *Filter, now time.Time) (Doc, bool, error) {
	return nil, false, errors.New("TODO(update helper)")
}

// UpsertDoc builds the document an upsert inserts: the filter's equality
// conditions, then the update applied, with _id id unless the filter pins one.
func UpsertDoc(f *Filter, u *Update, id string, now time.Time) (Doc, error) {
	return nil, errors.New("TODO(update helper)")
}
