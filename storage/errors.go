package storage

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// Error is a storage failure a client can act on. Code and ErrCode follow
// CloudBase (reference/wxcloud-api.md §2.4: -503001…-503004, and -501007 for
// invalid parameters); main's HTTP layer maps Code to a status in one place.
// Errors that are not *Error are internal and reach the client only as a
// system error without details.
type Error struct {
	Code    string
	ErrCode int
	Message string
	// RetryAfter is set on CodeBusy: when to try again.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// Error codes. The first four are CloudBase's; the others are minibase's
// own names for cases CloudBase has no code for, with the errCode of the
// nearest CloudBase code.
const (
	CodeInvalidParam     = "INVALID_PARAM"              // 400, -501007: bad fileID, cloudPath, body
	CodeRequestFailed    = "STORAGE_REQUEST_FAIL"       // 500, -503001
	CodePermissionDenied = "STORAGE_EXCEED_AUTHORITY"   // 403, -503002: the bucket's rule says no
	CodeFileNotExist     = "STORAGE_FILE_NONEXIST"      // 404, -503003
	CodeSignInvalid      = "STORAGE_SIGN_PARAM_INVALID" // 403, -503004: altered or expired signed URL
	CodeFileTooLarge     = "STORAGE_FILE_TOO_LARGE"     // 413, -503001: over the bucket's max size
	CodeTypeNotAllowed   = "STORAGE_TYPE_NOT_ALLOWED"   // 415, -503001: not in the bucket's allowed types
	CodeBucketNotExist   = "STORAGE_BUCKET_NONEXIST"    // 404, -503003
	CodeBucketExists     = "STORAGE_BUCKET_EXISTS"      // 409, -503001
	CodeBucketNotEmpty   = "STORAGE_BUCKET_NOT_EMPTY"   // 409, -503001: delete it with force
	CodeConflict         = "STORAGE_PATH_CONFLICT"      // 409, -503001: a file where a folder must be (local disk)
	// CodeRangeNotSatisfiable: a Range that starts past the end (416).
	CodeRangeNotSatisfiable = "STORAGE_RANGE_NOT_SATISFIABLE"
	// CodeBusy: image variants are being made as fast as the server
	// allows and the queue is full (503, -501004, with RetryAfter).
	CodeBusy = "EXCEED_CONCURRENT_REQUEST_LIMIT"
	// CodeDiskFull: the server's disk is full; nothing was stored (507).
	// Deletes still work.
	CodeDiskFull = "STORAGE_DISK_FULL"
)

var errCodes = map[string]int{
	CodeInvalidParam:        -501007,
	CodeRequestFailed:       -503001,
	CodePermissionDenied:    -503002,
	CodeFileNotExist:        -503003,
	CodeSignInvalid:         -503004,
	CodeFileTooLarge:        -503001,
	CodeTypeNotAllowed:      -503001,
	CodeBucketNotExist:      -503003,
	CodeBucketExists:        -503001,
	CodeBucketNotEmpty:      -503001,
	CodeConflict:            -503001,
	CodeRangeNotSatisfiable: -501007,
	CodeBusy:                -501004,
	CodeDiskFull:            -503001,
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, ErrCode: errCodes[code], Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err when it is (or wraps) an *Error, else "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// clientError turns a backend error into the *Error a client sees, naming
// what; errors a client cannot act on are returned wrapped, as internal.
func clientError(err error, what string) error {
	var e *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return e
	case errors.Is(err, ErrNotExist):
		return Errorf(CodeFileNotExist, "%s does not exist", what)
	case errors.Is(err, ErrTooLarge):
		return Errorf(CodeFileTooLarge, "%s: %v", what, err)
	case errors.Is(err, ErrConflict):
		return Errorf(CodeConflict, "%s: a file and a folder would have the same name", what)
	case errors.Is(err, ErrBadKey):
		return Errorf(CodeInvalidParam, "%s: invalid path", what)
	case DiskFull(err):
		return diskFull(what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func diskFull(what string) error {
	return Errorf(CodeDiskFull, "%s: the server's disk is full; nothing was stored (deletes still work)", what)
}

// DiskFull reports whether err is the file system refusing to store more:
// no space left (ENOSPC), a quota reached (EDQUOT), or a file grown past
// the size the process or the file system allows (EFBIG).
func DiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EFBIG)
}
