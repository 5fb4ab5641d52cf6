package genexp_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// Example_genePairs loads a real study, whose features the analytics step
// computes as the load commits, then lists from SQL the study's most
// strongly correlated pairs among its 100 most variable genes: where
// gene-pair mining starts.
func Example_genePairs() {
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
	p, err := genexp.New(w)
	if err != nil {
		log.Fatal(err)
	}
	rep, err := p.Load(context.Background(), "testdata/refinebio/GSE71270")
	if err == nil {
		err = rep.Err()
	}
	if err != nil {
		log.Fatal(err)
	}
	f := rep.Studies[0].Features
	fmt.Printf("%s: %d feature rows on the %q scale, %d gene pairs\n", f.Study, f.Rows, f.Scale, f.Features[genexp.FeatureGenePairPearsonR])

	rows, err := w.DB().Query(`
		SELECT r.gene_id, r.gene_id_2, r.feature_value, n.feature_value
		FROM analytics.vw_feature_values r
		JOIN analytics.vw_feature_values n ON n.study_key = r.study_key AND n.feature_name = 'gene_pair_n'
		     AND n.entity_id_1 = r.entity_id_1 AND n.entity_id_2 = r.entity_id_2
		WHERE r.study_accession_code = 'GSE71270' AND r.feature_name = 'gene_pair_pearson_r'
		ORDER BY abs(r.feature_value) DESC, r.gene_id, r.gene_id_2
		LIMIT 3`)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		var r, n float64
		if err := rows.Scan(&a, &b, &r, &n); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %s r = %.4f over %.0f samples\n", a, b, r, n)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// GSE71270: 12032 feature rows on the "value" scale, 4950 gene pairs
	// ENSDARG00000001313 ENSDARG00000001910 r = -0.9861 over 10 samples
	// ENSDARG00000001940 ENSDARG00000002403 r = 0.9809 over 10 samples
	// ENSDARG00000001129 ENSDARG00000002220 r = -0.9796 over 10 samples
}

// ExamplePipeline_Features loads a study without its analytics step, as a
// bulk load of many studies might, then computes its features on demand;
// a second run with IfStale finds them current and skips the study.
func ExamplePipeline_Features() {
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
	cfg := genexp.DefaultConfig()
	off := false
	cfg.Analytics.Enabled = &off
	p, err := genexp.New(w, genexp.WithConfig(cfg))
	if err != nil {
		log.Fatal(err)
	}
	rep, err := p.Load(context.Background(), "testdata/refinebio/GSE71270")
	if err == nil {
		err = rep.Err()
	}
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		run, err := p.Features(context.Background(), genexp.FeatureOptions{IfStale: true})
		if err == nil {
			err = run.Err()
		}
		if err != nil {
			log.Fatal(err)
		}
		for _, s := range run.Studies {
			fmt.Printf("%s skipped=%v feature rows=%d from %d values\n", s.Study, s.Skipped, s.Rows, s.Values)
		}
	}
	// Output:
	// GSE71270 skipped=false feature rows=12032 from 3000 values
	// GSE71270 skipped=true feature rows=0 from 0 values
}
