//go:build !minibase_fuzz

package functions_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"minibase/functions"
	"minibase/server/servertest"
)

// npmFolder zips the fixture folder testdata/<name> with the node_modules/
// of a real `npm ci` of its package.json and package-lock.json (from the
// npm registry, installed into a cache the first time by
// scripts/npm-install.sh): the folder as its developer has it, as
// CloudBase's console uploads it. Symbolic links (node_modules/.bin) are
// left out, as zip tools that do not follow them do. It returns the zip
// and the number of packages in node_modules/.
func npmFolder(t *testing.T, name string) ([]byte, int) {
	t.Helper()
	out, err := exec.Command("../scripts/npm-install.sh", "testdata/"+name).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("scripts/npm-install.sh: %v\n%s", err, stderr)
	}
	files := map[string][]byte{}
	packages := 0
	add := func(dir, prefix string) {
		err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
			if err != nil || !de.Type().IsRegular() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			rel = prefix + filepath.ToSlash(rel)
			if up := path.Dir(path.Dir(rel)); path.Base(rel) == "package.json" &&
				(path.Base(up) == "node_modules" || strings.HasPrefix(path.Base(up), "@") && path.Base(path.Dir(up)) == "node_modules") {
				packages++
			}
			files[rel], err = os.ReadFile(p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add("testdata/"+name, name+"/")
	add(strings.TrimSpace(string(out)), name+"/node_modules/")
	var buf bytes.Buffer
	if err := functions.WriteZip(&buf, files); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), packages
}

// A function written as CloudBase's templates write it with
// @cloudbase/node-sdk, zipped with the real package (3.18.3, and the 87
// packages it pulls in) in its node_modules/, deploys: the zip reader
// leaves the SDK out and says so; the runtime answers the require, and
// the function's CRUD, command, storage and callFunction get dialect C's
// shapes (spec §2.2: bare payloads; {id, requestId}, {ids}, {updated},
// {data}, {total}, {deleted}, {fileID}, {fileList}, {result}; errors with
// a string code).
func TestCloudBaseNodeSDKFolder(t *testing.T) {
	zipped, packages := npmFolder(t, "cloudbase-nodesdk")
	s := servertest.New(t, servertest.Options{})
	s.Deploy(t, "sum", map[string]string{"index.js": `exports.main = async (e) => ({ sum: e.a + e.b })`}, "")
	r := s.Do(t, zipRequest("books", "application/zip", zipped, asAdmin))
	// Deployed: index.js, package.json, package-lock.json and npm's
	// node_modules/.package-lock.json.
	r.Expect(t, 200, `{"name": "books", "number": 1, "bundled": false, "files": 4,
		"leftOut": {"sdks": ["@cloudbase/node-sdk"], "packages": `+strconv.Itoa(packages-1)+`}}`)

	r = s.Do(t, invoke("books", `{}`, alice))
	r.Expect(t, 200, `{"result": {
		"borrowed": {"updated": 1},
		"one": {"data": [{"title": "红楼梦", "stock": 1}]},
		"inStock": {"data": [{"title": "红楼梦", "stock": 1}, {"title": "西游记", "stock": 1}]},
		"counted": {"total": 2},
		"removed": {"deleted": 1},
		"urls": {"fileList": [{"code": "SUCCESS", "fileID": "cloud://minibase.default/covers/hongloumeng.txt", "maxAge": 86400}]},
		"downloaded": {"text": "a cover"},
		"deleted": {"fileList": [{"code": "SUCCESS", "fileID": "cloud://minibase.default/covers/hongloumeng.txt"}]},
		"called": {"result": {"sum": 3}},
		"failed": {"code": "DATABASE_REQUEST_FAILED"},
		"lent": {"left": 0}, "refused": {"reason": "out of stock"}, "loans": 1}}`)
	id := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for path, keys := range map[string][]string{
		"result.added": {"id", "requestId"}, "result.batch": {"ids", "requestId"}, "result.borrowed": {"requestId", "updated"},
		"result.one": {"data", "requestId"}, "result.counted": {"requestId", "total"}, "result.removed": {"deleted", "requestId"},
		"result.uploaded": {"fileID", "requestId"}, "result.urls": {"fileList", "requestId"}, "result.deleted": {"fileList", "requestId"},
		"result.called": {"requestId", "result"}, "result.failed": {"code", "message"},
	} {
		m, _ := r.Value(path).(map[string]any)
		var got []string
		for k := range m {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, keys) {
			t.Errorf("%s has %v, want %v: %.300s", path, got, keys, r.Body)
		}
	}
	if !id.MatchString(r.Str("result.added.id")) || !id.MatchString(r.Str("result.one.data.0._id")) || r.Str("result.added.requestId") == "" {
		t.Errorf("added %v, one %v", r.Value("result.added"), r.Value("result.one"))
	}
	if !strings.Contains(r.Str("result.urls.fileList.0.tempFileURL"), "/covers/hongloumeng.txt") {
		t.Errorf("the temporary URL: %v", r.Value("result.urls"))
	}
	if u := s.Session(t, alice); r.Str("result.user.openId") != u.OpenID || r.Str("result.user.uid") != u.UID {
		t.Errorf("app.auth().getUserInfo() is %v, want alice (%s, %s)", r.Value("result.user"), u.OpenID, u.UID)
	}
}
