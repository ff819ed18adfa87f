package functions

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"minibase/db"
	"minibase/storage"
)

// Shared mode keeps the functions' deployments where every node of a
// cluster sees them, and each node's folder becomes a cache of them:
//
//   - the records, in the database's collection SharedCollection: one
//     document per function, {_id: name, rev, deleted, versions: [Version…]}
//     (the newest KeepVersions, oldest first; the last is the live one),
//     rewritten in one transaction by each deployment, rollback or delete,
//     so concurrent ones are ordered and numbered without gaps or repeats;
//     a delete leaves a tombstone (deleted, no versions), so a node that
//     was away learns of it;
//   - the archives, in the file store's backend under sharedPrefix:
//     <name>/<hash>.zip (the sources) and <name>/<hash>.bundle.js (what a
//     bundled function runs), written before the record that names them.
//
// The database, not a node's disk, is why the design took db.Driver: its
// transactions order concurrent deployments, and its change feed wakes
// every node's follower (Follow) the moment a record changes, whichever
// driver is underneath. A record is the truth; a node's live folder
// follows it.
const SharedCollection = "minibase_functions"

// sharedPrefix is where archives live in the file store's backend: under
// no bucket (bucket names start with a letter or digit), beside the
// storage service's own catalog (.minibase/buckets.json).
const sharedPrefix = ".minibase/functions/"

// Shared-mode bounds.
const (
	maxArchiveBytes = MaxCodeBytes + 16<<20 // a zip of MaxCodeBytes of sources, and its headers
	maxSharedNames  = 100000                // functions (records) read in one catch-up
	// archiveGrace is how old an archive no record names must be before
	// it is removed: a deployment writes its archive (afresh, whether or
	// not it was there) before its record, and takes far less than this
	// between the two.
	archiveGrace = time.Hour
)

// Shared is the cluster's registry of deployments a Dir follows (Share).
type Shared struct {
	// DB holds the records (SharedCollection) and its change feed wakes
	// the followers. Every node must use the same database.
	DB db.Driver
	// Files holds the archives: the file store's backend (S3 or MinIO in
	// a cluster), shared by every node.
	Files storage.Bucket
	// Node names this node's change feed consumer ("functions-sync." +
	// Node); "" takes the one kept in <root>/.node (generated the first
	// time), so a restarted node goes on with its own feed.
	Node string
	// Poll is how often the follower reads every record anyway, should a
	// wake-up be lost (default 30 s); Retry how soon it tries again what
	// failed (default 5 s).
	Poll, Retry time.Duration
}

// sharedRecord is a function's document in SharedCollection.
type sharedRecord struct {
	Name     string    `json:"_id"`
	Rev      int64     `json:"rev"`
	Deleted  bool      `json:"deleted,omitempty"`
	Versions []Version `json:"versions"`
}

// head returns the live version, or nil when the function is deleted.
func (r *sharedRecord) head() *Version {
	if r == nil || r.Deleted || len(r.Versions) == 0 {
		return nil
	}
	return &r.Versions[len(r.Versions)-1]
}

// valid reports whether r is a record the registry could have written:
// followers refuse anything else.
func (r *sharedRecord) valid() bool {
	if !ValidName(r.Name) || r.Rev <= 0 || len(r.Versions) > KeepVersions || (r.Deleted && len(r.Versions) > 0) ||
		(!r.Deleted && len(r.Versions) == 0) {
		return false
	}
	for i, v := range r.Versions {
		if v.Number <= 0 || !validHash(v.Version) || (i > 0 && v.Number <= r.Versions[i-1].Number) {
			return false
		}
	}
	return true
}

