package functions

import "testing"

// FuzzDecodeRecord: whatever a registry document holds, decoding it
// never panics, and what it accepts is a record a follower can act on.
func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte(`{"_id":"f","rev":3,"versions":[{"number":1,"version":"0123456789abcdef","origin":"deploy"}]}`))
	f.Add([]byte(`{"_id":"f","rev":4,"deleted":true,"versions":[]}`))
	f.Add([]byte(`{"_id":"../x","rev":1,"versions":[{"number":1,"version":"0123456789abcdef"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodeRecord(b)
		if err != nil {
			return
		}
		if !ValidName(rec.Name) || (rec.head() == nil) != rec.Deleted {
			t.Fatalf("accepted %q as %+v", b, rec)
		}
		for _, v := range rec.Versions {
			if !validHash(v.Version) {
				t.Fatalf("accepted a version %q", v.Version)
			}
		}
	})
}
