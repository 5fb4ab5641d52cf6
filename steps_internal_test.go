package genexp

import (
	"errors"
	"slices"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestDownloadStudy names the study of downloads that cannot be opened:
// an accession, or none when neither the error nor the path names one.
func TestDownloadStudy(t *testing.T) {
	sheetErr := &qc.Error{Code: qc.ParseError, File: "/d/GSE71270/metadata_GSE71270.tsv"}
	zipSheetErr := &qc.Error{Code: qc.ParseError, File: "/d/x.zip!E-GEOD-39842/E-GEOD-39842_metadata.tsv"}
	oddSheetErr := &qc.Error{Code: qc.ParseError, File: "/d/data/metadata_mine.tsv"}
	for _, tc := range []struct {
		name, path, pattern string
		err                 error
		want                string
	}{
		{"root", "/", "", errors.New("x"), ""},
		{"current folder", ".", "", errors.New("x"), ""},
		{"parent folder", "..", "", errors.New("x"), ""},
		{"a folder", "/tmp/empty", "", errors.New("x"), ""},
		{"lower case", "/d/gse1", "", errors.New("x"), ""},
		{"study folder", "/d/GSE71270/", "", errors.New("x"), "GSE71270"},
		{"download zip", "/d/E-MTAB-1234.zip", "", errors.New("x"), "E-MTAB-1234"},
		{"matrix", "/d/SRP110235.tsv.gz", "", errors.New("x"), "SRP110235"},
		{"ENA study", "/d/ERP000001", "", errors.New("x"), "ERP000001"},
		{"study the error names", "/", "", &qc.Error{Study: "GSE5"}, "GSE5"},
		{"sheet", "/d/download", "", sheetErr, "GSE71270"},
		{"sheet in a zip", "/d/x.zip", "", zipSheetErr, "E-GEOD-39842"},
		{"sheet naming no accession", "/d/GSE9", "", oddSheetErr, "GSE9"},
		{"configured pattern", "/d/LOCAL-7", `LOCAL-\d+`, errors.New("x"), "LOCAL-7"},
		{"accession outside the configured pattern", "/d/GSE1", `LOCAL-\d+`, errors.New("x"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Processing.StudyCodePattern = tc.pattern
			p, err := New(DryRunSink(nil), WithConfig(cfg))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.downloadStudy(tc.path, tc.err); got != tc.want {
				t.Errorf("downloadStudy(%q, %v) = %q, want %q", tc.path, tc.err, got, tc.want)
			}
		})
	}
}

// TestLatestStepRows keeps, of held process-log rows, the last of each log
// id, in the order those last rows were logged.
func TestLatestStepRows(t *testing.T) {
	rows := []warehouse.StepRecord{
		{LogID: "a", Status: statusRunning}, {LogID: "b", Status: statusRunning},
		{LogID: "a", Status: statusSuccess}, {LogID: "c", Status: statusRunning}, {LogID: "b", Status: statusFailed},
	}
	var got []string
	for _, r := range latest(rows) {
		got = append(got, r.LogID+"="+r.Status)
	}
	want := []string{"a=" + statusSuccess, "c=" + statusRunning, "b=" + statusFailed}
	if !slices.Equal(got, want) {
		t.Errorf("latest = %v, want %v", got, want)
	}
}
