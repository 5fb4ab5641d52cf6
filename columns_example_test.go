package genexp_test

import (
	"fmt"
	"log"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
)

// A matrix of an early refine.bio download names its columns by sample
// title; Columns matches each to its sample accession and study, as a
// load does, for a program that reads and melts the matrix itself.
func ExampleDownload_Columns() {
	d, err := genexp.OpenDownload("testdata/refinebio/early-2018")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	m := d.Matrices[0]
	rc, err := m.Open()
	if err != nil {
		log.Fatal(err)
	}
	defer rc.Close()
	r, err := expression.NewReader(rc, expression.WithName(m.Name))
	if err != nil {
		log.Fatal(err)
	}
	cols, findings := d.Columns(m, r.Header())
	for _, c := range cols[:3] {
		fmt.Printf("column %d %q: %s of %s\n", c.Index, r.Header().Names[c.Index], c.Sample, c.Study)
	}
	fmt.Println(len(cols), "columns,", len(findings), "findings")
	// Output:
	// column 0 "7 days post-amputation dnHIF1a-expressing adult zebrafish, sample 3": E-GEOD-39842-GSM980281 of E-GEOD-39842
	// column 1 "Unamputated dnHIF1a-expressing adult zebrafish, sample 2": E-GEOD-39842-GSM980274 of E-GEOD-39842
	// column 2 "Unamputated dnHIF1a-expressing adult zebrafish, sample 1": E-GEOD-39842-GSM980273 of E-GEOD-39842
	// 12 columns, 0 findings
}

// The columns of a SPECIES matrix belong to the experiments the metadata
// names, not to the matrix's folder; nil arguments give none.
func TestDownloadColumns(t *testing.T) {
	d, err := genexp.OpenDownload("testdata/refinebio/species")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m := d.Matrices[0]
	rc, err := m.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	r, err := expression.NewReader(rc, expression.WithName(m.Name))
	if err != nil {
		t.Fatal(err)
	}
	cols, findings := d.Columns(m, r.Header())
	per := map[string]int{}
	for i, c := range cols {
		per[c.Study]++
		if i > 0 && c.Index < cols[i-1].Index {
			t.Errorf("column %d after %d: not in matrix order", c.Index, cols[i-1].Index)
		}
		if d.Metadata.Sample(c.Sample) == nil {
			t.Errorf("column %d: sample %q is none of the metadata's", c.Index, c.Sample)
		}
	}
	if len(findings) != 0 || len(per) != 2 || per["E-GEOD-39842"] != 12 || per["GSE71270"] != 10 {
		t.Errorf("columns per study %v, findings %v; want E-GEOD-39842 12, GSE71270 10, none", per, findings)
	}
	if cols, findings := d.Columns(nil, r.Header()); cols != nil || findings != nil {
		t.Errorf("a nil matrix: %v %v", cols, findings)
	}
	if cols, findings := d.Columns(m, nil); cols != nil || findings != nil {
		t.Errorf("a nil header: %v %v", cols, findings)
	}
}
