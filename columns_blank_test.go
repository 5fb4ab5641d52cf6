package genexp_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// TestBlankAccessionSaysTheStudyIsRejected: a study folder with a matrix
// and no metadata, whose header holds " GSM1831675". The name is taken
// as an accession the warehouse cannot store (blanks around it): an
// ERROR of the study, which is rejected, and the finding says so rather
// than that only its column is left out. Lowered to a WARNING by
// quality_thresholds.severities, only the column is left out, as the
// finding says too.
func TestBlankAccessionSaysTheStudyIsRejected(t *testing.T) {
	matrix := readFile(t, "testdata/refinebio/GSE71270/GSE71270/GSE71270.tsv")
	header, rest, _ := bytes.Cut(matrix, []byte("\n"))
	padded := bytes.Replace(header, []byte("\tGSM1831675"), []byte("\t GSM1831675"), 1)
	if bytes.Equal(padded, header) {
		t.Fatal("the header has no column GSM1831675")
	}
	dir := filepath.Join(t.TempDir(), "GSE71270")
	writeFile(t, filepath.Join(dir, "GSE71270.tsv"), append(append(padded, '\n'), rest...))

	for _, tc := range []struct {
		name       string
		severities map[string]string
		rejected   bool
	}{
		{"by default", nil, true},
		{"lowered to a warning", map[string]string{"EXTRACTION_PARSE_ERROR": "WARNING"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := genexp.DefaultConfig()
			cfg.Quality.Severities = tc.severities
			s := loadOne(t, genexp.DryRunSink(nil), cfg, dir)
			var f *qc.Error
			for _, e := range s.Findings {
				if e.Code == qc.ParseError && e.Column == 3 {
					f = e
				}
			}
			if f == nil {
				t.Fatalf("findings %v: none about column 3", s.Findings)
			}
			if !strings.Contains(f.Msg, "study GSE71270 is rejected") || !strings.Contains(f.Msg, "only this column is left out") {
				t.Errorf("finding %q does not say what happens to the study and to the column", f.Msg)
			}
			if got := s.Err != nil; got != tc.rejected {
				t.Fatalf("rejected %v (%v), want %v", got, s.Err, tc.rejected)
			}
			if !tc.rejected && s.Samples != 9 {
				t.Errorf("%d samples loaded, want the 9 other columns", s.Samples)
			}
		})
	}
}
