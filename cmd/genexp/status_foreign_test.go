package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// genexp status of a DuckDB file with no genexp schema says so: its empty
// table of studies would otherwise pass for an empty warehouse (a --db
// naming the wrong file); one holding a table of genexp's name says loads
// will fail.
func TestStatusOfAFileOfOtherData(t *testing.T) {
	for _, tc := range []struct{ table, says string }{
		{"notes", "holds no genexp schema"},
		{"dim_gene", "loads will fail: the file holds dim_gene"},
	} {
		db := filepath.Join(t.TempDir(), "other.duckdb")
		conn, err := sql.Open("duckdb", db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(`CREATE TABLE ` + tc.table + ` (x INTEGER)`); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		code, out, stderr := runCLI(t, "status", "--db", db, "--log-format", "text")
		if code != exitOK || !strings.Contains(out, "schema version 0") || !strings.Contains(stderr, tc.says) {
			t.Errorf("status of a file holding %s: exit %d\n%s%s\nwant exit 0, the table, and a warning saying %q", tc.table, code, out, stderr, tc.says)
		}
	}
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, _, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "status", "--db", db, "--log-format", "text"); code != exitOK || strings.Contains(stderr, "genexp schema") {
		t.Errorf("status of a warehouse: exit %d, stderr %q; want no warning", code, stderr)
	}
}
