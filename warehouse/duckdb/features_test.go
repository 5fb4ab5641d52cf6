package duckdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/warehousetest"
)

func TestFeatureContract(t *testing.T) {
	warehousetest.RunFeatures(t, func(t *testing.T) warehousetest.Target {
		w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		return warehousetest.Target{Sink: w, DB: w.DB()}
	})
}

// TestMigrateKeepsEarlierFeatures builds a version-2 warehouse holding a
// feature written before the catalog existed: the migration to the catalog
// keeps the row and its key, and defines the feature so that the new
// foreign key holds.
func TestMigrateKeepsEarlierFeatures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	old, err := New(openRaw(t, path), Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := old.migrate(ctx, ms[:2]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO dim_study (study_accession_code) VALUES ('GSE1')`,
		`INSERT INTO fact_feature_values (entity_scope, entity_id_1, feature_name, feature_value, study_key, batch_id)
		 VALUES ('GENE', 7, 'my_score', 0.5, 1, 'b1'), ('GENE', 8, 'my_score', 0.25, 1, 'b1')`,
	} {
		if _, err := old.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := old.db.Close(); err != nil {
		t.Fatal(err)
	}
	w, err := Open(path)
	if err != nil {
		t.Fatalf("migrating: %v", err)
	}
	defer w.Close()
	if n := count(t, w.db, `SELECT COUNT(*) FROM fact_feature_values WHERE feature_name = 'my_score' AND feature_record_key IN (1, 2)`); n != 2 {
		t.Fatalf("%d of the 2 earlier feature rows kept", n)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM meta_feature_catalog WHERE feature_name = 'my_score' AND entity_scope = 'GENE'`); n != 1 {
		t.Fatal("the earlier feature has no catalog row")
	}
	// New rows take keys after the kept ones.
	if _, err := w.db.Exec(`INSERT INTO fact_feature_values (entity_scope, entity_id_1, feature_name, feature_value, study_key, batch_id)
		VALUES ('GENE', 9, 'my_score', 1, 1, 'b1')`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, w.db, `SELECT MAX(feature_record_key) FROM fact_feature_values`); n != 3 {
		t.Fatalf("the next key is %d, want 3", n)
	}
}

// TestFeatureScaleOfRealStudies checks the scale rule on the technologies
// the pipeline writes.
func TestFeatureScaleOfRealStudies(t *testing.T) {
	for _, tc := range []struct {
		tech     string
		min, max float64
		want     string
	}{
		{"MICROARRAY", 2.1, 14.8, warehouse.ScaleValue},
		{"MICROARRAY", 0, 1, warehouse.ScaleValue}, // MINMAX-scaled
		{"MICROARRAY", 3, 52000, warehouse.ScaleValue},
		{"RNA-SEQ", 0, 19037.9, warehouse.ScaleLog2},
		{"RNA-SEQ", -2.3, 4.1, warehouse.ScaleValue}, // STANDARD-scaled
		{"OTHER", 0, 850, warehouse.ScaleLog2},
		{"", 1, 16, warehouse.ScaleValue},
		{"", 0, 100, warehouse.ScaleValue},
		{"", 0, 100.5, warehouse.ScaleLog2},
	} {
		if got := warehouse.FeatureScale(tc.tech, tc.min, tc.max); got != tc.want {
			t.Errorf("FeatureScale(%q, %v, %v) = %q, want %q", tc.tech, tc.min, tc.max, got, tc.want)
		}
	}
}
