package storage

import (
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"time"
)

// Error is a storage failure a client can act on. Code and ErrCode follow
// CloudBase (-503001…-503004, and -501007 for invalid parameters); the
// code's HTTP status is in the table codes, and Answer is what the server
// writes. Errors that are not *Error are internal and reach the client only
// as a system error without details.
type Error struct {
	Code    string
	ErrCode int
	Message string
	// RetryAfter is set on CodeBusy: when to try again.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// Answer is what a client is told of e: the HTTP status of its code (500
// for a code without a row), CloudBase's code name and number, and the
// message. The server writes every area's errors through it.
func (e *Error) Answer() (status int, code string, errCode int, message string) {
	status = codes[e.Code].status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	return status, e.Code, e.ErrCode, e.Message
}

// RetryDelay is how long the client should wait before trying again (the
// answer's Retry-After), or 0.
func (e *Error) RetryDelay() time.Duration { return e.RetryAfter }

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

// codes gives each code its CloudBase errCode and the HTTP status it is
// answered with: a new code is a constant above and a row here.
var codes = map[string]struct{ errCode, status int }{
	CodeInvalidParam:        {-501007, http.StatusBadRequest},
	CodeRequestFailed:       {-503001, http.StatusInternalServerError},
	CodePermissionDenied:    {-503002, http.StatusForbidden},
	CodeFileNotExist:        {-503003, http.StatusNotFound},
	CodeSignInvalid:         {-503004, http.StatusForbidden},
	CodeFileTooLarge:        {-503001, http.StatusRequestEntityTooLarge},
	CodeTypeNotAllowed:      {-503001, http.StatusUnsupportedMediaType},
	CodeBucketNotExist:      {-503003, http.StatusNotFound},
	CodeBucketExists:        {-503001, http.StatusConflict},
	CodeBucketNotEmpty:      {-503001, http.StatusConflict},
	CodeConflict:            {-503001, http.StatusConflict},
	CodeRangeNotSatisfiable: {-501007, http.StatusRequestedRangeNotSatisfiable},
	CodeBusy:                {-501004, http.StatusServiceUnavailable},
	CodeDiskFull:            {-503001, http.StatusInsufficientStorage},
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, ErrCode: codes[code].errCode, Message: fmt.Sprintf(format, args...)}
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
