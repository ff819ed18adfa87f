package server

import (
	"net/url"
	"testing"
)

// TestStorageRules is the access matrix over HTTP: a file uploaded by an
// end user ("owner"), read (download, temp-urls) and written (overwrite,
// delete) by its owner, another user, a visitor and an admin, under each
// preset and some custom rules. The rule is the bucket's; admins bypass it.
func TestStorageRules(t *testing.T) {
	m, _ := newStorageMain(t)
	want(t, "bucket", m.send(t, "POST", "/v1/admin/storage/buckets", testKey, []byte(`{"name":"rules"}`)), 200, `{"bucket":{"rule":"READONLY"}}`)
	callers := map[string]string{
		"owner":   m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token"),
		"other":   m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token"),
		"visitor": "",
		"admin":   testKey,
	}
	const id = "cloud://minibase.rules/owned.txt"
	matrix := []struct {
		rule string
		want map[string]string // caller → "rw", "r-", "--"
	}{
		{`"READONLY"`, map[string]string{"owner": "rw", "other": "r-", "visitor": "r-", "admin": "rw"}},
		{`"PRIVATE"`, map[string]string{"owner": "rw", "other": "--", "visitor": "--", "admin": "rw"}},
		{`"ADMINWRITE"`, map[string]string{"owner": "r-", "other": "r-", "visitor": "r-", "admin": "rw"}},
		{`"ADMINONLY"`, map[string]string{"owner": "--", "other": "--", "visitor": "--", "admin": "rw"}},
		{`{"read":true,"write":false}`, map[string]string{"owner": "r-", "other": "r-", "visitor": "r-", "admin": "rw"}},
		{`{"read":false,"write":true}`, map[string]string{"owner": "-w", "other": "-w", "visitor": "-w", "admin": "rw"}},
		{`{"read":"auth != null","write":"resource.openid == auth.openid"}`, map[string]string{"owner": "rw", "other": "r-", "visitor": "--", "admin": "rw"}},
		{`{"read":"/^owned/.test(resource.path) && auth.loginType == 'ANONYMOUS'","write":false}`, map[string]string{"owner": "r-", "other": "r-", "visitor": "--", "admin": "rw"}},
	}
	for _, row := range matrix {
		for _, who := range []string{"visitor", "other", "owner", "admin"} { // the admin's overwrite last
			// The owner's file, fresh for each caller: uploaded under READONLY.
			setRule(t, m, `"READONLY"`)
			want(t, "owner uploads", m.upload(t, callers["owner"], "?bucket=rules", "owned.txt", "owner's", "text/plain"), 200, "")
			setRule(t, m, row.rule)
			tok, exp := callers[who], row.want[who]
			name := row.rule + " " + who

			dl := m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape(id), tok, nil)
			tu := m.send(t, "POST", "/v1/storage/temp-urls", tok, []byte(`{"fileList":["`+id+`"]}`))
			if exp[0] == 'r' {
				if dl.status != 200 || dl.body != "owner's" {
					t.Errorf("%s: download = %d %.100s, want the file", name, dl.status, dl.body)
				}
				want(t, name+": temp-urls", tu, 200, `{"fileList":[{"status":0}]}`)
			} else {
				if dl.status != 403 || dl.json()["code"] != "STORAGE_EXCEED_AUTHORITY" {
					t.Errorf("%s: download = %d %.100s, want 403", name, dl.status, dl.body)
				}
				want(t, name+": temp-urls", tu, 200, `{"fileList":[{"status":-503002,"code":"STORAGE_EXCEED_AUTHORITY"}]}`)
			}

			up := m.upload(t, tok, "?bucket=rules", "owned.txt", "overwritten by "+who, "text/plain")
			del := m.send(t, "POST", "/v1/storage/delete", tok, []byte(`{"fileList":["`+id+`"]}`))
			if exp[1] == 'w' {
				want(t, name+": overwrite", up, 200, "")
				want(t, name+": delete", del, 200, `{"fileList":[{"status":0}]}`)
			} else {
				want(t, name+": overwrite", up, 403, `{"code":"STORAGE_EXCEED_AUTHORITY","errCode":-503002}`)
				want(t, name+": delete", del, 200, `{"fileList":[{"status":-503002}]}`)
				if r := m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape(id), testKey, nil); r.body != "owner's" {
					t.Errorf("%s: a refused write changed the file to %q", name, r.body)
				}
			}
		}
	}
	// New files: under READONLY any signed-in user may create one (and owns
	// it); a visitor may not.
	setRule(t, m, `"READONLY"`)
	want(t, "visitor creates", m.upload(t, "", "?bucket=rules", "v.txt", "v", ""), 403, `{"code":"STORAGE_EXCEED_AUTHORITY"}`)
	want(t, "other creates", m.upload(t, callers["other"], "?bucket=rules", "o.txt", "o", ""), 200, "")
	want(t, "owner may not overwrite other's", m.upload(t, callers["owner"], "?bucket=rules", "o.txt", "x", ""), 403, "")
	want(t, "admin browses", m.send(t, "GET", "/v1/admin/storage/buckets/rules/files", testKey, nil), 200, `{"files":[{"path":"o.txt"}]}`)
	want(t, "users do not", m.send(t, "GET", "/v1/admin/storage/buckets/rules/files", callers["owner"], nil), 403, `{"code":"STORAGE_EXCEED_AUTHORITY"}`)
}

