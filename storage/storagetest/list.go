package storagetest

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"minibase/storage"
)

func testNames(t *testing.T, b storage.Bucket) {
	for _, key := range []string{"图片/猫 咪.png", "a b/c+d%20e.txt", "x/!-_.*'()&$@=;:+,?", "deep/" + strings.Repeat("d/", 40) + "leaf"} {
		put(t, b, key, "content of "+key, "")
		if data, info := read(t, b, key); data != "content of "+key || info.Key != key {
			t.Errorf("%q: read back %q, key %q", key, data, info.Key)
		}
	}
}

func testBadKeys(t *testing.T, b storage.Bucket) {
	for _, key := range []string{"", "../escape", "a/../../escape", "/abs", "a//b", "a/./b", "a\\..\\b", "a/\x00b", "trailing/", strings.Repeat("k", 1025)} {
		if _, err := b.Put(ctx, key, strings.NewReader("x"), storage.PutOptions{}); !errors.Is(err, storage.ErrBadKey) {
			t.Errorf("Put(%.40q) = %v, want ErrBadKey", key, err)
		}
		if _, _, err := b.Open(ctx, key); !errors.Is(err, storage.ErrBadKey) {
			t.Errorf("Open(%.40q) = %v, want ErrBadKey", key, err)
		}
		if _, err := b.Stat(ctx, key); !errors.Is(err, storage.ErrBadKey) {
			t.Errorf("Stat(%.40q) = %v, want ErrBadKey", key, err)
		}
		if err := b.Delete(ctx, key); !errors.Is(err, storage.ErrBadKey) {
			t.Errorf("Delete(%.40q) = %v, want ErrBadKey", key, err)
		}
	}
	if _, err := b.List(ctx, storage.ListOptions{Prefix: "../"}); !errors.Is(err, storage.ErrBadKey) {
		t.Errorf("List(../) = %v, want ErrBadKey", err)
	}
}

// listKeys are stored in this order of bytes, which is the order List
// returns them in: '-' < '/' < 'b'.
var listKeys = []string{"l/a-b", "l/a/b", "l/a/c/d", "l/ab", "l/b.txt"}

func putListKeys(t *testing.T, b storage.Bucket) {
	t.Helper()
	for _, k := range []string{"l/b.txt", "l/a/c/d", "m/x", "l/ab", "l/a-b", "k", "l/a/b"} {
		put(t, b, k, k, "text/plain")
	}
}

func testList(t *testing.T, b storage.Bucket) {
	putListKeys(t, b)
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"l/", listKeys},
		{"l/a", []string{"l/a-b", "l/a/b", "l/a/c/d", "l/ab"}},
		{"l/a/", []string{"l/a/b", "l/a/c/d"}},
		{"", append(append([]string{"k"}, listKeys...), "m/x")},
		{"l/zzz", nil},
		{"nothing/", nil},
	} {
		page, err := b.List(ctx, storage.ListOptions{Prefix: tc.prefix})
		if err != nil {
			t.Fatalf("List(%q): %v", tc.prefix, err)
		}
		if got := keys(page); !slices.Equal(got, tc.want) || page.Next != "" || page.Objects == nil {
			t.Errorf("List(%q) = %v next %q, want %v and no next", tc.prefix, got, page.Next, tc.want)
		}
		for _, o := range page.Objects {
			if o.Size != int64(len(o.Key)) || o.ETag == "" || o.ModTime.IsZero() {
				t.Errorf("List(%q): entry %+v lacks size, ETag or time", tc.prefix, o)
			}
		}
	}
	var got []string
	after := ""
	for range 10 {
		page, err := b.List(ctx, storage.ListOptions{Prefix: "l/", After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Objects) > 2 {
			t.Fatalf("page of %d entries with Limit 2", len(page.Objects))
		}
		got = append(got, keys(page)...)
		if page.Next == "" {
			break
		}
		if page.Next != page.Objects[len(page.Objects)-1].Key {
			t.Errorf("Next = %q, want the page's last key", page.Next)
		}
		after = page.Next
	}
	if !slices.Equal(got, listKeys) {
		t.Errorf("pages of 2 = %v, want %v", got, listKeys)
	}
}

