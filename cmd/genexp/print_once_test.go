package main

import (
	"bytes"
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
