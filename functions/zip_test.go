package functions

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// entry is one entry of a test zip; raw entries carry their own sizes.
type entry struct {
	name   string
	body   string
	mode   fs.FileMode // 0: a regular file
	method uint16
	raw    *zip.FileHeader // written with CreateRaw: body is the compressed data
}

func makeZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.raw != nil {
			w, err := zw.CreateRaw(e.raw)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(e.body))
			continue
		}
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflated(b []byte) string {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(b)
	w.Close()
	return buf.String()
}

func TestReadZip(t *testing.T) {
	big := bytes.Repeat([]byte{0}, 1<<20)
	good := []struct {
		name    string
		zip     []byte
		want    map[string]string
		wantNot []string
	}{
		{"flat", makeZip(t, entry{name: "index.js", body: "exports.main=()=>1"}, entry{name: "lib/", mode: fs.ModeDir | 0o755}, entry{name: "lib/a.js", body: "a"}),
			map[string]string{"index.js": "exports.main=()=>1", "lib/a.js": "a"}, nil},
		{"one top folder is unwrapped", makeZip(t, entry{name: "sum/"}, entry{name: "sum/index.js", body: "i"}, entry{name: "sum/node_modules/x/index.js", body: "x"}),
			map[string]string{"index.js": "i", "node_modules/x/index.js": "x"}, []string{"sum/index.js"}},
		{"two top folders are not", makeZip(t, entry{name: "a/index.js", body: "i"}, entry{name: "b/index.js", body: "j"}),
			map[string]string{"a/index.js": "i", "b/index.js": "j"}, nil},
		{"macOS litter is dropped", makeZip(t, entry{name: "sum/index.js", body: "i"}, entry{name: "__MACOSX/sum/._index.js", body: "junk"}, entry{name: "sum/.DS_Store", body: "junk"}),
			map[string]string{"index.js": "i"}, []string{"__MACOSX/sum/._index.js", ".DS_Store"}},
	}
	for _, c := range good {
		files, _, err := ReadZip(c.zip)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for p, want := range c.want {
			if string(files[p]) != want {
				t.Errorf("%s: %s = %q, want %q", c.name, p, files[p], want)
			}
		}
		for _, p := range c.wantNot {
			if _, ok := files[p]; ok {
				t.Errorf("%s: %s is there", c.name, p)
			}
		}
	}

	many := make([]entry, MaxFiles+1)
	for i := range many {
		many[i] = entry{name: strings.Repeat("d/", i%7) + "f" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26)) + ".js"}
	}
	bad := []struct {
		name string
		zip  []byte
		want string
	}{
		{"not a zip", []byte("PK\x03\x04 nonsense"), "not a readable zip"},
		{"empty body", nil, "not a readable zip"},
		{"a parent path", makeZip(t, entry{name: "../evil.js"}), "invalid file path"},
		{"a nested parent path", makeZip(t, entry{name: "a/../../evil.js"}), "invalid file path"},
		{"an absolute path", makeZip(t, entry{name: "/etc/cron.d/x"}), "invalid file path"},
		{"a backslash", makeZip(t, entry{name: `..\evil.js`}), "invalid file path"},
		{"a symbolic link", makeZip(t, entry{name: "index.js", body: "x"}, entry{name: "link", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777}), "symbolic link"},
		{"a device", makeZip(t, entry{name: "dev", mode: fs.ModeDevice | 0o600}), "not a regular file"},
		{"the same path twice", makeZip(t, entry{name: "index.js"}, entry{name: "index.js"}), "appears twice"},
		{"too many files", makeZip(t, many...), "more than 10000 files"},
		{"declared total over the limit", makeZip(t, entry{raw: &zip.FileHeader{Name: "a", Method: zip.Store, UncompressedSize64: MaxCodeBytes + 1, CompressedSize64: 1}, body: "x"}),
			"more than 52428800 bytes uncompressed"},
		{"an entry inflating past its declared size (a bomb)", makeZip(t, entry{raw: &zip.FileHeader{Name: "bomb", Method: zip.Deflate,
			UncompressedSize64: 10, CompressedSize64: uint64(len(deflated(big))), CRC32: crc32.ChecksumIEEE(big)}, body: deflated(big)}),
			"more bytes than the 10 it declares"},
		{"an entry shorter than declared", makeZip(t, entry{raw: &zip.FileHeader{Name: "short", Method: zip.Store,
			UncompressedSize64: 100, CompressedSize64: 3, CRC32: crc32.ChecksumIEEE([]byte("abc"))}, body: "abc"}), "short"},
		{"an unknown compression method", makeZip(t, entry{raw: &zip.FileHeader{Name: "m", Method: 99, UncompressedSize64: 1, CompressedSize64: 1}, body: "x"}),
			"zip entry \"m\""},
		{"a bad checksum", makeZip(t, entry{raw: &zip.FileHeader{Name: "c", Method: zip.Store, UncompressedSize64: 3, CompressedSize64: 3, CRC32: 1}, body: "abc"}),
			"checksum"},
	}
	for _, c := range bad {
		files, _, err := ReadZip(c.zip)
		if ErrorCode(err) != CodeInvalidParam || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %d files, %v; want INVALID_PARAM containing %q", c.name, len(files), err, c.want)
		}
	}
	if _, _, err := ReadZip(make([]byte, MaxZipBytes+1)); ErrorCode(err) != CodeInvalidParam {
		t.Errorf("a body over MaxZipBytes: %v", err)
	}
}

