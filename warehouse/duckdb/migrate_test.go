package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// warehouseAt opens the file at path as a warehouse of schema version k:
// the first k migrations applied, as a genexp of that version left it.
func warehouseAt(t *testing.T, path string, k int) *Warehouse {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(openRaw(t, path), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.migrate(context.Background(), ms[:k]); err != nil {
		t.Fatal(err)
	}
	return w
}

func count(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestMigrateFresh(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	v, err := w.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() || v < 2 {
		t.Fatalf("version %d, want %d", v, SchemaVersion())
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM meta_schema_version`); n != v {
		t.Fatalf("meta_schema_version has %d rows, want one per version (%d)", n, v)
	}
	for _, table := range []string{"dim_study", "dim_sample", "dim_gene", "dim_platform", "dim_illness", "fact_gene_expression",
		"fact_feature_values", "meta_batch", "meta_etl_process_log", "meta_data_validation_log", "meta_study_qc",
		"staging.matrix_columns", "staging.matrix_rows", "staging.expression_values", "staging.load_batches",
		"staging.samples", "staging.expression_rows", "analytics.vw_expression_long", "analytics.vw_expression_by_cohort"} {
		count(t, w.db, "SELECT COUNT(*) FROM "+table)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM dim_illness`); n != 5 {
		t.Fatalf("dim_illness has %d labels, want 5", n)
	}
}

func TestMigrateIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Exec(`INSERT INTO dim_study (study_accession_code, study_title) VALUES ('GSE1', 'kept')`); err != nil {
		t.Fatal(err)
	}
	if err := w.Migrate(context.Background()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	w.Close()
	for i := 0; i < 2; i++ {
		w, err = Open(path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if n := count(t, w.db, `SELECT COUNT(*) FROM meta_schema_version`); n != SchemaVersion() {
			t.Fatalf("reopen %d: %d version rows", i, n)
		}
		if n := count(t, w.db, `SELECT COUNT(*) FROM dim_study WHERE study_title = 'kept'`); n != 1 {
			t.Fatalf("reopen %d lost data", i)
		}
		if n := count(t, w.db, `SELECT COUNT(*) FROM dim_illness`); n != 5 {
			t.Fatalf("reopen %d: dim_illness has %d rows", i, n)
		}
		w.Close()
	}
}

// TestMigrateFromVersion1 builds a version-1 warehouse with data in it, then
// opens it with the current package: it must migrate, keep the data and
// load.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	old := warehouseAt(t, path, 1)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO dim_study (study_accession_code) VALUES ('GSE1')`,
		`INSERT INTO dim_sample (sample_accession_code, study_key, illness_key) VALUES ('S1', 1, 3)`,
		`INSERT INTO dim_gene (gene_id) VALUES ('G1')`,
		`INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_id) VALUES (1, 1, 1, 2.5, 'b1')`,
		`INSERT INTO meta_batch VALUES ('b1', 1, 'GSE1', 'm.tsv', 'h1', 'r1', 1, true, now(), NULL)`,
	} {
		if _, err := old.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if v, _ := old.Version(ctx); v != 1 {
		t.Fatalf("version %d, want 1", v)
	}
	if err := old.db.Close(); err != nil {
		t.Fatal(err)
	}

	w, err := Open(path)
	if err != nil {
		t.Fatalf("opening a version-1 warehouse: %v", err)
	}
	defer w.Close()
	if v, _ := w.Version(ctx); v != SchemaVersion() {
		t.Fatalf("migrated to %d, want %d", v, SchemaVersion())
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM analytics.vw_expression_long WHERE expression_value = 2.5 AND illness_label = 'SEPSIS'`); n != 1 {
		t.Fatal("the version-1 facts did not survive the migration")
	}
	count(t, w.db, `SELECT COUNT(*) FROM staging.samples`)
}

func TestMigrationFiles(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		ok    bool
	}{
		{"in order", fstest.MapFS{"s/001_a.sql": {}, "s/002_b.sql": {}}, true},
		{"gap", fstest.MapFS{"s/001_a.sql": {}, "s/003_c.sql": {}}, false},
		{"duplicate version", fstest.MapFS{"s/001_a.sql": {}, "s/001_b.sql": {}}, false},
		{"no description", fstest.MapFS{"s/001.sql": {}}, false},
		{"not a number", fstest.MapFS{"s/one_a.sql": {}}, false},
		{"not sql", fstest.MapFS{"s/001_a.txt": {}}, false},
		{"empty", fstest.MapFS{"s/README": {}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readMigrations(tc.files, "s")
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestMigrateStepwise runs a test-only migration set: each version applies in
// its own transaction, so a failing version leaves the warehouse at the
// previous one with nothing of the failed version applied, and a fixed
// migration set then completes.
func TestMigrateStepwise(t *testing.T) {
	w, err := New(openRaw(t, ""), Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	good := fstest.MapFS{
		"s/001_one.sql":   {Data: []byte(`CREATE TABLE t1 (a INTEGER);`)},
		"s/002_two.sql":   {Data: []byte(`CREATE TABLE t2 (a INTEGER); INSERT INTO t2 VALUES (1);`)},
		"s/003_three.sql": {Data: []byte(`CREATE TABLE t3 (a INTEGER); INSERT INTO t3 VALUES ('not a number');`)},
	}
	ms, err := readMigrations(good, "s")
	if err != nil {
		t.Fatal(err)
	}
	err = w.migrate(ctx, ms)
	if !errors.Is(err, qc.SchemaVersion) {
		t.Fatalf("failing migration: err = %v, want code SchemaVersion", err)
	}
	if v, _ := w.Version(ctx); v != 2 {
		t.Fatalf("version after a failed 3 = %d, want 2", v)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 't3'`); n != 0 {
		t.Fatal("the failed migration left its table behind")
	}
	good["s/003_three.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE t3 (a INTEGER); INSERT INTO t3 VALUES (3);`)}
	if ms, err = readMigrations(good, "s"); err != nil {
		t.Fatal(err)
	}
	if err := w.migrate(ctx, ms); err != nil {
		t.Fatal(err)
	}
	if v, _ := w.Version(ctx); v != 3 {
		t.Fatalf("version %d, want 3", v)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM t2`); n != 1 {
		t.Fatalf("t2 has %d rows: version 2 ran twice?", n)
	}
	// A set older than the warehouse is refused.
	if err := w.migrate(ctx, ms[:2]); !errors.Is(err, qc.SchemaVersion) {
		t.Fatalf("older migration set: err = %v, want code SchemaVersion", err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Exec(stmtSchemaVersionWrite, SchemaVersion()+1, "from the future"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	for _, dsn := range []string{path, path + "?access_mode=READ_ONLY"} {
		_, err := Open(dsn)
		if !errors.Is(err, qc.SchemaVersion) {
			t.Fatalf("Open(%s) of a newer schema: err = %v, want code SchemaVersion", dsn, err)
		}
	}
}

// TestMigrateForeignDatabase: a DuckDB file of other data whose table has
// the name of one of genexp's is refused, and left as it was: the
// migration used to create meta_schema_version before the first version
// failed, leaving a table no one asked for. A file whose tables do not
// clash takes genexp's schema beside them.
func TestMigrateForeignDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "theirs.duckdb")
	db := openRaw(t, path)
	if _, err := db.Exec(`CREATE TABLE dim_gene (x INTEGER); INSERT INTO dim_gene VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	w, err := New(db, Config{AutoMigrate: true})
	if err == nil {
		w.Close()
		t.Fatal("a database holding its own dim_gene was migrated")
	}
	if !errors.Is(err, qc.SchemaVersion) {
		t.Errorf("err = %v, want code SchemaVersion", err)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM duckdb_tables()`); n != 1 {
		t.Errorf("%d tables after the refused migration, want the database's own 1", n)
	}
	if n := count(t, db, `SELECT x FROM dim_gene`); n != 42 {
		t.Errorf("dim_gene holds %d, want its own 42", n)
	}

	other := openRaw(t, filepath.Join(t.TempDir(), "other.duckdb"))
	if _, err := other.Exec(`CREATE TABLE my_notes (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	w, err = New(other, Config{AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := w.Version(context.Background()); err != nil || v != SchemaVersion() {
		t.Errorf("version %d, %v; want %d", v, err, SchemaVersion())
	}
	if n := count(t, other, `SELECT COUNT(*) FROM my_notes`); n != 0 {
		t.Errorf("my_notes holds %d rows", n)
	}
}

// TestHealthOfForeignDatabase: a DuckDB file of other data that genexp's
// migration would refuse (a table or view of the name of one of genexp's)
// says so in its health, naming them, so that health does not advise an
// init that fails; one whose tables do not clash says nothing.
func TestHealthOfForeignDatabase(t *testing.T) {
	for _, tc := range []struct {
		name, setup, want string
	}{
		{"a table of genexp's name", `CREATE TABLE dim_gene (x INTEGER)`, "the file holds dim_gene, named as genexp's schema names its own"},
		{"a view in genexp's schema", `CREATE SCHEMA analytics; CREATE VIEW analytics.vw_expression_long AS SELECT 1 AS x; CREATE TABLE Meta_Batch (y INTEGER)`,
			"the file holds analytics.vw_expression_long, Meta_Batch, named"},
		{"tables of their own", `CREATE TABLE my_notes (x INTEGER); CREATE SCHEMA mine; CREATE TABLE mine.dim_gene (x INTEGER)`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openRaw(t, filepath.Join(t.TempDir(), "theirs.duckdb"))
			if _, err := db.Exec(tc.setup); err != nil {
				t.Fatal(err)
			}
			w, err := New(db, Config{})
			if err != nil {
				t.Fatal(err)
			}
			h, err := w.Health(context.Background(), warehouse.HealthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if h.SchemaVersion != 0 || tc.want == "" && h.SchemaMismatch != "" || !strings.Contains(h.SchemaMismatch, tc.want) {
				t.Errorf("health: version %d, mismatch %q; want 0 and %q", h.SchemaVersion, h.SchemaMismatch, tc.want)
			}
			migrateErr := w.Migrate(context.Background())
			if (migrateErr == nil) != (tc.want == "") {
				t.Errorf("Migrate: %v, while health says %q", migrateErr, h.SchemaMismatch)
			}
		})
	}
}
