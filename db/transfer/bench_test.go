//go:build !minibase_fuzz

package transfer_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"minibase/db/sqlite"
	"minibase/db/transfer"
)

// benchDocs is how many documents the import and export benchmarks move:
// MINIBASE_TRANSFER_BENCH_DOCS, default 200,000.
func benchDocs(b *testing.B) int {
	if v := os.Getenv("MINIBASE_TRANSFER_BENCH_DOCS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("MINIBASE_TRANSFER_BENCH_DOCS=%q", v)
		}
		return n
	}
	return 200_000
}

// smallDocs is n small documents as JSON Lines, like a WeChat export.
func smallDocs(n int) []byte {
	var buf bytes.Buffer
	for i := range n {
		fmt.Fprintf(&buf, `{"_id":"%032x","_openid":"oXb3A5Jq2cN9-Z8yHqT4w1kP%04d","name":"user %d","age":%d,"city":"深圳","tags":["a","b"],"createdAt":{"$date":%d}}`+"\n",
			i, i%10000, i, 18+i%60, 1700000000000+int64(i)*1000)
	}
	return buf.Bytes()
}

// BenchmarkImport imports benchDocs small documents into an empty
// collection (SQLite with synchronous FULL, as the server runs it) and
// reports documents a second. Run it once:
//
//	go test -run '^$' -bench BenchmarkImport -benchtime 1x ./db/transfer/
func BenchmarkImport(b *testing.B) {
	n := benchDocs(b)
	file := smallDocs(n)
	ctx := context.Background()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		d, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{Synchronous: benchSync()})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := cpuTime()
		rep, err := transfer.Import(ctx, d, "users", bytes.NewReader(file), transfer.Options{})
		cpu += cpuTime() - start
		b.StopTimer()
		if err != nil || rep.Inserted != int64(n) {
			b.Fatalf("Import = %+v, %v", rep, err)
		}
		d.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "docs/cpu-s")
	b.SetBytes(int64(len(file)))
}

// benchSync is SQLite's synchronous setting for BenchmarkImport:
// MINIBASE_SQLITE_SYNC, FULL (the server's default) when unset.
func benchSync() string {
	if v := os.Getenv("MINIBASE_SQLITE_SYNC"); v != "" {
		return v
	}
	return "FULL"
}

// cpuTime is the CPU time the process has used (user and system, every
// thread): on a shared machine documents per CPU-second say more than per
// second of a clock the other processes share.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExport exports benchDocs small documents as JSON Lines and as
// CSV and reports documents a second.
func BenchmarkExport(b *testing.B) {
	n := benchDocs(b)
	ctx := context.Background()
	d, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := transfer.Import(ctx, d, "users", bytes.NewReader(smallDocs(n)), transfer.Options{}); err != nil {
		b.Fatal(err)
	}
	for _, f := range []transfer.Format{transfer.JSONL, transfer.CSV} {
		b.Run(string(f), func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				start := cpuTime()
				got, err := transfer.Export(ctx, d, "users", io.Discard, transfer.ExportOptions{Format: f})
				cpu += cpuTime() - start
				if err != nil || got != int64(n) {
					b.Fatalf("Export = %d, %v", got, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
			b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "docs/cpu-s")
		})
	}
}
