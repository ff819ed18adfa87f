package db

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// mountConsole registers the console's query routes (admin only):
//
//	POST /admin/collections/{coll}/explain        {filter, sort, skip, limit, projection} | {pipeline, limit}
//	                                              → {plan, ms, count, data}
//	GET  /admin/slow-queries?coll=                {data: [slow query…], thresholdMs}
//	POST /admin/collections/{coll}/indexes/check  {keys} → {data: [{slow query…, wouldUse}]}
func (s *Service) mountConsole(r fiber.Router) {
	r.Post("/admin/collections/:coll/explain", s.handleExplainQuery)
	r.Get("/admin/slow-queries", s.handleSlowQueries)
	r.Post("/admin/collections/:coll/indexes/check", s.handleCheckIndex)
}

func (s *Service) handleExplainQuery(c *fiber.Ctx) error {
	b, release, err := s.adminBody(c)
	defer release()
	if err != nil {
		return err
	}
	e, err := s.ExplainQuery(c.UserContext(), param(c, "coll"), b)
	if err != nil {
		return err
	}
	return sendJSON(c, e.AppendJSON(nil))
}

func (s *Service) handleSlowQueries(c *fiber.Ctx) error {
	list, threshold, err := s.SlowQueries(c.UserContext(), string([]byte(c.Query("coll"))))
	if err != nil {
		return err
	}
	b := []byte(`{"data":[`)
	for i, q := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = q.AppendJSON(b)
	}
	b = append(b, `],"thresholdMs":`...)
	b = strconv.AppendInt(b, threshold.Milliseconds(), 10)
	return sendJSON(c, append(b, '}'))
}

func (s *Service) handleCheckIndex(c *fiber.Ctx) error {
	b, release, err := s.adminBody(c)
	defer release()
	if err != nil {
		return err
	}
	list, err := s.CheckIndex(c.UserContext(), param(c, "coll"), b)
	if err != nil {
		return err
	}
	out := []byte(`{"data":[`)
	for i := range list {
		if i > 0 {
			out = append(out, ',')
		}
		out = list[i].AppendJSON(out)
	}
	return sendJSON(c, append(out, "]}"...))
}
