package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"minibase/auth"
	"minibase/db"
	"minibase/functions"
	"minibase/storage"

	"github.com/gofiber/fiber/v2"
)

// A panic in a handler answers that request with a 500 that tells nothing
// of the panic, logs it once with its stack, and the server goes on.
func TestHandlerPanicIsA500(t *testing.T) {
	var logged bytes.Buffer
	m := newTestMainLog(t, nil, slog.New(slog.NewTextHandler(&logged, nil)))
	logged.Reset() // what Open said
	app := fiber.New(fiber.Config{ErrorHandler: m.writeError})
	app.Use(requestID, recoverPanic)
	app.Get("/boom", func(c *fiber.Ctx) error { panic("secret detail") })
	app.Get("/ok", func(c *fiber.Ctx) error { return c.SendString("fine") })
	for _, path := range []string{"/boom", "/ok"} {
		resp, err := app.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		switch path {
		case "/boom":
			if resp.StatusCode != 500 || strings.Contains(string(body), "secret") || !strings.Contains(string(body), `"SYS_ERR"`) {
				t.Errorf("panicking handler: %d %s, want 500 SYS_ERR without the panic's text", resp.StatusCode, body)
			}
		case "/ok":
			if resp.StatusCode != 200 || string(body) != "fine" {
				t.Errorf("after the panic: %d %s, want 200 fine", resp.StatusCode, body)
			}
		}
	}
	if n := strings.Count(logged.String(), "request panicked"); n != 1 || !strings.Contains(logged.String(), "secret detail") ||
		strings.Count(logged.String(), "time=") != 1 {
		t.Errorf("server log has %d panic lines, want 1 with the panic value and no other line:\n%s", n, logged.String())
	}
}

