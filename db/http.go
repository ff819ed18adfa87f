package db

import (
	"context"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Mount registers the database routes on r (the /v1 group):
// /db/{coll}/… for documents and /admin/collections… for the catalog.
// Handlers return *Error values; the app's error handler maps them to HTTP.
func (s *Service) Mount(r fiber.Router) {
	r.Post("/db/:coll/query", s.handleQuery)
	r.Post("/db/:coll/count", s.handleCount)
	r.Post("/db/:coll/insert", s.handleInsert)
	r.Post("/db/:coll/update", s.handleUpdate)
	r.Post("/db/:coll/remove", s.handleRemove)
	r.Post("/db/:coll/aggregate", s.handleAggregate)
	r.Get("/db/:coll/docs/:id", s.handleGetDoc)
	r.Put("/db/:coll/docs/:id", s.handleSetDoc)
	r.Patch("/db/:coll/docs/:id", s.handleUpdateDoc)
	r.Delete("/db/:coll/docs/:id", s.handleDeleteDoc)
	r.Post("/db/transaction", s.handleTransaction)

	r.Get("/admin/collections", s.handleCollections)
	r.Post("/admin/collections", s.handleCreateCollection)
	r.Delete("/admin/collections/:coll", s.handleDropCollection)
	r.Get("/admin/collections/:coll/indexes", s.handleIndexes)
	r.Post("/admin/collections/:coll/indexes", s.handleCreateIndex)
	r.Delete("/admin/collections/:coll/indexes/:name?", s.handleDropIndex)
	r.Get("/admin/collections/:coll/rules", s.handleGetRules)
	r.Put("/admin/collections/:coll/rules", s.handleSetRules)
	r.Post("/admin/rules/explain", s.handleExplain)
	r.Post("/admin/rules/validate", s.handleValidateRules)
	s.mountConsole(r)
}

// smallBody is the size up to which a body is decoded without a
// reservation (it takes at most MaxMemoryPerByte times as much): only
// larger ones can add up to much, and they must not keep the small ones
// waiting behind them.
const smallBody = 64 << 10

// body decodes the request body (DecodeBody). A body larger than
// smallBody first reserves what its decoded form may take (BodyMemory)
// from Limits.BodyMemory, waiting at most Limits.BodyWait (then CodeBusy):
// concurrent large requests queue rather than multiply the server's
// memory. The caller calls release once it has answered.
func (s *Service) body(c *fiber.Ctx) (d Doc, release func(), err error) {
	raw := c.Body()
	release = func() {}
	if len(raw) > smallBody {
		n := BodyMemory(len(raw))
		ctx, cancel := context.WithTimeout(c.UserContext(), s.limits.BodyWait)
		err := s.bodies.Acquire(ctx, n)
		cancel()
		if err != nil {
			return nil, release, Errorf(CodeBusy, "the server is decoding other large requests; try again in a few seconds")
		}
		release = func() { s.bodies.Release(n) }
	}
	d, err = DecodeBody(raw)
	return d, release, err
}

// admitted admits the caller for op on the route's collection (admit) and
// only then reads and decodes the body (body: the caller calls release): a
// request the rules refuse whatever it says is answered before its body is
// read.
func (s *Service) admitted(c *fiber.Ctx, op int) (grant, Doc, func(), error) {
	g, err := s.admit(c.UserContext(), param(c, "coll"), op)
	if err != nil {
		return grant{}, nil, func() {}, err
	}
	b, release, err := s.body(c)
	return g, b, release, err
}

// adminBody reads the body of an admin route once the caller is known to
// be an admin (body: the caller calls release).
func (s *Service) adminBody(c *fiber.Ctx) (Doc, func(), error) {
	if _, err := s.authorize(c.UserContext(), "", ActionAdmin); err != nil {
		return nil, func() {}, err
	}
	return s.body(c)
}

// param returns a route parameter, percent-decoded (a document id may hold
// any character, so clients encode it): fiber matches routes on the raw path,
// so an encoded "/" stays inside the parameter, and does not decode
// parameters itself. A parameter that is not valid percent-encoding is taken
// literally. The result is a copy: fiber reuses its buffers after the handler.
func param(c *fiber.Ctx, name string) string {
	raw := c.Params(name)
	if strings.IndexByte(raw, '%') >= 0 {
		if s, err := url.PathUnescape(raw); err == nil {
			return s
		}
	}
	return string([]byte(raw))
}

// answer is an operation's answer (answers.go).
type answer interface{ AppendJSON(b []byte) []byte }

// send sends a's JSON.
func send(c *fiber.Ctx, a answer) error {
	return sendJSON(c, a.AppendJSON(nil))
}

func sendJSON(c *fiber.Ctx, b []byte) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(b)
}

func (s *Service) handleQuery(c *fiber.Ctx) error {
	g, b, release, err := s.admitted(c, opRead)
	defer release()
	if err != nil {
		return err
	}
	docs, err := s.queryAs(c.UserContext(), g, b)
	if err != nil {
		return err
	}
	a := QueryAnswer{Docs: docs}
	return sendJSON(c, a.AppendJSON(make([]byte, 0, a.Size())))
}

func (s *Service) handleAggregate(c *fiber.Ctx) error {
	g, b, release, err := s.admitted(c, opRead)
	defer release()
	if err != nil {
		return err
	}
	docs, err := s.aggregateAs(c.UserContext(), g, b)
	if err != nil {
		return err
	}
	a := QueryAnswer{Docs: docs}
	return sendJSON(c, a.AppendJSON(make([]byte, 0, a.Size())))
}

