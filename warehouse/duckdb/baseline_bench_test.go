package duckdb_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/expression/synth"
)

// BenchmarkDuckDBUnpivotBaseline is the yardstick for the load path: DuckDB
// itself reading a generated matrix with read_csv and melting it with
// UNPIVOT into a table, with no dimensions, keys, hashing or checks. Sizes
// follow GENEXP_BENCH_CELLS as for BenchmarkLoad:
//
//	GENEXP_BENCH_CELLS=1e7 go test -run '^$' -bench DuckDBUnpivotBaseline -benchtime 1x ./warehouse/duckdb
func BenchmarkDuckDBUnpivotBaseline(b *testing.B) {
	for _, size := range benchSizes(b) {
		genes, samples := size[0], size[1]
		b.Run(fmt.Sprintf("%dx%d", genes, samples), func(b *testing.B) {
			dir := b.TempDir()
			matrix := filepath.Join(dir, "m.tsv")
			src, err := synth.NewMatrix(synth.MatrixSpec{Genes: genes, Samples: samples, MissingShare: 0.01, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			f, err := os.Create(matrix)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := src.WriteTo(f); err != nil {
				b.Fatal(err)
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
			var n int64
			for b.Loop() {
				db, err := sql.Open("duckdb", filepath.Join(dir, "baseline.duckdb"))
				if err != nil {
					b.Fatal(err)
				}
				_, err = db.Exec(`CREATE OR REPLACE TABLE long AS
					UNPIVOT (SELECT * FROM read_csv(?, delim = '\t', header = true, nullstr = 'NA'))
					ON COLUMNS(* EXCLUDE (Gene)) INTO NAME sample VALUE expression_value`, matrix)
				if err != nil {
					b.Fatal(err)
				}
				if err := db.QueryRow(`SELECT COUNT(*) FROM long`).Scan(&n); err != nil {
					b.Fatal(err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
