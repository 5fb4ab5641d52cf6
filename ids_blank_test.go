package genexp

import (
	"slices"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestResolveColumnsBlanksAroundAccessions: an accession with blanks
// around it would be one key in SQL Server (which pads the shorter string
// with spaces when comparing) and another in DuckDB. A header name taken
// as an accession (no metadata) is refused at its column; a name matched
// to the metadata is matched without its blanks, and the metadata's
// accession is what is loaded, with an INFO finding that says so.
func TestResolveColumnsBlanksAroundAccessions(t *testing.T) {
	for _, tc := range []struct {
		name     string
		d        *metadata.Dataset
		base     string
		header   []string
		want     []warehouse.Column
		findings []wantFinding
	}{
		{
			name: "no metadata: a padded name is refused", d: &metadata.Dataset{}, base: "GSE1",
			header:   []string{"GSM1 ", "GSM2", "\u00a0GSM3"},
			want:     []warehouse.Column{{Index: 1, Sample: "GSM2", Study: "GSE1"}},
			findings: []wantFinding{{qc.ParseError, qc.SeverityError, 2, `sample accession "GSM1 " ends with a space`}, {qc.ParseError, qc.SeverityError, 4, "begins with the blank character U+00A0"}},
		},
		{
			name: "metadata: a padded name resolves to the accession", d: meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1=a", "GSM2=b"}}), base: "GSE1",
			header: []string{"GSM1 ", " GSM2"},
			want:   []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}, {Index: 1, Sample: "GSM2", Study: "GSE1"}},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityInfo, 2, `column "GSM1 " has blanks around the name; read as GSM1, sample GSM1`},
				{qc.SampleMismatch, qc.SeverityInfo, 3, `column " GSM2" has blanks around the name; read as GSM2, sample GSM2`}},
		},
		{
			name: "a study folder with a trailing space", d: &metadata.Dataset{}, base: "GSE1 ",
			header: []string{"GSM1", "GSM2"},
			// not the accession GSE1: without metadata, no study
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityError, 0, `its file name "GSE1 " is no study accession`}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Matrix{Name: "m.tsv", Folder: tc.base, Base: tc.base}
			p := resolveColumns(&expression.Header{GeneColumn: "Gene", Names: tc.header}, tc.d, m, nil)
			if !slices.Equal(p.columns, tc.want) {
				t.Errorf("columns\n got %+v\nwant %+v", p.columns, tc.want)
			}
			checkFindings(t, p.findings, tc.findings)
		})
	}
}