// A zip of a CloudBase folder after npm install: the npm copy of
// wx-server-sdk and what only it needs are left out without being
// inflated (tslib.js would fail: it inflates past its declared size), the
// rest is kept, and ReadZip says what it left out.
func TestReadZipLeavesOutTheSDK(t *testing.T) {
	big := bytes.Repeat([]byte{0}, 1<<20)
	z := makeZip(t,
		entry{name: "login/index.js", body: "const cloud = require('wx-server-sdk')\nconst dayjs = require('dayjs')"},
		entry{name: "login/package.json", body: `{"dependencies": {"wx-server-sdk": "4.0.2", "lodash": "4"}}`},
		entry{name: "login/node_modules/wx-server-sdk/package.json", body: `{"dependencies": {"tslib": "1", "dayjs": "1"}}`},
		entry{name: "login/node_modules/wx-server-sdk/index.js", body: "module.exports = {}"},
		entry{name: "login/node_modules/tslib/package.json", body: `{}`},
		entry{raw: &zip.FileHeader{Name: "login/node_modules/tslib/tslib.js", Method: zip.Deflate, UncompressedSize64: 10,
			CompressedSize64: uint64(len(deflated(big))), CRC32: crc32.ChecksumIEEE(big)}, body: deflated(big)},
		entry{name: "login/node_modules/dayjs/package.json", body: `{}`},
		entry{name: "login/node_modules/lodash/package.json", body: `{}`},
		entry{name: "login/node_modules/lodash/lodash.js", body: "module.exports = {}"},
	)
	files, left, err := ReadZip(z)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for p := range files {
		got = append(got, p)
	}
	slices.Sort(got)
	want := []string{"index.js", "node_modules/dayjs/package.json", "node_modules/lodash/lodash.js", "node_modules/lodash/package.json", "package.json"}
	if !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	wantLeft := "wx-server-sdk and 1 package only it needs (77 B): the runtime provides it"
	wantBytes := int64(len(`{"dependencies": {"tslib": "1", "dayjs": "1"}}`) + len("module.exports = {}") + len(`{}`) + 10) // tslib.js as declared
	if left.String() != wantLeft || left.Files != 4 || left.Bytes != wantBytes {
		t.Errorf("left out %q, %d files, %d bytes; want %q, 4 files, %d bytes", left, left.Files, left.Bytes, wantLeft, wantBytes)
	}
}

