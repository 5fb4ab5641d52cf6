package duckdb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// BenchmarkMaterializeFeatures computes the features of a loaded
// genes × samples study (the sizes of BenchmarkLoad; GENEXP_BENCH_CELLS picks
// others), with its samples spread over CONTROL, SEPSIS, SEPTIC_SHOCK and
// UNKNOWN and the default 100 top genes. Loading is not timed; each
// iteration replaces the previous iteration's features, as a reload does.
//
//	GENEXP_BENCH_CELLS=1e7 go test -run '^$' -bench BenchmarkMaterializeFeatures -benchtime 3x ./warehouse/duckdb
func BenchmarkMaterializeFeatures(b *testing.B) {
	for _, sz := range benchSizes(b) {
		genes, samples := sz[0], sz[1]
		b.Run(fmt.Sprintf("cells=%d", genes*samples), func(b *testing.B) {
			w, err := duckdb.Open(filepath.Join(b.TempDir(), "w.duckdb"))
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			loadSynthetic(b, w, "GSE1", genes, samples)
			if _, err := w.DB().Exec(`UPDATE dim_study_sample SET illness_key = (
				SELECT illness_key FROM dim_illness
				WHERE illness_label = ['CONTROL', 'SEPSIS', 'SEPTIC_SHOCK', 'UNKNOWN'][sample_key % 4 + 1])`); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			resetPeakRSS()
			cpu0 := cpuTime()
			b.ResetTimer()
			var rows int64
			for i := 0; i < b.N; i++ {
				res, err := w.MaterializeFeatures(ctx, warehouse.FeaturesRequest{Study: "GSE1"})
				if err != nil {
					b.Fatal(err)
				}
				rows = res.Rows
			}
			b.ReportMetric(float64(genes*samples)*float64(b.N)/b.Elapsed().Seconds(), "values/s")
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(rows), "feature-rows")
			if mb := peakRSSMB(); mb > 0 {
				b.ReportMetric(mb, "peak-RSS-MB")
			}
		})
	}
}
