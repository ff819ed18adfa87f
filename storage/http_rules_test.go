//go:build !minibase_fuzz

package storage_test

import (
	"testing"

	"minibase/server/servertest"
)

// rulesBucket is the bucket "rules", READONLY as new buckets are.
var rulesBucket = newBucket(`{"name":"rules"}`)

// alicesFile resets file (a cloudPath) in the bucket "rules" to alice's,
// with content, under rule (JSON): the admin deletes what is there, alice
// uploads under READONLY, and the admin sets rule.
func alicesFile(file, content, rule string) []servertest.Request {
	return []servertest.Request{
		setRule(`"READONLY"`),
		byAdmin("POST", "/v1/storage/delete", fileList("cloud://minibase.rules/"+file)),
		upload(alice, "?bucket=rules", file, content, "text/plain"),
		setRule(rule),
	}
}

// setRule is the admin's request setting the bucket "rules"' rule (JSON).
func setRule(rule string) servertest.Request {
	return byAdmin("PATCH", "/v1/admin/storage/buckets/rules", `{"rule":`+rule+`}`)
}

// TestStorageRules is the access matrix over HTTP: a file uploaded by an
// end user (alice, the owner), read (download, temp-urls) and written
// (overwrite, delete) by its owner, another user (bob), a visitor and an
// admin, under each preset and some custom rules. The rule is the
// bucket's; admins bypass it.
func TestStorageRules(t *testing.T) {
	const id = "cloud://minibase.rules/owned.txt"
	callers := []struct {
		name string
		id   servertest.Identity
	}{{"owner", alice}, {"other", bob}, {"visitor", servertest.Visitor}, {"admin", asAdmin}}
	matrix := []struct {
		rule string
		want map[string]string // caller → "rw", "r-", "-w", "--"
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
	var matrixCases []servertest.Scenario
	for _, row := range matrix {
		for _, c := range callers {
			exp := row.want[c.name]
			// The owner's file, uploaded under READONLY, then the row's rule.
			read := servertest.Scenario{Name: "download", URL: download(id), As: c.id}
			tempURLs := servertest.Scenario{Name: "temp-urls", Method: "POST", URL: "/v1/storage/temp-urls", Body: fileList(id), As: c.id,
				Status: 200}
			if exp[0] == 'r' {
				read.Status, read.After = 200, bodyIs("owner's")
				tempURLs.Want = `{"fileList":[{"status":0}]}`
			} else {
				read.Status, read.Want = 403, `{"code":"STORAGE_EXCEED_AUTHORITY"}`
				tempURLs.Want = `{"fileList":[{"status":-503002,"code":"STORAGE_EXCEED_AUTHORITY"}]}`
			}
			write := sends(upload(c.id, "?bucket=rules", "owned.txt", "overwritten by "+c.name, "text/plain"),
				servertest.Scenario{Name: "overwrite"})
			del := servertest.Scenario{Name: "delete", Method: "POST", URL: "/v1/storage/delete", Body: fileList(id), As: c.id, Status: 200}
			var unchanged after
			if exp[1] == 'w' {
				write.Status = 200
				del.Want = `{"fileList":[{"status":0}]}`
			} else {
				write.Status, write.Want = 403, `{"code":"STORAGE_EXCEED_AUTHORITY","errCode":-503002}`
				del.Want = `{"fileList":[{"status":-503002}]}`
				unchanged = downloadIs(id, "owner's")
			}
			read.Name, read.Setup = row.rule+" "+c.name, alicesFile("owned.txt", "owner's", row.rule)
			read.After = all(read.After, servertest.Then(tempURLs, write, del), unchanged)
			matrixCases = append(matrixCases, read)
		}
	}
	// Each case resets the file and the rule (alicesFile): they share a
	// server.
	t.Run("matrix", func(t *testing.T) { runOnOne(t, servertest.Options{}, []servertest.Request{rulesBucket}, matrixCases) })
	// New files: under READONLY any signed-in user may create one (and owns
	// it); a visitor may not.
	rules := []servertest.Request{rulesBucket}
	bobs := []servertest.Request{rulesBucket, upload(bob, "?bucket=rules", "o.txt", "o", "")}
	servertest.Run(t, []servertest.Scenario{
		sends(rulesBucket, servertest.Scenario{Name: "a new bucket is READONLY", Status: 200, Want: `{"bucket":{"rule":"READONLY"}}`}),
		sends(upload(servertest.Visitor, "?bucket=rules", "v.txt", "v", ""), servertest.Scenario{Name: "a visitor creates a file",
			Setup: rules, Status: 403, Want: `{"code":"STORAGE_EXCEED_AUTHORITY"}`, After: filesAre()}),
		sends(upload(bob, "?bucket=rules", "o.txt", "o", ""), servertest.Scenario{Name: "a user creates a file",
			Setup: rules, Status: 200, After: filesAre("objects/rules/o.txt")}),
		sends(upload(alice, "?bucket=rules", "o.txt", "x", ""), servertest.Scenario{Name: "a user may not overwrite another's file",
			Setup: bobs, Status: 403, After: downloadIs("cloud://minibase.rules/o.txt", "o")}),
		{Name: "the admin browses", Setup: bobs, URL: "/v1/admin/storage/buckets/rules/files", As: asAdmin,
			Status: 200, Want: `{"files":[{"path":"o.txt"}]}`},
		{Name: "users do not", Setup: bobs, URL: "/v1/admin/storage/buckets/rules/files", As: alice,
			Status: 403, Want: `{"code":"STORAGE_EXCEED_AUTHORITY"}`},
	})
}

// TestStorageNoExistenceOracle (issue 11.9): a file a caller may not read
// and a missing file at the same path get the same answer (status and
// body) from download, temp-urls, delete and the /f/ URL, unless the rule
// would let the caller read any file there (then a missing file is simply
// STORAGE_FILE_NONEXIST). The answer is CloudBase's per-item status for a
// file one may not read: STORAGE_EXCEED_AUTHORITY.
func TestStorageNoExistenceOracle(t *testing.T) {
	const id = "cloud://minibase.rules/secret.txt"
	asks := func(tb testing.TB, s *servertest.Server, who servertest.Identity) []*servertest.Response {
		return []*servertest.Response{
			s.Do(tb, servertest.Request{URL: download(id), As: who}),
			s.Do(tb, servertest.Request{Method: "HEAD", URL: download(id), As: who}),
			s.Do(tb, servertest.Request{Method: "POST", URL: "/v1/storage/temp-urls", Body: fileList(id), As: who}),
			s.Do(tb, servertest.Request{Method: "POST", URL: "/v1/storage/delete", Body: fileList(id), As: who}),
			s.Do(tb, servertest.Request{URL: "/f/rules/secret.txt", As: who}),
		}
	}
	names := []string{"download", "HEAD download", "temp-urls", "delete", "/f/ URL"}
	var cases []servertest.Scenario
	for _, rule := range []string{`"PRIVATE"`, `"ADMINONLY"`, `{"read":"resource.openid == auth.openid","write":"resource.openid == auth.openid"}`} {
		for _, who := range []servertest.Identity{bob, servertest.Visitor} {
			// What who is answered about alice's file, then, once the admin
			// deleted it, about the missing file.
			var there []*servertest.Response
			cases = append(cases, servertest.Scenario{Name: rule + " " + who.String(), Setup: alicesFile("secret.txt", "the owner's", rule),
				Before: func(tb testing.TB, s *servertest.Server, _ *servertest.Request) { there = asks(tb, s, who) },
				Method: "POST", URL: "/v1/storage/delete", Body: fileList(id), As: asAdmin, Status: 200, Want: `{"fileList":[{"status":0}]}`,
				After: func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
					gone := asks(tb, s, who)
					for k, name := range names {
						if there[k].Status != gone[k].Status || there[k].Body != gone[k].Body {
							tb.Errorf("%s of the owner's file = %d %.200s, of a missing file = %d %.200s",
								name, there[k].Status, there[k].Body, gone[k].Status, gone[k].Body)
						}
					}
					gone[0].Expect(tb, 403, `{"code":"STORAGE_EXCEED_AUTHORITY"}`)
					gone[2].Expect(tb, 200, `{"fileList":[{"status":-503002,"code":"STORAGE_EXCEED_AUTHORITY"}]}`)
				}})
		}
	}
	// Each case resets the file and the rule (alicesFile): they share a
	// server.
	t.Run("hidden", func(t *testing.T) { runOnOne(t, servertest.Options{}, []servertest.Request{rulesBucket}, cases) })
	readonly := []servertest.Request{rulesBucket}
	servertest.Run(t, []servertest.Scenario{
		// Where any file may be read, a missing one is just missing.
		{Name: "READONLY: a missing file", Setup: readonly, URL: download(id), As: bob,
			Status: 404, Want: `{"code":"STORAGE_FILE_NONEXIST"}`},
		{Name: "READONLY: deleting a missing file", Setup: readonly, Method: "POST", URL: "/v1/storage/delete",
			Body: fileList(id), As: bob, Status: 200, Want: `{"fileList":[{"status":-503003,"code":"STORAGE_FILE_NONEXIST"}]}`},
		// The owner of a missing file under PRIVATE cannot tell either: no
		// rule says who would own it.
		{Name: "PRIVATE: the owner asks for her deleted file",
			Setup: append([]servertest.Request{rulesBucket}, append(alicesFile("secret.txt", "the owner's", `"PRIVATE"`),
				byAdmin("POST", "/v1/storage/delete", fileList(id)))...),
			URL: download(id), As: alice, Status: 403},
	})
}