// A folder over the limits is refused with the folders that hold the
// most, so that its owner knows what to trim.
func TestReadZipNamesTheLargestFolders(t *testing.T) {
	stored := func(name string, size uint64) entry {
		return entry{raw: &zip.FileHeader{Name: name, Method: zip.Store, UncompressedSize64: size, CompressedSize64: 1}, body: "x"}
	}
	z := makeZip(t, entry{name: "index.js", body: "exports.main = () => 1"},
		stored("node_modules/@img/sharp/lib.node", 30<<20), stored("node_modules/typescript/lib/tsc.js", 20<<20),
		stored("assets/a.png", 1<<20))
	_, _, err := ReadZip(z)
	want := "the largest folders: node_modules/@img/sharp (30.0 MiB, 1 file), node_modules/typescript (20.0 MiB, 1 file), assets (1.0 MiB, 1 file), . (22 B, 1 file)"
	if ErrorCode(err) != CodeInvalidParam || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want INVALID_PARAM with %q", err, want)
	}
}

// WriteZip and ReadZip agree (the history's archives, the CLI's uploads).
func TestWriteZipRoundTrip(t *testing.T) {
	files := map[string][]byte{"index.js": []byte("exports.main = () => 1"), "lib/a.js": bytes.Repeat([]byte("a"), 100000), "empty.txt": {}}
	var buf bytes.Buffer
	if err := WriteZip(&buf, files); err != nil {
		t.Fatal(err)
	}
	got, _, err := ReadZip(buf.Bytes())
	if err != nil || len(got) != len(files) || hashFiles(got) != hashFiles(files) {
		t.Fatalf("round trip: %d files, %v", len(got), err)
	}
}

// FuzzReadZip: whatever the body, ReadZip does not panic, and what it
// accepts stays within the limits with clean paths.
func FuzzReadZip(f *testing.F) {
	f.Add(makeZip(f, entry{name: "index.js", body: "exports.main=()=>1"}, entry{name: "lib/a.js", body: "a"}))
	f.Add(makeZip(f, entry{name: "sum/index.js", body: "i"}, entry{name: "__MACOSX/x", body: "j"}))
	f.Add(makeZip(f, entry{name: "link", mode: fs.ModeSymlink | 0o777, body: "/etc"}))
	f.Add(makeZip(f, entry{raw: &zip.FileHeader{Name: "s", Method: zip.Store, UncompressedSize64: 3, CompressedSize64: 3}, body: "abc"}))
	f.Add([]byte("PK\x05\x06"))
	f.Add(makeZip(f, entry{name: "f/index.js", body: "require('wx-server-sdk'); require('a')"},
		entry{name: "f/node_modules/wx-server-sdk/package.json", body: `{"dependencies": {"a": "1", "b": "1"}}`},
		entry{name: "f/node_modules/a/package.json", body: "{}"}, entry{name: "f/node_modules/b/package.json", body: "{}"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		files, left, err := ReadZip(data)
		if err != nil {
			if ErrorCode(err) != CodeInvalidParam {
				t.Fatalf("error %v is not INVALID_PARAM", err)
			}
			return
		}
		total := 0
		for p, b := range files {
			if checkPath(p) != nil {
				t.Fatalf("accepted path %q", p)
			}
			total += len(b)
		}
		if len(files) > MaxFiles || total > MaxCodeBytes {
			t.Fatalf("accepted %d files, %d bytes", len(files), total)
		}
		if left != nil {
			for _, d := range left.Dirs {
				if !strings.HasPrefix(d, "node_modules/") && !strings.Contains(d, "/node_modules/") {
					t.Fatalf("left out %s, outside node_modules/", d)
				}
			}
		}
		for p := range files {
			if left.Holds(p) {
				t.Fatalf("kept %s, which it says it left out", p)
			}
		}
	})
}
