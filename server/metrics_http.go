package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"minibase/auth"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsHandler is the Prometheus exposition of the server's registry:
// at most a few scrapes at once (more answer 503), each within 20 s.
func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             20 * time.Second,
	})
}

// mountMetrics registers GET /metrics on r (the root group, behind the
// caller's identity): for an admin only, the admin key or an admin
// account's token (Prometheus: authorization: {credentials: <key>}).
func (s *Server) mountMetrics(r fiber.Router) {
	h := adaptor.HTTPHandler(s.metricsHandler())
	r.Get("/metrics", func(c *fiber.Ctx) error {
		if !auth.FromContext(c.UserContext()).IsAdmin() {
			return auth.Errorf(auth.CodePermissionDenied,
				"permission denied: /metrics needs the admin key or an admin token (Authorization: Bearer …), or serve it on MINIBASE_METRICS_ADDR")
		}
		return h(c)
	})
}

// serveMetrics serves /metrics without authentication, and the health
// checks, on MetricsListener or Config.Obs.MetricsAddr until stop is
// called.
func (s *Server) serveMetrics() (stop func(), addr net.Addr, err error) {
	ln := s.MetricsListener
	if ln == nil {
		if ln, err = net.Listen("tcp", s.Config.Obs.MetricsAddr); err != nil {
			return nil, nil, fmt.Errorf("listen (MINIBASE_METRICS_ADDR): %w", err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler())
	mux.Handle("/", http.NotFoundHandler())
	c := s.Config.Conns
	srv := &http.Server{Handler: s.healthHTTP(mux), ReadHeaderTimeout: c.HeaderTimeout, IdleTimeout: c.KeepAliveTimeout,
		MaxHeaderBytes: 16 << 10, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("metrics listener", "err", err)
		}
	}()
	return func() { srv.Close(); <-done }, ln.Addr(), nil
}
