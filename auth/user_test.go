package auth

import "testing"

func TestParseIdentifier(t *testing.T) {
	for _, tc := range []struct {
		username, email, phone string
		allowUsername          bool
		want                   Identifier
		ok                     bool
	}{
		{"Alice.b-c_1", "", "", true, Identifier{KeyUsername, "Alice.b-c_1"}, true},
		{"", " Bob@Example.COM ", "", true, Identifier{KeyEmail, "bob@example.com"}, true},
		{"", "", "+86 (138) 0013-8000", false, Identifier{KeyPhone, "+8613800138000"}, true},
		{"", "", "13800138000", false, Identifier{KeyPhone, "13800138000"}, true},
		{"alice", "", "", false, Identifier{}, false}, // codes need an address
		{"", "", "", true, Identifier{}, false},
		{"alice", "a@b.co", "", true, Identifier{}, false},
		{"al", "", "", true, Identifier{}, false},
		{"_alice", "", "", true, Identifier{}, false},
		{"alice!", "", "", true, Identifier{}, false},
		{"a234567890123456789012345678901234", "", "", true, Identifier{}, false},
		{"", "a@b", "", true, Identifier{}, false},
		{"", "Alice <a@b.co>", "", true, Identifier{}, false},
		{"", "a@@b.co", "", true, Identifier{}, false},
		{"", "", "+1234567890123456", true, Identifier{}, false},
		{"", "", "++8613800138000", true, Identifier{}, false},
	} {
		got, err := ParseIdentifier(tc.username, tc.email, tc.phone, tc.allowUsername)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseIdentifier(%q, %q, %q) = %v, %v; want %v ok=%v", tc.username, tc.email, tc.phone, got, err, tc.want, tc.ok)
		}
	}
}
