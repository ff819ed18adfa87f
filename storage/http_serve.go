package storage

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// serve sends ct as the response: a redirect, 304 when the client's copy
// is current (If-None-Match, If-Modified-Since), 206 for a satisfiable
// single Range (416 past the end; several ranges get the whole file),
// headers only for HEAD. A file body is handed to fasthttp as a stream
// whose WriteTo lets the connection's ReadFrom use sendfile(2) when the
// body is an *os.File (storage/local).
func serve(c *fiber.Ctx, ct *Content) error {
	if ct.Redirect != "" {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Redirect(ct.Redirect, fiber.StatusFound)
	}
	body, info := ct.Body, ct.Info
	closeBody := func() {
		if body != nil {
			body.Close()
		}
	}
	h := &c.Response().Header
	lastMod := info.ModTime.UTC().Format(http.TimeFormat)
	h.Set(fiber.HeaderETag, info.ETag)
	h.Set(fiber.HeaderLastModified, lastMod)
	h.Set(fiber.HeaderCacheControl, ct.CacheControl)
	if notModified(c, info) {
		closeBody()
		c.Status(fiber.StatusNotModified)
		return nil
	}
	start, n, partial, err := byteRange(c, info, lastMod)
	if err != nil {
		closeBody()
		h.Del(fiber.HeaderETag)
		h.Del(fiber.HeaderLastModified)
		h.Del(fiber.HeaderCacheControl)
		h.Set(fiber.HeaderContentRange, "bytes */"+strconv.FormatInt(info.Size, 10))
		return err
	}
	h.Set(fiber.HeaderContentType, info.ContentType)
	h.Set(fiber.HeaderAcceptRanges, "bytes")
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	h.Set(fiber.HeaderContentSecurityPolicy, "sandbox") // uploaded HTML or SVG runs no script on our origin
	if partial {
		c.Status(fiber.StatusPartialContent)
		h.Set(fiber.HeaderContentRange, "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(start+n-1, 10)+"/"+strconv.FormatInt(info.Size, 10))
	}
	if body == nil || c.Method() == fiber.MethodHead {
		closeBody()
		h.SetContentLength(int(n))
		return nil
	}
	var r io.Reader = body
	if start > 0 {
		if _, err := body.Seek(start, io.SeekStart); err != nil {
			body.Close()
			return err
		}
	}
	if n <= smallBody { // read into the write buffer: headers and body leave in one write
		c.Context().SetBodyStream(&smallStream{r: io.LimitedReader{R: body, N: n}, c: body}, int(n))
		return nil
	}
	if start+n < info.Size {
		r = &io.LimitedReader{R: body, N: n}
	}
	c.Context().SetBodyStream(&fileStream{r: r, c: body}, int(n))
	return nil
}

// smallBody is the largest body sent by copying it into the connection's
// write buffer (WriteBufferSize, at least 16 KiB) behind the headers: one
// read and one write beat a write for the headers and a sendfile(2) for a
// few KiB. fasthttp flushes the headers first for larger bodies.
const smallBody = 8 << 10

// smallStream is a small response body: it has no WriteTo, so the
// connection's bufio.Writer reads it into its buffer; the LimitedReader
// reports the end without another read.
type smallStream struct {
	r io.LimitedReader
	c io.Closer
}

func (s *smallStream) Read(p []byte) (int, error) { return s.r.Read(p) }

func (s *smallStream) Close() error { return s.c.Close() }

// fileStream is a response body. fasthttp copies it into the connection's
// bufio.Writer; WriteTo hands r to that writer's ReadFrom, which (once the
// headers are flushed, as fasthttp does for bodies over 8 KiB) passes it to
// the TCP connection's ReadFrom, which uses sendfile(2) for an *os.File or
// an io.LimitedReader of one. fasthttp closes it after sending.
type fileStream struct {
	r io.Reader
	c io.Closer
}

func (s *fileStream) Read(p []byte) (int, error) { return s.r.Read(p) }

func (s *fileStream) WriteTo(w io.Writer) (int64, error) {
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(s.r)
	}
	return io.Copy(w, s.r)
}

func (s *fileStream) Close() error { return s.c.Close() }

// notModified reports whether the client's cached copy is current:
// If-None-Match names the ETag (weak comparison) or "*"; else
// If-Modified-Since is not before the last modification.
func notModified(c *fiber.Ctx, info ObjectInfo) bool {
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		for tag := range strings.SplitSeq(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == strings.TrimPrefix(info.ETag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := c.Get(fiber.HeaderIfModifiedSince); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !info.ModTime.Truncate(time.Second).After(t)
	}
	return false
}

// byteRange returns the part of the file to send: the whole file, or the
// single range asked for (partial). A Range that cannot be parsed, asks for
// several ranges, or comes with an If-Range that does not match is
// ignored, as RFC 9110 allows; a range starting past the end is
// CodeRangeNotSatisfiable.
func byteRange(c *fiber.Ctx, info ObjectInfo, lastMod string) (start, n int64, partial bool, err error) {
	size := info.Size
	spec, ok := strings.CutPrefix(c.Get(fiber.HeaderRange), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, size, false, nil
	}
	if ir := c.Get(fiber.HeaderIfRange); ir != "" && ir != info.ETag && ir != lastMod {
		return 0, size, false, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, size, false, nil
	}
	unsatisfiable := &Error{Code: CodeRangeNotSatisfiable, ErrCode: codes[CodeRangeNotSatisfiable].errCode,
		Message: "range not satisfiable: the file has " + strconv.FormatInt(size, 10) + " bytes"}
	if first == "" { // the last N bytes
		k, err := strconv.ParseInt(last, 10, 64)
		if err != nil || k < 0 {
			return 0, size, false, nil
		}
		if k == 0 || size == 0 {
			return 0, 0, false, unsatisfiable
		}
		k = min(k, size)
		return size - k, k, true, nil
	}
	a, err := strconv.ParseInt(first, 10, 64)
	if err != nil || a < 0 {
		return 0, size, false, nil
	}
	b := size - 1
	if last != "" {
		if b, err = strconv.ParseInt(last, 10, 64); err != nil || b < a {
			return 0, size, false, nil
		}
		b = min(b, size-1)
	}
	if a >= size {
		return 0, 0, false, unsatisfiable
	}
	return a, b - a + 1, true, nil
}

// unescape percent-decodes the path part of a /f/ URL.
func unescape(p string) (string, error) {
	s, err := url.PathUnescape(p)
	if err != nil {
		return "", Errorf(CodeInvalidParam, "invalid percent-encoding in the URL path")
	}
	return s, nil
}