func validHash(h string) bool {
	if len(h) != 16 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// sharedState is a Dir's shared mode.
type sharedState struct {
	Shared
	consumer string
}

// Share turns shared mode on (once, before the Dir is used): deployments,
// rollbacks and deletes go through the registry, and the history is the
// registry's. It creates SharedCollection with admin-only rules when
// they are not set, and subscribes this node's consumer to it, so that
// every change from now on reaches Follow; run Follow to apply them.
func (d *Dir) Share(ctx context.Context, sh Shared) error {
	if sh.DB == nil || sh.Files == nil {
		return errors.New("functions: shared mode needs a database and a file store")
	}
	if sh.Poll <= 0 {
		sh.Poll = 30 * time.Second
	}
	if sh.Retry <= 0 {
		sh.Retry = 5 * time.Second
	}
	if sh.Node == "" {
		node, err := nodeName(d.root)
		if err != nil {
			return err
		}
		sh.Node = node
	}
	st := &sharedState{Shared: sh, consumer: "functions-sync." + sh.Node}
	if !db.ValidConsumer(st.consumer) {
		return fmt.Errorf("functions: invalid node name %q: 1 to 48 letters, digits, '_', '.', ':' or '-'", sh.Node)
	}
	if err := sh.DB.CreateCollection(ctx, SharedCollection); err != nil && db.ErrorCode(err) != db.CodeCollectionExists {
		return fmt.Errorf("open the functions registry: %w", err)
	}
	if rules, err := sh.DB.Rules(ctx, SharedCollection); err != nil {
		return fmt.Errorf("open the functions registry: %w", err)
	} else if rules == nil {
		if err := sh.DB.SetRules(ctx, SharedCollection, []byte(`{"preset":"ADMINONLY"}`)); err != nil {
			return fmt.Errorf("open the functions registry: %w", err)
		}
	}
	if err := sh.DB.Subscribe(ctx, st.consumer, []string{SharedCollection}); err != nil {
		return fmt.Errorf("open the functions registry: %w", err)
	}
	d.shared = st
	return nil
}

// nodeName returns the node name kept in <root>/.node, generating it the
// first time.
func nodeName(root string) (string, error) {
	p := filepath.Join(root, ".node")
	if b, err := os.ReadFile(p); err == nil {
		if s := strings.TrimSpace(string(b)); db.ValidConsumer(s) && len(s) <= 48 {
			return s, nil
		}
	}
	var b [8]byte
	rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	if err := writeAtomic(p, []byte(s+"\n")); err != nil {
		return "", fmt.Errorf("keep this node's name: %w", err)
	}
	return s, nil
}

// read returns name's record, or nil when it has none.
func (s *sharedState) read(ctx context.Context, name string) (*sharedRecord, error) {
	var rec *sharedRecord
	err := s.DB.View(ctx, func(r db.Reader) error {
		b, err := r.Doc(ctx, SharedCollection, name)
		if err != nil || b == nil {
			return err
		}
		rec, err = decodeRecord(b)
		return err
	})
	if db.ErrorCode(err) == db.CodeCollectionNotExist {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the record of %s: %w", name, err)
	}
	return rec, nil
}

// all returns every record, by name.
func (s *sharedState) all(ctx context.Context) (map[string]*sharedRecord, error) {
	out := make(map[string]*sharedRecord)
	err := s.DB.View(ctx, func(r db.Reader) error {
		docs, err := r.Match(ctx, SharedCollection, nil, maxSharedNames)
		for _, b := range docs {
			if rec, err := decodeRecord(b); err == nil {
				out[rec.Name] = rec
			}
		}
		return err
	})
	if db.ErrorCode(err) == db.CodeCollectionNotExist {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the functions registry: %w", err)
	}
	return out, nil
}

func decodeRecord(b []byte) (*sharedRecord, error) {
	var rec sharedRecord
	if err := json.Unmarshal(b, &rec); err != nil || !rec.valid() {
		return nil, fmt.Errorf("the functions registry (collection %s) holds a document that is not a record; remove it to deploy that function again: %.200s", SharedCollection, b)
	}
	return &rec, nil
}

// change rewrites name's record in one transaction: edit gets the record
// (nil when there is none) and returns the new one, or nil to write
// nothing. It returns what was written (nil when nothing was).
func (s *sharedState) change(ctx context.Context, name string, edit func(cur *sharedRecord) (*sharedRecord, error)) (*sharedRecord, error) {
	var out *sharedRecord
	err := s.DB.Update(ctx, func(r db.Reader) ([]db.Put, error) {
		out = nil
		var cur *sharedRecord
		b, err := r.Doc(ctx, SharedCollection, name)
		if err != nil && db.ErrorCode(err) != db.CodeCollectionNotExist {
			return nil, err
		}
		if b != nil {
			if cur, err = decodeRecord(b); err != nil {
				return nil, err
			}
		}
		next, err := edit(cur)
		if err != nil || next == nil {
			return nil, err
		}
		next.Name, next.Rev = name, 1
		if cur != nil {
			next.Rev = cur.Rev + 1
		}
		raw, err := json.Marshal(next)
		if err != nil {
			return nil, err
		}
		v, err := db.DecodeJSON(raw, db.MaxDepth)
		if err != nil {
			return nil, err
		}
		doc, _ := v.(db.Doc)
		out = next
		return []db.Put{{Coll: SharedCollection, ID: name, Doc: doc, Create: true}}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("record %s in the functions registry: %w", name, err)
	}
	return out, nil
}

func archiveKey(name, hash string) string { return sharedPrefix + name + "/" + hash + ".zip" }
func bundleKey(name, hash string) string  { return sharedPrefix + name + "/" + hash + ".bundle.js" }

// upload writes a version's archive (and bundle) to the file store,
// afresh even when it is there (archiveGrace counts from then).
func (s *sharedState) upload(ctx context.Context, name, hash string, files map[string][]byte, bundle []byte) error {
	var buf bytes.Buffer
	if err := WriteZip(&buf, files); err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	if _, err := s.Files.Put(ctx, archiveKey(name, hash), &buf, storage.PutOptions{ContentType: "application/zip", MaxSize: int64(buf.Len())}); err != nil {
		return fmt.Errorf("store the archive of %s: %w", name, err)
	}
	if bundle != nil {
		if _, err := s.Files.Put(ctx, bundleKey(name, hash), bytes.NewReader(bundle), storage.PutOptions{ContentType: "text/javascript", MaxSize: int64(len(bundle))}); err != nil {
			return fmt.Errorf("store the bundle of %s: %w", name, err)
		}
	}
	return nil
}

// fetch reads version v of name from the file store: its sources,
// checked against v's hash, and its bundle when v is bundled.
func (s *sharedState) fetch(ctx context.Context, name string, v Version) (map[string][]byte, []byte, error) {
	b, err := s.get(ctx, archiveKey(name, v.Version), maxArchiveBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch version %d (%s) of %s: %w", v.Number, v.Version, name, err)
	}
	files, err := readZip(b, false)
	if err == nil && hashFiles(files) != v.Version {
		err = errors.New("its files do not match the record's hash")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("fetch version %d (%s) of %s: the archive is damaged: %w", v.Number, v.Version, name, err)
	}
	var bundle []byte
	if v.Bundled {
		if bundle, err = s.get(ctx, bundleKey(name, v.Version), MaxCodeBytes); err != nil {
			return nil, nil, fmt.Errorf("fetch the bundle of version %d (%s) of %s: %w", v.Number, v.Version, name, err)
		}
	}
	return files, bundle, nil
}

// get reads the object key, refusing one larger than limit.
func (s *sharedState) get(ctx context.Context, key string, limit int64) ([]byte, error) {
	r, info, err := s.Files.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if info.Size > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than %d", key, info.Size, limit)
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%s holds more than %d bytes", key, limit)
	}
	return b, err
}

// collect removes name's archives that rec does not name (all of them
// when it is deleted) once they are archiveGrace old.
func (s *sharedState) collect(ctx context.Context, name string, rec *sharedRecord, now time.Time) error {
	keep := make(map[string]bool)
	if rec != nil {
		for _, v := range rec.Versions {
			keep[archiveKey(name, v.Version)], keep[bundleKey(name, v.Version)] = true, true
		}
	}
	after := ""
	for {
		page, err := s.Files.List(ctx, storage.ListOptions{Prefix: sharedPrefix + name + "/", After: after})
		if err != nil {
			return fmt.Errorf("list the archives of %s: %w", name, err)
		}
		for _, o := range page.Objects {
			if !keep[o.Key] && now.Sub(o.ModTime) >= archiveGrace {
				if err := s.Files.Delete(ctx, o.Key); err != nil {
					return fmt.Errorf("remove an old archive of %s: %w", name, err)
				}
			}
		}
		if page.Next == "" {
			return nil
		}
		after = page.Next
	}
}
