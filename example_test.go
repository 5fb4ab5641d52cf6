package genexp_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// byGenotype is a custom classifier: a Go program can replace any part of
// the pipeline through its interface.
type byGenotype struct{}

func (byGenotype) Classify(s *metadata.Sample) illness.Decision {
	for _, v := range s.Values("characteristic:genotype") {
		if strings.EqualFold(v, "wildtype") {
			return illness.Decision{Label: illness.Control, Method: illness.MethodRule, Rule: "wildtype", Field: "genotype", Matched: v}
		}
	}
	return illness.Decision{Label: illness.Unknown, Method: illness.MethodDefault}
}

// Example loads a real refine.bio download into an embedded DuckDB
// warehouse with a custom illness classifier, then queries it.
func Example() {
	dir, err := os.MkdirTemp("", "genexp-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	w, err := duckdb.Open(filepath.Join(dir, "genexp.duckdb"))
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	p, err := genexp.New(w, genexp.WithClassifier(byGenotype{}))
	if err != nil {
		log.Fatal(err)
	}
	rep, err := p.Load(context.Background(), "testdata/refinebio/E-GEOD-39842.zip")
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range rep.Studies {
		fmt.Printf("%s: %s, %d samples, %d rows, %v\n", s.Study, s.Outcome, s.Samples, s.Rows, s.Err)
	}
	// Load's error is for the run; a study that failed is in rep.Err().
	if err := rep.Err(); err != nil {
		log.Fatal(err)
	}

	var controls int
	err = w.DB().QueryRow(`SELECT COUNT(DISTINCT sample_key) FROM analytics.vw_expression_long WHERE illness_label = 'CONTROL'`).Scan(&controls)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("wildtype samples labelled CONTROL:", controls)
	// Output:
	// E-GEOD-39842: new, 12 samples, 3600 rows, <nil>
	// wildtype samples labelled CONTROL: 6
}
