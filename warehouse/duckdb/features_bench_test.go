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

// BenchmarkLoadBesideManyStudies loads one more small study (2,000 genes ×
// 10 samples) and computes its features, in a warehouse that already holds
// 0 or 200 such studies with their features (filling it is not timed). A
// warehouse is meant to hold every study, so the two should take about the
// same time: a per-study statement that reads the whole fact or feature
// table shows up as the second growing with the studies held.
//
//	go test -run '^$' -bench BenchmarkLoadBesideManyStudies -benchtime 20x ./warehouse/duckdb
func BenchmarkLoadBesideManyStudies(b *testing.B) {
	const genes, samples = 2000, 10
	ctx := context.Background()
	for _, held := range []int{0, 200} {
		b.Run(fmt.Sprintf("held=%d", held), func(b *testing.B) {
			w, err := duckdb.Open(filepath.Join(b.TempDir(), "w.duckdb"))
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			n := 0
			loadOne := func() {
				study := fmt.Sprintf("GSE%d", n)
				n++
				loadSynthetic(b, w, study, genes, samples)
				if _, err := w.MaterializeFeatures(ctx, warehouse.FeaturesRequest{Study: study}); err != nil {
					b.Fatal(err)
				}
			}
			for range held {
				loadOne()
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				loadOne()
			}
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/study")
		})
	}
}
