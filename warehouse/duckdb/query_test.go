package duckdb_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// queryWarehouse returns a warehouse file in its own directory with one
// study of 20 genes × 3 samples loaded.
func queryWarehouse(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "w.duckdb")
	w, err := duckdb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	loadSynthetic(t, w, "GSE1", 20, 3)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

func factCount(t *testing.T, w *duckdb.Warehouse) int {
	t.Helper()
	var n int
	if err := w.DB().QueryRow("SELECT COUNT(*) FROM fact_gene_expression").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestReadQueryRefusesWhatIsNotARead: every statement that could change
// the warehouse, attach another database, change a setting or write a
// file is refused with QueryRefused before it runs, saying what is
// allowed; the facts and the files in the warehouse's directory stay as
// they were. Opened as genexp query opens it (no file access), a COPY is
// refused by DuckDB at prepare already; opened read-only only, by its
// type.
func TestReadQueryRefusesWhatIsNotARead(t *testing.T) {
	for _, sealed := range []bool{true, false} {
		dir, path := queryWarehouse(t)
		other := filepath.Join(dir, "other.duckdb")
		dsn := path + "?access_mode=READ_ONLY"
		if sealed {
			dsn += "&enable_external_access=false"
		}
		w := open(t, dsn)
		facts, files := factCount(t, w), dirNames(t, dir)
		if facts != 60 {
			t.Fatalf("%d facts loaded, want 60", facts)
		}
		const several, denied = "this is several", "Permission Error"
		copyWant := "is COPY"
		if sealed {
			copyWant = denied
		}
		for _, tc := range []struct {
			sql, want  string
			sealedOnly bool // preparing it writes a file unless file access is off
		}{
			{"SELECT 1 AS a; SELECT 2 AS b", several, false},
			{"ATTACH '" + other + "' AS o (READ_WRITE); USE o; DETACH w; ATTACH '" + path + "' AS w2 (READ_WRITE); DELETE FROM w2.fact_gene_expression", several, false},
			{"SELECT 1; DELETE FROM fact_gene_expression", several, false},
			{"ATTACH '" + other + "' AS o (READ_WRITE)", "is ATTACH", false},
			{"DETACH w", "is DETACH", false},
			{"USE memory", "is SET (or RESET, USE)", false},
			{"DELETE FROM fact_gene_expression", "is DELETE", false},
			{"INSERT INTO dim_study (study_accession_code) VALUES ('GSE9')", "is INSERT", false},
			{"UPDATE dim_study SET study_title = 'x'", "is UPDATE", false},
			{"CREATE TABLE x (a INT)", "is CREATE", false},
			{"DROP TABLE fact_gene_expression", "is DROP", false},
			{"COPY fact_gene_expression TO '" + filepath.Join(dir, "facts.csv") + "'", copyWant, false},
			{"COPY (SELECT 1) TO '" + filepath.Join(dir, "one.csv") + "'", copyWant, false},
			{"EXPORT DATABASE '" + filepath.Join(dir, "export") + "'", denied, true},
			{"SET threads = 1", "is SET", false},
			{"RESET threads", "is SET", false},
			{"CHECKPOINT", "is CALL", false},
			{"CALL duckdb_settings()", "is CALL", false},
			{"BEGIN TRANSACTION", "is transaction", false},
			{"INSTALL httpfs", "is LOAD", false},
			{"VACUUM", "is VACUUM", false},
			{"EXPLAIN ANALYZE COPY fact_gene_expression TO '" + filepath.Join(dir, "plan.csv") + "'", denied, true},
			{"SELEC 1", "syntax error", false},
			{"", "empty", false},
		} {
			if tc.sealedOnly && !sealed {
				continue
			}
			err := w.ReadQuery(context.Background(), tc.sql, func(*sql.Rows) error {
				t.Errorf("%q ran", tc.sql)
				return nil
			})
			var e *qc.Error
			if !errors.As(err, &e) || e.Code != qc.QueryRefused {
				t.Errorf("%q: %v, want a QueryRefused *qc.Error", tc.sql, err)
				continue
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q: %q does not say %q", tc.sql, err, tc.want)
			}
			if (tc.want == several || strings.HasPrefix(tc.want, "is ")) && !strings.Contains(err.Error(), duckdb.ReadOnlyStatements) {
				t.Errorf("%q: %q does not say what is allowed", tc.sql, err)
			}
		}
		if n := factCount(t, w); n != facts {
			t.Errorf("%d facts after the refusals, want %d", n, facts)
		}
		if got := dirNames(t, dir); !slices.Equal(got, files) {
			t.Errorf("the directory holds %v after the refusals, want %v", got, files)
		}
		var dbs int
		if err := w.DB().QueryRow("SELECT COUNT(*) FROM duckdb_databases() WHERE NOT internal").Scan(&dbs); err != nil || dbs != 1 {
			t.Errorf("%d databases attached (%v), want 1", dbs, err)
		}
	}
}

// TestReadQueryRunsQueries: plain SELECTs, CTEs, VALUES, DESCRIBE, SHOW,
// SUMMARIZE and EXPLAIN run and return their rows.
func TestReadQueryRunsQueries(t *testing.T) {
	_, path := queryWarehouse(t)
	w := open(t, path+"?access_mode=READ_ONLY&enable_external_access=false")
	for _, tc := range []struct {
		sql     string
		col     string // a column the result has
		minRows int
	}{
		{"SELECT COUNT(*) AS n FROM fact_gene_expression", "n", 1},
		{"SELECT 1 AS one;", "one", 1},
		{"WITH g AS (SELECT DISTINCT gene_key FROM fact_gene_expression) SELECT COUNT(*) AS genes FROM g", "genes", 1},
		{"VALUES (1), (2)", "col0", 2},
		{"FROM dim_study", "study_accession_code", 1},
		{"DESCRIBE fact_gene_expression", "column_name", 3},
		{"SHOW TABLES", "name", 3},
		{"SUMMARIZE dim_study", "column_name", 1},
		{"EXPLAIN SELECT COUNT(*) FROM fact_gene_expression", "explain_value", 1},
		{"PRAGMA table_info('dim_study')", "name", 1},
	} {
		var cols []string
		n := 0
		err := w.ReadQuery(context.Background(), tc.sql, func(rows *sql.Rows) error {
			var err error
			if cols, err = rows.Columns(); err != nil {
				return err
			}
			for rows.Next() {
				n++
			}
			return nil
		})
		if err != nil {
			t.Errorf("%q: %v", tc.sql, err)
			continue
		}
		if !slices.Contains(cols, tc.col) || n < tc.minRows {
			t.Errorf("%q: columns %v, %d rows; want a column %q and at least %d rows", tc.sql, cols, n, tc.col, tc.minRows)
		}
	}
	var got int
	err := w.ReadQuery(context.Background(), "SELECT COUNT(*) FROM fact_gene_expression", func(rows *sql.Rows) error {
		rows.Next()
		return rows.Scan(&got)
	})
	if err != nil || got != 60 {
		t.Errorf("the fact count: %d (%v), want 60", got, err)
	}
}

// TestReadQueryExplain: EXPLAIN and EXPLAIN ANALYZE of a query run;
// EXPLAIN of anything else is refused before it runs, since EXPLAIN
// ANALYZE runs what it explains and a setting is not undone by a
// rollback.
func TestReadQueryExplain(t *testing.T) {
	_, path := queryWarehouse(t)
	w := open(t, path)
	setting := func() string {
		var v string
		if err := w.DB().QueryRow("SELECT current_setting('disabled_optimizers') || ' threads=' || current_setting('threads')").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	optimizers := setting()
	for _, tc := range []struct {
		sql string
		ok  bool
	}{
		{"EXPLAIN SELECT COUNT(*) FROM fact_gene_expression", true},
		{"explain analyze SELECT COUNT(*) FROM fact_gene_expression", true},
		{"EXPLAIN (FORMAT json) SELECT 1", true},
		{"EXPLAIN ANALYZE WITH t AS (SELECT 1 AS a) SELECT a FROM t -- why", true},
		{"EXPLAIN (SELECT 1) UNION ALL (SELECT 2)", true},
		{"/* plan */ EXPLAIN SELECT 1", false},
		{"EXPLAIN ANALYZE /* /* */ SELECT ' */ SET threads=7 --'", false},
		{"EXPLAIN (ANALYZE, FORMAT json /* ) SELECT 1 -- */) SET threads=5", false},
		{"EXPLAIN (ANALYZE) SET threads = 1", false},
		{"EXPLAIN ANALYZE SET GLOBAL disabled_optimizers = ''", false},
		{"EXPLAIN ANALYZE SET threads = 1", false},
		{"EXPLAIN ANALYZE DELETE FROM fact_gene_expression", false},
		{"EXPLAIN DELETE FROM fact_gene_expression", false},
		{"EXPLAIN ANALYZE EXPLAIN ANALYZE SET threads = 1", false},
		{"EXPLAIN ANALYZE SELECT 1; SET threads = 1", false},
	} {
		err := w.ReadQuery(context.Background(), tc.sql, func(rows *sql.Rows) error {
			for rows.Next() {
			}
			return nil
		})
		var e *qc.Error
		switch {
		case tc.ok && err != nil:
			t.Errorf("%q: %v", tc.sql, err)
		case !tc.ok && (!errors.As(err, &e) || e.Code != qc.QueryRefused):
			t.Errorf("%q: %v, want a QueryRefused *qc.Error", tc.sql, err)
		}
	}
	if got := setting(); got != optimizers {
		t.Errorf("settings are %q after the queries, want %q", got, optimizers)
	}
	if n := factCount(t, w); n != 60 {
		t.Errorf("%d facts after the queries, want 60", n)
	}
}
