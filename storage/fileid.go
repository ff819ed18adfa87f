package storage

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits on names: CloudBase's for a cloudPath (at most 850 bytes), and a
// file system's for one part of it.
const (
	MaxPathBytes    = 850 // a cloudPath, UTF-8 encoded
	MaxSegmentBytes = 255 // one "/"-separated part of it (a file name on disk)
	maxKeyBytes     = 1024
)

// FileID names a file as CloudBase does: cloud://<env>.<bucket>/<cloudPath>.
type FileID struct {
	Env    string
	Bucket string
	Path   string // the cloudPath: no leading "/"
}

// String returns the fileID in its cloud:// form.
func (f FileID) String() string {
	return "cloud://" + f.Env + "." + f.Bucket + "/" + f.Path
}

// key is where the file lives in the backend.
func (f FileID) key() string { return f.Bucket + "/" + f.Path }

// ParseFileID parses and checks a cloud:// fileID: a valid env id, bucket
// name and cloudPath (ValidPath). It does not check that the env is this
// server's or that the bucket exists.
func ParseFileID(s string) (FileID, error) {
	rest, ok := strings.CutPrefix(s, "cloud://")
	if !ok {
		return FileID{}, Errorf(CodeInvalidParam, "invalid fileID %.100q: must start with cloud://", s)
	}
	host, path, ok := strings.Cut(rest, "/")
	if !ok {
		return FileID{}, Errorf(CodeInvalidParam, "invalid fileID %.100q: no path after the bucket", s)
	}
	env, bucket, ok := strings.Cut(host, ".")
	if !ok || !ValidEnv(env) || !ValidBucketName(bucket) {
		return FileID{}, Errorf(CodeInvalidParam, "invalid fileID %.100q: want cloud://<env>.<bucket>/<path>", s)
	}
	if err := ValidPath(path); err != nil {
		return FileID{}, err
	}
	return FileID{Env: env, Bucket: bucket, Path: path}, nil
}

// ValidEnv reports whether s can be an env id: 1-64 lowercase letters,
// digits and '-', starting with a letter or digit.
func ValidEnv(s string) bool { return validName(s, 1, 64) }

// ValidBucketName reports whether s can name a bucket: 2-63 lowercase
// letters, digits and '-', starting and ending with a letter or digit.
func ValidBucketName(s string) bool {
	return validName(s, 2, 63) && s[len(s)-1] != '-'
}

func validName(s string, min, max int) bool {
	if len(s) < min || len(s) > max || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ValidPath checks a cloudPath as CloudBase's naming rules do, and more:
// not empty, at most MaxPathBytes of valid UTF-8, no leading "/", no empty
// ("//"), "." or ".." segment, no segment over MaxSegmentBytes, no
// backslash and no control character. A path with percent escapes must
// pass in its decoded form too, so that "%2e%2e/x" is refused like "../x".
// The error is an INVALID_PARAM *Error.
func ValidPath(p string) error {
	if p == "" {
		return Errorf(CodeInvalidParam, "invalid cloudPath: it is empty")
	}
	if len(p) > MaxPathBytes {
		return Errorf(CodeInvalidParam, "invalid cloudPath: %d bytes, at most %d", len(p), MaxPathBytes)
	}
	if why := checkPath(p); why != "" {
		return Errorf(CodeInvalidParam, "invalid cloudPath %.100q: %s", p, why)
	}
	if strings.IndexByte(p, '%') >= 0 {
		if d, err := url.PathUnescape(p); err == nil && d != p {
			if why := checkPath(d); why != "" {
				return Errorf(CodeInvalidParam, "invalid cloudPath %.100q: decoded, %s", p, why)
			}
		}
	}
	return nil
}

// ValidKey reports whether key is safe for a backend to use as a relative
// path: at most 1024 bytes and the rules of ValidPath, without decoding.
// Backends call it on every key they are given.
func ValidKey(key string) bool {
	return key != "" && len(key) <= maxKeyBytes && checkPath(key) == ""
}

// checkPath returns why p is not a safe slash-separated relative path, or "".
func checkPath(p string) string {
	if !utf8.ValidString(p) {
		return "not valid UTF-8"
	}
	if p[0] == '/' {
		return "must not start with /"
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c < 0x20 || c == 0x7f:
			return "control characters are not allowed"
		case c == '\\':
			return "backslashes are not allowed"
		}
	}
	for seg := range strings.SplitSeq(p, "/") {
		switch {
		case seg == "":
			return "empty segment (// or a trailing /)"
		case seg == "." || seg == "..":
			return "\".\" and \"..\" segments are not allowed"
		case len(seg) > MaxSegmentBytes:
			return "a segment is longer than 255 bytes"
		}
	}
	return ""
}
