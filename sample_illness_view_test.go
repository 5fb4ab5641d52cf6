package genexp_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleIllnessView: analytics.vw_sample_illness shows a study's
// exclusion of a sample, and a sample no study holds any more (its column
// dropped by a replacing load) is listed without a study as UNKNOWN, not
// with the label its last load gave it.
func TestSampleIllnessView(t *testing.T) {
	const dropped = "GSM1831680"
	dir := filepath.Join(t.TempDir(), "GSE71270")
	copyTree(t, "testdata/refinebio/GSE71270", dir, nil)
	w := openWarehouse(t)
	load(t, w, dir)
	if n := count(t, w, "SELECT count(*) FROM analytics.vw_sample_illness WHERE sample_accession_code = '"+dropped+"' AND study_accession_code = 'GSE71270' AND illness_label = 'CONTROL' AND NOT exclude_from_analysis"); n != 1 {
		t.Fatalf("%s is not listed under its study as a CONTROL it does not exclude", dropped)
	}

	// The matrix without the sample's column: the study no longer holds it.
	matrix := filepath.Join(dir, "GSE71270", "GSE71270.tsv")
	lines := strings.Split(string(readFile(t, matrix)), "\n")
	col := -1
	for i, name := range strings.Split(lines[0], "\t") {
		if name == dropped {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no column %s", dropped)
	}
	for i, line := range lines {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		lines[i] = strings.Join(append(f[:col:col], f[col+1:]...), "\t")
	}
	writeFile(t, matrix, []byte(strings.Join(lines, "\n")))
	load(t, w, dir)
	if n := count(t, w, "SELECT count(*) FROM analytics.vw_sample_illness WHERE sample_accession_code = '"+dropped+"' AND study_accession_code IS NULL AND illness_label = 'UNKNOWN' AND illness_method IS NULL AND exclude_from_analysis IS NULL"); n != 1 {
		t.Errorf("%s, no study's sample any more, is not listed once without a study as UNKNOWN with no reason", dropped)
	}
	if n := count(t, w, "SELECT count(*) FROM analytics.vw_sample_illness WHERE study_accession_code = 'GSE71270'"); n != 9 {
		t.Errorf("the study lists %d samples, want 9", n)
	}
}