func setRule(t *testing.T, m *Server, rule string) {
	t.Helper()
	want(t, "set rule "+rule, m.send(t, "PATCH", "/v1/admin/storage/buckets/rules", testKey, []byte(`{"rule":`+rule+`}`)), 200, "")
}

// TestStorageNoExistenceOracle (issue 11.9): a file a caller may not read
// and a missing file at the same path get the same answer (status and
// body) from download, temp-urls, delete and the /f/ URL, unless the rule
// would let the caller read any file there (then a missing file is simply
// STORAGE_FILE_NONEXIST). The answer is CloudBase's per-item status for a
// file one may not read: STORAGE_EXCEED_AUTHORITY.
func TestStorageNoExistenceOracle(t *testing.T) {
	m, _ := newStorageMain(t)
	want(t, "bucket", m.send(t, "POST", "/v1/admin/storage/buckets", testKey, []byte(`{"name":"rules"}`)), 200, "")
	owner := m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token")
	other := m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token")
	const id = "cloud://minibase.rules/secret.txt"
	asks := func(tok string) []resp {
		return []resp{
			m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape(id), tok, nil),
			m.send(t, "HEAD", "/v1/storage/download?fileID="+url.QueryEscape(id), tok, nil),
			m.send(t, "POST", "/v1/storage/temp-urls", tok, []byte(`{"fileList":["`+id+`"]}`)),
			m.send(t, "POST", "/v1/storage/delete", tok, []byte(`{"fileList":["`+id+`"]}`)),
			m.send(t, "GET", "/f/rules/secret.txt", tok, nil),
		}
	}
	names := []string{"download", "HEAD download", "temp-urls", "delete", "/f/ URL"}
	for _, rule := range []string{`"PRIVATE"`, `"ADMINONLY"`, `{"read":"resource.openid == auth.openid","write":"resource.openid == auth.openid"}`} {
		for _, who := range []string{"other", "visitor"} {
			tok := map[string]string{"other": other, "visitor": ""}[who]
			setRule(t, m, `"READONLY"`)
			want(t, "owner uploads", m.upload(t, owner, "?bucket=rules", "secret.txt", "the owner's", "text/plain"), 200, "")
			setRule(t, m, rule)
			there := asks(tok)
			want(t, "admin deletes it", m.send(t, "POST", "/v1/storage/delete", testKey, []byte(`{"fileList":["`+id+`"]}`)), 200, `{"fileList":[{"status":0}]}`)
			gone := asks(tok)
			for k, name := range names {
				if there[k].status != gone[k].status || there[k].body != gone[k].body {
					t.Errorf("%s, %s: %s of the owner's file = %d %.200s, of a missing file = %d %.200s",
						rule, who, name, there[k].status, there[k].body, gone[k].status, gone[k].body)
				}
			}
			want(t, rule+" "+who+": download", gone[0], 403, `{"code":"STORAGE_EXCEED_AUTHORITY"}`)
			want(t, rule+" "+who+": temp-urls", gone[2], 200, `{"fileList":[{"status":-503002,"code":"STORAGE_EXCEED_AUTHORITY"}]}`)
		}
	}
	// Where any file may be read, a missing one is just missing.
	setRule(t, m, `"READONLY"`)
	want(t, "READONLY: a missing file", m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape(id), other, nil), 404, `{"code":"STORAGE_FILE_NONEXIST"}`)
	want(t, "READONLY: deleting a missing file", m.send(t, "POST", "/v1/storage/delete", other, []byte(`{"fileList":["`+id+`"]}`)), 200,
		`{"fileList":[{"status":-503003,"code":"STORAGE_FILE_NONEXIST"}]}`)
	// The owner of a missing file under PRIVATE cannot tell either: no
	// rule says who would own it.
	setRule(t, m, `"PRIVATE"`)
	want(t, "PRIVATE: the owner asks for a missing file", m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape(id), owner, nil), 403, "")
}
