package genexp

import (
	"strings"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// TestColumnMatchingOnlyByCaseIsNamed: a column whose name is a sample's
// accession (or title) in another case names no sample, as before (GSM1
// and gsm1 could be two samples: linking them would be a guess), but its
// finding says which sample it matches when case is ignored, so the user
// can fix the header or the metadata.
func TestColumnMatchingOnlyByCaseIsNamed(t *testing.T) {
	d := meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1=Control 1", "GSM2=Shock 2", "gsm9=x", "GSM9=y"}})
	header := []string{"gsm1", "SHOCK 2", "GSM2", "gSm9", "nothing"}
	p := resolveColumns(&expression.Header{GeneColumn: "Gene", Names: header}, d, &Matrix{Name: "m.tsv", Folder: "GSE1", Base: "GSE1"}, nil)
	want := map[int64]string{
		2: `column "gsm1" names no sample of the metadata (neither an accession nor a title; it matches sample GSM1 if case is ignored); it is not loaded`,
		3: `column "SHOCK 2" names no sample of the metadata (neither an accession nor a title; it matches the title of sample GSM2 if case is ignored); it is not loaded`,
		5: `it matches 2 samples if case is ignored: sample GSM9, sample gsm9`,
		6: `column "nothing" names no sample of the metadata (neither an accession nor a title); it is not loaded`,
	}
	got := map[int64]*qc.Error{}
	for _, f := range p.findings {
		got[f.Column] = f
	}
	for col, says := range want {
		f := got[col]
		if f == nil || f.Code != qc.SampleMismatch || f.Line != 1 || f.File != "m.tsv" || !strings.Contains(f.Msg, says) {
			t.Errorf("column %d: %v, want SampleMismatch at m.tsv:1:%d saying %q", col, f, col, says)
		}
	}
	if len(p.columns) != 1 || p.columns[0].Sample != "GSM2" {
		t.Errorf("loaded columns %+v, want GSM2 only (no match by case)", p.columns)
	}
}
