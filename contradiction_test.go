package genexp_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// A sheet that describes a sample otherwise than the JSON does is a
// WARNING naming every field that differs, not only the first: a disease
// told apart after a title was left unsaid. Long values alike but for
// their ends are cut so that the difference shows.
func TestContradictionNamesEveryField(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dl")
	long := "Unamputated dnHIF1a-expressing adult zebrafish fin, replicate "
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"aggregate_by": "EXPERIMENT",
 "experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["GSM1", "GSM2"]}},
 "samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_title": "patient 0", "refinebio_disease": "healthy"},
  "GSM2": {"refinebio_accession_code": "GSM2", "refinebio_title": "`+long+`3"}}}`))
	writeFile(t, filepath.Join(dir, "GSE1", "metadata_GSE1.tsv"), []byte("refinebio_accession_code\texperiment_accession\trefinebio_title\trefinebio_disease\n"+
		"GSM1\tGSE1\tpatient zero\tsepsis\nGSM2\tGSE1\t"+long+"4\t\n"))
	writeMatrix(t, filepath.Join(dir, "GSE1", "GSE1.tsv"), 4, []string{"GSM1", "GSM2"})
	d, err := genexp.OpenDownload(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var msg string
	for _, f := range d.Findings {
		if f.Code == qc.DuplicateSamples && strings.Contains(f.Msg, "described otherwise here") {
			msg = f.Msg
		}
	}
	for _, want := range []string{
		`GSM1's title "patient 0" in the JSON, "patient zero" in the sheet, disease "healthy" in the JSON, "sepsis" in the sheet`,
		`GSM2's title "...replicate 3" in the JSON, "...replicate 4" in the sheet`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("finding %q does not say %q", msg, want)
		}
	}
}
