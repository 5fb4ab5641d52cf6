package metadata_test

import (
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// TestRepeatedSheetColumnsThatDisagree: a second genotype/variation
// column (hand-added, or a spreadsheet's copy) was merged in silence, and
// its values reached the classifier beside the first's. When the two
// give a sample different values the sheet has a WARNING at line 1, the
// second column, naming both columns and the first such sample; columns
// that agree (or leave a cell empty) say nothing.
func TestRepeatedSheetColumnsThatDisagree(t *testing.T) {
	const head = "refinebio_accession_code\tgenotype/variation\ttissue\tgenotype/variation\n"
	d, err := metadata.ParseTSV(strings.NewReader(head+
		"GSM1\tcontrol\tblood\tcontrol\n"+
		"GSM2\tcontrol\tblood\tseptic shock\n"+
		"GSM3\tmutant\tblood\t\n"+
		"GSM4\tmutant\tblood\tcontrol\n"), "metadata_GSE1.tsv", "GSE1")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Findings) != 1 {
		t.Fatalf("findings %v, want one", d.Findings)
	}
	f := d.Findings[0]
	if f.Code != qc.InvalidFormat || f.Severity != qc.SeverityWarning || f.File != "metadata_GSE1.tsv" || f.Line != 1 || f.Column != 4 || f.Study != "GSE1" {
		t.Errorf("finding %+v, want a WARNING at metadata_GSE1.tsv:1:4 of GSE1", f)
	}
	for _, s := range []string{`columns 2 ("genotype/variation") and 4 ("genotype/variation")`, "2 samples", "first GSM2, line 3", `"control" and "septic shock"`, "remove or rename"} {
		if !strings.Contains(f.Msg, s) {
			t.Errorf("%q does not say %q", f.Msg, s)
		}
	}
	// Merged with other metadata, the finding stays.
	if m := metadata.Merge(&metadata.Dataset{}, d); len(m.Findings) != 1 || m.Findings[0] != f {
		t.Errorf("Merge kept findings %v", m.Findings)
	}

	d, err = metadata.ParseTSV(strings.NewReader(head+"GSM1\tcontrol\tblood\tcontrol\nGSM2\t\tblood\tmutant\n"), "metadata_GSE1.tsv", "GSE1")
	if err != nil || len(d.Findings) != 0 {
		t.Errorf("columns that agree: %v, findings %v", err, d.Findings)
	}
}
