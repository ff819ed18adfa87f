// Package servertest is the one harness of minibase's HTTP contract tests:
// each area (db, auth, storage, functions) states its API as scenarios
// run against the whole server, in an external test package beside its
// http*.go.
//
// A Scenario is a server's options, what is done to the server first
// (Setup requests, a Before func), one request (Method, URL, Body, Header,
// and As: who sends it) and what the response must be (Status, Want: JSON
// the body contains, Equal: JSON the body is, Absent, WantHeader, an After
// func for anything else). Run runs a table of them, each as a subtest on
// a server of its own: a real server.Server on a temporary data directory
// (SQLite, files on disk), requests sent through the whole fiber app
// without a socket. Its admin key is AdminKey, its users are signed in by
// name on first use (Anonymous, User), and it is closed when the test
// ends. Opening and closing one costs about 25 ms (100 ms under -race),
// a third of what initialising a data directory costs (BenchmarkNew): the
// first server of a test binary initialises one, and every later server
// starts from a copy of it.
//
// # An area's tests
//
// In db/http_test.go (package db_test):
//
//	var alice = servertest.Anonymous("alice")
//
//	func TestNotes(t *testing.T) {
//		notes := []servertest.Request{
//			{Method: "POST", URL: "/v1/admin/collections", Body: `{"name":"notes"}`, As: servertest.Admin},
//			{Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"_id":"n1","t":"mine"}}`, As: alice},
//		}
//		servertest.Run(t, []servertest.Scenario{
//			{Name: "the owner reads her note", Setup: notes,
//				Method: "GET", URL: "/v1/db/notes/docs/n1", As: alice,
//				Status: 200, Want: `{"data":{"_id":"n1","t":"mine"}}`},
//			{Name: "a visitor may not", Setup: notes,
//				Method: "GET", URL: "/v1/db/notes/docs/n1",
//				Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`,
//				After: servertest.Then(servertest.Scenario{Name: "nothing changed", Method: "POST",
//					URL: "/v1/db/notes/count", Body: `{}`, As: servertest.Admin, Status: 200, Equal: `{"total":1}`})},
//		})
//	}
//
// Give each case the Setup it needs rather than chaining cases: shared
// setup is a Go variable (a []Request) that several scenarios name. What
// only the server knows (a user's uid, a refresh token, a fileID) goes into
// the request in Before:
//
//	Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
//		r.Body = `{"uid":"` + s.Session(tb, alice).UID + `"}`
//	},
//
// A test that is a sequence by nature (a token refreshed, then refused
// when used again; the same request before and after a restart) opens a
// server with New and sends requests with Do, checking each with
// Response.Expect, or runs scenarios on that one server with Server.Run.
//
// # Options
//
// Options.Env holds MINIBASE_* settings, parsed as `minibase serve` parses
// them; Options.Config changes the parsed Config (fields without a
// setting); Options.Clock is a time the test moves (auth and storage read
// it); Options.MinIO puts files in a MinIO (storage/s3/miniotest), under a
// prefix of the server's own; Options.Log receives the server log.
// Options.Listen serves the server with Server.Run on a 127.0.0.1 port
// (Server.URL): requests go through a real connection, and the server's
// background work runs (timers, database triggers), which it does not
// without Listen.
//
// # Helpers
//
// Server.Session signs an identity in (its uid, openid and tokens);
// Server.Deploy deploys a function; Server.Upload uploads a file (Form
// builds other multipart bodies); Server.Restart restarts the server on its
// data; WaitFor waits, within WaitTimeout, for something a test expects to
// happen in the background: wait for the event, never for time to pass.
//
// # Moving an area's tests from server/
//
// Its api_<area>_test.go become <area>/http*_test.go (package <area>_test),
// as db/http*_test.go did. The old helpers map so: step and runSteps to
// Scenario and Run (a chain of steps becomes scenarios with their own
// Setup, and "nothing changed" steps an After); m.do and expect to Do and
// Response.Expect; m.send and want to Do with Header, and Expect; a
// bearer token to As (testKey is Admin, a signIn's token Anonymous or
// User, any other string Bearer); newAuthMain's clock to Options.Clock,
// its cheap passwords are the default; m.deploy to Deploy, m.upload to
// Upload, form to Form; a config func to Options.Env or Options.Config;
// deadline loops to WaitFor; a child process started only to have a
// socket, or triggers running, to Options.Listen. Want matches arrays
// element by element, as storage's want did; where the old subset meant
// a whole array exactly (a projection's documents), use Equal on the
// whole body. Tests that need the server's insides (its fields, a raw
// connection, the built binary) stay in server/.
//
// # Benchmarks
//
// Benchmark runs scenarios as benchmarks: each on a server of its own,
// after its Setup and one checked run, the request is sent to the app's
// handler again and again, without a socket (db/http_bench_test.go,
// BenchmarkScenarios):
//
//	go test ./db -run '^$' -bench Scenarios -benchmem
package servertest
