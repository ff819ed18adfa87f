package server

import (
	"context"
	"time"

	"minibase/auth"

	"github.com/prometheus/client_golang/prometheus"
)

// stateCollector reads the server's state when Prometheus scrapes: the
// database writer's figures, open watches, documents, and the file
// store's totals (from the console's cache, recounted at most every 30 s).
type stateCollector struct{ s *Server }

var _ prometheus.Collector = stateCollector{}

var (
	descQueued = prometheus.NewDesc("minibase_db_write_queue", "Writes waiting for the database writer now.", nil, nil)
	descCommit = prometheus.NewDesc("minibase_db_commit_duration_seconds",
		"Group-commit transactions of the database writer: count, and the time they took from begin to commit.", nil, nil)
	descBatch = prometheus.NewDesc("minibase_db_commit_batch_writes",
		"Writes committed per group-commit transaction: count (transactions) and sum (writes).", nil, nil)
	descSlow = prometheus.NewDesc("minibase_db_slow_queries_total",
		"Queries, counts and aggregations slower than MINIBASE_SLOW_QUERY_MS (the console lists the latest).", nil, nil)
	descCollections = prometheus.NewDesc("minibase_db_collections", "Collections in the database.", nil, nil)
	descDocuments   = prometheus.NewDesc("minibase_db_documents", "Documents in all collections.", nil, nil)
	descWatchConns  = prometheus.NewDesc("minibase_watch_connections", "Realtime watch WebSocket connections open now.", nil, nil)
	descWatches     = prometheus.NewDesc("minibase_watch_subscriptions", "Realtime watches the open connections hold now.", nil, nil)
	descObjects     = prometheus.NewDesc("minibase_storage_objects",
		"Files in the file store (counted at most every 30 s; the first 100000 when there are more).", nil, nil)
	descBytes   = prometheus.NewDesc("minibase_storage_bytes", "Bytes of the files counted in minibase_storage_objects.", nil, nil)
	descUsers   = prometheus.NewDesc("minibase_auth_users", "End-user accounts (counted at most every 30 s).", nil, nil)
	descFuncs   = prometheus.NewDesc("minibase_functions", "Cloud functions deployed (counted at most every 30 s).", nil, nil)
	descFigures = prometheus.NewDesc("minibase_figures_up", "1 when the totals (collections, documents, files, users) could be read at this scrape.", nil, nil)
)

func (stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueued, descCommit, descBatch, descSlow, descCollections, descDocuments,
		descWatchConns, descWatches, descObjects, descBytes, descUsers, descFuncs, descFigures} {
		ch <- d
	}
}

// figuresTimeout bounds the totals' reading at a scrape.
const figuresTimeout = 10 * time.Second

func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	ws := s.store.writerStats()
	ch <- prometheus.MustNewConstMetric(descQueued, prometheus.GaugeValue, float64(ws.Queued))
	ch <- prometheus.MustNewConstSummary(descCommit, uint64(ws.Commits), ws.CommitTime.Seconds(), nil)
	ch <- prometheus.MustNewConstSummary(descBatch, uint64(ws.Commits), float64(ws.Writes), nil)
	ch <- prometheus.MustNewConstMetric(descSlow, prometheus.CounterValue, float64(s.db.SlowQueryCount()))
	conns, watches := s.watches.Open()
	ch <- prometheus.MustNewConstMetric(descWatchConns, prometheus.GaugeValue, float64(conns))
	ch <- prometheus.MustNewConstMetric(descWatches, prometheus.GaugeValue, float64(watches))
	// The server reads its own totals, as an admin would.
	ctx, cancel := context.WithTimeout(auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin}), figuresTimeout)
	defer cancel()
	f, err := s.figuresNow(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(descFigures, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descFigures, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(descCollections, prometheus.GaugeValue, float64(f.Collections))
	ch <- prometheus.MustNewConstMetric(descDocuments, prometheus.GaugeValue, float64(f.Documents))
	ch <- prometheus.MustNewConstMetric(descObjects, prometheus.GaugeValue, float64(f.Files))
	ch <- prometheus.MustNewConstMetric(descBytes, prometheus.GaugeValue, float64(f.StorageBytes))
	ch <- prometheus.MustNewConstMetric(descUsers, prometheus.GaugeValue, float64(f.Users))
	ch <- prometheus.MustNewConstMetric(descFuncs, prometheus.GaugeValue, float64(f.Functions))
}
