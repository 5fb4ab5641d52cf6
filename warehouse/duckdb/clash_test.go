package duckdb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// catalogOf lists the tables, views and sequences of db.
func catalogOf(t *testing.T, db *sql.DB) string {
	t.Helper()
	var list string
	err := db.QueryRow(`SELECT COALESCE(string_agg(k || ' ' || s || '.' || n, ', ' ORDER BY k, s, n), '') FROM (
SELECT 'table' AS k, schema_name AS s, table_name AS n FROM duckdb_tables()
UNION ALL SELECT 'view', schema_name, view_name FROM duckdb_views() WHERE NOT internal
UNION ALL SELECT 'sequence', schema_name, sequence_name FROM duckdb_sequences())`).Scan(&list)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestMigrateRefusesClashes: a database holding an object of its own named
// as one genexp's pending migrations create (a table in staging, tables
// that only version 3 or 6 creates, a sequence that version 1 creates IF
// NOT EXISTS, a view) is refused before any migration is applied, with
// code SchemaVersion and the message Health gives, naming the object, and
// its objects and bytes are left as they were. Migrate used to apply
// version 1 (and more) before the one that clashed failed, leaving a file
// at a version between; a foreign sequence it took for its own. A
// warehouse at version 5 that was given a table version 6 creates is
// refused the same way, and stays at 5.
func TestMigrateRefusesClashes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		version int // the genexp schema version the file has first
		setup   string
		names   string
	}{
		{"a table in staging", 0, `CREATE SCHEMA staging; CREATE TABLE staging.samples (z INTEGER)`, "staging.samples"},
		{"meta_feature_state", 0, `CREATE TABLE meta_feature_state (z INTEGER)`, "meta_feature_state"},
		// created in Go, not in a migration's text; read before anything, it
		// failed as a constraint violation
		{"meta_schema_version", 0, `CREATE TABLE meta_schema_version (x INTEGER)`, "meta_schema_version"},
		{"meta_batch_key", 0, `CREATE TABLE meta_batch_key (z INTEGER)`, "meta_batch_key"},
		{"a sequence", 0, `CREATE SEQUENCE seq_gene_key MAXVALUE 3`, "seq_gene_key"},
		{"a view", 0, `CREATE SCHEMA analytics; CREATE VIEW analytics.vw_feature_catalog AS SELECT 1 AS x`, "analytics.vw_feature_catalog"},
		{"several", 0, `CREATE TABLE Dim_Gene (z INTEGER); CREATE SEQUENCE seq_batch_key; CREATE TABLE my_notes (z INTEGER)`, "the file holds Dim_Gene, seq_batch_key, named"},
		{"a table a later version creates", 5, `CREATE TABLE meta_batch_key (z INTEGER)`, "meta_batch_key"},
		{"a sequence a later version creates", 5, `CREATE SEQUENCE seq_batch_key`, "seq_batch_key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "theirs.duckdb")
			if tc.version > 0 {
				warehouseAt(t, path, tc.version).Close()
			}
			db := openRaw(t, path)
			if _, err := db.Exec(tc.setup); err != nil {
				t.Fatal(err)
			}
			before := catalogOf(t, db)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			db = openRaw(t, path)
			w, err := New(db, Config{})
			if err != nil {
				t.Fatal(err)
			}
			h, err := w.Health(ctx, warehouse.HealthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			err = w.Migrate(ctx)
			if !errors.Is(err, qc.SchemaVersion) || !strings.Contains(err.Error(), tc.names) {
				t.Fatalf("Migrate: %v; want code SchemaVersion naming %s", err, tc.names)
			}
			if h.SchemaMismatch == "" || !strings.Contains(err.Error(), "duckdb: "+h.SchemaMismatch) {
				t.Errorf("Migrate's error %q is not Health's SchemaMismatch %q", err, h.SchemaMismatch)
			}
			if after := catalogOf(t, db); after != before {
				t.Errorf("the refused migration changed the database's objects:\nbefore %s\nafter  %s", before, after)
			}
			if v, err := w.Version(ctx); err != nil || v != tc.version {
				t.Errorf("version %d, %v after the refused migration; want %d", v, err, tc.version)
			}
			w.Close()
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if now, err := os.ReadFile(path); err != nil || !bytes.Equal(now, raw) {
				t.Errorf("the refused migration changed the file's bytes (%v)", err)
			}
		})
	}
}
