package duckdb

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/warehousetest"
)

// TestFeatureContract runs the feature contract on checkpointed warehouses,
// as TestContract does (see there).
func TestFeatureContract(t *testing.T) {
	warehousetest.RunFeatures(t, func(t *testing.T) warehousetest.Target {
		w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.DB().Exec(`CHECKPOINT`); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		return warehousetest.Target{Sink: w, DB: w.DB()}
	})
}

// TestMigrateKeepsEarlierFeatures builds a version-2 warehouse holding a
// feature written before the catalog existed: the migration to the catalog
// keeps the rows and their keys, and defines the feature in the catalog so
// that the views show it.
func TestMigrateKeepsEarlierFeatures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	old := warehouseAt(t, path, 2)
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

// envCrashDB names the warehouse TestFeaturesSurviveACrash's child process
// writes and then abandons.
const envCrashDB = "GENEXP_TEST_FEATURES_CRASH_DB"

// TestFeaturesSurviveACrash creates a warehouse, loads a study and computes
// its features in a child process that exits without closing the warehouse,
// so that the load and the features are in DuckDB's write-ahead log and
// nowhere else; the warehouse must then open (replaying the log) with the
// features in it. The schema migrations are not in the log: migration 7's
// commit checkpoints them (crashDuringUpgrade replays the others).
func TestFeaturesSurviveACrash(t *testing.T) {
	if path := os.Getenv(envCrashDB); path != "" {
		w, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		loadSmallStudy(t, w)
		if _, err := w.MaterializeFeatures(context.Background(), warehouse.FeaturesRequest{Study: "GSE1"}); err != nil {
			t.Fatal(err)
		}
		os.Exit(0) // no Close: no checkpoint
	}
	path := filepath.Join(t.TempDir(), "w.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestFeaturesSurviveACrash$")
	cmd.Env = append(os.Environ(), envCrashDB+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if _, err := os.Stat(path + ".wal"); err != nil {
		t.Fatalf("the child left no write-ahead log to replay: %v", err)
	}
	w, err := Open(path)
	if err != nil {
		t.Fatalf("opening after the crash: %v", err)
	}
	defer w.Close()
	if n := count(t, w.db, `SELECT COUNT(*) FROM analytics.vw_feature_values WHERE study_accession_code = 'GSE1'`); n == 0 {
		t.Fatal("the features did not survive")
	}
	if v, _ := w.Version(context.Background()); v != SchemaVersion() {
		t.Fatalf("schema version %d after replay, want %d", v, SchemaVersion())
	}
}

// loadSmallStudy loads 4 genes × 4 samples of study GSE1, batch b1.
func loadSmallStudy(t *testing.T, w *Warehouse) warehouse.CommitResult {
	t.Helper()
	ctx := context.Background()
	var cols []warehouse.Column
	var samples []warehouse.Sample
	for i, label := range []string{"CONTROL", "SEPSIS", "CONTROL", "SEPSIS"} {
		acc := "S" + string(rune('1'+i))
		cols = append(cols, warehouse.Column{Index: i, Sample: acc, Study: "GSE1"})
		samples = append(samples, warehouse.Sample{Accession: acc, Study: "GSE1", Illness: label})
	}
	b, err := w.Begin(ctx, warehouse.BeginRequest{RunID: "r", FileName: "m.tsv", Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	if err := b.UpsertDimensions(ctx, warehouse.DimensionsRequest{Studies: []warehouse.Study{{Accession: "GSE1", Technology: "MICROARRAY"}},
		Samples: samples}); err != nil {
		t.Fatal(err)
	}
	lb := &expression.LongBatch{}
	for g := 0; g < 4; g++ {
		lb.Genes = append(lb.Genes, "G"+string(rune('1'+g)))
		lb.GeneLines = append(lb.GeneLines, int64(g+2))
		for s := 0; s < 4; s++ {
			lb.Row, lb.Column = append(lb.Row, int32(g)), append(lb.Column, int32(s))
			lb.Value = append(lb.Value, float64((g+1)*(s+3)%7)+0.25*float64(g))
		}
	}
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
		t.Fatal(err)
	}
	res, err := b.Commit(ctx, warehouse.CommitRequest{FileHash: "h", Studies: []warehouse.StudyCommit{{Study: "GSE1", BatchID: "b1", RowsRead: 16}}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
