package genexp_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// rows reads a query's rows as tab-joined text lines, in the query's order.
func rows(t *testing.T, w *duckdb.Warehouse, q string) []string {
	t.Helper()
	r, err := w.DB().Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer r.Close()
	cols, err := r.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for r.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "\t"))
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// firstDifference describes where two row lists first differ.
func firstDifference(want, got []string) string {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Sprintf("row %d was %q, is %q", i+1, want[i], got[i])
		}
	}
	return fmt.Sprintf("%d rows, were %d", len(got), len(want))
}

// TestStudiesSharingSamples: GEO SuperSeries and their SubSeries share
// sample accessions. GSE99999 is a copy of the GSE71270 quickstart
// download whose sample sheet says the CREB samples have sepsis; loading
// it after GSE71270 must leave everything a reader of GSE71270 sees as it
// was (its samples, their labels, its cohort statistics, its features),
// and give GSE99999 its own.
func TestStudiesSharingSamples(t *testing.T) {
	root := t.TempDir()
	src := "testdata/refinebio/quickstart/GSE71270/"
	first := filepath.Join(root, "GSE71270")
	second := filepath.Join(root, "GSE99999")
	for _, dir := range []string{first, second} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, src+"GSE71270.tsv", filepath.Join(first, "GSE71270.tsv"))
	copyFile(t, src+"metadata_GSE71270.tsv", filepath.Join(first, "metadata_GSE71270.tsv"))
	copyFile(t, src+"GSE71270.tsv", filepath.Join(second, "GSE99999.tsv"))
	sheet := filepath.Join(second, "metadata_GSE99999.tsv")
	copyFile(t, src+"metadata_GSE71270.tsv", sheet)
	disease := -1
	editLines(t, sheet, func(i int, line string) (string, bool) {
		cells := strings.Split(line, "\t")
		if i == 0 {
			for j, c := range cells {
				if c == "refinebio_disease" {
					disease = j
				}
			}
			return line, true
		}
		if disease >= 0 && len(cells) > disease && strings.Contains(line, "_CREB-") {
			cells[disease] = "sepsis"
		}
		return strings.Join(cells, "\t"), true
	})
	if disease < 0 {
		t.Fatal("the sample sheet has no refinebio_disease column")
	}

	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()
	if r := loadOne(t, w, cfg, first); r.Err != nil || r.Outcome != warehouse.Inserted {
		t.Fatalf("GSE71270: %s, %v", r.Outcome, r.Err)
	}
	const (
		labels = `SELECT sample_accession_code, illness_label, illness_method, illness_rule, illness_field, illness_matched
			FROM analytics.vw_sample_illness WHERE study_accession_code = '%s' ORDER BY 1`
		cohorts = `SELECT illness_label, gene_id, sample_count, mean_expression, std_expression, median_expression
			FROM analytics.vw_expression_by_cohort WHERE study_accession_code = '%s' ORDER BY 1, 2`
		features = `SELECT feature_name, entity_id_1, entity_id_2, illness_label, feature_value
			FROM analytics.vw_feature_values WHERE study_accession_code = '%s' ORDER BY 1, 2, 3`
	)
	before := map[string][]string{}
	for _, q := range []string{labels, cohorts, features} {
		before[q] = rows(t, w, fmt.Sprintf(q, "GSE71270"))
	}
	if len(before[labels]) != 10 || len(before[features]) == 0 {
		t.Fatalf("GSE71270 has %d samples and %d features, want 10 and some", len(before[labels]), len(before[features]))
	}
	if n := count(t, w, `SELECT COUNT(*) FROM analytics.vw_sample_illness
		WHERE study_accession_code = 'GSE71270' AND illness_label = 'SEPSIS'`); n != 0 {
		t.Fatalf("GSE71270 has %d SEPSIS samples before GSE99999 is loaded; the test needs 0", n)
	}

	r := loadOne(t, w, cfg, second)
	if r.Err != nil || r.Outcome != warehouse.Inserted {
		t.Fatalf("GSE99999: %s, %v", r.Outcome, r.Err)
	}
	for _, q := range []string{labels, cohorts, features} {
		if got := rows(t, w, fmt.Sprintf(q, "GSE71270")); !slices.Equal(got, before[q]) {
			t.Errorf("loading GSE99999 changed GSE71270's\n%s\n%s", q, firstDifference(before[q], got))
		}
	}
	for _, study := range []string{"GSE71270", "GSE99999"} {
		if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression f JOIN dim_study s USING (study_key)
			WHERE s.study_accession_code = '`+study+`'`); n != 12000 {
			t.Errorf("%s facts = %d, want 12000", study, n)
		}
	}
	if n := count(t, w, `SELECT COUNT(*) FROM analytics.vw_sample_illness
		WHERE study_accession_code = 'GSE99999' AND illness_label = 'SEPSIS' AND sample_accession_code IN (
		    SELECT sample_accession_code FROM dim_sample WHERE sample_title LIKE '%CREB%')`); n != 5 {
		t.Errorf("GSE99999's CREB samples labelled SEPSIS = %d, want 5", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM analytics.vw_expression_by_cohort
		WHERE study_accession_code = 'GSE99999' AND illness_label = 'SEPSIS' AND sample_count = 5`); n != 1200 {
		t.Errorf("GSE99999's SEPSIS cohort covers %d genes with 5 samples, want 1200", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM dim_sample`); n != 10 {
		t.Errorf("dim_sample rows = %d, want 10: the samples are shared", n)
	}
	p, err := genexp.New(w, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Features(context.Background(), genexp.FeatureOptions{IfStale: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Studies) != 2 {
		t.Fatalf("features --if-stale reported %d studies, want both", len(run.Studies))
	}
	for _, s := range run.Studies {
		if !s.Skipped {
			t.Errorf("features --if-stale after both loads recomputed %s", s.Study)
		}
	}
}
