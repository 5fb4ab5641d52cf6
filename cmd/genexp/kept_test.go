package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadWithoutMetadataPrintsKeptLabels loads GSE71270 with its sample
// sheet, then its matrix alone: the second line counts the samples as
// no-metadata, since the warehouse keeps the labels it recorded (5
// CONTROL, 5 UNKNOWN), not as the UNKNOWN this run would have given them.
func TestLoadWithoutMetadataPrintsKeptLabels(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	code, out, stderr := runCLI(t, "load", "--db", db, src)
	if code != exitOK || !strings.Contains(lineOf(out, "GSE71270"), "CONTROL=5 UNKNOWN=5") {
		t.Fatalf("with its sheet: exit %d\n%s%s", code, out, stderr)
	}
	bare := filepath.Join(dir, "GSE71270")
	if err := os.Mkdir(bare, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(src, "GSE71270.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bare, "GSE71270.tsv"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLI(t, "load", "--db", db, bare)
	f := strings.Fields(lineOf(out, "GSE71270"))
	if code != exitOK || len(f) != 8 || f[1] != "duplicate" || f[6] != "no-metadata=10" {
		t.Errorf("matrix alone: exit %d, line %q, want duplicate with no-metadata=10\n%s%s", code, f, out, stderr)
	}
	code, out, _ = runCLI(t, "query", "--db", db,
		"SELECT illness_label || '=' || COUNT(*) AS n FROM analytics.vw_sample_illness GROUP BY illness_label ORDER BY 1")
	if code != exitOK || !strings.Contains(out, "CONTROL=5") || !strings.Contains(out, "UNKNOWN=5") {
		t.Errorf("the warehouse's labels after the second load:\n%s", out)
	}
}