func (s *Service) handleCount(c *fiber.Ctx) error {
	g, b, release, err := s.admitted(c, opRead)
	defer release()
	if err != nil {
		return err
	}
	n, err := s.countAs(c.UserContext(), g, b)
	if err != nil {
		return err
	}
	return send(c, CountAnswer{Total: n})
}

func (s *Service) handleInsert(c *fiber.Ctx) error {
	g, b, release, err := s.admitted(c, opCreate)
	defer release()
	if err != nil {
		return err
	}
	ids, many, err := s.insertAs(c.UserContext(), g, b)
	if err != nil {
		return err
	}
	return send(c, InsertAnswer{IDs: ids, Many: many})
}

func (s *Service) handleUpdate(c *fiber.Ctx) error {
	g, b, release, err := s.admitted(c, opUpdate)
	defer release()
	if err != nil {
		return err
	}
	res, err := s.updateAs(c.UserContext(), g, b)
	if err != nil {
		return err
	}
	return send(c, UpdateAnswer{Result: res})
}

func (s *Service) handleRemove(c *fiber.Ctx) error {
	g, b, release, err := s.admitted(c, opDelete)
	defer release()
	if err != nil {
		return err
	}
	n, err := s.removeAs(c.UserContext(), g, b)
	if err != nil {
		return err
	}
	return send(c, RemoveAnswer{Removed: n})
}

func (s *Service) handleGetDoc(c *fiber.Ctx) error {
	doc, err := s.GetDoc(c.UserContext(), param(c, "coll"), param(c, "id"), nil)
	if err != nil {
		return err
	}
	return sendJSON(c, DocAnswer{Doc: doc}.AppendJSON(make([]byte, 0, len(doc)+10)))
}

func (s *Service) handleSetDoc(c *fiber.Ctx) error {
	g, err := s.admitSet(c.UserContext(), param(c, "coll"))
	if err != nil {
		return err
	}
	b, release, err := s.body(c)
	defer release()
	if err != nil {
		return err
	}
	id := param(c, "id")
	res, err := s.setDocAs(c.UserContext(), g, id, b)
	if err != nil {
		return err
	}
	return send(c, SetAnswer{ID: id, Result: res})
}

func (s *Service) handleUpdateDoc(c *fiber.Ctx) error {
	g, b, release, err := s.admitted(c, opUpdate)
	defer release()
	if err != nil {
		return err
	}
	res, err := s.updateDocAs(c.UserContext(), g, param(c, "id"), b)
	if err != nil {
		return err
	}
	return send(c, UpdateDocAnswer{Result: res})
}

func (s *Service) handleDeleteDoc(c *fiber.Ctx) error {
	n, err := s.DeleteDoc(c.UserContext(), param(c, "coll"), param(c, "id"))
	if err != nil {
		return err
	}
	return send(c, RemoveAnswer{Removed: n})
}

func (s *Service) handleCollections(c *fiber.Ctx) error {
	list, err := s.Collections(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"data": list})
}

func (s *Service) handleCreateCollection(c *fiber.Ctx) error {
	b, release, err := s.adminBody(c)
	defer release()
	if err != nil {
		return err
	}
	name, err := s.CreateCollection(c.UserContext(), b)
	if err != nil {
		return err
	}
	return send(c, NameAnswer{Name: name})
}

func (s *Service) handleDropCollection(c *fiber.Ctx) error {
	if err := s.DropCollection(c.UserContext(), param(c, "coll")); err != nil {
		return err
	}
	return c.JSON(fiber.Map{})
}

func (s *Service) handleIndexes(c *fiber.Ctx) error {
	list, err := s.Indexes(c.UserContext(), param(c, "coll"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"data": list})
}

func (s *Service) handleCreateIndex(c *fiber.Ctx) error {
	b, release, err := s.adminBody(c)
	defer release()
	if err != nil {
		return err
	}
	name, err := s.CreateIndex(c.UserContext(), param(c, "coll"), b)
	if err != nil {
		return err
	}
	return send(c, NameAnswer{Name: name})
}

// handleDropIndex takes the name from the path (/indexes/{name}), the
// query (?name=) or the body ({name}).
func (s *Service) handleDropIndex(c *fiber.Ctx) error {
	name := param(c, "name")
	if name == "" {
		name = string([]byte(c.Query("name")))
	}
	if name == "" {
		b, release, err := s.adminBody(c)
		defer release()
		if err != nil {
			return err
		}
		m, err := fields(b, "name")
		if err != nil {
			return err
		}
		name, _ = m["name"].(string)
	}
	if err := s.DropIndex(c.UserContext(), param(c, "coll"), name); err != nil {
		return err
	}
	return c.JSON(fiber.Map{})
}

func (s *Service) handleGetRules(c *fiber.Ctx) error {
	rs, err := s.GetRules(c.UserContext(), param(c, "coll"))
	if err != nil {
		return err
	}
	return sendJSON(c, rs.JSON())
}

func (s *Service) handleSetRules(c *fiber.Ctx) error {
	b, release, err := s.adminBody(c)
	defer release()
	if err != nil {
		return err
	}
	rs, err := s.SetRules(c.UserContext(), param(c, "coll"), b)
	if err != nil {
		return err
	}
	return sendJSON(c, rs.JSON())
}

func (s *Service) handleValidateRules(c *fiber.Ctx) error {
	b, release, err := s.adminBody(c)
	defer release()
	if err != nil {
		return err
	}
	if err := s.ValidateRules(c.UserContext(), b); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ok": true})
}

func (s *Service) handleExplain(c *fiber.Ctx) error {
	b, release, err := s.adminBody(c)
	defer release()
	if err != nil {
		return err
	}
	e, err := s.Explain(c.UserContext(), b)
	if err != nil {
		return err
	}
	return c.JSON(e)
}
