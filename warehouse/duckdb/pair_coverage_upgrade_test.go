package duckdb

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestUpgradeStalesSparseGenePairs migrates a version-16 warehouse: the
// catalog says which genes the pairs rank, and only the features of the
// studies holding a gene measured in fewer than 3 samples or fewer than
// half of them read as stale.
func TestUpgradeStalesSparseGenePairs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	old := warehouseAt(t, path, 16)
	// Study 1: 4 samples in two cohorts, every gene measured in 2 + 2.
	// Study 2: 6 samples, gene 11 measured in 2 + 0 (under half).
	// Study 3: 2 samples, every gene measured in both (under 3).
	for _, stmt := range []string{
		`INSERT INTO dim_study (study_accession_code) VALUES ('GSE1'), ('GSE2'), ('GSE3')`,
		`INSERT INTO fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id) VALUES
		 ('STUDY_COHORT', 1, NULL, 'cohort_sample_count', 2, 1, 'b1'), ('STUDY_COHORT', 3, NULL, 'cohort_sample_count', 2, 1, 'b1'),
		 ('GENE', 10, 1, 'gene_cohort_n', 2, 1, 'b1'), ('GENE', 10, 3, 'gene_cohort_n', 2, 1, 'b1'),
		 ('GENE', 11, 1, 'gene_cohort_n', 2, 1, 'b1'), ('GENE', 11, 3, 'gene_cohort_n', 2, 1, 'b1'),
		 ('STUDY_COHORT', 1, NULL, 'cohort_sample_count', 6, 2, 'b2'),
		 ('GENE', 10, 1, 'gene_cohort_n', 6, 2, 'b2'), ('GENE', 11, 1, 'gene_cohort_n', 2, 2, 'b2'),
		 ('STUDY_COHORT', 1, NULL, 'cohort_sample_count', 2, 3, 'b3'),
		 ('GENE', 10, 1, 'gene_cohort_n', 2, 3, 'b3')`,
		`INSERT INTO meta_feature_state (study_key, batch_id, value_scale, top_genes, rows_written, computed_at, input_fingerprint)
		 VALUES (1, 'b1', 'value', 100, 6, now(), 'f1'), (2, 'b2', 'value', 100, 3, now(), 'f2'), (3, 'b3', 'value', 100, 2, now(), 'f3')`,
	} {
		if _, err := old.db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := old.db.Close(); err != nil {
		t.Fatal(err)
	}
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if v, _ := w.Version(context.Background()); v != SchemaVersion() {
		t.Fatalf("migrated to %d, want %d", v, SchemaVersion())
	}
	got := texts(t, w.db, `SELECT study_key || ' ' || COALESCE(input_fingerprint, 'stale') FROM meta_feature_state ORDER BY study_key`)
	if want := []string{"1 f1", "2 stale", "3 stale"}; !slices.Equal(got, want) {
		t.Errorf("meta_feature_state after the upgrade: %q, want %q", got, want)
	}
	desc := texts(t, w.db, `SELECT description FROM meta_feature_catalog WHERE feature_name = 'gene_pair_pearson_r'`)
	if len(desc) != 1 || !strings.Contains(desc[0], "at least 3 of its samples and at least half of them") {
		t.Errorf("gene_pair_pearson_r's description after the upgrade: %q", desc)
	}
}
