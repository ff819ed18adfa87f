package db

import (
	"errors"
	"fmt"
)

// Error is a database failure a client can act on. Code and ErrCode are
// CloudBase's (reference/wxcloud-api.md §2.4); the HTTP layer maps Code to a
// status in one place. Errors that are not *Error are internal and reach the
// client only as DATABASE_REQUEST_FAILED without details.
type Error struct {
	Code    string
	ErrCode int
	Message string
}

func (e *Error) Error() string { return e.Message }

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
)

var errCodes = map[string]int{
	CodeInvalidParam:       -501007,
	CodeRequestFailed:      -502001,
	CodeInvalidOperator:    -502002,
	CodePermissionDenied:   -502003,
	CodeCollectionExceed:   -502004,
	CodeCollectionNotExist: -502005,
	CodeDocumentNotExist:   -1,
	CodeDuplicateKey:       -502001,
	CodeCollectionExists:   -502001,
	CodeResultTooLarge:     -602001,
	CodeDiskFull:           -502001,
	CodeCorrupted:          -502001,
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, ErrCode: errCodes[code], Message: fmt.Sprintf(format, args...)}
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
