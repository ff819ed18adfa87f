package storage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Mount registers the API under /v1: the upload on uploads, the three other
// client calls under /storage and the admin calls under /admin/storage on
// r. The upload's body is streamed: the server must run with fiber's
// StreamRequestBody and DisablePreParseMultipartForm, and uploads must not
// hold the JSON body limit nor a total time limit (the bucket's max size
// and Config.UploadIdle bound an upload). Handlers return *Error values;
// the app's error handler writes them (Error.Answer).
func (s *Service) Mount(r, uploads fiber.Router) {
	uploads.Post("/storage/upload", s.handleUpload)
	r.Post("/storage/temp-urls", s.handleTempURLs)
	r.Post("/storage/delete", s.handleDelete)
	r.Get("/storage/download", s.handleDownload) // and HEAD

	r.Get("/admin/storage/buckets", s.handleBuckets)
	r.Post("/admin/storage/buckets", s.handleCreateBucket)
	r.Get("/admin/storage/buckets/:bucket", s.handleBucket)
	r.Patch("/admin/storage/buckets/:bucket", s.handleUpdateBucket)
	r.Delete("/admin/storage/buckets/:bucket", s.handleDeleteBucket)
	r.Post("/admin/storage/rules/validate", s.handleValidateRule)
	r.Get("/admin/storage/buckets/:bucket/files", s.handleFiles)
	r.Get("/admin/storage/file", s.handleFile)
	r.Delete("/admin/storage/file", s.handleDeleteFile)
}

// MountFiles registers the CDN-style URLs GET and HEAD /f/<bucket>/<path>
// on r (the app root).
func (s *Service) MountFiles(r fiber.Router) {
	r.Get("/f/:bucket/*", s.handleFetch)
}

// Limits on what the upload form may carry besides the file.
const (
	maxFormHead  = 64 << 10 // bytes of the form before the file part
	maxFieldSize = 1024     // one text field (cloudPath, bucket)
)

// MaxJSONBody bounds the bodies of the routes Mount registers on r (all
// but the upload): lists of fileIDs, bucket settings. The server holds
// those routes to it, so that a larger body is refused before it is read.
const MaxJSONBody = 256 << 10

func (s *Service) handleUpload(c *fiber.Ctx) error {
	var body io.Reader = c.Context().RequestBodyStream()
	if body == nil { // the app does not stream bodies: fiber read it already
		body = bytes.NewReader(c.Body())
	} else if conn := c.Context().Conn(); conn != nil {
		body = &idleReader{r: body, conn: conn, d: s.idle}
		defer conn.SetReadDeadline(time.Time{}) // fasthttp sets none of its own
	}
	res, err := s.upload(c, &capReader{r: body, left: maxFormHead})
	drain(c, body, ErrorCode(err) == CodeFileTooLarge)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// upload reads the multipart form (cloudPath and bucket, then file) and
// streams the file part to Upload as it arrives.
func (s *Service) upload(c *fiber.Ctx, body *capReader) (fiber.Map, error) {
	mt, params, err := mime.ParseMediaType(string(c.Request().Header.ContentType()))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, Errorf(CodeInvalidParam, "upload must be multipart/form-data with cloudPath and file fields")
	}
	req := UploadRequest{Path: strings.Clone(c.Query("cloudPath")), Bucket: strings.Clone(c.Query("bucket")),
		Declared: int64(c.Request().Header.ContentLength())}
	// multipart reads through a 4 KiB buffer unless given a bufio.Reader
	// with a bigger one: 64 KiB makes a part's Reads (and the socket reads
	// behind them) 16 times fewer.
	br := readers.Get().(*bufio.Reader)
	br.Reset(body)
	defer func() { br.Reset(nil); readers.Put(br) }()
	mr := multipart.NewReader(br, params["boundary"])
	for range 16 {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, formError(err)
		}
		switch part.FormName() {
		case "cloudPath", "bucket":
			v, err := io.ReadAll(io.LimitReader(part, maxFieldSize+1))
			if err != nil {
				return nil, formError(err)
			}
			if len(v) > maxFieldSize {
				return nil, Errorf(CodeInvalidParam, "form field %s is longer than %d bytes", part.FormName(), maxFieldSize)
			}
			if part.FormName() == "bucket" {
				req.Bucket = string(v)
			} else {
				req.Path = string(v)
			}
		case "file":
			if req.Path == "" {
				return nil, Errorf(CodeInvalidParam, "cloudPath must come before file in the form (or in the query)")
			}
			body.lift()
			req.Body, req.ContentType = part, part.Header.Get("Content-Type")
			f, _, err := s.Upload(c.UserContext(), req)
			if err != nil {
				return nil, err
			}
			return fiber.Map{"fileID": f.String(), "statusCode": fiber.StatusOK}, nil
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return nil, formError(err)
			}
		}
	}
	return nil, Errorf(CodeInvalidParam, "the form has no file field")
}

