package duckdb_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// benchSizes are the matrix shapes BenchmarkLoad loads: genes × samples.
// GENEXP_BENCH_CELLS (a comma-separated list such as 1e6,1e7) picks
// others, keeping 500 samples.
func benchSizes(b *testing.B) [][2]int {
	spec := os.Getenv("GENEXP_BENCH_CELLS")
	if spec == "" {
		return [][2]int{{2000, 500}, {20000, 500}}
	}
	var out [][2]int
	for _, f := range strings.Split(spec, ",") {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			b.Fatalf("GENEXP_BENCH_CELLS: %v", err)
		}
		out = append(out, [2]int{int(v) / 500, 500})
	}
	return out
}

// BenchmarkLoad loads a genes × samples matrix into a fresh DuckDB file
// through the sink, in batches of 2,000 genes (about a million cells, the
// pipeline's default), and reports rows/s, the process's peak RSS, and the
// time from Begin to the last WriteRows (stage-s) and in Commit (commit-s).
// It measures the backend alone: the rows are made in memory, not read
// from a file (`genexp bench load` times the whole pipeline).
//
// Peak RSS is the process's, so run one size per process:
//
//	GENEXP_BENCH_CELLS=1e7 go test -run '^$' -bench BenchmarkLoad -benchtime 1x ./warehouse/duckdb
//
// GENEXP_BENCH_DSN_PARAMS adds DSN parameters (such as ?memory_limit=2GB).
func BenchmarkLoad(b *testing.B) {
	for _, sz := range benchSizes(b) {
		genes, samples := sz[0], sz[1]
		b.Run(fmt.Sprintf("cells=%d", genes*samples), func(b *testing.B) {
			resetPeakRSS()
			var rows int64
			var stage, commit time.Duration
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dir := b.TempDir()
				w, err := duckdb.Open(filepath.Join(dir, "w.duckdb") + os.Getenv("GENEXP_BENCH_DSN_PARAMS"))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				n, st, co := loadSynthetic(b, w, fmt.Sprintf("GSE%d", i), genes, samples)
				rows, stage, commit = rows+n, stage+st, commit+co
				b.StopTimer()
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(stage.Seconds()/float64(b.N), "stage-s/op")
			b.ReportMetric(commit.Seconds()/float64(b.N), "commit-s/op")
			if mb := peakRSSMB(); mb > 0 {
				b.ReportMetric(mb, "peak-RSS-MB")
			}
		})
	}
}

// loadSynthetic loads one study and returns its rows, the time spent from
// Begin to the last WriteRows (staging), and the time Commit took.
func loadSynthetic(b testing.TB, w *duckdb.Warehouse, study string, genes, samples int) (int64, time.Duration, time.Duration) {
	return loadSyntheticBatch(b, w, study, "b-"+study, genes, samples)
}

// loadSyntheticBatch is loadSynthetic with the batch id given: a study
// loaded again under another id is replaced.
func loadSyntheticBatch(b testing.TB, w *duckdb.Warehouse, study, batchID string, genes, samples int) (int64, time.Duration, time.Duration) {
	ctx := context.Background()
	cols := make([]warehouse.Column, samples)
	var dims warehouse.DimensionsRequest
	dims.Studies = []warehouse.Study{{Accession: study, Title: "synthetic"}}
	for s := range cols {
		acc := fmt.Sprintf("%s_S%d", study, s)
		cols[s] = warehouse.Column{Index: s, Sample: acc, Study: study}
		dims.Samples = append(dims.Samples, warehouse.Sample{Accession: acc, Study: study, Illness: "UNKNOWN"})
	}
	start := time.Now()
	batch, err := w.Begin(ctx, warehouse.BeginRequest{RunID: "bench", FileName: "bench.tsv", Columns: cols})
	if err != nil {
		b.Fatal(err)
	}
	defer batch.Abort(ctx)
	if err := batch.UpsertDimensions(ctx, dims); err != nil {
		b.Fatal(err)
	}
	const per = 2000
	var lb expression.LongBatch
	for start := 0; start < genes; start += per {
		end := min(start+per, genes)
		lb.Reset()
		for g := start; g < end; g++ {
			lb.Genes = append(lb.Genes, fmt.Sprintf("ENSG%011d", g))
			lb.GeneLines = append(lb.GeneLines, int64(g+2))
			for s := 0; s < samples; s++ {
				lb.Row = append(lb.Row, int32(g-start))
				lb.Column = append(lb.Column, int32(s))
				lb.Value = append(lb.Value, math.Float64frombits(uint64(g*samples+s)|0x4000000000000000))
			}
		}
		if err := batch.WriteRows(ctx, warehouse.RowsRequest{Rows: &lb}); err != nil {
			b.Fatal(err)
		}
	}
	staged := time.Since(start)
	res, err := batch.Commit(ctx, warehouse.CommitRequest{FileHash: "h-" + batchID,
		Studies: []warehouse.StudyCommit{{Study: study, BatchID: batchID, RowsRead: int64(genes * samples)}}})
	if err != nil {
		b.Fatal(err)
	}
	if n := res.Studies[0].RowsWritten; n != int64(genes*samples) {
		b.Fatalf("wrote %d rows, want %d", n, genes*samples)
	}
	return int64(genes * samples), staged, time.Since(start) - staged
}

// cpuTime is the CPU time (user and system) the process has used, DuckDB's
// threads included: on a shared machine it varies less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the kernel's peak-RSS mark (Linux), so each
// sub-benchmark reports its own peak.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSMB returns the process's peak RSS since the last reset, in MiB, or
// 0 where /proc is unavailable.
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}