// Every answer of 500 or more is logged once, with the request's id, which
// the answer carries in X-Request-Id; the cause stays in the log. A
// function invocation's failure is the exception: its body's requestId
// names the invocation, whose record holds the failure, and the server log
// has no second line for it. 4xx answers are not logged.
func TestErrorsLoggedOnceWithRequestID(t *testing.T) {
	var logged bytes.Buffer
	m := newTestMainLog(t, nil, slog.New(slog.NewTextHandler(&logged, nil)))
	app := fiber.New(fiber.Config{ErrorHandler: m.writeError})
	app.Use(requestID, recoverPanic)
	invocation := functions.Errorf(functions.CodeExecuteFail, "Error: thrown by the function")
	invocation.RequestID = "0192f0c4-invocation"
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		logged bool
	}{
		{"damaged database", fmt.Errorf("insert: %w", db.Errorf(db.CodeCorrupted, "the database is damaged")), 500, db.CodeCorrupted, true},
		{"storage failure", storage.Errorf(storage.CodeRequestFailed, "could not store"), 500, storage.CodeRequestFailed, true},
		{"provider down", &auth.Error{Code: auth.CodeProviderFailed, ErrCode: -501001, Message: "WeChat could not be reached",
			Err: errors.New("dial tcp: secret-host:443")}, 502, auth.CodeProviderFailed, true},
		{"full disk", storage.Errorf(storage.CodeDiskFull, "nothing was stored"), 507, storage.CodeDiskFull, true},
		{"internal", errors.New("secret internal detail"), 500, "SYS_ERR", true},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), 504, "SERVER_TIMEOUT", true},
		{"invocation", invocation, 500, functions.CodeExecuteFail, false},
		{"client error", db.Errorf(db.CodePermissionDenied, "no"), 403, db.CodePermissionDenied, false},
	} {
		app.Get("/"+strings.ReplaceAll(tc.name, " ", "-"), func(*fiber.Ctx) error { return tc.err })
		logged.Reset()
		resp, err := app.Test(httptest.NewRequest("GET", "/"+strings.ReplaceAll(tc.name, " ", "-"), nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		var body struct{ Code, RequestID string }
		json.Unmarshal(raw, &body)
		id := resp.Header.Get("X-Request-Id")
		if resp.StatusCode != tc.status || body.Code != tc.code || strings.Contains(string(raw), "secret") {
			t.Errorf("%s: %d %s; want %d %s without internal detail", tc.name, resp.StatusCode, raw, tc.status, tc.code)
		}
		switch {
		case id == "":
			t.Errorf("%s: no X-Request-Id", tc.name)
		case tc.name == "invocation" && body.RequestID != invocation.RequestID:
			t.Errorf("%s: requestId %q, want the invocation's %q", tc.name, body.RequestID, invocation.RequestID)
		case tc.name != "invocation" && body.RequestID != "":
			t.Errorf("%s: requestId %q in the body, want none (the request's is in X-Request-Id)", tc.name, body.RequestID)
		}
		lines := strings.Count(logged.String(), "time=")
		if want := map[bool]int{true: 1, false: 0}[tc.logged]; lines != want || tc.logged && !strings.Contains(logged.String(), "requestId="+id) {
			t.Errorf("%s: %d log lines, want %d with requestId=%s:\n%s", tc.name, lines, want, id, logged.String())
		}
		if tc.logged && tc.code == "SYS_ERR" && !strings.Contains(logged.String(), "secret internal detail") {
			t.Errorf("%s: the cause is not in the log:\n%s", tc.name, logged.String())
		}
	}
}

// A request may bring its id (from a proxy such as nginx's $request_id):
// a sane one is kept and echoed, anything else replaced by a new one.
func TestRequestIDFromClient(t *testing.T) {
	m := newTestMain(t, nil)
	for _, tc := range []struct {
		sent string
		kept bool
	}{
		{"9f86d081884c7d659a2feaa0c55ad015", true},
		{"0192f0c4-5b8e-7c3a-9d2e-1f4a6b8c0d2e", true},
		{"Root=1-5759e988-bd862e3fe1be46a994272793", true},
		{"", false},
		{"two words", false},
		{"forged\tlog=line", false},
		{strings.Repeat("a", 129), false},
	} {
		req := httptest.NewRequest("GET", "/v1/nope", nil)
		if tc.sent != "" {
			req.Header.Set("X-Request-Id", tc.sent)
		}
		resp, err := m.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		got := resp.Header.Get("X-Request-Id")
		if tc.kept && got != tc.sent || !tc.kept && (got == tc.sent || !saneRequestID(got)) || !strings.Contains(string(raw), `"no such endpoint`) {
			t.Errorf("sent %q: X-Request-Id %q, body %s; want it kept: %v", tc.sent, got, raw, tc.kept)
		}
	}
}

// Every error code an area declares has a row in its table (an errCode
// and a status): a code without one would answer 500 with errCode 0.
func TestErrorCodesHaveRows(t *testing.T) {
	answer := map[string]func(code string) (int, string, int, string){
		"db":        func(c string) (int, string, int, string) { return db.Errorf(c, "m").Answer() },
		"auth":      func(c string) (int, string, int, string) { return auth.Errorf(c, "m").Answer() },
		"storage":   func(c string) (int, string, int, string) { return storage.Errorf(c, "m").Answer() },
		"functions": func(c string) (int, string, int, string) { return functions.Errorf(c, "m").Answer() },
	}
	for area, answer := range answer {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", area, "errors.go"), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !strings.HasPrefix(name.Name, "Code") || !ok {
						continue
					}
					n++
					code, _ := strconv.Unquote(lit.Value)
					if status, got, errCode, _ := answer(code); errCode == 0 || got != code || status < 400 || status > 599 {
						t.Errorf("%s.%s (%s): status %d, errCode %d: no row in %s/errors.go's codes", area, name.Name, code, status, errCode, area)
					}
				}
			}
		}
		if n < 10 {
			t.Errorf("%s/errors.go: found %d codes, want the area's whole list", area, n)
		}
	}
}