func testListFolders(t *testing.T, b storage.Bucket) {
	putListKeys(t, b)
	page, err := b.List(ctx, storage.ListOptions{Prefix: "l/", Folders: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(page); !slices.Equal(got, []string{"l/a-b", "l/ab", "l/b.txt"}) || !slices.Equal(page.Prefixes, []string{"l/a/"}) {
		t.Errorf("folders of l/ = %v + %v", got, page.Prefixes)
	}
	page, err = b.List(ctx, storage.ListOptions{Folders: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(page); !slices.Equal(got, []string{"k"}) || !slices.Equal(page.Prefixes, []string{"l/", "m/"}) {
		t.Errorf("folders of the root = %v + %v", got, page.Prefixes)
	}
	// Pages of 2 entries, objects and folders counted together, in order:
	// a-b, a/ | ab, b.txt.
	page, err = b.List(ctx, storage.ListOptions{Prefix: "l/", Folders: true, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(page); !slices.Equal(got, []string{"l/a-b"}) || !slices.Equal(page.Prefixes, []string{"l/a/"}) || page.Next != "l/a/" {
		t.Fatalf("first page = %v + %v next %q", got, page.Prefixes, page.Next)
	}
	page, err = b.List(ctx, storage.ListOptions{Prefix: "l/", Folders: true, Limit: 2, After: page.Next})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(page); !slices.Equal(got, []string{"l/ab", "l/b.txt"}) || len(page.Prefixes) != 0 || page.Next != "" {
		t.Errorf("second page = %v + %v next %q", got, page.Prefixes, page.Next)
	}
}

// testConcurrent overwrites one key from several writers while readers
// read it: every read sees one whole version, and the last state is one.
func testConcurrent(t *testing.T, b storage.Bucket) {
	versions := make([]string, 6)
	for i := range versions {
		versions[i] = strings.Repeat(fmt.Sprintf("version %d;", i), 2000*(i+1))
	}
	put(t, b, "hot", versions[0], "")
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i, v := range versions {
		wg.Go(func() {
			if _, err := b.Put(ctx, "hot", strings.NewReader(v), storage.PutOptions{ContentType: fmt.Sprint("text/v", i)}); err != nil {
				errs <- err
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 20 {
				rc, info, err := b.Open(ctx, "hot")
				if err != nil {
					errs <- err
					return
				}
				data, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					errs <- err
					return
				}
				if !slices.Contains(versions, string(data)) || info.Size != int64(len(data)) {
					errs <- fmt.Errorf("read %d bytes (info says %d) that are no whole version", len(data), info.Size)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if data, _ := read(t, b, "hot"); !slices.Contains(versions, data) {
		t.Errorf("final content is no whole version (%d bytes)", len(data))
	}
}

func testConflicts(t *testing.T, b storage.Bucket, refuses bool) {
	put(t, b, "c/file", "file", "")
	put(t, b, "d/dir/inner", "inner", "")
	for _, key := range []string{"c/file/below", "d/dir"} {
		_, err := b.Put(ctx, key, strings.NewReader("new"), storage.PutOptions{})
		switch {
		case refuses && !errors.Is(err, storage.ErrConflict):
			t.Errorf("Put(%q) = %v, want ErrConflict", key, err)
		case !refuses && err != nil:
			t.Errorf("Put(%q) = %v, want both names held", key, err)
		}
	}
	if data, _ := read(t, b, "c/file"); data != "file" {
		t.Errorf("c/file = %q after the conflicting put", data)
	}
	if data, _ := read(t, b, "d/dir/inner"); data != "inner" {
		t.Errorf("d/dir/inner = %q after the conflicting put", data)
	}
}
