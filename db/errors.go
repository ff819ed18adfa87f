package db

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a database failure a client can act on. Code and ErrCode are
// CloudBase's; the code's HTTP status is in the table codes, and Answer is
// what the server writes. Errors that are not *Error are internal and reach
// the client without details.
type Error struct {
	Code    string
	ErrCode int
	Message string
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

// Error codes, as CloudBase spells them.
const (
	CodeInvalidParam       = "INVALID_PARAM"              // -501007: bad request shape or value
	CodeRequestFailed      = "DATABASE_REQUEST_FAILED"    // -502001
	CodeInvalidOperator    = "DATABASE_INVALID_OPERRATOR" // -502002 (sic): unknown or misused operator
	CodePermissionDenied   = "DATABASE_PERMISSION_DENIED" // -502003
	CodeCollectionExceed   = "DATABASE_COLLECTION_EXCEED_LIMIT"
	CodeCollectionNotExist = "DATABASE_COLLECTION_NOT_EXIST" // -502005
	CodeDocumentNotExist   = "DATABASE_DOCUMENT_NOT_EXIST"   // -1 (document.get:fail)
	CodeDuplicateKey       = "DATABASE_DUPLICATE_KEY"        // -502001: _id or unique index taken
	CodeCollectionExists   = "DATABASE_COLLECTION_ALREADY_EXIST"
	CodeResultTooLarge     = "DATABASE_RESULT_SIZE_EXCEED" // -602001
	// CodeDiskFull: the server's disk is full; the write changed nothing
	// (507). Removes still run. minibase's own name, with the errCode of
	// DATABASE_REQUEST_FAILED.
	CodeDiskFull = "DATABASE_DISK_FULL"
	// CodeCorrupted: the database file is damaged; the server refuses
	// writes until an operator repairs or restores it (500). minibase's
	// own name, with the errCode of DATABASE_REQUEST_FAILED.
	CodeCorrupted = "DATABASE_CORRUPTED"
	// CodeBusy: the server is at its budget for decoding large requests
	// (Limits.BodyMemory) and this one waited its time (503).
	CodeBusy = "EXCEED_CONCURRENT_REQUEST_LIMIT"
	// CodeWatchLimit: a realtime watch or connection beyond the limits of
	// one connection, one user or the server (CloudBase's code for too
	// many requests).
	CodeWatchLimit = "EXCEED_REQUEST_LIMIT"
	// CodeWatchSlow: the client did not read a watch connection's messages
	// fast enough and was disconnected; it may watch again. minibase's own
	// name.
	CodeWatchSlow = "DATABASE_REALTIME_TOO_SLOW"
	// CodeAggregateMemory: an aggregation stage would hold more than the
	// server's aggregation memory limit (MongoDB's 100 MB rule). minibase's
	// own name, with the errCode of DATABASE_REQUEST_FAILED.
	CodeAggregateMemory = "DATABASE_AGGREGATE_MEMORY_EXCEED"

	// CodeTransactionConflict: what a transaction read changed before it
	// committed (409); it changed nothing and is run again from the start,
	// which runTransaction does by itself. CloudBase's string code, with
	// the errCode of DATABASE_REQUEST_FAILED.
	CodeTransactionConflict = "DATABASE_TRANSACTION_CONFLICT"
)

// codes gives each code its CloudBase errCode and the HTTP status it is
// answered with: a new code is a constant above and a row here.
var codes = map[string]struct{ errCode, status int }{
	CodeInvalidParam:       {-501007, http.StatusBadRequest},
	CodeRequestFailed:      {-502001, http.StatusInternalServerError},
	CodeInvalidOperator:    {-502002, http.StatusBadRequest},
	CodePermissionDenied:   {-502003, http.StatusForbidden},
	CodeCollectionExceed:   {-502004, http.StatusBadRequest},
	CodeCollectionNotExist: {-502005, http.StatusNotFound},
	CodeDocumentNotExist:   {-1, http.StatusNotFound},
	CodeDuplicateKey:       {-502001, http.StatusConflict},
	CodeCollectionExists:   {-502001, http.StatusConflict},
	CodeResultTooLarge:     {-602001, http.StatusBadRequest},
	CodeDiskFull:           {-502001, http.StatusInsufficientStorage},
	CodeCorrupted:          {-502001, http.StatusInternalServerError},
	CodeBusy:               {-501004, http.StatusServiceUnavailable},
	CodeWatchLimit:         {-501003, http.StatusTooManyRequests},
	CodeWatchSlow:          {-502001, http.StatusTooManyRequests},
	CodeAggregateMemory:    {-502001, http.StatusBadRequest},

	CodeTransactionConflict: {-502001, http.StatusConflict},
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, ErrCode: codes[code].errCode, Message: fmt.Sprintf(format, args...)}
}

// DuplicateID is the error of a write that would give a second document of
// coll an _id another one has. Drivers return it for a taken _id; a client's
// doc(id).set of a document it may not read gets it too, so that the answer
// tells no more than an insert with that _id would.
func DuplicateID(coll string) *Error {
	return Errorf(CodeDuplicateKey, "duplicate _id in collection %q", coll)
}

// ErrorCode returns the code of err when it is (or wraps) an *Error, else "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
