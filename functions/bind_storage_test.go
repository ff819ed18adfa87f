package functions

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"

	"minibase/storage"
	"minibase/storage/local"
)

// newStorage returns a storage service on a local disk in a temporary
// directory (env minibase), with publicURL as its public address.
func newStorage(t testing.TB, publicURL string) *storage.Service {
	t.Helper()
	be, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	svc, err := storage.New(context.Background(), storage.Config{Env: "minibase", Backend: be,
		SignKey: bytes.Repeat([]byte("k"), 32), PublicURL: publicURL})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// fileSteps runs the files function with steps (JSON) and returns each
// step's outcome.
func fileSteps(t *testing.T, rt *Runtime, ctx context.Context, inv Invocation, steps string) []map[string]any {
	t.Helper()
	res, err := rt.Invoke(ctx, "files", []byte(`{"steps":`+steps+`}`), inv)
	if err != nil {
		t.Fatalf("%s: %v", steps, err)
	}
	var out []map[string]any
	if err := json.Unmarshal(res.Value, &out); err != nil {
		t.Fatalf("result %s: %v", res.Value, err)
	}
	return out
}

// checkSteps runs steps and compares each outcome with want (a JSON array
// of subsets, one per step).
func checkSteps(t *testing.T, rt *Runtime, ctx context.Context, inv Invocation, what, steps, want string) []map[string]any {
	t.Helper()
	got := fileSteps(t, rt, ctx, inv, steps)
	b, _ := json.Marshal(got)
	var g any
	json.Unmarshal(b, &g)
	if p, ok := subset(mustJSON(t, want), g); !ok {
		t.Errorf("%s: at %s: got %s, want subset %s", what, p, b, want)
	}
	return got
}

const fileA = "cloud://minibase.default/docs/a.txt"

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// Storage in a function: uploadFile, downloadFile, getTempFileURL and deleteFile
// with wx-server-sdk's results, the bytes kept exactly, and files really in
// storage.
func TestStorageCalls(t *testing.T) {
	files := newStorage(t, "")
	rt, _ := newTestRuntime(t, Options{Files: files})
	inv := Invocation{BaseURL: "https://api.example.test"}
	allBytes := make([]byte, 300)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	for _, c := range []struct{ what, content, stored string }{
		{"a Buffer", `{"text":"hello, world"}`, "hello, world"},
		{"a string, as UTF-8", `{"string":"你好 ✓"}`, "你好 ✓"},
		{"a Uint8Array of every byte", `{"bytes":300}`, string(allBytes)},
		{"an ArrayBuffer", `{"arrayBuffer":"raw"}`, "raw"},
		{"a DataView: only its bytes", `{"view":"inside"}`, "inside"},
		{"empty", `{"string":""}`, ""},
	} {
		checkSteps(t, rt, userCtx, inv, c.what, `[
			{"call":"uploadFile","args":{"cloudPath":"docs/a.txt","fileContent":`+c.content+`}},
			{"call":"downloadFile","args":{"fileID":"`+fileA+`"}}]`, `[
			{"fileID":"`+fileA+`","statusCode":200,"errMsg":"uploadFile:ok"},
			{"fileContent":{"isBuffer":true,"length":`+itoa(len(c.stored))+`,"base64":"`+b64(c.stored)+`"},"statusCode":200,"errMsg":"downloadFile:ok"}]`)
		rc, info, err := files.Read(adminCtx, fileA)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := io.ReadAll(rc)
		rc.Close()
		if string(stored) != c.stored || info.Owner != "" {
			t.Errorf("%s: stored %q (owner %q), want %q uploaded as an admin", c.what, stored, info.Owner, c.stored)
		}
	}

	got := checkSteps(t, rt, userCtx, inv, "temporary URLs", `[
		{"call":"getTempFileURL","args":{"fileList":["`+fileA+`",{"fileID":"`+fileA+`","maxAge":60},"cloud://minibase.default/nope"]}}]`, `[
		{"errMsg":"getTempFileURL:ok","fileList":[
			{"fileID":"`+fileA+`","maxAge":86400,"status":0,"errMsg":"ok"},
			{"fileID":"`+fileA+`","maxAge":60,"status":0,"errMsg":"ok"},
			{"fileID":"cloud://minibase.default/nope","tempFileURL":"","status":-503003,"errMsg":"STORAGE_FILE_NONEXIST: file cloud://minibase.default/nope does not exist"}]}]`)
	u := got[0]["fileList"].([]any)[0].(map[string]any)["tempFileURL"].(string)
	if !strings.HasPrefix(u, "https://api.example.test/f/default/docs/a.txt?v=") {
		t.Errorf("tempFileURL %q, want the invoking request's base and the public bucket's versioned URL", u)
	}

	checkSteps(t, rt, userCtx, inv, "delete", `[
		{"call":"deleteFile","args":{"fileList":["`+fileA+`","cloud://minibase.default/nope","not a fileID"]}},
		{"call":"downloadFile","args":{"fileID":"`+fileA+`"}}]`, `[
		{"errMsg":"deleteFile:ok","fileList":[
			{"fileID":"`+fileA+`","status":0,"errMsg":"ok"},
			{"fileID":"cloud://minibase.default/nope","status":-503003},
			{"fileID":"not a fileID","status":-501007}]},
		{"error":true,"isError":true,"errCode":-503003,"errMsg":"downloadFile:fail -503003 storage file not exists. file cloud://minibase.default/docs/a.txt does not exist"}]`)
	if _, _, err := files.Read(adminCtx, fileA); storage.ErrorCode(err) != storage.CodeFileNotExist {
		t.Errorf("after deleteFile, reading it gives %v, want it gone", err)
	}
}

// Functions use storage as an admin: a bucket that lets no end user read
// or write still serves the function an end user called.
func TestStorageCallsBypassRules(t *testing.T) {
	files := newStorage(t, "")
	rule, _ := storage.ParseRule([]byte(`"ADMINONLY"`))
	if _, err := files.UpdateBucket(adminCtx, storage.DefaultBucket, storage.BucketPatch{Rule: &rule}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := files.Upload(userCtx, storage.UploadRequest{Path: "x", Body: strings.NewReader("x")}); storage.ErrorCode(err) != storage.CodePermissionDenied {
		t.Fatalf("an end user's own upload: %v, want it denied by the rule", err)
	}
	rt, _ := newTestRuntime(t, Options{Files: files})
	got := checkSteps(t, rt, userCtx, Invocation{}, "admin rights", `[
		{"call":"uploadFile","args":{"cloudPath":"docs/a.txt","fileContent":{"text":"secret"}}},
		{"call":"downloadFile","args":{"fileID":"`+fileA+`"}},
		{"call":"getTempFileURL","args":{"fileList":["`+fileA+`"]}},
		{"call":"deleteFile","args":{"fileList":["`+fileA+`"]}}]`, `[
		{"errMsg":"uploadFile:ok"},
		{"fileContent":{"base64":"`+b64("secret")+`"}},
		{"fileList":[{"status":0}]},
		{"fileList":[{"status":0,"errMsg":"ok"}]}]`)
	// Without a public URL or an invoking request, the URL is relative (the
	// client SDK puts its server in front); a private bucket's is signed.
	u := got[2]["fileList"].([]any)[0].(map[string]any)["tempFileURL"].(string)
	parsed, err := url.Parse(u)
	if err != nil || !strings.HasPrefix(u, "/f/default/docs/a.txt?sign=") {
		t.Fatalf("tempFileURL %q, want a relative signed URL", u)
	}
	// The URL names the file's owner: the function uploaded as an admin,
	// so an admin's file at that path answers it again (a file is gone
	// and an end user's would not: storage's tests).
	q := parsed.Query()
	fetch := storage.FetchRequest{Bucket: "default", Path: "docs/a.txt", Sign: q.Get("sign"), T: q.Get("t"), Head: true}
	if _, err := files.Fetch(context.Background(), fetch); storage.ErrorCode(err) != storage.CodeSignInvalid {
		t.Errorf("the signed URL after delete: %v, want %s", err, storage.CodeSignInvalid)
	}
	if _, _, err := files.Upload(adminCtx, storage.UploadRequest{Path: "docs/a.txt", Body: strings.NewReader("again")}); err != nil {
		t.Fatal(err)
	}
	if _, err := files.Fetch(context.Background(), fetch); err != nil {
		t.Errorf("the signed URL once an admin uploads the file again: %v, want it valid", err)
	}
}

// Storage's public URL, when set, is the base of every temporary URL.
func TestStorageCallsPublicURL(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{Files: newStorage(t, "https://cdn.example.test")})
	got := fileSteps(t, rt, userCtx, Invocation{BaseURL: "http://127.0.0.1:8090"}, `[
		{"call":"uploadFile","args":{"cloudPath":"docs/a.txt","fileContent":{"text":"x"}}},
		{"call":"getTempFileURL","args":{"fileList":["`+fileA+`"]}}]`)
	u, _ := got[1]["fileList"].([]any)[0].(map[string]any)["tempFileURL"].(string)
	if !strings.HasPrefix(u, "https://cdn.example.test/f/default/docs/a.txt?") {
		t.Errorf("tempFileURL %q, want storage public URL as its base %v", u, got)
	}
}

// Bad arguments and limits fail the call with wx-server-sdk's errors and
// store nothing.
func TestStorageCallErrors(t *testing.T) {
	files := newStorage(t, "")
	max := int64(1000)
	if _, err := files.UpdateBucket(adminCtx, storage.DefaultBucket, storage.BucketPatch{MaxSize: &max}); err != nil {
		t.Fatal(err)
	}
	// A file larger than the function's memory (memorySize 64 MB).
	big := storage.UploadRequest{Bucket: "big", Path: "big.bin", Body: io.LimitReader(zeros{}, 65<<20)}
	if _, err := files.CreateBucket(adminCtx, storage.BucketSettings{Name: "big", MaxSize: 100 << 20}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := files.Upload(adminCtx, big); err != nil {
		t.Fatal(err)
	}
	list51 := `[` + strings.TrimSuffix(strings.Repeat(`"`+fileA+`",`, 51), ",") + `]`
	rt, _ := newTestRuntime(t, Options{Files: files})
	const invalid = "-501007 invalid parameters. "
	checkSteps(t, rt, userCtx, Invocation{}, "errors", `[
		{"call":"uploadFile","args":{"fileContent":{"text":"x"}}},
		{"call":"uploadFile"},
		{"call":"uploadFile","args":{"cloudPath":"a.txt","fileContent":42}},
		{"call":"uploadFile","args":{"cloudPath":"a.txt","fileContent":{"no":"bytes"}}},
		{"call":"uploadFile","args":{"cloudPath":"/abs//path","fileContent":{"text":"x"}}},
		{"call":"uploadFile","args":{"cloudPath":"big.txt","fileContent":{"size":1001}}},
		{"call":"downloadFile","args":{}},
		{"call":"downloadFile","args":{"fileID":"not a fileID"}},
		{"call":"downloadFile","args":{"fileID":"cloud://minibase.big/big.bin"}},
		{"call":"getTempFileURL","args":{"fileList":[]}},
		{"call":"getTempFileURL","args":{"fileList":`+list51+`}},
		{"call":"getTempFileURL","args":{"fileList":[{"fileID":"`+fileA+`","maxAge":-1}]}},
		{"call":"deleteFile","args":{"fileList":"`+fileA+`"}},
		{"call":"deleteFile","args":{"fileList":[7]}}]`, `[
		{"error":true,"isError":true,"errCode":-501007,"errMsg":"uploadFile:fail `+invalid+`cloudPath must be a non-empty string"},
		{"errCode":-501007,"errMsg":"uploadFile:fail `+invalid+`options must be an object"},
		{"errCode":-501007,"errMsg":"uploadFile:fail `+invalid+`fileContent must be a Buffer or a string"},
		{"errCode":-501007,"errMsg":"uploadFile:fail `+invalid+`fileContent must be a Buffer or a string"},
		{"errCode":-501007},
		{"errCode":-503001,"errMsg":"uploadFile:fail -503001 storage request fail. file is larger than bucket \"default\" allows (1000 bytes)"},
		{"errCode":-501007,"errMsg":"downloadFile:fail `+invalid+`fileID must be a non-empty string"},
		{"errCode":-501007},
		{"errCode":-503001,"errMsg":"downloadFile:fail -503001 storage request fail. the file is 68157440 bytes, more than the function's memory (memorySize 64 MB) can hold"},
		{"errCode":-501007,"errMsg":"getTempFileURL:fail `+invalid+`fileList must be a non-empty array"},
		{"errCode":-501007,"errMsg":"getTempFileURL:fail `+invalid+`fileList has 51 items; at most 50 per call"},
		{"errCode":-501007,"errMsg":"getTempFileURL:fail `+invalid+`fileList[0] is not a fileID: {\"fileID\":\"`+fileA+`\",\"maxAge\":-1}"},
		{"errCode":-501007,"errMsg":"deleteFile:fail `+invalid+`fileList must be a non-empty array"},
		{"errCode":-501007,"errMsg":"deleteFile:fail `+invalid+`fileList[0] is not a fileID: 7"}]`)
	page, err := files.Files(adminCtx, storage.DefaultBucket, "", "", 0, false)
	if err != nil || len(page.Files) != 0 {
		t.Errorf("files stored by failed calls: %+v, %v", page, err)
	}

	// A server without storage: the calls fail, the function does not.
	rt, _ = newTestRuntime(t, Options{})
	checkSteps(t, rt, userCtx, Invocation{}, "no storage", `[{"call":"uploadFile","args":{"cloudPath":"a.txt","fileContent":{"text":"x"}}}]`,
		`[{"errCode":-503001,"errMsg":"uploadFile:fail -503001 storage request fail. object storage is not configured on this server"}]`)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
