package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatusCountsTheMatrix loads a copy of GSE71270 whose first sample
// column holds no value at all: the load counts 10 samples (the matrix's
// columns), and status must give the same figures, not the 9 samples that
// have facts.
func TestStatusCountsTheMatrix(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "refinebio", "GSE71270", "GSE71270")
	dir := filepath.Join(t.TempDir(), "GSE71270")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sheet, err := os.ReadFile(filepath.Join(src, "metadata_GSE71270.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	matrix, err := os.ReadFile(filepath.Join(src, "GSE71270.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(matrix), "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		cells := strings.Split(lines[i], "\t")
		cells[1] = "NA"
		lines[i] = strings.Join(cells, "\t")
	}
	for name, body := range map[string]string{"metadata_GSE71270.tsv": string(sheet), "GSE71270.tsv": strings.Join(lines, "\n") + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(t.TempDir(), "w.duckdb")
	code, out, stderr := runCLI(t, "load", "--db", db, dir)
	if code != exitOK && code != exitWarnings {
		t.Fatalf("load: exit %d\n%s%s", code, out, stderr)
	}
	load := strings.Fields(lineOf(out, "GSE71270"))
	if len(load) < 4 || load[2] != "10" || load[3] != "300" {
		t.Fatalf("load line %q: want 10 samples and 300 genes", lineOf(out, "GSE71270"))
	}
	_, out, _ = runCLI(t, "status", "--db", db)
	st := strings.Fields(lineOf(out, "GSE71270"))
	if len(st) < 5 || st[2] != load[2] || st[3] != load[3] || st[4] != "2700" {
		t.Errorf("status line %q: want SAMPLES %s and GENES %s as the load counted them, FACTS 2700", lineOf(out, "GSE71270"), load[2], load[3])
	}
}

// TestStatusOfAnEmptyWarehouse: a warehouse with no study says so in words
// rather than with a table header over no row.
func TestStatusOfAnEmptyWarehouse(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, out, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr := runCLI(t, "status", "--db", db)
	if code != exitOK || !strings.Contains(out, "0 studies") || !strings.Contains(out, "no study is loaded yet") || strings.Contains(out, "BATCH") {
		t.Errorf("status of an empty warehouse: exit %d\n%s%s", code, out, stderr)
	}
}
