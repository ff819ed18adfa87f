package functions

import (
	"bytes"
	"mime"
	"net/url"
	"strconv"
	"unicode/utf8"

	"minibase/auth"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofiber/fiber/v2"
)

// logsName is the path segment of the functions' log API
// (/v1/admin/functions/logs…), mounted by others: the routes below pass
// it on, and no function may be deployed under that name.
const logsName = "logs"

// mountAdmin registers the admin routes that deploy and manage functions:
//
//	GET    /admin/functions                      {data: [FunctionInfo…]}
//	PUT    /admin/functions/{name}               a zip (Content-Type application/zip), or
//	                                             {files: {"index.js": "…", …}, config?} → {name, Version…}
//	GET    /admin/functions/{name}               FunctionDetail: config, version, files
//	GET    /admin/functions/{name}/files/{path}  a file's content (?version=N: of that version)
//	GET    /admin/functions/{name}/versions      {data: [Version…]}, newest first
//	POST   /admin/functions/{name}/rollback      {version: N | "hash"} → {name, Version…}
//	DELETE /admin/functions/{name}               {name, deleted: true}
func mountAdmin(r, deploys fiber.Router, d Deployer) {
	a := adminAPI{d}
	r.Get("/admin/functions", a.list)
	deploys.Put("/admin/functions/:name", a.deploy)
	r.Get("/admin/functions/:name", a.passLogs(a.get))
	r.Delete("/admin/functions/:name", a.passLogs(a.delete))
	r.Get("/admin/functions/:name/versions", a.passLogs(a.versions))
	r.Post("/admin/functions/:name/rollback", a.passLogs(a.rollback))
	r.Get("/admin/functions/:name/files/*", a.passLogs(a.file))
}

type adminAPI struct{ d Deployer }

// passLogs hands requests for the log API's path on to the next route,
// and refuses non-admins.
func (a adminAPI) passLogs(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Params("name") == logsName {
			return c.Next()
		}
		if err := needAdmin(c); err != nil {
			return err
		}
		return h(c)
	}
}

func needAdmin(c *fiber.Ctx) error {
	if !auth.FromContext(c.UserContext()).IsAdmin() {
		return Errorf(CodePermissionDenied, "permission denied: managing functions needs an admin")
	}
	return nil
}

// versionAnswer is the answer of a deployment or a rollback.
type versionAnswer struct {
	Name string `json:"name"`
	*Version
	LeftOut *LeftOut `json:"leftOut,omitempty"` // what the deployment left out of the files given
}

func (a adminAPI) list(c *fiber.Ctx) error {
	if err := needAdmin(c); err != nil {
		return err
	}
	fns, err := a.d.Functions(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"data": fns})
}

// zipTypes are the Content-Types of a zip upload (browsers on Windows
// send the second).
var zipTypes = map[string]bool{"application/zip": true, "application/x-zip-compressed": true}

func (a adminAPI) deploy(c *fiber.Ctx) error {
	if err := needAdmin(c); err != nil {
		return err
	}
	name := param(c, "name")
	if name == logsName {
		return Errorf(CodeInvalidParam, "the name %q is reserved (the functions' log API lives at /v1/admin/functions/logs): choose another", name)
	}
	var files map[string][]byte
	var left *LeftOut
	var err error
	if mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); zipTypes[mt] {
		files, left, err = ReadZip(c.Body())
	} else if files, err = fileMap(c); err == nil {
		left = leaveOutFiles(files)
	}
	if err != nil {
		return err
	}
	v, err := a.d.Put(c.UserContext(), name, files)
	if err != nil {
		return err
	}
	return c.JSON(versionAnswer{name, v, left})
}

// fileMap reads the JSON deployment {files: {path: text}, config?}.
func fileMap(c *fiber.Ctx) (map[string][]byte, error) {
	var req struct {
		Files  map[string]string `json:"files"`
		Config jsontext.Value    `json:"config"`
	}
	if err := decodeBody(c, &req, `{"files": {"index.js": "…"}, "config": {…}} (or a zip, Content-Type application/zip)`); err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(req.Files)+1)
	for p, s := range req.Files {
		files[p] = []byte(s)
	}
	if len(req.Config) > 0 && string(req.Config) != "null" {
		if _, ok := files["config.json"]; ok {
			return nil, Errorf(CodeInvalidParam, "give the configuration either as config or as files[\"config.json\"], not both")
		}
		files["config.json"] = append([]byte(nil), req.Config...)
	}
	return files, nil
}

func (a adminAPI) get(c *fiber.Ctx) error {
	det, err := a.d.Function(c.UserContext(), param(c, "name"))
	if err != nil {
		return err
	}
	return c.JSON(det)
}

func (a adminAPI) delete(c *fiber.Ctx) error {
	name := param(c, "name")
	if err := a.d.Delete(c.UserContext(), name); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"name": name, "deleted": true})
}

func (a adminAPI) versions(c *fiber.Ctx) error {
	vs, err := a.d.Versions(c.UserContext(), param(c, "name"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"data": vs})
}

func (a adminAPI) rollback(c *fiber.Ctx) error {
	var req struct {
		Version jsontext.Value `json:"version"`
	}
	const shape = `{"version": 3} (a number from GET …/versions, or a version hash)`
	if err := decodeBody(c, &req, shape); err != nil {
		return err
	}
	var ref string
	switch v := bytes.TrimSpace(req.Version); {
	case len(v) > 0 && v[0] == '"':
		if err := json.Unmarshal(v, &ref); err != nil || ref == "" {
			return Errorf(CodeInvalidParam, "version must be %s", shape)
		}
	default:
		n, err := strconv.Atoi(string(v))
		if err != nil || n <= 0 {
			return Errorf(CodeInvalidParam, "version must be %s", shape)
		}
		ref = strconv.Itoa(n)
	}
	name := param(c, "name")
	ver, err := a.d.Rollback(c.UserContext(), name, ref)
	if err != nil {
		return err
	}
	return c.JSON(versionAnswer{Name: name, Version: ver})
}

// file answers a file's bytes: text/plain when they are UTF-8 text.
func (a adminAPI) file(c *fiber.Ctx) error {
	p, err := url.PathUnescape(c.Params("*"))
	if err != nil {
		return Errorf(CodeInvalidParam, "invalid file path %q", c.Params("*"))
	}
	version := 0
	if v := c.Query("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version <= 0 {
			return Errorf(CodeInvalidParam, "version must be a version number, got %q", v)
		}
	}
	b, err := a.d.ReadFile(c.UserContext(), param(c, "name"), version, p)
	if err != nil {
		return err
	}
	if utf8.Valid(b) {
		c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
	} else {
		c.Set(fiber.HeaderContentType, fiber.MIMEOctetStream)
	}
	return c.Send(b)
}
