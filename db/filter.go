package db

import "errors"

// ParseFilter parses a MongoDB query document (nil or a Doc, as DecodeJSON
// returns it) into a Filter. Unknown operators and wrong operand types are
// errors of code DATABASE_INVALID_OPERRATOR; bad shapes INVALID_PARAM.
func ParseFilter(v any) (*Filter, error) { return nil, errors.New("TODO(filter helper)") }

// Match reports whether doc matches the filter (MongoDB semantics).
func (f *Filter) Match(doc Doc) bool { return false }

// ArrayIndex returns the index of the first element of the array at
// arrayPath that the filter's conditions on that array matched in doc, for
// the positional "$" update operator.
func (f *Filter) ArrayIndex(doc Doc, arrayPath string) (int, bool) { return 0, false }
