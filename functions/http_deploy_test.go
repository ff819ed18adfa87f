//go:build !minibase_fuzz

package functions_test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minibase/functions"
	"minibase/server/servertest"
)

// zipFolder zips a folder's files under prefix ("" for none).
func zipFolder(t *testing.T, dir, prefix string) []byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[prefix+filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := functions.WriteZip(&buf, files); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipRequest is a PUT of a zip (as CloudBase's console uploads) to deploy
// a function.
func zipRequest(name, contentType string, zipped []byte, id servertest.Identity) servertest.Request {
	return servertest.Request{Method: "PUT", URL: "/v1/admin/functions/" + name, Body: zipped,
		Header: map[string]string{"Content-Type": contentType}, As: id}
}

// helloRoute is the route config of hello's versions.
const helloRoute = `"http": [{"path": "/hello", "methods": ["GET"]}]`

// helloVersions deploys hello twice: version 1 then 2, each with its own
// timeout.
var helloVersions = []servertest.Request{
	deploy("hello", `exports.main = () => 'v1'`, `{"timeout": 3, `+helloRoute+`}`),
	deploy("hello", `exports.main = () => 'v2'`, `{"timeout": 4, `+helloRoute+`}`),
}

// TestFunctionsManage: the admin API of functions: deploy from a zip, list,
// read a function, its versions and files, roll back, delete; only an
// admin may.
func TestFunctionsManage(t *testing.T) {
	zipped := zipFolder(t, "testdata/bundle-esm", "bundle-esm/")
	sumZip := zipRequest("sum", "application/zip", zipped, asAdmin)
	var evil bytes.Buffer
	zw := zip.NewWriter(&evil)
	w, _ := zw.Create("../../evil.js")
	w.Write([]byte("x"))
	zw.Close()
	syntaxErr := zipFolder(t, "testdata/bundle-syntax", "")

	// scenario is a request of the admin's after helloVersions.
	scenario := func(name, method, url, body string, status int, want string) servertest.Scenario {
		return servertest.Scenario{Name: name, Setup: helloVersions, Method: method, URL: url, Body: body, As: asAdmin,
			Status: status, Want: want}
	}
	fromZip := func(name string, r servertest.Request, status int, want string) servertest.Scenario {
		return servertest.Scenario{Name: name, Method: r.Method, URL: r.URL, Body: r.Body, Header: r.Header, As: r.As,
			Status: status, Want: want}
	}
	bundled := fromZip("a zip with one top folder, bundled", sumZip, 200,
		`{"name":"sum","number":1,"origin":"deploy","bundled":true,"files":5}`)
	bundled.After = servertest.Then(servertest.Scenario{Name: "the bundle runs", Method: "POST", URL: "/v1/functions/sum/invoke",
		Body: `{"data":{"a":2,"b":40}}`, As: alice, Status: 200, Want: `{"result":{"sum":42}}`})

	otherRoute := `{"files":{"index.js":"exports.main=()=>1"},"config":{"http":[{"path":"/hello"}]}}`
	namesOther := scenario("the refusal names the other function", "PUT", "/v1/admin/functions/other",
		`{"files":{"index.js":""},"config":{"http":[{"path":"/hello"}]}}`, 400, `{"code":"INVALID_PARAM"}`)
	namesOther.After = messageHas("function hello")

	list := servertest.Scenario{Name: "list", Setup: append([]servertest.Request{sumZip}, helloVersions...),
		URL: "/v1/admin/functions", As: asAdmin, Status: 200,
		Want: `{"data":[{"name":"hello","number":2,"timeout":4,"memorySize":256,"http":[{"path":"/hello","methods":["GET"]}],"bundled":false},
			{"name":"sum","number":1,"bundled":true}]}`,
		After: equalAt("data.0.http", `[{"path":"/hello","methods":["GET"]}]`)}

	fileOf := func(name, url string, setup []servertest.Request, check func(testing.TB, *servertest.Server, *servertest.Response)) servertest.Scenario {
		return servertest.Scenario{Name: name, Setup: setup, URL: url, As: asAdmin, Status: 200, After: check}
	}

	rollback := scenario("rollback", "POST", "/v1/admin/functions/hello/rollback", `{"version":1}`, 200,
		`{"name":"hello","number":3,"origin":"rollback","from":1}`)
	rollback.After = servertest.Then(
		servertest.Scenario{Name: "v1 runs again", Method: "POST", URL: "/v1/functions/hello/invoke", Body: `{}`, As: alice,
			Status: 200, Want: `{"result":"v1"}`},
		servertest.Scenario{Name: "with v1's config", URL: "/v1/admin/functions/hello", As: asAdmin, Status: 200, Want: `{"timeout":3}`},
	)

	del := scenario("delete", "DELETE", "/v1/admin/functions/hello", "", 200, `{"name":"hello","deleted":true}`)
	del.Before = func(tb testing.TB, s *servertest.Server, _ *servertest.Request) {
		tb.Helper()
		s.Do(tb, servertest.Request{URL: "/fn/hello"}).Expect(tb, 200, "") // the route before delete
	}
	del.After = servertest.Then(
		servertest.Scenario{Name: "the route after delete", URL: "/fn/hello", Status: 404},
		servertest.Scenario{Name: "not invocable", Method: "POST", URL: "/v1/functions/hello/invoke", Body: `{}`, As: alice,
			Status: 404, Want: `{"code":"FUNCTION_NOT_FOUND"}`},
		servertest.Scenario{Name: "no versions", URL: "/v1/admin/functions/hello/versions", As: asAdmin,
			Status: 404, Want: `{"code":"FUNCTION_NOT_FOUND"}`},
		servertest.Scenario{Name: "delete again", Method: "DELETE", URL: "/v1/admin/functions/hello", As: asAdmin,
			Status: 404, Want: `{"code":"FUNCTION_NOT_FOUND"}`},
		servertest.Scenario{Name: "the path is free again", Method: "PUT", URL: "/v1/admin/functions/other", Body: otherRoute,
			As: asAdmin, Status: 200, Want: `{}`},
	)

	scenarios := []servertest.Scenario{
		bundled,
		fromZip("an end user may not deploy", zipRequest("sum", "application/zip", zipped, alice), 403, `{"code":"PERMISSION_DENIED"}`),
		fromZip("not a zip", zipRequest("sum", "application/zip", []byte("PK nope"), asAdmin), 400, `{"code":"INVALID_PARAM"}`),
		fromZip("a path out of the folder", zipRequest("sum", "application/x-zip-compressed", evil.Bytes(), asAdmin), 400,
			`{"code":"INVALID_PARAM"}`),
		fromZip("a TypeScript syntax error", zipRequest("bad", "application/zip", syntaxErr, asAdmin), 400,
			`{"code":"INVALID_PARAM","errCode":-501007}`),

		scenario("a path another function serves", "PUT", "/v1/admin/functions/other", otherRoute, 400, `{"code":"INVALID_PARAM"}`),
		namesOther,
		list,
		scenario("get", "GET", "/v1/admin/functions/hello", "", 200,
			`{"name":"hello","number":2,"config":{"timeout":4},"files":[{},{"size":25}]}`),
		fileOf("a file's content", "/v1/admin/functions/sum/files/node_modules/tiny-esm/lib/sum.js", []servertest.Request{sumZip},
			func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
				tb.Helper()
				if !strings.HasPrefix(r.Body, "export function sum") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
					tb.Errorf("a file's content: %q %v", r.Body, r.Header)
				}
			}),
		fileOf("version 1's index.js", "/v1/admin/functions/hello/files/index.js?version=1", helloVersions,
			bodyIs(`exports.main = () => 'v1'`)),
		scenario("no such file", "GET", "/v1/admin/functions/hello/files/nope.js", "", 404, `{}`),
		scenario("versions, newest first", "GET", "/v1/admin/functions/hello/versions", "", 200,
			`{"data":[{"number":2},{"number":1,"origin":"deploy"}]}`),

		rollback,
	}
	for _, body := range []string{`{}`, `{"version":0}`, `{"version":1.5}`, `{"version":[1]}`, `{"version":""}`, `{"v":1}`} {
		scenarios = append(scenarios, scenario("rollback "+body, "POST", "/v1/admin/functions/hello/rollback", body, 400,
			`{"code":"INVALID_PARAM"}`))
	}
	scenarios = append(scenarios,
		scenario("rollback to a version never made", "POST", "/v1/admin/functions/hello/rollback", `{"version":9}`, 400, `{}`),
		del)
	sum := []servertest.Request{deploy("sum", `exports.main = () => 1`, "")}
	for _, r := range [][2]string{{"GET", "/v1/admin/functions"}, {"GET", "/v1/admin/functions/sum"}, {"GET", "/v1/admin/functions/sum/versions"},
		{"GET", "/v1/admin/functions/sum/files/index.js"}, {"POST", "/v1/admin/functions/sum/rollback"}, {"DELETE", "/v1/admin/functions/sum"}} {
		scenarios = append(scenarios, servertest.Scenario{Name: "an end user: " + r[0] + " " + r[1], Setup: sum,
			Method: r[0], URL: r[1], Body: `{"version":1}`, As: alice, Status: 403, Want: `{"code":"PERMISSION_DENIED"}`})
	}
	scenarios = append(scenarios,
		// /v1/admin/functions/logs… belongs to the log API, not to a function.
		servertest.Scenario{Name: "logs is the log API's", Setup: sum, URL: "/v1/admin/functions/logs?function=sum", As: asAdmin,
			Status: 200, After: func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
				tb.Helper()
				if r.Value("data") == nil {
					tb.Errorf("logs is the log API's: %s", r.Body)
				}
			}},
		servertest.Scenario{Name: "no function called logs", Method: "PUT", URL: "/v1/admin/functions/logs",
			Body: `{"files":{"index.js":""}}`, As: asAdmin, Status: 400, Want: `{"code":"INVALID_PARAM"}`},
	)
	servertest.Run(t, scenarios)
}
