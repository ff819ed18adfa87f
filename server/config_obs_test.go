package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"minibase/functions"
)

func TestParseRequestLog(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want RequestLog
		err  bool
	}{
		{in: "off", want: RequestLog{Mode: "off"}},
		{in: "errors", want: RequestLog{Mode: "errors"}},
		{in: "all", want: RequestLog{Mode: "all"}},
		{in: "sampled:1", want: RequestLog{Mode: "sampled", Every: 1}},
		{in: "sampled:100", want: RequestLog{Mode: "sampled", Every: 100}},
		{in: "sampled:1000000", want: RequestLog{Mode: "sampled", Every: 1000000}},
		{in: "sampled:0", err: true},
		{in: "sampled:1000001", err: true},
		{in: "sampled:-1", err: true},
		{in: "sampled:+5", err: true},
		{in: "sampled:", err: true},
		{in: "sampled", err: true},
		{in: "ALL", err: true},
		{in: "sampled:99999999999999999999999", err: true},
	} {
		got, err := ParseRequestLog(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseRequestLog(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// FuzzParseRequestLog: any value is taken or refused, never panics, and
// what is taken is one of the modes with N in range for sampled.
func FuzzParseRequestLog(f *testing.F) {
	for _, s := range []string{"off", "errors", "all", "sampled:10", "sampled:", "sampled:0x10", "sampled:1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := ParseRequestLog(v)
		if err != nil {
			return
		}
		switch got.Mode {
		case RequestLogOff, RequestLogErrors, RequestLogAll:
			if got.Every != 0 {
				t.Errorf("%q: %+v", v, got)
			}
		case RequestLogSampled:
			n, _ := strings.CutPrefix(v, "sampled:")
			if got.Every < 1 || got.Every > maxSampleEvery || strings.Trim(n, "0123456789") != "" ||
				strings.TrimLeft(n, "0") != fmt.Sprint(got.Every) {
				t.Errorf("%q: %+v", v, got)
			}
		default:
			t.Errorf("%q: mode %q", v, got.Mode)
		}
	})
}

// The log settings: a bad value names the setting and what it must be;
// json writes one JSON object a line at the level asked.
func TestLogSettings(t *testing.T) {
	for _, tc := range []struct{ env, value, want string }{
		{"MINIBASE_LOG_FORMAT", "xml", "MINIBASE_LOG_FORMAT must be text or json"},
		{"MINIBASE_LOG_LEVEL", "loud", "MINIBASE_LOG_LEVEL must be debug, info, warn or error"},
		{"MINIBASE_LOG_LEVEL", "info+2", "MINIBASE_LOG_LEVEL must be debug, info, warn or error"},
		{"MINIBASE_REQUEST_LOG", "some", "MINIBASE_REQUEST_LOG must be off, errors, all or sampled:N"},
	} {
		_, err := ParseConfig(nil, func(k string) string {
			if k == tc.env {
				return tc.value
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%s: %v, want %q", tc.env, tc.value, err, tc.want)
		}
	}
	cfg, err := ParseConfig(nil, func(k string) string {
		return map[string]string{"MINIBASE_LOG_FORMAT": "json", "MINIBASE_LOG_LEVEL": "warn"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := NewLogger(cfg, &buf)
	log.Info("hidden")
	log.Warn("shown", "k", 1)
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil || m["msg"] != "shown" || m["level"] != "WARN" {
		t.Errorf("log %q: %v %v", buf.String(), m, err)
	}
}

// However many functions report invocations, the function label takes
// at most maxFunctionLabels values and one "_other".
func TestMetricsFunctionLabelsCapped(t *testing.T) {
	m := newMetrics()
	for i := range maxFunctionLabels + 300 {
		m.Write(context.Background(), &functions.LogRecord{Function: fmt.Sprintf("fn%d", i), Status: functions.StatusOK})
	}
	mfs, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "minibase_function_invocations_total" {
			continue
		}
		names := map[string]float64{}
		for _, s := range mf.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "function" {
					names[l.GetValue()] += s.GetCounter().GetValue()
				}
			}
		}
		if len(names) != maxFunctionLabels+1 || names[otherFunction] != 300 {
			t.Errorf("%d function labels, _other counted %v; want %d and 300", len(names), names[otherFunction], maxFunctionLabels+1)
		}
		return
	}
	t.Fatal("no minibase_function_invocations_total")
}

// MINIBASE_METRICS_ADDR: /metrics without credentials there (and only
// there), and the health checks; nothing else.
func TestMetricsAddr(t *testing.T) {
	m := newTestMain(t, nil)
	api, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.Listener, m.MetricsListener = api, mln
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	client := &http.Client{Timeout: waitLimit}
	defer client.CloseIdleConnections()
	get := func(base, path string) (int, string) {
		t.Helper()
		resp, err := client.Get("http://" + base + path)
		if err != nil {
			t.Fatalf("GET %s%s: %v", base, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	metricsAddr, apiAddr := mln.Addr().String(), api.Addr().String()
	if st, body := get(apiAddr, "/v1/health"); st != 200 {
		t.Fatalf("api: %d %s", st, body)
	}
	if st, body := get(metricsAddr, "/metrics"); st != 200 || !strings.Contains(body, `minibase_http_requests_total{method="GET",route="/v1/health",status="2xx"} 1`) {
		t.Errorf("metrics address /metrics: %d\n%.2000s", st, body)
	}
	if st, _ := get(apiAddr, "/metrics"); st != 403 {
		t.Errorf("api address /metrics without credentials: %d, want 403", st)
	}
	for path, want := range map[string]int{"/v1/health": 200, "/v1/health/ready": 200, "/v1/db/x/query": 404, "/": 404} {
		if st, body := get(metricsAddr, path); st != want {
			t.Errorf("metrics address %s: %d %s, want %d", path, st, body, want)
		}
	}
}

// With HTTPS, the plain-http listener answers liveness and readiness
// itself (Docker's HEALTHCHECK and load balancers probe plain http) and
// redirects the rest.
func TestHTTPSPlainHealth(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	certPath, keyPath := dir+"/cert.pem", dir+"/key.pem"
	c1, k1 := ca.issue(t, 101, testDomain)
	writeFile(t, certPath, c1)
	writeFile(t, keyPath, k1)
	s := startHTTPS(t, "", nil, nil, func(c *Config) { c.HTTPS.CertFile, c.HTTPS.KeyFile = certPath, keyPath })
	client := &http.Client{Timeout: waitLimit, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()
	for _, tc := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/v1/health", 200, `"status":"ok"`},
		{"HEAD", "/v1/health", 200, ""},
		{"GET", "/v1/health/ready", 200, `"checks":{"database":"ok","disk":"ok","storage":"ok"}`},
		{"GET", "/v1/db/x/query", 308, ""},
		{"POST", "/v1/health", 308, ""},
	} {
		req, _ := http.NewRequest(tc.method, "http://"+s.httpAddr+tc.path, nil)
		req.Host = testDomain
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.body) {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path, resp.StatusCode, b, tc.status, tc.body)
		}
	}
}
