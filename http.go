package main

import (
	"context"
	"errors"
	"math"
	"net/http"
	"path"
	"runtime/debug"
	"strconv"

	"minibase/auth"
	"minibase/db"
	"minibase/functions"
	"minibase/sdk"
	mbserver "minibase/server"
	"minibase/storage"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

// newApp builds the HTTP app: middleware, routes, and the one place where
// errors become HTTP responses.
func (m *Main) newApp() *fiber.App {
	app := fiber.New(fiber.Config{
		BodyLimit:             m.Config.BodyLimit,
		DisableStartupMessage: true,
		ErrorHandler:          m.handleError,
		AppName:               "minibase",
		// Uploads stream to the file store (storage.UploadPath); every
		// other body is held to BodyLimit by limitBody.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		// Room for the headers and a small file (storage sends files up
		// to 8 KiB from this buffer in one write).
		WriteBufferSize: 16 << 10,
	})
	app.Server().Handler = boundDrain(m.Config.RequestTimeout, app.Server().Handler)
	m.conns = newConnStates()
	app.Server().ConnState = m.conns.hook
	// The proxies' and CORS middlewares come before anything that reads the
	// client's address or can refuse a request, outside panic recovery so
	// a 500 carries the CORS headers too.
	app.Use(m.conns.enter, m.Config.Proxies.Handler, m.Config.CORS.Handler, m.recoverPanic)
	app.Use(m.limitBody, m.timeout)
	v1 := app.Group("/v1")
	m.auth.MountSignIn(v1) // before the middleware: a stale token must not block a refresh
	app.Use("/v1"+functions.TailPath, tailToken)
	app.Use(auth.Middleware(m.keys, m.auth.Tokens()))
	v1.Get("/health", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok", "version": version})
	})
	m.db.Mount(v1)
	m.auth.Mount(v1)
	m.mountFnLogs(v1) // before functions: /admin/functions/logs is not a function's name
	m.functions.Mount(v1, deployer{m.fnDir, m.triggers})
	m.files.Mount(v1)
	m.files.MountFiles(app)
	m.triggers.MountHTTP(app)
	app.Use("/sdk", mbserver.PublicCORS, etag.New(), sdkHeaders, filesystem.New(filesystem.Config{Root: http.FS(sdk.Dist)}))
	app.Use(func(c *fiber.Ctx) error {
		return fiber.NewError(fiber.StatusNotFound, "no such endpoint: "+c.Method()+" "+c.Path())
	})
	return app
}

// recoverPanic turns a panic in a handler into a 500 for that request
// (logged once with its stack) instead of the end of the process.
func (m *Main) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			m.log.Error("request panicked", "method", c.Method(), "path", c.Path(), "panic", r, "stack", string(debug.Stack()))
			err = errPanic
		}
	}()
	return c.Next()
}

// errPanic is what a panicked request answers: an internal error, with
// nothing of the panic sent to the client.
var errPanic = errors.New("handler panicked")

// sdkTypes are the content types of the SDK's files, which fiber's table
// lacks (.mjs, .cjs) or gets wrong (.ts is MPEG-TS video there).
var sdkTypes = map[string]string{
	".mjs": "text/javascript; charset=utf-8",
	".cjs": "text/javascript; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".ts":  "text/plain; charset=utf-8",
}

// sdkHeaders gives the files under /sdk/ their content type and asks
// browsers to revalidate (the names carry no version; the ETag makes the
// revalidation a 304).
func sdkHeaders(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	if c.Response().StatusCode() == fiber.StatusOK {
		if t, ok := sdkTypes[path.Ext(c.Path())]; ok {
			c.Set(fiber.HeaderContentType, t)
		}
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	return nil
}

// timeout bounds each request to RequestTimeout. Uploads are exempt: a
// large file on a slow link takes longer; storage bounds them by a stall
// of storage.UploadIdleTimeout instead.
func (m *Main) timeout(c *fiber.Ctx) error {
	if c.Path() == "/v1"+storage.UploadPath {
		return c.Next()
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), m.Config.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

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
func (m *Main) handleError(c *fiber.Ctx, err error) error {
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
			m.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
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
			m.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
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
		m.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	return c.Status(status).JSON(body)
}
