package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestMatrixFindingPrintedOnce: a finding of a matrix, in the report of
// each of its studies, is printed once by load and by validate; a
// finding of each study is printed for each.
func TestMatrixFindingPrintedOnce(t *testing.T) {
	matrix := &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityWarning, File: "HOMO_SAPIENS.tsv", Line: 1,
		Msg: "1 column (GSM9) belongs to no experiment the metadata names"}
	own := func(study string) *qc.Error {
		return &qc.Error{Code: qc.GeneCountLow, Severity: qc.SeverityWarning, Study: study, Msg: "few genes in " + study}
	}
	rep := &genexp.Report{}
	for _, s := range []string{"GSE1", "GSE2", "GSE3"} {
		rep.Studies = append(rep.Studies, genexp.StudyReport{Study: s, Outcome: warehouse.Inserted, Findings: []*qc.Error{matrix, own(s)}})
	}
	var load, validate bytes.Buffer
	printReport(&load, rep)
	printChecks(&validate, rep, false)
	for name, out := range map[string]string{"load": load.String(), "validate": validate.String()} {
		if n := strings.Count(out, "belongs to no experiment"); n != 1 {
			t.Errorf("%s prints the matrix's finding %d times:\n%s", name, n, out)
		}
		if n := strings.Count(out, "few genes in"); n != 3 {
			t.Errorf("%s prints %d of the 3 studies' own findings:\n%s", name, n, out)
		}
	}
}

// TestMatrixOfTitlesReasonPrintedOnce: a matrix whose columns are all
// titles, given without its metadata, prints its one reason once, as the
// study's failure, not again as a finding below it (the log on stderr
// has its own records).
func TestMatrixOfTitlesReasonPrintedOnce(t *testing.T) {
	dir := t.TempDir()
	lone := filepath.Join(dir, "E-GEOD-39842.tsv")
	src, err := os.ReadFile(filepath.Join("..", "..", "testdata", "refinebio", "early-2018", "E-GEOD-39842.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lone, src, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"validate", lone}, {"load", "--db", filepath.Join(dir, "w.duckdb"), lone}} {
		code, out, stderr := runCLI(t, args...)
		if code != exitFailed {
			t.Errorf("%s: exit %d, want %d\n%s%s", args[0], code, exitFailed, out, stderr)
		}
		if n := strings.Count(out, "none of the matrix's 12 columns is a sample accession"); n != 1 {
			t.Errorf("%s prints the reason %d times:\n%s%s", args[0], n, out, stderr)
		}
	}
}
