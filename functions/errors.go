package functions

import (
	"errors"
	"fmt"
)

// Error is a failed invocation or request a caller can act on. Code and
// ErrCode are CloudBase's where it has them (reference/wxcloud-api.md §2.4);
// main maps Code to an HTTP status in one place. RequestID names the
// invocation (for its logs) when there was one.
type Error struct {
	Code      string
	ErrCode   int
	Message   string
	RequestID string
}

func (e *Error) Error() string { return e.Message }

// Error codes.
const (
	CodeInvalidParam     = "INVALID_PARAM"                   // -501007: bad name, body or deployment
	CodeNotFound         = "FUNCTION_NOT_FOUND"              // -504001: no function of that name
	CodeExecuteFail      = "FUNCTIONS_EXECUTE_FAIL"          // -504002: the function threw, timed out or ran out of memory
	CodeResultTooLarge   = "FUNCTIONS_RESULT_SIZE_EXCEED"    // -604001: the result is over the limit (1 MiB)
	CodeEventTooLarge    = "EXCEED_MAX_PAYLOAD_SIZE"         // -501007: the event is over the limit
	CodeBusy             = "EXCEED_CONCURRENT_REQUEST_LIMIT" // -501004: the function's queue is full
	CodePermissionDenied = "PERMISSION_DENIED"               // -501007: a visitor, or another caller's invocation
	CodeNoInvocation     = "INVOCATION_NOT_FOUND"            // -1: no asynchronous invocation with that requestID
	CodeUnavailable      = "FUNCTIONS_REQUEST_FAIL"          // -504001: the runtime is closed or cannot load the code
	CodeMethodNotAllowed = "HTTP_METHOD_NOT_ALLOWED"         // -1: an HTTP access route that does not take this method
	CodeDiskFull         = "FUNCTIONS_DISK_FULL"             // -504001: the server's disk is full; nothing was deployed
	CodeLogStoreOff      = "FUNCTIONS_LOG_STORE_OFF"         // -504001: the log store could not be opened at start
)

var errCodes = map[string]int{
	CodeInvalidParam:     -501007,
	CodeNotFound:         -504001,
	CodeExecuteFail:      -504002,
	CodeResultTooLarge:   -604001,
	CodeEventTooLarge:    -501007,
	CodeBusy:             -501004,
	CodePermissionDenied: -501007,
	CodeNoInvocation:     -1,
	CodeUnavailable:      -504001,
	CodeMethodNotAllowed: -1,
	CodeDiskFull:         -504001,
	CodeLogStoreOff:      -504001,
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

// ErrNotFound is what a Source returns (or wraps) for a function that does
// not exist.
var ErrNotFound = errors.New("function not found")
