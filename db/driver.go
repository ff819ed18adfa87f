package db

import (
	"context"
	"time"
)

// Driver is a storage backend for documents: SQLite now (db/sqlite),
// PostgreSQL later. Every Driver passes the conformance suite in db/dbtest.
//
// A Driver receives parsed, validated requests (Query, WriteOp) and must give
// exactly the results the Go reference semantics give (Filter.Match,
// Update.Apply, CompareDocs): it may push filters, sort and limit down into
// its query language only where that changes nothing.
type Driver interface {
	Catalog
	ChangeLog
	Transactions
	// Find returns the documents matching q, as extended JSON, in q's order.
	Find(ctx context.Context, coll string, q *Query) ([][]byte, error)
	// Scan streams the documents matching q.Filter, as Find returns them,
	// for callers that read more than a page (aggregation). When it can
	// give them in q.Sort's order as it reads (an index, or no Sort), it
	// applies q.Sort, then q.Skip and q.Limit (0: no limit), and reports
	// sorted; otherwise it gives every matching document in its natural
	// order and the caller sorts. A filter with a $nearSphere and no Sort
	// is in nearest-first order (see Near): when the driver cannot stream
	// that, it gives every matching document unsorted, skipping none. The
	// caller closes the Cursor.
	Scan(ctx context.Context, coll string, q *Query) (c Cursor, sorted bool, err error)
	// Count returns how many documents match f (nil matches all).
	Count(ctx context.Context, coll string, f *Filter) (int64, error)
	// Write applies one write atomically: all of it or, on error, none.
	Write(ctx context.Context, coll string, op *WriteOp) (WriteResult, error)
	// Close waits for pending writes, then releases the backend.
	Close() error
}

// Cursor is a stream of documents from Driver.Scan.
type Cursor interface {
	// Next returns the next document as extended JSON (the caller may keep
	// it), or nil at the end.
	Next() ([]byte, error)
	// Close releases the cursor. It may be called at any time, and again.
	Close() error
}

// Catalog manages collections, their indexes and their security rules.
// Operations on a collection that does not exist return an *Error with code
// DATABASE_COLLECTION_NOT_EXIST, except WriteOp inserts and upserts (and
// CreateCollection), which create it.
type Catalog interface {
	Collections(ctx context.Context) ([]CollectionInfo, error)
	CreateCollection(ctx context.Context, name string) error
	DropCollection(ctx context.Context, name string) error
	Indexes(ctx context.Context, coll string) ([]Index, error)
	CreateIndex(ctx context.Context, coll string, idx Index) error
	DropIndex(ctx context.Context, coll, name string) error
	// Rules returns the collection's security rules as stored by SetRules
	// (JSON), or nil when none were set. It is called on every client
	// request: drivers answer from memory.
	Rules(ctx context.Context, coll string) ([]byte, error)
	// SetRules stores the collection's rules (nil: back to the default).
	// Rules return it from then on; a dropped collection loses its rules.
	SetRules(ctx context.Context, coll string, rules []byte) error
}

// CollectionInfo describes one collection.
type CollectionInfo struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
	// Size is the bytes the collection's documents and indexes take in
	// the database, approximately (0 when the driver cannot say).
	Size int64 `json:"size"`
}

// Index is a secondary index on one or more field paths. The _id index
// always exists and is not listed.
type Index struct {
	Name   string     `json:"name"`
	Keys   []IndexKey `json:"keys"`
	Unique bool       `json:"unique"`
}

// IndexKey is one field of an index: ascending unless Desc, or, when Type
// is Geo2DSphere, the geometries at Path for geo queries.
type IndexKey struct {
	Path string `json:"path"`
	Desc bool   `json:"desc,omitempty"`
	Type string `json:"type,omitempty"`
}

// Geo2DSphere is the Type of a 2dsphere index's key: the index that geo
// queries use and $nearSphere needs (GeoKeys, GeoKeyRanges, NearScan). A
// 2dsphere index has that one key and is not unique. Writing a document
// whose value at the path is neither missing, null, nor geometries fails
// with CodeInvalidParam (GeoKeys), and so does creating the index on a
// collection that holds one.
const Geo2DSphere = "2dsphere"

// Geo reports whether idx is a 2dsphere index.
func (idx Index) Geo() bool { return len(idx.Keys) == 1 && idx.Keys[0].Type == Geo2DSphere }

// SortKey is one key of a sort: a dot path, ascending unless Desc.
type SortKey struct {
	Path string
	Desc bool
}

