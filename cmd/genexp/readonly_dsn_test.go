package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReadOnlyCommandsTakeReadOnlyParameter: status, health, query and
// load --dry-run open the warehouse read-only whatever read_only the DSN
// gives; read_only=false used to contradict the access_mode they add and
// fail to open.
func TestReadOnlyCommandsTakeReadOnlyParameter(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	if code, out, stderr := runCLI(t, "load", "--db", db, src); code != exitOK {
		t.Fatalf("load: exit %d\n%s%s", code, out, stderr)
	}
	for _, param := range []string{"read_only=false", "read_only=true"} {
		dsn := db + "?" + param
		for _, args := range [][]string{
			{"status", "--db", dsn},
			{"health", "--db", dsn},
			{"query", "--db", dsn, "SELECT COUNT(*) AS facts FROM fact_gene_expression"},
			{"load", "--dry-run", "--db", dsn, src},
		} {
			code, out, stderr := runCLI(t, args...)
			if code != exitOK || strings.Contains(stderr, "contradict") {
				t.Errorf("%s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
			}
		}
	}
}
