package replica

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"strconv"
	"time"
)

// A replica's objects, under Config.Prefix:
//
//	<generation>/snapshots/<index>-<time>.db.gz   a copy of the database
//	<generation>/wal/<index>-<time>.seg.gz        WAL frames, whole transactions
//
// A generation is a snapshot and the WAL segments that follow it without a
// gap; index counts segments (a snapshot's index is the first segment not
// in it), both 16 hex digits; time (UTC, to the millisecond) is when the
// snapshot ended or the frames were read: everything in the object was
// committed at or before it. Each object is gzip of a first line,
// objectMagic, a second, the JSON header, then the payload, whose length
// and SHA-256 the header gives.
const objectMagic = "minibase-replica 1\n"

// maxHeader caps an object's JSON header line.
const maxHeader = 4096

// header is an object's JSON header.
type header struct {
	Kind       string    `json:"kind"` // "snapshot" or "wal"
	Generation string    `json:"generation"`
	Index      int64     `json:"index"`
	Time       time.Time `json:"time"`
	PageSize   int       `json:"pageSize,omitempty"` // wal: the frames' page size
	Size       int64     `json:"size"`               // the payload's bytes
	SHA256     string    `json:"sha256"`             // the payload's, lowercase hex
}

const timeLayout = "20060102T150405.000Z"

// generationPattern is a generation's name: when it began and 8 random hex
// digits, so that names sort by time.
var generationPattern = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$`)

// objectName matches a snapshot's or segment's name inside its generation.
var objectName = regexp.MustCompile(`^(snapshots|wal)/([0-9a-f]{16})-([0-9]{8}T[0-9]{6}\.[0-9]{3}Z)\.(db|seg)\.gz$`)

// ref is an object of a generation, known by its name.
type ref struct {
	key   string
	kind  string // "snapshot" or "wal"
	index int64
	time  time.Time
}

// objectKey is where the object of h is kept, under prefix.
func objectKey(prefix string, h header) string {
	dir, ext := "wal", "seg"
	if h.Kind == "snapshot" {
		dir, ext = "snapshots", "db"
	}
	return fmt.Sprintf("%s%s/%s/%016x-%s.%s.gz", prefix, h.Generation, dir, h.Index, h.Time.UTC().Format(timeLayout), ext)
}

// parseRef reads an object's name (the part after its generation's
// folder); ok is false for anything else.
func parseRef(key, name string) (ref, bool) {
	m := objectName.FindStringSubmatch(name)
	if m == nil || (m[1] == "wal") != (m[4] == "seg") {
		return ref{}, false
	}
	idx, err := strconv.ParseUint(m[2], 16, 63)
	if err != nil {
		return ref{}, false
	}
	t, err := time.Parse(timeLayout, m[3])
	if err != nil {
		return ref{}, false
	}
	kind := "wal"
	if m[1] == "snapshots" {
		kind = "snapshot"
	}
	return ref{key: key, kind: kind, index: int64(idx), time: t}, true
}

// encode writes the object of h with payload to w, filling in h's Size
// and SHA256.
func encode(w io.Writer, h header, payload []byte) error {
	sum := sha256.Sum256(payload)
	h.Size, h.SHA256 = int64(len(payload)), hex.EncodeToString(sum[:])
	return encodeStream(w, h, bytes.NewReader(payload))
}

// encodeStream writes the object of h to w, its payload read from r,
// which must yield h.Size bytes.
func encodeStream(w io.Writer, h header, r io.Reader) error {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err := writeHeader(zw, h); err != nil {
		return err
	}
	n, err := io.Copy(zw, r)
	if err != nil {
		return err
	}
	if n != h.Size {
		return fmt.Errorf("the payload changed while it was read (%d bytes, not %d)", n, h.Size)
	}
	return zw.Close()
}

func writeHeader(w io.Writer, h header) error {
	line, err := json.Marshal(h)
	if err != nil {
		return err
	}
	_, err = w.Write(append(append([]byte(objectMagic), line...), '\n'))
	return err
}

// errDamaged is an object that is not what its name and header say.
var errDamaged = errors.New("damaged")

// decoder reads an object: its header, then its payload, checked.
type decoder struct {
	zr   *gzip.Reader
	br   *bufio.Reader
	h    header
	left int64
	sum  hash.Hash
}

// decode reads an object's header from r; the payload is read with Read,
// which fails (errDamaged) unless it ends with the header's size and
// SHA-256 and the gzip stream ends with it.
func decode(r io.Reader) (*decoder, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: not gzip: %v", errDamaged, err)
	}
	zr.Multistream(false)
	br := bufio.NewReaderSize(zr, 64<<10)
	magic := make([]byte, len(objectMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != objectMagic {
		return nil, fmt.Errorf("%w: not a minibase replica object", errDamaged)
	}
	line, err := br.ReadSlice('\n')
	if err != nil || len(line) > maxHeader {
		return nil, fmt.Errorf("%w: bad header", errDamaged)
	}
	d := &decoder{zr: zr, br: br, sum: sha256.New()}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d.h); err != nil {
		return nil, fmt.Errorf("%w: bad header: %v", errDamaged, err)
	}
	if d.h.Size < 0 || len(d.h.SHA256) != 64 || (d.h.Kind != "wal" && d.h.Kind != "snapshot") {
		return nil, fmt.Errorf("%w: bad header", errDamaged)
	}
	d.left = d.h.Size
	return d, nil
}

// Read reads the payload; at its end it checks the size, the SHA-256 and
// that nothing follows.
func (d *decoder) Read(p []byte) (int, error) {
	if d.left == 0 {
		if err := d.finish(); err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > d.left {
		p = p[:d.left]
	}
	n, err := d.br.Read(p)
	d.sum.Write(p[:n])
	d.left -= int64(n)
	if err == io.EOF {
		if d.left > 0 {
			return n, fmt.Errorf("%w: truncated (%d bytes missing)", errDamaged, d.left)
		}
		err = nil
	} else if err != nil {
		return n, fmt.Errorf("%w: %v", errDamaged, err)
	}
	return n, nil
}

func (d *decoder) finish() error {
	if hex.EncodeToString(d.sum.Sum(nil)) != d.h.SHA256 {
		return fmt.Errorf("%w: checksum mismatch", errDamaged)
	}
	if n, err := d.br.Read(make([]byte, 1)); n > 0 || (err != nil && err != io.EOF) {
		return fmt.Errorf("%w: data after the payload", errDamaged)
	}
	return nil
}
