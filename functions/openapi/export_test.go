package openapi

// NewMemStore is the Client's own memory store, for the external tests.
func NewMemStore() TokenStore { return &memStore{} }
