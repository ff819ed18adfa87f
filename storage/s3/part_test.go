package s3

import (
	"strings"
	"testing"
)

func TestPartSize(t *testing.T) {
	for max, want := range map[int64]int64{
		0: 16 << 20, 1: 8 << 20, 100 << 20: 8 << 20, 70 << 30: 8 << 20,
		100 << 30: 12 << 20, // 100 GiB / 9000 parts = 11.4 MiB, rounded up
		5 << 40:   583 << 20,
		1 << 50:   5 << 30,
	} {
		if got := partSize(max); got != want {
			t.Errorf("partSize(%d) = %d, want %d", max, got, want)
		}
		if max > 0 && max <= 5<<40 && partSize(max)*maxParts < max {
			t.Errorf("partSize(%d) = %d: %d parts cannot hold it", max, partSize(max), maxParts)
		}
	}
}

func TestReadHead(t *testing.T) {
	buf := make([]byte, 0, 4)
	for _, tc := range []struct {
		in    string
		limit int64
		head  string
		eof   bool
	}{
		{"", 10, "", true}, {"abc", 10, "abc", true}, {"abcdefghij", 10, "abcdefghij", false},
		{"abcdefghijk", 10, "abcdefghij", false}, {strings.Repeat("x", 100), 1000, strings.Repeat("x", 100), true},
	} {
		r := strings.NewReader(tc.in)
		head, eof, err := readHead(r, &buf, tc.limit)
		if err != nil || string(head) != tc.head || eof != tc.eof || int64(cap(buf)) > max(tc.limit, 4) {
			t.Errorf("readHead(%q, %d) = %q, %v, %v (cap %d); want %q, %v", tc.in, tc.limit, head, eof, err, cap(buf), tc.head, tc.eof)
		}
		if rest, _ := r.ReadByte(); !eof && len(tc.in) > int(tc.limit) && rest != tc.in[tc.limit] {
			t.Errorf("readHead read past its limit")
		}
	}
}
