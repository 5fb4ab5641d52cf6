package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/genexp/genexp/warehouse/duckdb"
)

// field returns the value printed after name in a benchmark's table.
func field(t *testing.T, out, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s{2,}(.+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in:\n%s", name, out)
	}
	return m[1]
}

func TestBenchRead(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"bench", "read", "--genes", "300", "--samples", "7", "--missing", "0.1", "--tmp", t.TempDir()}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	s := out.String()
	if field(t, s, "cells") != "2100" || field(t, s, "genes × samples") != "300 × 7" {
		t.Fatalf("unexpected output:\n%s", s)
	}
	missing, _ := strconv.Atoi(field(t, s, "missing"))
	long, _ := strconv.Atoi(field(t, s, "long rows"))
	if missing == 0 || long != 2100-missing {
		t.Errorf("%d missing and %d long rows of 2100 cells", missing, long)
	}
	if rss := field(t, s, "peak RSS"); !regexp.MustCompile(`^[0-9.]+ MiB$`).MatchString(rss) {
		t.Errorf("peak RSS %q", rss)
	}
}

func TestBenchLoad(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	var out, errOut bytes.Buffer
	code := run([]string{"bench", "load", "--cells", "12000", "--genes", "1000", "--studies", "2", "--tech", "mixed", "--db", db, "--tmp", dir}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	s := out.String()
	if field(t, s, "cells") != "12000" || field(t, s, "studies") != "2 (one matrix each)" {
		t.Fatalf("unexpected output:\n%s", s)
	}
	// The command itself checks fact rows = cells − missing; a second run
	// into the same file must refuse rather than measure a reload.
	if code := run([]string{"bench", "load", "--cells", "12000", "--db", db, "--tmp", dir}, &out, &errOut); code != exitUsage {
		t.Errorf("second load into %s: exit %d, want %d", db, code, exitUsage)
	}
}

// TestBenchLoadConfig: bench load takes --config, before the command too,
// and loads as it says: missing cells kept as NULL (the command's own
// check then counts every cell) and no analytics step.
func TestBenchLoadConfig(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	cfg := filepath.Join(dir, "bench.yaml")
	if err := os.WriteFile(cfg, []byte("processing:\n  missing_values: keep\nanalytics:\n  enabled: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run([]string{"--config", cfg, "bench", "load", "--cells", "12000", "--genes", "1000", "--missing", "0.05", "--db", db, "--tmp", dir}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	if s := out.String(); field(t, s, "fact rows") != "12000" || !strings.Contains(field(t, s, "seconds"), "+ analytics 0.000)") {
		t.Errorf("want every cell a fact row and no analytics:\n%s", s)
	}
	w, err := duckdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var nulls, features int
	if err := w.DB().QueryRow(`SELECT (SELECT COUNT(*) FROM fact_gene_expression WHERE expression_value IS NULL), (SELECT COUNT(*) FROM fact_feature_values)`).Scan(&nulls, &features); err != nil {
		t.Fatal(err)
	}
	if nulls == 0 || features != 0 {
		t.Errorf("%d NULL facts and %d feature rows, want some and none", nulls, features)
	}
	if code := run([]string{"bench", "load", "--config", filepath.Join(dir, "none.yaml"), "--cells", "12000", "--tmp", dir}, &out, &errOut); code != exitUsage {
		t.Errorf("a --config that does not exist: exit %d, want %d", code, exitUsage)
	}
}

// TestBenchLoadSpecies loads one SPECIES matrix of three studies: the
// warehouse must hold three studies, all from that one matrix.
func TestBenchLoadSpecies(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	var out, errOut bytes.Buffer
	code := run([]string{"bench", "load", "--species", "--cells", "12000", "--genes", "1000", "--studies", "3", "--db", db, "--tmp", dir}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	s := out.String()
	if field(t, s, "cells") != "12000" || field(t, s, "studies") != "3 (one SPECIES matrix)" {
		t.Fatalf("unexpected output:\n%s", s)
	}
	w, err := duckdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var studies, files int
	if err := w.DB().QueryRow(`SELECT COUNT(DISTINCT study_key), COUNT(DISTINCT file_hash) FROM meta_batch`).Scan(&studies, &files); err != nil {
		t.Fatal(err)
	}
	if studies != 3 || files != 1 {
		t.Errorf("the warehouse holds %d studies from %d matrix files, want 3 from 1", studies, files)
	}
}

func TestBenchUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	for _, args := range [][]string{{"bench"}, {"bench", "nope"}, {"bench", "read", "--tech", "mixed"}, {"bench", "load", "--cells", "0"},
		{"bench", "load", "--species", "--tech", "mixed"}} {
		if code := run(args, &out, &errOut); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// TestBenchReadMissingMatrix: a MATRIX that cannot be opened is a coded
// FileNotFound naming it, and exits 4 as the help promises.
func TestBenchReadMissingMatrix(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nonexistent.tsv")
	var out, errb bytes.Buffer
	code := run([]string{"bench", "read", missing}, &out, &errb)
	if code != exitInput || !strings.Contains(errb.String(), "[1001 EXTRACTION_FILE_NOT_FOUND]") || !strings.Contains(errb.String(), missing) {
		t.Errorf("exit %d, want %d and a 1001 naming %s\n%s", code, exitInput, missing, errb.String())
	}
}
