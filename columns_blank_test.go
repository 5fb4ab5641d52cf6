package genexp_test

import (
	"bytes"
	"fmt"
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

// TestBlankPaddedColumnWithMetadata: with the metadata beside it, a column
// whose name is a sample's accession or title with blanks around it (a
// trailing no-break space, a leading space, as spreadsheets leave them)
// loads as that sample, and an INFO finding at the column says that the
// header was read without its blanks: nothing is left out, nothing passes
// unseen.
func TestBlankPaddedColumnWithMetadata(t *testing.T) {
	src := "testdata/refinebio/GSE71270/GSE71270/"
	matrix := readFile(t, src+"GSE71270.tsv")
	header, rest, _ := bytes.Cut(matrix, []byte("\n"))
	padded := bytes.Replace(header, []byte("\tGSM1831675\t"), []byte("\tGSM1831675\u00a0\t"), 1)
	padded = bytes.Replace(padded, []byte("\tGSM1831684"), []byte("\t Kidney marrow_Control-zebrafish_5"), 1)
	if bytes.Count(padded, []byte("\u00a0")) != 1 || !bytes.Contains(padded, []byte(" Kidney")) {
		t.Fatalf("header %q: the columns to pad are not where expected", header)
	}
	dir := filepath.Join(t.TempDir(), "GSE71270")
	writeFile(t, filepath.Join(dir, "GSE71270.tsv"), append(append(padded, '\n'), rest...))
	writeFile(t, filepath.Join(dir, "metadata_GSE71270.tsv"), readFile(t, src+"metadata_GSE71270.tsv"))

	s := loadOne(t, genexp.DryRunSink(nil), genexp.DefaultConfig(), dir)
	if s.Err != nil || s.Samples != 10 {
		t.Fatalf("loaded %d samples (%v), want all 10", s.Samples, s.Err)
	}
	want := map[int64]string{3: "GSM1831675", 11: "GSM1831684"}
	for _, f := range s.Findings {
		if f.Code != qc.SampleMismatch {
			continue
		}
		acc, ok := want[f.Column]
		if !ok || f.Severity != qc.SeverityInfo || f.Line != 1 || !strings.Contains(f.Msg, "blanks around") || !strings.Contains(f.Msg, "sample "+acc) {
			t.Errorf("unexpected finding %v", f)
			continue
		}
		delete(want, f.Column)
	}
	if len(want) > 0 {
		t.Errorf("no INFO finding for the padded columns %v; findings %v", want, s.Findings)
	}
}

// TestManyPaddedColumnsAllLoad: 25 columns, each a known sample with a
// blank before its name. All load; each padded name is said (INFO) under a
// cap of its own, and no column is reported as unmatched.
func TestManyPaddedColumnsAllLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "GSE999999")
	var hdr, row, meta strings.Builder
	hdr.WriteString("Gene")
	row.WriteString("G1")
	meta.WriteString("refinebio_accession_code\trefinebio_organism\trefinebio_title\n")
	for i := 1; i <= 25; i++ {
		fmt.Fprintf(&hdr, "\t GSM99%04d", i)
		fmt.Fprintf(&row, "\t%d.5", i)
		fmt.Fprintf(&meta, "GSM99%04d\tHOMO_SAPIENS\tsample %d\n", i, i)
	}
	writeFile(t, filepath.Join(dir, "GSE999999.tsv"), []byte(hdr.String()+"\n"+row.String()+"\n"))
	writeFile(t, filepath.Join(dir, "metadata_GSE999999.tsv"), []byte(meta.String()))
	s := loadOne(t, genexp.DryRunSink(nil), genexp.DefaultConfig(), dir)
	if s.Err != nil || s.Samples != 25 {
		t.Fatalf("%d samples loaded (%v), want 25", s.Samples, s.Err)
	}
	padded, more := 0, 0
	for _, f := range s.Findings {
		switch {
		case f.Code != qc.SampleMismatch:
			// One gene per sample: 2002 says so.
		case f.Severity != qc.SeverityInfo:
			t.Errorf("finding %s %s: %s; want only INFO findings of the columns", f.Severity, f.Code, f.Msg)
		case strings.Contains(f.Msg, "has blanks around the name"):
			padded++
		case strings.Contains(f.Msg, "5 more columns have blanks around the name"):
			more++
		}
	}
	if padded != 20 || more != 1 {
		t.Errorf("%d findings of a padded name and %d of the rest, want 20 and 1: %v", padded, more, s.Findings)
	}
}
