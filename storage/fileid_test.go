package storage

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseFileID(t *testing.T) {
	tests := []struct {
		in      string
		want    FileID
		wantErr bool
	}{
		{in: "cloud://minibase.default/a.png", want: FileID{"minibase", "default", "a.png"}},
		{in: "cloud://prod-1.avatars/u/1/猫.jpg", want: FileID{"prod-1", "avatars", "u/1/猫.jpg"}},
		{in: "cloud://e.b1/x/y/z", want: FileID{"e", "b1", "x/y/z"}},
		{in: "cloud://minibase.default/a/b.c.d", want: FileID{"minibase", "default", "a/b.c.d"}},
		{in: "https://minibase.default/a.png", wantErr: true},
		{in: "cloud://minibase.default", wantErr: true},
		{in: "cloud://minibase.default/", wantErr: true},
		{in: "cloud://minibasedefault/a", wantErr: true},
		{in: "cloud://Minibase.default/a", wantErr: true},
		{in: "cloud://minibase.Default/a", wantErr: true},
		{in: "cloud://minibase.d/a", wantErr: true}, // bucket names have 2+ characters
		{in: "cloud://minibase.default-/a", wantErr: true},
		{in: "cloud://minibase.default//a", wantErr: true},
		{in: "cloud://minibase.default/../etc/passwd", wantErr: true},
		{in: "cloud://minibase.default/a/%2e%2e/b", wantErr: true},
		{in: "cloud://minibase.default/a\\b", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseFileID(tt.in)
		if tt.wantErr {
			if err == nil || ErrorCode(err) != CodeInvalidParam {
				t.Errorf("ParseFileID(%q) = %+v, %v; want INVALID_PARAM", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseFileID(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func TestValidPath(t *testing.T) {
	ok := []string{
		"a.png", "a/b/c.txt", "图片/猫 咪.png", "a-!_.*'()/x", "100%.txt", "a%20b.txt", "..a/b..", ".hidden",
		strings.Repeat("x", 255), strings.Repeat("ab/", 283) + "c", // 851 bytes would be one too many
	}
	bad := []string{
		"", "/abs.png", "a//b", "a/", "..", "../x", "a/../b", "a/..", "./a", "a/./b",
		"a\\b", "..\\x", "a\x00b", "a\x1bb", "a\x18b", "a\x7fb", "a\nb",
		"%2e%2e/x", "%2E%2E/x", "a/%2e%2e/b", "a/%2e/b", "a%2f%2fb", "%2fabs", "a%5cb", "a%00b",
		strings.Repeat("x", 256), strings.Repeat("x", 851), "\xff\xfe.png",
	}
	for _, p := range ok {
		if err := ValidPath(p); err != nil {
			t.Errorf("ValidPath(%.50q) = %v, want ok", p, err)
		}
	}
	for _, p := range bad {
		if err := ValidPath(p); err == nil || ErrorCode(err) != CodeInvalidParam {
			t.Errorf("ValidPath(%.50q) = %v, want INVALID_PARAM", p, err)
		}
	}
}

func TestValidNames(t *testing.T) {
	for name, want := range map[string]bool{
		"default": true, "ab": true, "a1-b2": true, strings.Repeat("b", 63): true,
		"a": false, "-ab": false, "ab-": false, "aB": false, "a.b": false, "a_b": false, strings.Repeat("b", 64): false, "": false,
	} {
		if got := ValidBucketName(name); got != want {
			t.Errorf("ValidBucketName(%q) = %v, want %v", name, got, want)
		}
	}
	for env, want := range map[string]bool{"minibase": true, "e": true, "cloud1-2gdy1j135e1bd916": true, "": false, "-e": false, "a.b": false, "A": false} {
		if got := ValidEnv(env); got != want {
			t.Errorf("ValidEnv(%q) = %v, want %v", env, got, want)
		}
	}
}

func TestImageQuery(t *testing.T) {
	for q, want := range map[string]bool{
		"imageView2/1/w/200/h/200": true, "imageMogr2/thumbnail/!50p": true, "w=200": true, "h=10&fit=cover": true,
		"q=80": true, "format=webp": true, "sign=abc&t=123&w=100": true,
		"imageView2%2F1%2Fw%2F100": true, "%77=100": true, // encoded keys, as image.ParseQuery decodes them
		"": false, "sign=abc&t=123": false, "v=abc": false, "width=100": false, "x=imageView2/1": false,
	} {
		if got := ImageQuery(q); got != want {
			t.Errorf("ImageQuery(%q) = %v, want %v", q, got, want)
		}
	}
}

// FuzzParseFileID: no input panics the parser, and whatever it accepts is
// safe to use as a backend key (no escape in any spelling), has a canonical
// form, and stays safe once percent-decoded as a /f/ URL path would be.
func FuzzParseFileID(f *testing.F) {
	for _, s := range []string{"cloud://minibase.default/a.png", "cloud://e.bb/a/%2e%2e/b", "cloud://e.bb/..%2f..%2fx",
		"cloud://e.bb/a\\..\\b", "cloud://e.bb//x", "cloud://e.bb/%252e%252e/x", "cloud://e.bb/图片/a b.png"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fid, err := ParseFileID(s)
		if err != nil {
			if ErrorCode(err) != CodeInvalidParam {
				t.Fatalf("ParseFileID(%q): error without INVALID_PARAM: %v", s, err)
			}
			return
		}
		if fid.String() != s {
			t.Fatalf("ParseFileID(%q).String() = %q", s, fid.String())
		}
		key := fid.key()
		if !ValidKey(key) {
			t.Fatalf("accepted %q but its key %q is not a safe key", s, key)
		}
		for seg := range strings.SplitSeq(key, "/") {
			if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "\\\x00") {
				t.Fatalf("accepted %q with segment %q", s, seg)
			}
		}
		if d, err := url.PathUnescape(fid.Path); err == nil && checkPath(d) != "" {
			t.Fatalf("accepted %q whose decoded path %q is unsafe: %s", s, d, checkPath(d))
		}
	})
}
