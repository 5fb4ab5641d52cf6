package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReadOnlyCommandsTakeReadOnlyParameter: status, health, query and
// load --dry-run open the warehouse read-only whatever read_only the DSN
// gives; read_only=false used to contradict the access_mode they add and
// fail to open. (With read_only=true the dry run reads all the same, and
// exits 3, as the load it stands for would fail to write.)
func TestReadOnlyCommandsTakeReadOnlyParameter(t *testing.T) {
	_, db := loadedWarehouse(t)
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	for _, param := range []string{"read_only=false", "read_only=true"} {
		dsn := db + "?" + param
		for _, args := range [][]string{
			{"status", "--db", dsn},
			{"health", "--db", dsn},
			{"query", "--db", dsn, "SELECT COUNT(*) AS facts FROM fact_gene_expression"},
			{"load", "--dry-run", "--db", dsn, src},
		} {
			want := exitOK
			if args[0] == "load" && param == "read_only=true" {
				want = exitNoAccess
			}
			code, out, stderr := runCLI(t, args...)
			if code != want || strings.Contains(stderr, "contradict") {
				t.Errorf("%s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
			}
		}
	}
}