// Query is a parsed find request. Limit is always > 0 (the caller applies
// the default and the maximum). Without Sort the order is the driver's
// natural order, or nearest first when the filter has a $nearSphere (see
// Near); db.Service ends every Sort with _id.
type Query struct {
	Filter *Filter // nil matches every document
	Sort   []SortKey
	Skip   int
	Limit  int
	// Fields, when set, are the only top-level fields the caller will read
	// of the documents Scan returns: a driver may leave the others out (it
	// keeps _id and those of Fields a document has), and need not keep
	// their order. Find ignores it.
	Fields []string
}

// WriteKind says what a WriteOp does.
type WriteKind int

// Write kinds.
const (
	WriteInsert  WriteKind = iota // Docs, each with an _id; a taken _id fails the whole op
	WriteUpdate                   // Filter, Update, Multi, Upsert (upserted doc gets UpsertID)
	WriteReplace                  // Doc (with _id): replace that document or create it; with a Filter, an existing document that does not match it is refused (CodePermissionDenied)
	WriteRemove                   // Filter, Multi
)

// WriteOp is one atomic write.
type WriteOp struct {
	Kind     WriteKind
	Docs     []Doc   // WriteInsert
	Doc      Doc     // WriteReplace
	Filter   *Filter // WriteUpdate, WriteRemove; nil matches all
	Update   *Update // WriteUpdate
	Multi    bool
	Upsert   bool
	UpsertID string    // the _id an upsert gives the new document
	Now      time.Time // the write's time, for $currentDate-like values
	// MustExist makes a missing collection an error (CodeCollectionNotExist)
	// instead of creating it: clients write only to existing collections.
	MustExist bool
	// Check, when set, is called inside the write's transaction for every
	// stored document the write would change or remove, before it does:
	// WriteUpdate with the matched document and the updated one (also when
	// they are equal), WriteReplace with the existing document (nil when
	// there is none) and the new one, WriteRemove with the document and nil.
	// An error from Check fails the whole write, which then changes nothing.
	// It carries a client's security rule (db.Service).
	Check func(old, next Doc) error
}

// WriteResult reports what a write did.
type WriteResult struct {
	InsertedIDs []string
	Matched     int64 // documents the filter matched (update)
	Updated     int64 // documents changed (update, replace)
	Removed     int64
	UpsertedID  string // set when an update upserted or a replace created
}

// Transactions are how a Driver runs db.Service's transactions, which are
// optimistic: while the caller's code runs (a cloud function's callback, a
// client's round trips) the Service reads through View, holding nothing
// between reads; at commit, Update re-reads what the transaction read, in
// the write path, and applies its writes, all or none. Neither may run user
// code or wait for other writes inside fn: fn is the Service's own Go code
// over a handful of documents.
type Transactions interface {
	// View calls fn with a Reader over one consistent snapshot of the
	// committed documents: every read fn makes sees the same state, whatever
	// commits meanwhile (writes are not held up by it). The snapshot ends
	// when fn returns; View returns fn's error.
	View(ctx context.Context, fn func(Reader) error) error
	// Update calls fn inside a write transaction with a Reader that sees the
	// latest state (every write committed, or ordered before this one) and
	// applies the Puts fn returns, in order, in that transaction: all of
	// them or, when fn or a put fails (a taken unique key, a document too
	// large), none. No other write to the documents fn read can come
	// between its reads and its puts. The writes record their changes
	// (ChangeLog) as single writes do: an insert for a document that did
	// not exist, an update for one that did, a delete.
	Update(ctx context.Context, fn func(Reader) ([]Put, error)) error
}

// Reader reads documents inside View or Update.
type Reader interface {
	// Doc returns the document id of coll as extended JSON (as Find returns
	// it), or nil when there is none. A missing collection is an *Error with
	// code DATABASE_COLLECTION_NOT_EXIST.
	Doc(ctx context.Context, coll, id string) ([]byte, error)
	// Match returns the documents of coll that f matches (nil matches all),
	// in _id order, at most limit of them; a missing collection is as for
	// Doc.
	Match(ctx context.Context, coll string, f *Filter, limit int) ([][]byte, error)
}

// Put is one document a transaction writes: Doc (with _id ID) replaces
// the document ID or creates it; a nil Doc removes it (nothing when there is
// none). A put to a missing collection creates it when Create is set, and
// fails with DATABASE_COLLECTION_NOT_EXIST otherwise (clients write only to
// existing collections).
type Put struct {
	Coll   string
	ID     string
	Doc    Doc
	Create bool
}
