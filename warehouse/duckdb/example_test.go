package duckdb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/genexp/genexp"
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
