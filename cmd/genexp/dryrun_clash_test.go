package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// objectList lists the tables, views and sequences of the DuckDB file db.
func objectList(t *testing.T, db string) string {
	t.Helper()
	conn, err := sql.Open("duckdb", db+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var list string
	err = conn.QueryRow(`SELECT COALESCE(string_agg(k || ' ' || s || '.' || n, ', ' ORDER BY k, s, n), '') FROM (
SELECT 'table' AS k, schema_name AS s, table_name AS n FROM duckdb_tables()
UNION ALL SELECT 'view', schema_name, view_name FROM duckdb_views() WHERE NOT internal
UNION ALL SELECT 'sequence', schema_name, sequence_name FROM duckdb_sequences())`).Scan(&list)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestDryRunWarnsOfAClashingWarehouse: a dry run into a DuckDB file whose
// own objects are named as genexp's schema names its own (which a load
// refuses, migrating nothing) warns that a load would fail, naming them,
// and exits 3 as the load does, where it used to report every study new,
// say nothing and exit 0; the load then
// fails and leaves the file's objects as they were. A file whose objects
// do not clash draws no such warning.
func TestDryRunWarnsOfAClashingWarehouse(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	for _, tc := range []struct {
		name, setup, names string
	}{
		{"a table", `CREATE TABLE dim_gene (x INTEGER)`, "dim_gene"},
		{"a view", `CREATE SCHEMA analytics; CREATE VIEW analytics.vw_expression_long AS SELECT 1 AS x`, "analytics.vw_expression_long"},
		{"a sequence", `CREATE SEQUENCE seq_gene_key MAXVALUE 3`, "seq_gene_key"},
		{"no clash", `CREATE TABLE my_notes (x INTEGER)`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "theirs.duckdb")
			conn, err := sql.Open("duckdb", db)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(tc.setup); err != nil {
				t.Fatal(err)
			}
			conn.Close()
			before := objectList(t, db)
			code, out, stderr := runCLI(t, "load", "--dry-run", "--db", db, src)
			warned := strings.Contains(stderr, "a load would fail: ") && strings.Contains(stderr, "named as genexp's schema names its own")
			want := exitOK
			if tc.names != "" {
				want = exitNoAccess // as the load would
			}
			if code != want || !strings.Contains(out, "GSE71270") || warned != (tc.names != "") || !strings.Contains(stderr, tc.names) {
				t.Fatalf("dry run: exit %d, warned %v; want exit %d with the dry run's table, warned %v naming %q\n%s%s",
					code, warned, want, tc.names != "", tc.names, out, stderr)
			}
			if tc.names == "" {
				return
			}
			code, out, stderr = runCLI(t, "load", "--db", db, src)
			if code != exitNoAccess || !strings.Contains(stderr, tc.names) {
				t.Errorf("load: exit %d, want %d naming %s\n%s%s", code, exitNoAccess, tc.names, out, stderr)
			}
			if after := objectList(t, db); after != before {
				t.Errorf("the refused load changed the file's objects:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
