package functions

import (
	"bytes"
	"context"
	"strings"

	"minibase/auth"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofiber/fiber/v2"
)

// Deployer deploys and manages functions (Dir does): what the
// /v1/admin/functions routes call (see mountAdmin).
type Deployer interface {
	Put(ctx context.Context, name string, files map[string][]byte) (*Version, error)
	Rollback(ctx context.Context, name, ref string) (*Version, error)
	Delete(ctx context.Context, name string) error
	Functions(ctx context.Context) ([]FunctionInfo, error)
	Function(ctx context.Context, name string) (*FunctionDetail, error)
	Versions(ctx context.Context, name string) ([]Version, error)
	ReadFile(ctx context.Context, name string, version int, path string) ([]byte, error)
}

// Mount registers the functions routes on r (the /v1 group):
//
//	POST /functions/{name}/invoke        {data, async?} → {result, requestID}, or 202 {requestID} when async
//	GET  /functions/invocations/{id}     an asynchronous invocation's outcome (admin, or its caller)
//	…    /admin/functions…               deploy and manage (admin): see mountAdmin
//	POST /admin/functions/{name}/run     {data} → {result, error?, logs, ms, requestID} (admin; http_run.go)
//
// deploys takes the deployments, whose zips may pass the API's body limit
// (up to MaxZipBytes). Handlers return *Error values; the app's error
// handler writes them (Error.Answer).
func (rt *Runtime) Mount(r, deploys fiber.Router, d Deployer) {
	r.Post("/functions/:name/invoke", rt.handleInvoke)
	r.Get("/functions/invocations/:id", rt.handleOutcome)
	mountAdmin(r, deploys, d)
	r.Post("/admin/functions/:name/run", rt.handleRun)
}

// MountHTTP serves the functions' HTTP access routes (config.json "http")
// on app: ANY /fn/{path…} runs the function whose route is the longest
// prefix of path (Triggers.ServeHTTP). Anyone may call them, signed in or
// not; the caller's identity, when the request carries one, reaches
// getWXContext().
func (t *Triggers) MountHTTP(app fiber.Router) {
	app.All("/fn", t.handleHTTP)
	app.All("/fn/*", t.handleHTTP)
}

func (t *Triggers) handleHTTP(c *fiber.Ctx) error {
	p := strings.TrimPrefix(c.Path(), "/fn")
	if p == "" {
		p = "/"
	}
	req := &HTTPRequest{Method: strings.Clone(c.Method()), Path: strings.Clone(p), Body: bytes.Clone(c.Body()),
		ClientIP: strings.Clone(c.IP()), BaseURL: c.BaseURL()}
	c.Request().Header.VisitAll(func(k, v []byte) { req.Header = append(req.Header, [2]string{string(k), string(v)}) })
	c.Context().QueryArgs().VisitAll(func(k, v []byte) { req.Query = append(req.Query, [2]string{string(k), string(v)}) })
	res, err := t.ServeHTTP(c.UserContext(), req)
	if err != nil {
		return err
	}
	c.Status(res.Status)
	for _, h := range res.Header {
		c.Response().Header.Add(h[0], h[1])
	}
	return c.Send(res.Body)
}

func param(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }

// decodeBody reads a JSON object body into v, refusing unknown fields.
func decodeBody(c *fiber.Ctx, v any, fields string) error {
	b := c.Body()
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v, json.RejectUnknownMembers(true)); err != nil {
		return Errorf(CodeInvalidParam, "request body must be a JSON object %s: %v", fields, err)
	}
	return nil
}

func (rt *Runtime) handleInvoke(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if id := auth.FromContext(ctx); id.Role == auth.Visitor {
		return Errorf(CodePermissionDenied, "permission denied: sign in first (anonymous sign-in is enough) to call functions")
	}
	event, async, err := invokeBody(c.Body())
	if err != nil {
		return err
	}
	inv := Invocation{ClientIP: strings.Clone(c.IP())}
	if f := rt.opts.Files; f != nil && f.PublicURL() == "" {
		inv.BaseURL = c.BaseURL() // a new string
	}
	name := param(c, "name")
	if async {
		id, err := rt.InvokeAsync(ctx, name, event, inv)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"requestID": id})
	}
	res, err := rt.Invoke(ctx, name, event, inv)
	if err != nil {
		return err
	}
	out := make([]byte, 0, len(res.Value)+64)
	out = append(out, `{"result":`...)
	out = append(out, res.Value...)
	out = append(out, `,"requestID":"`...)
	out = append(out, res.RequestID...)
	out = append(out, `"}`...)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(out)
}

// invokeBody reads the body of POST /functions/{name}/invoke, {"data":
// {…}, "async": false}: data's JSON (nil when absent or null) and async.
// The members are checked here, data's content when it is read as the
// event (an asynchronous call's at once). It does not use a JSON decoder:
// this is every call's path.
func invokeBody(b []byte) (event []byte, async bool, err error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, false, nil
	}
	const shape = `{"data": {…}, "async": false}`
	keys, spans, ok := splitObject(b)
	if !ok {
		return nil, false, Errorf(CodeInvalidParam, "request body must be a JSON object %s", shape)
	}
	seen := make(map[string]bool, 2)
	for i, k := range keys {
		if seen[k] {
			return nil, false, Errorf(CodeInvalidParam, "request body must be a JSON object %s: %q appears twice", shape, k)
		}
		seen[k] = true
		v := b[spans[i][0]:spans[i][1]]
		switch k {
		case "data":
			if v[0] != '{' && string(v) != "null" {
				return nil, false, Errorf(CodeInvalidParam, "data must be an object: it becomes the function's event")
			}
			if v[0] == '{' {
				event = v
			}
		case "async":
			switch string(v) {
			case "true":
				async = true
			case "false", "null":
			default:
				return nil, false, Errorf(CodeInvalidParam, "async must be true or false, not %.20s", v)
			}
		default:
			return nil, false, Errorf(CodeInvalidParam, "request body must be a JSON object %s: unknown member %q", shape, k)
		}
	}
	if async && event != nil && !jsontext.Value(event).IsValid() {
		return nil, false, Errorf(CodeInvalidParam, "data is not valid JSON")
	}
	return event, async, nil
}

func (rt *Runtime) handleOutcome(c *fiber.Ctx) error {
	o, err := rt.Outcome(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(o)
}
