package auth

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error is an auth failure a client can act on. Code and ErrCode follow
// CloudBase (the ERR_CODE and TCB_ERR_CODE tables of wx-server-sdk, and
// @cloudbase/js-sdk): its web SDK's string codes for tokens, and errCode
// -501007 (invalid parameters) for every credential or token problem,
// -501003 for rate limits and -501009 for a login method the server is not
// configured for. The code's HTTP status is in the table codes, and Answer
// is what the server writes. Errors that are not *Error are internal.
type Error struct {
	Code    string
	ErrCode int
	Message string
	// RetryAfter is set on EXCEED_REQUEST_LIMIT: when to try again.
	RetryAfter time.Duration
	// Err is the internal cause of a server-side failure (e.g. a provider
	// that could not be reached), for the log; it is never sent.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

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

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Error codes.
const (
	CodeInvalidParam        = "INVALID_PARAM"         // 400: malformed body, password policy, bad identifier
	CodeInvalidAccessToken  = "INVALID_ACCESS_TOKEN"  // 401: bad signature, algorithm, shape; unknown admin key
	CodeAccessTokenExpired  = "ACCESS_TOKEN_EXPIRED"  // 401: refresh and retry
	CodeAccessTokenRevoked  = "ACCESS_TOKEN_REVOKED"  // 401: its sign-in ended (logout, revoke, disabled…): a refresh fails too
	CodeInvalidRefreshToken = "INVALID_REFRESH_TOKEN" // 401: unknown, reused (family revoked), or account disabled
	CodeRefreshTokenExpired = "REFRESH_TOKEN_EXPIRED" // 401: sign in again
	CodeInvalidCredentials  = "INVALID_CREDENTIALS"   // 401: any failed login (one message for all causes)
	CodeAccountExists       = "ACCOUNT_EXISTS"        // 409: signup with a taken username, email or phone
	CodeAdminExists         = "ADMIN_EXISTS"          // 409: first-run setup when an admin account exists
	CodeUserNotFound        = "USER_NOT_FOUND"        // 404: admin endpoints
	CodePermissionDenied    = "PERMISSION_DENIED"     // 403: admin endpoints called by a non-admin
	CodeRateLimited         = "EXCEED_REQUEST_LIMIT"  // 429, with RetryAfter
	CodeNotConfigured       = "RESOURCE_NOT_INITIAL"  // 501: login method not configured on this server
	CodeProviderFailed      = "LOGIN_PROVIDER_FAILED" // 502: WeChat (or another provider) could not be reached
)

// codes gives each code its CloudBase errCode and the HTTP status it is
// answered with: a new code is a constant above and a row here.
var codes = map[string]struct{ errCode, status int }{
	CodeInvalidParam:        {-501007, http.StatusBadRequest},
	CodeInvalidAccessToken:  {-501007, http.StatusUnauthorized},
	CodeAccessTokenExpired:  {-501007, http.StatusUnauthorized},
	CodeAccessTokenRevoked:  {-501007, http.StatusUnauthorized},
	CodeInvalidRefreshToken: {-501007, http.StatusUnauthorized},
	CodeRefreshTokenExpired: {-501007, http.StatusUnauthorized},
	CodeInvalidCredentials:  {-501007, http.StatusUnauthorized},
	CodeAccountExists:       {-501007, http.StatusConflict},
	CodeAdminExists:         {-501007, http.StatusConflict},
	CodeUserNotFound:        {-1, http.StatusNotFound},
	CodePermissionDenied:    {-501007, http.StatusForbidden},
	CodeRateLimited:         {-501003, http.StatusTooManyRequests},
	CodeNotConfigured:       {-501009, http.StatusNotImplemented},
	CodeProviderFailed:      {-501001, http.StatusBadGateway},
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

// errLoginFailed is the one answer to every failed login: unknown
// account, wrong password, disabled account, wrong or expired code.
var errLoginFailed = &Error{Code: CodeInvalidCredentials, ErrCode: -501007, Message: "invalid account or credentials"}

// Store errors: implementations of Users, Sessions, Admins and OTPs return
// (or wrap) these.
var (
	ErrNotFound = errors.New("not found")
	ErrTaken    = errors.New("already taken") // a unique field (openid, username, email, phone…) is in use
)
