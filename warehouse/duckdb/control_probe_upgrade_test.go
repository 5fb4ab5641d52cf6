package duckdb

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestUpgradeTypesControlProbes migrates a version-14 warehouse: its
// Affymetrix control probe sets get their type (a type someone gave a gene
// stays), and only the features of the studies holding one read as stale.
func TestUpgradeTypesControlProbes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	old := warehouseAt(t, path, 14)
	for _, stmt := range []string{
		`INSERT INTO dim_study (study_accession_code) VALUES ('GSE1'), ('GSE2')`,
		`INSERT INTO dim_gene (gene_id, gene_type) VALUES ('ENSDARG00000000001', NULL), ('AFFX-BioB-3_at', NULL),
		 ('affx-r2-Ec-bioC-5_at', NULL), ('AFFX-Dr-U43284-1_s', 'spike-in'), ('ENSDARG00000000002', NULL)`,
		`INSERT INTO dim_sample (sample_accession_code) VALUES ('S1')`,
		`INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_key)
		 SELECT 1, 1, gene_key, 1.5, 1 FROM dim_gene WHERE gene_id IN ('ENSDARG00000000001', 'AFFX-BioB-3_at')`,
		`INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_key)
		 SELECT 2, 1, gene_key, 2.5, 2 FROM dim_gene WHERE gene_id = 'ENSDARG00000000002'`,
		`INSERT INTO meta_feature_state (study_key, batch_id, value_scale, top_genes, rows_written, computed_at, input_fingerprint)
		 VALUES (1, 'b1', 'value', 100, 10, now(), 'f1'), (2, 'b2', 'value', 100, 10, now(), 'f2')`,
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
	got := texts(t, w.db, `SELECT gene_id || ' ' || COALESCE(gene_type, '-') FROM dim_gene ORDER BY gene_key`)
	want := []string{"ENSDARG00000000001 -", "AFFX-BioB-3_at control_probe", "affx-r2-Ec-bioC-5_at control_probe",
		"AFFX-Dr-U43284-1_s spike-in", "ENSDARG00000000002 -"}
	if !slices.Equal(got, want) {
		t.Errorf("dim_gene after the upgrade:\n got %q\nwant %q", got, want)
	}
	got = texts(t, w.db, `SELECT study_key || ' ' || COALESCE(input_fingerprint, 'stale') FROM meta_feature_state ORDER BY study_key`)
	if want := []string{"1 stale", "2 f2"}; !slices.Equal(got, want) {
		t.Errorf("meta_feature_state after the upgrade: %q, want %q", got, want)
	}
}
