package server

import (
	"context"
	"strings"
	"sync"
	"time"

	"minibase/functions"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// (several servers in one process, as in tests, do not share counters).
// Every label takes a bounded set of values: a request's route is the
// pattern it matched (a path no route takes is "unmatched"), its method
// one of the methods fiber serves, its status a class (2xx…); functions
// beyond maxFunctionLabels are counted as "_other".
type metrics struct {
	reg      *prometheus.Registry
	inFlight prometheus.Gauge
	requests *prometheus.CounterVec   // route, method, status class
	latency  *prometheus.HistogramVec // route, method
	signIns  *prometheus.CounterVec   // method, result
	routes   sync.Map                 // *fiber.Route or an unmatched method → *routeMetrics

	fnMu        sync.Mutex
	fnByName    map[string]*fnMetrics
	fnCalls     *prometheus.CounterVec   // function, status
	fnCold      *prometheus.CounterVec   // function
	fnDuration  *prometheus.HistogramVec // function
	readyChecks prometheus.Counter
}

// maxFunctionLabels bounds the function label's values; more functions
// share "_other".
const maxFunctionLabels = 200

// otherFunction is the function label of those beyond maxFunctionLabels.
const otherFunction = "_other"

// unmatchedRoute is the route label of requests no route took (404s of
// unknown paths): however many paths a client tries, one label.
const unmatchedRoute = "unmatched"

// latencyBuckets are the request and invocation histograms' buckets, in
// seconds: from a cached read to a long function.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), fnByName: map[string]*fnMetrics{}}
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "minibase_http_requests_in_flight",
		Help: "HTTP requests being answered now."})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minibase_http_requests_total",
		Help: "HTTP requests answered, by route pattern (unmatched: no route), method and status class."}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "minibase_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request (to the handler's end; a streamed body may take longer), by route pattern and method.",
		Buckets: latencyBuckets}, []string{"route", "method"})
	m.signIns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minibase_auth_sign_ins_total",
		Help: "End-user and admin sign-ins, by method and result (ok, failed, limited: refused by a rate limit)."}, []string{"method", "result"})
	m.fnCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minibase_function_invocations_total",
		Help: "Cloud function invocations, by function (at most 200, then _other) and status (ok, error)."}, []string{"function", "status"})
	m.fnCold = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minibase_function_cold_starts_total",
		Help: "Invocations that ran a new instance's top-level code, by function."}, []string{"function"})
	m.fnDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "minibase_function_duration_seconds",
		Help: "Cloud function invocation time, by function.", Buckets: latencyBuckets}, []string{"function"})
	m.readyChecks = prometheus.NewCounter(prometheus.CounterOpts{Name: "minibase_ready_checks_total",
		Help: "Readiness checks run (/v1/health/ready answers from a result up to a second old)."})
	m.reg.MustRegister(m.inFlight, m.requests, m.latency, m.signIns, m.fnCalls, m.fnCold, m.fnDuration, m.readyChecks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// routeMetrics are one route's (and method's) series, made once: a
// request then costs two atomic adds and a histogram observation.
type routeMetrics struct {
	classes [6]prometheus.Counter // by status / 100; [0]: other
	latency prometheus.Observer
	signIn  string // the sign-in method of a sign-in route, else ""
	route   string // the labels
	method  string
}

var statusClasses = [6]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

// route returns the series of the route c's request matched, or of
// unmatched when notFound (the router's 404) or when only a middleware
// took it.
func (m *metrics) route(c *fiber.Ctx, notFound bool) *routeMetrics {
	r := c.Route()
	var key any = r
	pattern := r.Path
	if notFound || r.Method == "USE" && (r.Path == "/" || r.Path == "") {
		pattern, key = unmatchedRoute, unmatchedKey(c.Method())
	}
	if rm, ok := m.routes.Load(key); ok {
		return rm.(*routeMetrics)
	}
	method := strings.Clone(c.Method()) // fiber's is only valid during the request
	if r.Method != "USE" && key == any(r) {
		method = r.Method
	}
	rm := &routeMetrics{latency: m.latency.WithLabelValues(pattern, method), signIn: signInMethod(pattern), route: pattern, method: method}
	for i, class := range statusClasses {
		rm.classes[i] = m.requests.WithLabelValues(pattern, method, class)
	}
	actual, _ := m.routes.LoadOrStore(key, rm)
	return actual.(*routeMetrics)
}

// unmatchedKey is the routes map's key of an unmatched method.
type unmatchedKey string

// observe counts an answered request.
func (m *metrics) observe(rm *routeMetrics, status int, took time.Duration) {
	class := status / 100
	if class < 1 || class > 5 {
		class = 0
	}
	rm.classes[class].Inc()
	rm.latency.Observe(took.Seconds())
	if rm.signIn != "" {
		result := "ok"
		switch {
		case status == fiber.StatusTooManyRequests:
			result = "limited"
		case status >= 400:
			result = "failed"
		}
		m.signIns.WithLabelValues(rm.signIn, result).Inc()
	}
}

// signInMethod names the sign-in method of a route pattern (anonymous,
// password, otp, ticket, admin, wechat, …), or "" when the route signs no
// one in.
func signInMethod(pattern string) string {
	switch pattern {
	case "/v1/auth/anonymous":
		return "anonymous"
	case "/v1/auth/login":
		return "password"
	case "/v1/auth/signup":
		return "signup"
	case "/v1/auth/otp/verify":
		return "otp"
	case "/v1/auth/ticket":
		return "ticket"
	case "/v1/auth/admin/login":
		return "admin"
	case "/v1/auth/refresh", "/v1/auth/logout", "/v1/auth/me", "/v1/auth/otp/send":
		return ""
	}
	if name, ok := strings.CutPrefix(pattern, "/v1/auth/"); ok && !strings.ContainsAny(name, "/:*") {
		return name // a mini-program platform: wechat, douyin, …
	}
	return ""
}

// fnMetrics are one function label's series.
type fnMetrics struct {
	ok, failed, cold prometheus.Counter
	duration         prometheus.Observer
}

var _ functions.LogSink = (*metrics)(nil)

// Write counts an invocation (metrics is one of the runtime's log sinks).
func (m *metrics) Write(_ context.Context, rec *functions.LogRecord) {
	fm := m.function(rec.Function)
	if rec.Status == functions.StatusOK {
		fm.ok.Inc()
	} else {
		fm.failed.Inc()
	}
	if rec.ColdStart {
		fm.cold.Inc()
	}
	fm.duration.Observe(rec.Duration.Seconds())
}

func (m *metrics) function(name string) *fnMetrics {
	m.fnMu.Lock()
	defer m.fnMu.Unlock()
	if fm, ok := m.fnByName[name]; ok {
		return fm
	}
	label := name
	if len(m.fnByName) >= maxFunctionLabels {
		label = otherFunction
		if fm, ok := m.fnByName[label]; ok {
			return fm
		}
	}
	fm := &fnMetrics{ok: m.fnCalls.WithLabelValues(label, functions.StatusOK), failed: m.fnCalls.WithLabelValues(label, functions.StatusError),
		cold: m.fnCold.WithLabelValues(label), duration: m.fnDuration.WithLabelValues(label)}
	m.fnByName[label] = fm
	return fm
}
