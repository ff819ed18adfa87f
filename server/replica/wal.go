package replica

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// SQLite's WAL file format (https://sqlite.org/fileformat2.html#walformat):
// a 32-byte header, then frames of a 24-byte header and one page. Every
// frame carries the header's two salts and a checksum that runs on from
// the previous frame's (the header's for the first), so a frame is part of
// the current WAL exactly when its salts match and the checksum chain
// holds. A frame whose "commit" field is not zero ends a transaction and
// gives the database's size in pages after it.
const (
	walHeaderSize   = 32
	walFrameHeader  = 24
	walMagicLE      = 0x377f0682
	walMagicBE      = 0x377f0683
	walFormat       = 3007000
	maxPageSize     = 65536
	minPageSize     = 512
	walSaltsAndSums = 16 // the header's salts and checksum, at offset 16
)

// walHeader is a WAL file's header.
type walHeader struct {
	bigEndian    bool // checksums of big-endian words
	pageSize     int
	salt1, salt2 uint32
	sum          [2]uint32 // the header's checksum: the chain's start
}

// errNoWAL is a WAL too short to have a header: none was written yet
// (or it was truncated by a checkpoint).
var errNoWAL = errors.New("no WAL header")

// parseWALHeader reads and checks a WAL header.
func parseWALHeader(b []byte) (walHeader, error) {
	if len(b) < walHeaderSize {
		return walHeader{}, errNoWAL
	}
	var h walHeader
	switch binary.BigEndian.Uint32(b[0:]) {
	case walMagicLE:
	case walMagicBE:
		h.bigEndian = true
	default:
		return h, fmt.Errorf("not a WAL header (magic %#x)", binary.BigEndian.Uint32(b[0:]))
	}
	if v := binary.BigEndian.Uint32(b[4:]); v != walFormat {
		return h, fmt.Errorf("unknown WAL format %d", v)
	}
	ps := int(binary.BigEndian.Uint32(b[8:]))
	if ps == 1 {
		ps = maxPageSize
	}
	if ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0 {
		return h, fmt.Errorf("bad WAL page size %d", ps)
	}
	h.pageSize = ps
	h.salt1, h.salt2 = binary.BigEndian.Uint32(b[16:]), binary.BigEndian.Uint32(b[20:])
	sum := walChecksum(h.bigEndian, [2]uint32{}, b[:24])
	if sum[0] != binary.BigEndian.Uint32(b[24:]) || sum[1] != binary.BigEndian.Uint32(b[28:]) {
		return h, errors.New("WAL header checksum mismatch")
	}
	h.sum = sum
	return h, nil
}

// walChecksum runs SQLite's WAL checksum over b (a multiple of 8 bytes)
// from s.
func walChecksum(bigEndian bool, s [2]uint32, b []byte) [2]uint32 {
	order := binary.ByteOrder(binary.LittleEndian)
	if bigEndian {
		order = binary.BigEndian
	}
	s0, s1 := s[0], s[1]
	for i := 0; i+8 <= len(b); i += 8 {
		s0 += order.Uint32(b[i:]) + s1
		s1 += order.Uint32(b[i+4:]) + s0
	}
	return [2]uint32{s0, s1}
}

// walPos is how far a WAL has been read: the frames before frame (0-based)
// belong to the WAL of header h, and sum is the last one's checksum.
type walPos struct {
	h     walHeader
	frame int64
	sum   [2]uint32
}

// offset is where frame pos.frame starts in the file.
func (p walPos) offset() int64 {
	return walHeaderSize + p.frame*int64(walFrameHeader+p.h.pageSize)
}

// readCommitted reads the frames of r after pos that belong to pos's WAL
// and end in a commit frame, at most max bytes of them (whole
// transactions; one transaction larger than max is returned whole). It
// returns their bytes and the position after the last commit frame; no
// new committed frame gives nil and pos unchanged.
func readCommitted(r io.ReaderAt, pos walPos, max int) ([]byte, walPos, error) {
	fsz := walFrameHeader + pos.h.pageSize
	var out []byte
	buf := make([]byte, fsz)
	cur, last := pos, pos
	lastLen := 0
	for {
		n, err := r.ReadAt(buf, cur.offset())
		if n < fsz {
			if err == nil || errors.Is(err, io.EOF) {
				break
			}
			return nil, pos, fmt.Errorf("read WAL: %w", err)
		}
		if binary.BigEndian.Uint32(buf[8:]) != pos.h.salt1 || binary.BigEndian.Uint32(buf[12:]) != pos.h.salt2 {
			break // a frame of an earlier WAL, or none
		}
		sum := walChecksum(pos.h.bigEndian, cur.sum, buf[:8])
		sum = walChecksum(pos.h.bigEndian, sum, buf[walFrameHeader:])
		if sum[0] != binary.BigEndian.Uint32(buf[16:]) || sum[1] != binary.BigEndian.Uint32(buf[20:]) {
			break // torn or stale: the WAL ends here
		}
		if binary.BigEndian.Uint32(buf[0:]) == 0 {
			break
		}
		out = append(out, buf...)
		cur.frame++
		cur.sum = sum
		if binary.BigEndian.Uint32(buf[4:]) != 0 { // a commit frame
			last, lastLen = cur, len(out)
			if lastLen >= max {
				break
			}
		}
	}
	if lastLen == 0 {
		return nil, pos, nil
	}
	return out[:lastLen], last, nil
}
