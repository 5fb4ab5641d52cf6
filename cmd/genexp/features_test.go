package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse/duckdb"
)

func TestFeaturesCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	study := craftStudy(t, dir, "GSE1", false)
	if code, out, stderr := runCLI(t, "load", "--db", db, study); code != exitOK {
		t.Fatalf("load: exit %d\n%s%s", code, out, stderr)
	}
	if _, out, _ := runCLI(t, "status", "--db", db); !strings.HasSuffix(lineOf(out, "schema version"), ", 1 study") {
		t.Errorf("status header %q, want it to end with \", 1 study\"", lineOf(out, "schema version"))
	}
	code, out, stderr := runCLI(t, "features", "--db", db, "--top-genes", "5")
	if code != exitOK || !strings.Contains(out, "GSE1") || !strings.Contains(out, "computed") {
		t.Fatalf("features: exit %d\n%s%s", code, out, stderr)
	}
	// 5 genes make 10 pairs: the PAIRS column.
	if f := strings.Fields(lineOf(out, "GSE1")); len(f) != 7 || f[5] != "10" {
		t.Errorf("features line %q: want 10 pairs", lineOf(out, "GSE1"))
	}
	code, out, _ = runCLI(t, "features", "--db", db, "--top-genes", "5", "--if-stale", "GSE1")
	if code != exitOK || !strings.Contains(lineOf(out, "GSE1"), "current") {
		t.Errorf("--if-stale on current features: exit %d\n%s", code, out)
	}
	// A study skipped as current computed nothing: its counts are unknown,
	// not zero.
	if f := strings.Fields(lineOf(out, "GSE1")); len(f) != 7 || f[3] != "-" || f[4] != "-" || f[5] != "-" {
		t.Errorf("--if-stale line %q: want - for VALUES, FEATURES and PAIRS", lineOf(out, "GSE1"))
	}
	// A mistyped accession is a usage error, reported before anything is
	// computed or logged.
	_, before, _ := runCLI(t, "query", "--db", db, "SELECT COUNT(*) AS n FROM meta_etl_process_log")
	code, out, stderr = runCLI(t, "features", "--db", db, "GSE1", "GSE404")
	if code != exitUsage || out != "" || !strings.Contains(stderr, "not a loaded study: GSE404 (loaded: GSE1)") {
		t.Errorf("a study not loaded: exit %d, want %d and the study named\n%s%s", code, exitUsage, out, stderr)
	}
	code, _, stderr = runCLI(t, "features", "--db", db, "--log-format", "json", "GSE404")
	if rec := errorRecord(t, stderr); code != exitUsage || rec.Code != int(qc.DimensionLookupFailed) ||
		!strings.Contains(rec.Msg, "not a loaded study: GSE404") {
		t.Errorf("a study not loaded, in JSON: exit %d, record %+v, want %d and code %d", code, rec, exitUsage, qc.DimensionLookupFailed)
	}
	if _, after, _ := runCLI(t, "query", "--db", db, "SELECT COUNT(*) AS n FROM meta_etl_process_log"); after != before {
		t.Errorf("the process log changed from %q to %q", before, after)
	}
	if code, _, stderr := runCLI(t, "features", "--db", db, "--top-genes", "5000"); code != exitUsage {
		t.Errorf("--top-genes 5000: exit %d, want %d\n%s", code, exitUsage, stderr)
	}
	missing := filepath.Join(dir, "typo.duckdb")
	if code, _, stderr := runCLI(t, "features", "--db", missing); code != exitNoAccess || !strings.Contains(stderr, "no warehouse") {
		t.Errorf("a warehouse that does not exist: exit %d, want %d\n%s", code, exitNoAccess, stderr)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("features created a warehouse")
	}
}

// TestLoadExitsWithAnalyticsStatus makes the features fail during a load:
// the study is loaded, its line says so, and the exit status is the
// analytics one.
func TestLoadExitsWithAnalyticsStatus(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	breakSampleMedian(t, db)
	code, out, stderr := runCLI(t, "load", "--db", db, craftStudy(t, dir, "GSE1", false))
	if code != exitAnalytics || !strings.Contains(lineOf(out, "GSE1"), "new, features FAILED") {
		t.Errorf("exit %d, want %d\n%s%s", code, exitAnalytics, out, stderr)
	}
	if code, out, _ := runCLI(t, "query", "--db", db, "SELECT COUNT(*) AS facts FROM fact_gene_expression"); code != exitOK || !strings.Contains(out, "90") {
		t.Errorf("the study's facts are not loaded:\n%s", out)
	}
}

// TestFailedFeaturesPrintNoCounts makes a study's features fail: its
// transaction rolled back, so its line shows no counts.
func TestFailedFeaturesPrintNoCounts(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	if code, out, stderr := runCLI(t, "load", "--db", db, craftStudy(t, dir, "GSE1", false)); code != exitOK {
		t.Fatalf("load: exit %d\n%s%s", code, out, stderr)
	}
	breakSampleMedian(t, db)
	code, out, stderr := runCLI(t, "features", "--db", db, "GSE1")
	f := strings.Fields(lineOf(out, "GSE1"))
	if code != exitAnalytics || len(f) != 7 || f[1] != "FAILED" {
		t.Fatalf("features with a feature missing from the catalog: exit %d\n%s%s", code, out, stderr)
	}
	if f[3] != "-" || f[4] != "-" || f[5] != "-" {
		t.Errorf("FAILED line %q: want - for VALUES, FEATURES and PAIRS", lineOf(out, "GSE1"))
	}
}

func lineOf(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix+" ") {
			return l
		}
	}
	return ""
}

// breakSampleMedian removes a feature from the warehouse's catalog, so that
// computing features fails in the analytics step.
func breakSampleMedian(t *testing.T, db string) {
	t.Helper()
	w, err := duckdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.DB().Exec(`DELETE FROM meta_feature_catalog WHERE feature_name = 'sample_median'`)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
}
