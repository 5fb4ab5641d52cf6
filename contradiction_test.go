package genexp_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// contradictionOf opens the download at dir and returns it, closed when
// the test ends, with the message of its warning that a sample is
// described otherwise in two files ("" when it has none).
func contradictionOf(t *testing.T, dir string) (*genexp.Download, string) {
	t.Helper()
	d, err := genexp.OpenDownload(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	var msg string
	for _, f := range d.Findings {
		if f.Code == qc.DuplicateSamples && strings.Contains(f.Msg, "described otherwise here") {
			msg = f.Msg
		}
	}
	return d, msg
}

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
	_, msg := contradictionOf(t, dir)
	for _, want := range []string{
		`GSM1's title "patient 0" in the JSON, "patient zero" in the sheet, disease "healthy" in the JSON, "sepsis" in the sheet`,
		`GSM2's title "...replicate 3" in the JSON, "...replicate 4" in the sheet`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("finding %q does not say %q", msg, want)
		}
	}
}

// An experiment accession written in two cases (gse1 in the JSON, GSE1 in
// the folder's sheet) is one study, in capitals, with a WARNING: it was
// two, the samples' facts stored under each (and a SQL Server warehouse,
// comparing without case, could not hold them apart).
func TestExperimentWrittenInTwoCasesIsOneStudy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dl")
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"aggregate_by": "SPECIES",
 "experiments": {"gse1": {"accession_code": "gse1", "title": "Sepsis", "sample_accession_codes": ["GSM1", "GSM2"]}},
 "samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_organism": "HOMO_SAPIENS"},
  "GSM2": {"refinebio_accession_code": "GSM2", "refinebio_organism": "HOMO_SAPIENS"}}}`))
	writeFile(t, filepath.Join(dir, "HOMO_SAPIENS", "metadata_HOMO_SAPIENS.tsv"), []byte("refinebio_accession_code\texperiment_accession\n"+
		"GSM1\tGSE1\nGSM2\tGSE1\n"))
	writeMatrix(t, filepath.Join(dir, "HOMO_SAPIENS", "HOMO_SAPIENS.tsv"), 40, []string{"GSM1", "GSM2"})
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, dir)
	if len(rep.Studies) != 1 || rep.Studies[0].Study != "GSE1" || rep.Studies[0].Err != nil {
		t.Fatalf("studies %+v, want GSE1 alone, loaded", rep.Studies)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 80 {
		t.Errorf("%d facts, want 80", n)
	}
	var title string
	if err := w.DB().QueryRow(`SELECT study_title FROM dim_study WHERE study_accession_code = 'GSE1'`).Scan(&title); err != nil || title != "Sepsis" {
		t.Errorf("GSE1's title %q (%v), want the JSON's", title, err)
	}
	found := false
	for _, f := range rep.Findings {
		found = found || f.Code == qc.SampleMismatch && strings.Contains(f.Msg, "experiment GSE1 is written in more than one case: gse1 (")
	}
	if !found {
		t.Errorf("no finding says GSE1 is written in two cases: %v", rep.Findings)
	}
}

// A SPECIES download's metadata_<ORGANISM>.json that describes a sample
// otherwise than aggregated_metadata.json is a WARNING too: the first JSON
// read is loaded, and the other's edit was dropped in silence.
func TestTwoJSONsThatDisagreeAreReported(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dl")
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"aggregate_by": "SPECIES",
 "experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["GSM1", "GSM2"]}},
 "samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_title": "patient 0", "refinebio_disease": "healthy"},
  "GSM2": {"refinebio_accession_code": "GSM2", "refinebio_title": "patient 1"}}}`))
	writeFile(t, filepath.Join(dir, "HOMO_SAPIENS", "metadata_HOMO_SAPIENS.json"), []byte(`{"species": "HOMO_SAPIENS", "samples": [
 {"refinebio_accession_code": "GSM1", "refinebio_title": "patient 0", "refinebio_disease": "sepsis"},
 {"refinebio_accession_code": "GSM2", "refinebio_title": "patient 1"}]}`))
	writeMatrix(t, filepath.Join(dir, "HOMO_SAPIENS", "HOMO_SAPIENS.tsv"), 4, []string{"GSM1", "GSM2"})
	d, msg := contradictionOf(t, dir)
	want := `1 sample is described otherwise here than in ` + filepath.Join(dir, "aggregated_metadata.json") + ` (GSM1's disease "healthy" in aggregated_metadata.json, "sepsis" here); the description of`
	if !strings.Contains(msg, want) {
		t.Errorf("finding %q, want it to say %q", msg, want)
	}
	if s := d.Metadata.Sample("GSM1"); s == nil || s.Disease != "healthy" {
		t.Errorf("GSM1 %+v, want aggregated_metadata.json's disease loaded", s)
	}
}

// A study folder and matrix named in lower case (gse71270/gse71270.tsv)
// whose sheet writes the study in capitals are that study: merging the two
// spellings into GSE71270 left the matrix named for no study, and a sample
// another sheet lists under GSE99999 spread its column there too.
func TestLowerCaseStudyFolderIsItsStudy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dl")
	copyTree(t, "testdata/refinebio/quickstart/GSE71270", filepath.Join(dir, "gse71270"), func(rel string) string {
		return strings.ReplaceAll(rel, "GSE71270", "gse71270")
	})
	// the sheet names its study in capitals; another sheet lists one of
	// its samples
	sheet := filepath.Join(dir, "gse71270", "metadata_gse71270.tsv")
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(readFile(t, sheet)), "\r\n", "\n"), "\n"), "\n")
	lines[0] += "\texperiment_accession"
	for i := 1; i < len(lines); i++ {
		lines[i] += "\tGSE71270"
	}
	writeFile(t, sheet, []byte(strings.Join(lines, "\n")+"\n"))
	writeFile(t, filepath.Join(dir, "GSE99999", "metadata_GSE99999.tsv"), []byte(lines[0]+"\n"+lines[1]+"\n"))
	cfg := genexp.DefaultConfig()
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, dir)
	if len(rep.Studies) != 1 || rep.Studies[0].Study != "GSE71270" || rep.Studies[0].Err != nil || rep.Studies[0].Samples != 10 {
		t.Fatalf("studies %+v (errors %v), want GSE71270 alone, its 10 samples loaded", rep.Studies, rep.Errors)
	}
}
