package servertest_test

import (
	"testing"

	"minibase/server/servertest"
)

// TestTemplateKeepsSettings: a server starts from a copy of an initialised
// data directory, yet what its first Open makes from the settings is made
// from its own: the default bucket takes MINIBASE_STORAGE_MAX_SIZE.
func TestTemplateKeepsSettings(t *testing.T) {
	servertest.New(t, servertest.Options{}) // the template exists
	s := servertest.New(t, servertest.Options{Env: map[string]string{"MINIBASE_STORAGE_MAX_SIZE": "1KiB"}})
	s.Do(t, servertest.Request{URL: "/v1/admin/storage/buckets/default", As: servertest.Admin}).
		Expect(t, 200, `{"bucket":{"maxSize":1024}}`)
	s.Upload(t, servertest.Admin, "", "big.bin", string(make([]byte, 1025)), "").
		Expect(t, 413, `{"code":"STORAGE_FILE_TOO_LARGE"}`)
}
