package server

import (
	"context"
	"errors"
	"math"
	"runtime/debug"
	"strconv"

	"minibase/auth"
	"minibase/db"
	"minibase/functions"
	"minibase/storage"

	"github.com/gofiber/fiber/v2"
)

// recoverPanic turns a panic in a handler into a 500 for that request
// (logged once with its stack) instead of the end of the process.
func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("request panicked", "method", c.Method(), "path", c.Path(), "panic", r, "stack", string(debug.Stack()))
			err = errPanic
		}
	}()
	return c.Next()
}

// errPanic is what a panicked request answers: an internal error, with
// nothing of the panic sent to the client.
var errPanic = errors.New("handler panicked")

// dbStatus maps database error codes to HTTP statuses.
var dbStatus = map[string]int{
	db.CodeInvalidParam:       fiber.StatusBadRequest,
	db.CodeInvalidOperator:    fiber.StatusBadRequest,
	db.CodePermissionDenied:   fiber.StatusForbidden,
	db.CodeCollectionNotExist: fiber.StatusNotFound,
	db.CodeDocumentNotExist:   fiber.StatusNotFound,
	db.CodeDuplicateKey:       fiber.StatusConflict,
	db.CodeCollectionExists:   fiber.StatusConflict,
	db.CodeResultTooLarge:     fiber.StatusBadRequest,
	db.CodeCollectionExceed:   fiber.StatusBadRequest,
	db.CodeDiskFull:           fiber.StatusInsufficientStorage,
	db.CodeCorrupted:          fiber.StatusInternalServerError,
}

// storageStatus maps storage error codes to HTTP statuses.
var storageStatus = map[string]int{
	storage.CodeInvalidParam:        fiber.StatusBadRequest,
	storage.CodePermissionDenied:    fiber.StatusForbidden,
	storage.CodeFileNotExist:        fiber.StatusNotFound,
	storage.CodeSignInvalid:         fiber.StatusForbidden,
	storage.CodeFileTooLarge:        fiber.StatusRequestEntityTooLarge,
	storage.CodeTypeNotAllowed:      fiber.StatusUnsupportedMediaType,
	storage.CodeBucketNotExist:      fiber.StatusNotFound,
	storage.CodeBucketExists:        fiber.StatusConflict,
	storage.CodeBucketNotEmpty:      fiber.StatusConflict,
	storage.CodeConflict:            fiber.StatusConflict,
	storage.CodeRangeNotSatisfiable: fiber.StatusRequestedRangeNotSatisfiable,
	storage.CodeBusy:                fiber.StatusServiceUnavailable,
	storage.CodeDiskFull:            fiber.StatusInsufficientStorage,
}

// authStatus maps auth error codes to HTTP statuses.
var authStatus = map[string]int{
	auth.CodeInvalidParam:        fiber.StatusBadRequest,
	auth.CodeInvalidAccessToken:  fiber.StatusUnauthorized,
	auth.CodeAccessTokenExpired:  fiber.StatusUnauthorized,
	auth.CodeAccessTokenRevoked:  fiber.StatusUnauthorized,
	auth.CodeInvalidRefreshToken: fiber.StatusUnauthorized,
	auth.CodeRefreshTokenExpired: fiber.StatusUnauthorized,
	auth.CodeInvalidCredentials:  fiber.StatusUnauthorized,
	auth.CodeAccountExists:       fiber.StatusConflict,
	auth.CodeUserNotFound:        fiber.StatusNotFound,
	auth.CodePermissionDenied:    fiber.StatusForbidden,
	auth.CodeRateLimited:         fiber.StatusTooManyRequests,
	auth.CodeNotConfigured:       fiber.StatusNotImplemented,
	auth.CodeProviderFailed:      fiber.StatusBadGateway,
}

type apiError struct {
	Code      string `json:"code"`
	ErrCode   int    `json:"errCode"`
	Message   string `json:"message"`
	RequestID string `json:"requestId,omitempty"` // the function invocation's, for its logs
}

// handleError writes {code, errCode, message} with CloudBase's codes.
// Internal errors are logged and reach the client without details.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, body := fiber.StatusInternalServerError, apiError{Code: "SYS_ERR", ErrCode: -501001, Message: "internal error"}
	var de *db.Error
	var ae *auth.Error
	var fne *functions.Error
	var se *storage.Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &fne):
		status = functionsStatus[fne.Code]
		if status == 0 {
			status = fiber.StatusInternalServerError
		}
		body = apiError{fne.Code, fne.ErrCode, fne.Message, fne.RequestID}
	case errors.As(err, &ae):
		status = authStatus[ae.Code]
		if status == 0 {
			status = fiber.StatusInternalServerError
		}
		body = apiError{Code: ae.Code, ErrCode: ae.ErrCode, Message: ae.Message}
		if ae.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(ae.RetryAfter.Seconds()))))
		}
		if status >= fiber.StatusInternalServerError {
			s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		}
	case errors.As(err, &de):
		status = dbStatus[de.Code]
		if status == 0 {
			status = fiber.StatusInternalServerError
		}
		body = apiError{Code: de.Code, ErrCode: de.ErrCode, Message: de.Message}
	case errors.As(err, &se):
		status = storageStatus[se.Code]
		if status == 0 {
			status = fiber.StatusInternalServerError
			s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		}
		body = apiError{Code: se.Code, ErrCode: se.ErrCode, Message: se.Message}
		if se.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(se.RetryAfter.Seconds()))))
		}
	case errors.As(err, &fe):
		status = fe.Code
		body = apiError{Code: "INVALID_PARAM", ErrCode: -501007, Message: fe.Message}
		if fe.Code == fiber.StatusRequestEntityTooLarge {
			body.Message = "request body is too large"
		}
	case errors.Is(err, context.DeadlineExceeded):
		status, body = fiber.StatusGatewayTimeout, apiError{Code: "SERVER_TIMEOUT", ErrCode: -501002, Message: "the request took too long"}
	case errors.Is(err, context.Canceled):
		status, body = 499, apiError{Code: "SYS_ERR", ErrCode: -501001, Message: "request canceled"}
	default:
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	return c.Status(status).JSON(body)
}

// functionsStatus maps functions error codes to HTTP statuses.
var functionsStatus = map[string]int{
	functions.CodeInvalidParam:     400,
	functions.CodeNotFound:         404,
	functions.CodeExecuteFail:      500,
	functions.CodeResultTooLarge:   500,
	functions.CodeEventTooLarge:    413,
	functions.CodeBusy:             429,
	functions.CodePermissionDenied: 403,
	functions.CodeNoInvocation:     404,
	functions.CodeUnavailable:      503,
	functions.CodeMethodNotAllowed: 405,
	functions.CodeDiskFull:         507,
	functions.CodeLogStoreOff:      503,
}
