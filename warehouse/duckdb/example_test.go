package duckdb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// Open a warehouse file, load a bundled refine.bio study into it twice, and
// count its facts: the second load finds the same bytes and writes nothing.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "genexp-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	w, err := duckdb.Open(filepath.Join(dir, "genexp.duckdb") + "?busy_timeout=30s")
	if err != nil {
		panic(err)
	}
	defer w.Close()
	p, err := genexp.New(w)
	if err != nil {
		panic(err)
	}
	for range 2 {
		rep, err := p.Load(context.Background(), "../../testdata/refinebio/GSE71270")
		if err != nil {
			panic(err)
		}
		for _, s := range rep.Studies {
			// Rows the study holds, and rows this load wrote.
			fmt.Println(s.Study, s.Outcome, s.Rows, s.RowsWritten)
		}
	}
	var facts int
	if err := w.DB().QueryRow(`SELECT COUNT(*) FROM fact_gene_expression`).Scan(&facts); err != nil {
		panic(err)
	}
	fmt.Println("facts:", facts)
	// Output:
	// GSE71270 new 3000 3000
	// GSE71270 duplicate 3000 0
	// facts: 3000
}

// ReadQuery runs one statement that reads, as genexp query does, and
// refuses any other before it runs: here the study's samples per illness
// label, then an attempt to delete its facts.
func ExampleWarehouse_ReadQuery() {
	dir, err := os.MkdirTemp("", "genexp-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	w, err := duckdb.Open(filepath.Join(dir, "genexp.duckdb"))
	if err != nil {
		panic(err)
	}
	defer w.Close()
	p, err := genexp.New(w)
	if err != nil {
		panic(err)
	}
	if _, err := p.Load(context.Background(), "../../testdata/refinebio/GSE71270"); err != nil {
		panic(err)
	}
	ctx := context.Background()
	err = w.ReadQuery(ctx, `SELECT illness_label, COUNT(*) AS samples FROM analytics.vw_sample_illness GROUP BY 1 ORDER BY 1`,
		func(rows *sql.Rows) error {
			for rows.Next() {
				var label string
				var n int
				if err := rows.Scan(&label, &n); err != nil {
					return err
				}
				fmt.Println(label, n)
			}
			return rows.Err()
		})
	if err != nil {
		panic(err)
	}
	err = w.ReadQuery(ctx, `DELETE FROM fact_gene_expression`, func(*sql.Rows) error { return nil })
	fmt.Println(errors.Is(err, qc.QueryRefused))
	// Output:
	// CONTROL 5
	// UNKNOWN 5
	// true
}
