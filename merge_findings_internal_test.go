package genexp

import (
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// TestAppendNewFindings: the findings a merge of a folder's zips makes
// (two zips disagreeing on a sample's study) reach the download's
// findings; those of its inputs, already reported, and one an earlier
// merge of the same files made, are not repeated.
func TestAppendNewFindings(t *testing.T) {
	sheet := func(name, study string) *metadata.Dataset {
		t.Helper()
		d, err := metadata.ParseTSV(strings.NewReader("refinebio_accession_code\texperiment_accession\nGSM1\t"+study+"\n"), name, study)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b := sheet("a/metadata_GSE1.tsv", "GSE1"), sheet("b/metadata_GSE2.tsv", "GSE2")
	inputFinding := &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityWarning, File: "a/metadata_GSE1.tsv", Msg: "reported with its file"}
	a.Findings = append(a.Findings, inputFinding)
	merged := metadata.Merge(a, b)
	if len(merged.Findings) != 2 {
		t.Fatalf("merge findings %v, want the input's and the membership's", merged.Findings)
	}
	have := []*qc.Error{inputFinding}
	have = appendNewFindings(have, merged.Findings, []*metadata.Dataset{a, b})
	if len(have) != 2 || !strings.Contains(have[1].Msg, "sample GSM1 is in GSE1") {
		t.Fatalf("findings %v, want the membership's added once", have)
	}
	again := appendNewFindings(slices.Clone(have), metadata.Merge(a, b).Findings, []*metadata.Dataset{a, b})
	if len(again) != 2 {
		t.Errorf("a second merge of the same files repeated its finding: %v", again)
	}
}
