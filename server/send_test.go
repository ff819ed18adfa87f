package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"testing"
)

// The raw requests of server's own tests (the app's body limits, the disk
// reserve, CORS, proxies, the data directory): the storage area's HTTP
// contract tests, which used them first, are in storage/http*_test.go.

// part is one field of a multipart upload form: a file when filename is set.
type part struct{ name, filename, ctype, value string }

// form encodes parts, in order, as multipart/form-data.
func form(parts ...part) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		h.Set("Content-Disposition", disp)
		if p.ctype != "" {
			h.Set("Content-Type", p.ctype)
		}
		pw, _ := w.CreatePart(h)
		pw.Write([]byte(p.value))
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// fileForm is the usual upload: cloudPath, then the file.
func fileForm(cloudPath, content, ctype string) ([]byte, string) {
	return form(part{name: "cloudPath", value: cloudPath}, part{name: "file", filename: "blob", ctype: ctype, value: content})
}

// resp is a raw response.
type resp struct {
	status int
	header http.Header
	body   string
}

// json decodes the body as an object (an empty map when it is not one).
func (r resp) json() map[string]any {
	var m map[string]any
	json.Unmarshal([]byte(r.body), &m)
	return m
}

// send makes a request with a raw body and headers; bearer "" sends none.
func (m *Server) send(t *testing.T, method, target, bearer string, body []byte, header ...string) resp {
	t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Host = "files.test" // as a Host header: an absolute URL in the request line would go without one
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	r, err := m.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{status: r.StatusCode, header: r.Header, body: string(b)}
}

// upload posts a file to /v1/storage/upload (query may add ?bucket=…).
func (m *Server) upload(t *testing.T, bearer, query, cloudPath, content, ctype string) resp {
	t.Helper()
	body, ct := fileForm(cloudPath, content, ctype)
	return m.send(t, "POST", "/v1/storage/upload"+query, bearer, body, "Content-Type", ct)
}

// want fails unless r has status and (when set) the JSON body contains w.
func want(t *testing.T, what string, r resp, status int, w string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %.300s", what, r.status, status, r.body)
	}
	if w == "" {
		return
	}
	var wv any
	if err := json.Unmarshal([]byte(w), &wv); err != nil {
		t.Fatalf("%s: bad want: %v", what, err)
	}
	if path, ok := contains(wv, any(r.json())); !ok {
		t.Fatalf("%s: at %s: got %.600s, want subset %s", what, path, r.body, w)
	}
}

// contains is subset with arrays compared element by element (same
// length, each element a subset).
func contains(want, got any) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return "", false
		}
		for k, wv := range w {
			if p, ok := contains(wv, g[k]); !ok {
				return k + "." + p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("(%d items)", len(w)), false
		}
		for i := range w {
			if p, ok := contains(w[i], g[i]); !ok {
				return fmt.Sprintf("%d.%s", i, p), false
			}
		}
		return "", true
	}
	return subset(want, got)
}