// idleReader fails a Read that waits more than d for data.
type idleReader struct {
	r    io.Reader
	conn net.Conn
	d    time.Duration
}

func (i *idleReader) Read(p []byte) (int, error) {
	i.conn.SetReadDeadline(time.Now().Add(i.d))
	return i.r.Read(p)
}

// readers are the buffered readers uploads are parsed through.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

func formError(err error) error {
	if errors.Is(err, ErrTooLarge) {
		return Errorf(CodeInvalidParam, "the form fields before the file are larger than %d bytes", maxFormHead)
	}
	return Errorf(CodeInvalidParam, "malformed or truncated multipart body: %v", err)
}

// capReader fails with ErrTooLarge after left bytes, until lifted.
type capReader struct {
	r      io.Reader
	left   int64
	lifted bool
}

func (c *capReader) lift() { c.lifted = true }

func (c *capReader) Read(p []byte) (int, error) {
	if c.lifted {
		return c.r.Read(p)
	}
	if c.left <= 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// drain reads what is left of an upload body, so the client (still
// sending) gets the answer, up to a limit (more after an oversized file,
// whose sender is likely to be mid-way); if more remains, the connection
// is closed after the answer instead of reading the rest as a request.
func drain(c *fiber.Ctx, body io.Reader, oversized bool) {
	limit := int64(64 << 10)
	if oversized {
		limit = 8 << 20
	}
	if n, err := io.Copy(io.Discard, io.LimitReader(body, limit+1)); n > limit || err != nil {
		c.Context().SetConnectionClose()
	}
}

// fileList is the body of temp-urls and delete: fileIDs, or (temp-urls)
// {fileID, maxAge} objects.
type fileList struct {
	FileList []json.RawMessage `json:"fileList"`
}

func readFileList(c *fiber.Ctx) ([]TempURLItem, error) {
	b := c.Body()
	if len(b) > MaxJSONBody {
		return nil, Errorf(CodeInvalidParam, "request body is larger than %d bytes", MaxJSONBody)
	}
	var fl fileList
	if err := json.Unmarshal(b, &fl); err != nil {
		return nil, Errorf(CodeInvalidParam, "body must be {\"fileList\": [fileID, …]}")
	}
	items := make([]TempURLItem, len(fl.FileList))
	for i, raw := range fl.FileList {
		if json.Unmarshal(raw, &items[i].FileID) == nil {
			continue
		}
		if err := json.Unmarshal(raw, &items[i]); err != nil || items[i].FileID == "" {
			return nil, Errorf(CodeInvalidParam, "fileList[%d] must be a fileID or {\"fileID\", \"maxAge\"}", i)
		}
	}
	return items, nil
}

func (s *Service) handleTempURLs(c *fiber.Ctx) error {
	items, err := readFileList(c)
	if err != nil {
		return err
	}
	base := s.PublicURL()
	if base == "" {
		base = c.BaseURL()
	}
	res, err := s.TempURLs(c.UserContext(), items, base)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"fileList": res})
}

func (s *Service) handleDelete(c *fiber.Ctx) error {
	items, err := readFileList(c)
	if err != nil {
		return err
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.FileID
	}
	res, err := s.Delete(c.UserContext(), ids)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"fileList": res})
}

func (s *Service) handleDownload(c *fiber.Ctx) error {
	ct, err := s.Download(c.UserContext(), strings.Clone(c.Query("fileID")), c.Method() == fiber.MethodHead)
	if err != nil {
		return err
	}
	return serve(c, ct)
}

// handleFetch answers /f/<bucket>/<path>. The path is taken from the URL as
// sent and percent-decoded once, then checked like any cloudPath, so no
// spelling of ".." gets through.
func (s *Service) handleFetch(c *fiber.Ctx) error {
	raw := string(c.Request().URI().PathOriginal())
	rest, _ := strings.CutPrefix(raw, "/f/")
	bucket, escaped, _ := strings.Cut(rest, "/")
	path, err := unescape(escaped)
	if err != nil {
		return err
	}
	r := FetchRequest{Bucket: bucket, Path: path, Sign: strings.Clone(c.Query("sign")), T: strings.Clone(c.Query("t")),
		V: strings.Clone(c.Query("v")), Query: string(c.Request().URI().QueryString()), Head: c.Method() == fiber.MethodHead}
	ct, err := s.Fetch(c.UserContext(), r)
	if err != nil {
		return err
	}
	return serve(c, ct)
}

func queryInt(c *fiber.Ctx, key string) (int, error) {
	v := c.Query(key)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, Errorf(CodeInvalidParam, "%s must be a non-negative number", key)
	}
	return n, nil
}
