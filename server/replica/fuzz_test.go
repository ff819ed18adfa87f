package replica

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
	"time"
)

// FuzzDecode: any bytes given as a replica object are read without a
// panic, and accepted only when they are an object encode wrote (a
// payload whose size and SHA-256 match its header).
func FuzzDecode(f *testing.F) {
	var ok bytes.Buffer
	encode(&ok, header{Kind: "wal", Generation: "20261207T100000Z-0123abcd", Index: 3, Time: time.Unix(1, 0).UTC(), PageSize: 512}, bytes.Repeat([]byte{7}, 536))
	f.Add(ok.Bytes())
	f.Add([]byte("hello"))
	f.Add(ok.Bytes()[:len(ok.Bytes())/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decode(bytes.NewReader(b))
		if err != nil {
			return
		}
		io.Copy(io.Discard, io.LimitReader(d, 1<<20))
	})
}

// FuzzReadCommitted: any bytes as a WAL file are read without a panic,
// and what comes back is whole frames ending in a commit frame.
func FuzzReadCommitted(f *testing.F) {
	f.Add(testWAL(3, true))
	f.Add(testWAL(2, false))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseWALHeader(b)
		if err != nil {
			return
		}
		frames, pos, err := readCommitted(bytes.NewReader(b), walPos{h: h, sum: h.sum}, 1<<20)
		if err != nil || frames == nil {
			return
		}
		fsz := walFrameHeader + h.pageSize
		if len(frames)%fsz != 0 || int64(len(frames)/fsz) != pos.frame {
			t.Fatalf("%d bytes for %d frames of %d", len(frames), pos.frame, fsz)
		}
		if binary.BigEndian.Uint32(frames[len(frames)-fsz+4:]) == 0 {
			t.Fatal("the last frame returned is not a commit frame")
		}
	})
}

// testWAL is a WAL of 512-byte pages with n frames, the last a commit
// frame when commit is set.
func testWAL(n int, commit bool) []byte {
	b := make([]byte, walHeaderSize)
	binary.BigEndian.PutUint32(b[0:], walMagicLE)
	binary.BigEndian.PutUint32(b[4:], walFormat)
	binary.BigEndian.PutUint32(b[8:], 512)
	binary.BigEndian.PutUint32(b[16:], 11)
	binary.BigEndian.PutUint32(b[20:], 22)
	sum := walChecksum(false, [2]uint32{}, b[:24])
	binary.BigEndian.PutUint32(b[24:], sum[0])
	binary.BigEndian.PutUint32(b[28:], sum[1])
	for i := 0; i < n; i++ {
		fr := make([]byte, walFrameHeader+512)
		binary.BigEndian.PutUint32(fr[0:], uint32(i+1))
		if commit && i == n-1 {
			binary.BigEndian.PutUint32(fr[4:], uint32(n))
		}
		binary.BigEndian.PutUint32(fr[8:], 11)
		binary.BigEndian.PutUint32(fr[12:], 22)
		fr[walFrameHeader+i] = byte(i)
		sum = walChecksum(false, sum, fr[:8])
		sum = walChecksum(false, sum, fr[walFrameHeader:])
		binary.BigEndian.PutUint32(fr[16:], sum[0])
		binary.BigEndian.PutUint32(fr[20:], sum[1])
		b = append(b, fr...)
	}
	return b
}

// TestReadCommitted: only frames up to the last commit frame are read;
// a frame with a broken checksum ends the WAL.
func TestReadCommitted(t *testing.T) {
	for _, tc := range []struct {
		name   string
		wal    []byte
		frames int64
	}{
		{"three frames, committed", testWAL(3, true), 3},
		{"two frames, no commit yet", testWAL(2, false), 0},
		{"a torn last frame", testWAL(3, true)[:walHeaderSize+3*(walFrameHeader+512)-1], 0},
		{"a damaged page", func() []byte { b := testWAL(3, true); b[walHeaderSize+walFrameHeader+5] ^= 1; return b }(), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := parseWALHeader(tc.wal)
			if err != nil {
				t.Fatal(err)
			}
			_, pos, err := readCommitted(bytes.NewReader(tc.wal), walPos{h: h, sum: h.sum}, 1<<20)
			if err != nil || pos.frame != tc.frames {
				t.Errorf("read %d frames (%v), want %d", pos.frame, err, tc.frames)
			}
		})
	}
}
