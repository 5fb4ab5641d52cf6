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

// BenchmarkFactBatchColumn measures what the fact table's batch id costs
// DuckDB's insert: the same rows (study, sample, gene, value, as the fact
// insert writes them) inserted and committed into a table whose batch
// column is a 32-character batch id (VARCHAR, as fact_gene_expression held
// it before schema 6), an INTEGER key standing for it (as it holds it
// now), or absent. Every row of a
// load carries the same batch id, so the difference is the price of a
// string per row. Sizes follow GENEXP_BENCH_CELLS as for BenchmarkLoad:
//
//	GENEXP_BENCH_CELLS=1e7 go test -run '^$' -bench FactBatchColumn -benchtime 3x ./warehouse/duckdb
func BenchmarkFactBatchColumn(b *testing.B) {
	const batchID = "ac78d5c921c484fa424ab06de01e4fca"
	for _, size := range benchSizes(b) {
		cells := size[0] * size[1]
		db, err := sql.Open("duckdb", filepath.Join(b.TempDir(), "f.duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec(`CREATE TABLE src AS SELECT i AS cell, random() AS v FROM range(?) t(i)`, cells); err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct{ name, column, value string }{
			{"varchar", "batch_id VARCHAR NOT NULL", "'" + batchID + "'"},
			{"integer", "batch_key INTEGER NOT NULL", "7"},
			{"none", "", ""},
		} {
			b.Run(fmt.Sprintf("cells=%d/batch=%s", cells, c.name), func(b *testing.B) {
				cols, value := "", ""
				if c.column != "" {
					cols, value = ", "+c.column, ", "+c.value
				}
				if _, err := db.Exec(`CREATE OR REPLACE TABLE f (study_key INTEGER NOT NULL, sample_key INTEGER NOT NULL,
					gene_key INTEGER NOT NULL, expression_value DOUBLE` + cols + `)`); err != nil {
					b.Fatal(err)
				}
				insert := `INSERT INTO f SELECT 1, cell % 500, cell // 500, v` + value + ` FROM src`
				for b.Loop() {
					if _, err := db.Exec(insert); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					if _, err := db.Exec(`DELETE FROM f`); err != nil {
						b.Fatal(err)
					}
					if _, err := db.Exec(`CHECKPOINT`); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
