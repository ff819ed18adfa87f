package functions

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a failed invocation or request a caller can act on. Code and
// ErrCode are CloudBase's where it has them; the code's HTTP status is in
// the table codes, and Answer is what the server writes. RequestID names
// the invocation (for its logs) when there was one.
type Error struct {
	Code      string
	ErrCode   int
	Message   string
	RequestID string
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

// InvocationID names the invocation that failed, "" when none ran: the
// requestId of its logs, which the error's answer carries.
func (e *Error) InvocationID() string { return e.RequestID }

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

// codes gives each code its CloudBase errCode and the HTTP status it is
// answered with: a new code is a constant above and a row here.
var codes = map[string]struct{ errCode, status int }{
	CodeInvalidParam:     {-501007, http.StatusBadRequest},
	CodeNotFound:         {-504001, http.StatusNotFound},
	CodeExecuteFail:      {-504002, http.StatusInternalServerError},
	CodeResultTooLarge:   {-604001, http.StatusInternalServerError},
	CodeEventTooLarge:    {-501007, http.StatusRequestEntityTooLarge},
	CodeBusy:             {-501004, http.StatusTooManyRequests},
	CodePermissionDenied: {-501007, http.StatusForbidden},
	CodeNoInvocation:     {-1, http.StatusNotFound},
	CodeUnavailable:      {-504001, http.StatusServiceUnavailable},
	CodeMethodNotAllowed: {-1, http.StatusMethodNotAllowed},
	CodeDiskFull:         {-504001, http.StatusInsufficientStorage},
	CodeLogStoreOff:      {-504001, http.StatusServiceUnavailable},
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

// ErrNotFound is what a Source returns (or wraps) for a function that does
// not exist.
var ErrNotFound = errors.New("function not found")
