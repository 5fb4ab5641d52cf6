package genexp_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestStudyInTwoMatricesOfARun: a study held by two differently named
// matrices of one run (the species download's DANIO_RERIO.tsv and the
// quickstart copy of GSE71270) loads from the first matrix the run reads;
// the later matrix's samples of it fail with a 2004 ERROR naming both
// matrices, and its other studies still load. The later copy used to
// replace the first, the winner chosen by how folder names sort.
func TestStudyInTwoMatricesOfARun(t *testing.T) {
	root := t.TempDir()
	dl := filepath.Join(root, "dl")
	copyTree(t, "testdata/refinebio/species", dl, nil)
	copyTree(t, "testdata/refinebio/quickstart", dl, nil)
	species := filepath.Join(dl, "DANIO_RERIO", "DANIO_RERIO.tsv")
	quick := filepath.Join(dl, "GSE71270", "GSE71270.tsv")
	speciesOnly := filepath.Join(root, "species")
	copyTree(t, "testdata/refinebio/species", speciesOnly, nil)

	cases := []struct {
		name  string
		paths []string
		// first is the matrix GSE71270 loads from, later the one refused;
		// facts are GSE71270's rows from first.
		first, later string
		facts        int64
	}{
		{"one download, species folder sorts first", []string{dl}, species, quick, 10 * 300},
		{"two paths, quickstart first", []string{"testdata/refinebio/quickstart", speciesOnly},
			filepath.Join("testdata/refinebio/quickstart", "GSE71270", "GSE71270.tsv"),
			filepath.Join(speciesOnly, "DANIO_RERIO", "DANIO_RERIO.tsv"), 10 * 1200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			p, err := genexp.New(w)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), tc.paths...)
			if err != nil || len(rep.Errors) > 0 {
				t.Fatalf("Load: %v %v", err, rep.Errors)
			}
			var loaded, refused, other int
			for _, s := range rep.Studies {
				switch {
				case s.Study == "E-GEOD-39842":
					other++
					if s.Err != nil || s.Outcome != warehouse.Inserted {
						t.Errorf("E-GEOD-39842: outcome %q, err %v; want new", s.Outcome, s.Err)
					}
				case s.Study == "GSE71270" && s.Matrix == tc.first:
					loaded++
					if s.Err != nil || s.Outcome != warehouse.Inserted {
						t.Errorf("GSE71270 from %s: outcome %q, err %v; want new", s.Matrix, s.Outcome, s.Err)
					}
				case s.Study == "GSE71270" && s.Matrix == tc.later:
					refused++
					var e *qc.Error
					if !errors.As(s.Err, &e) || e.Code != qc.DuplicateSamples || e.Severity != qc.SeverityError ||
						e.File != tc.later || e.Study != "GSE71270" {
						t.Fatalf("GSE71270 from %s: err %#v, want a 2004 ERROR on that file", s.Matrix, s.Err)
					}
					for _, m := range []string{tc.first, tc.later} {
						if !strings.Contains(e.Error(), m) {
							t.Errorf("%q does not name %s", e.Error(), m)
						}
					}
					if s.Outcome != "" || s.Rows != 0 {
						t.Errorf("refused copy: outcome %q, %d rows", s.Outcome, s.Rows)
					}
				default:
					t.Errorf("unexpected report: %s from %s (%v)", s.Study, s.Matrix, s.Err)
				}
			}
			if loaded != 1 || refused != 1 || other != 1 {
				t.Fatalf("GSE71270 loaded %d, refused %d; E-GEOD-39842 %d; want 1 each", loaded, refused, other)
			}
			if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression f JOIN dim_study s USING (study_key)
				WHERE s.study_accession_code = 'GSE71270'`); n != tc.facts {
				t.Errorf("GSE71270 has %d facts, want %d (the first matrix's)", n, tc.facts)
			}
			if n := count(t, w, `SELECT COUNT(*) FROM meta_batch b JOIN dim_study s USING (study_key)
				WHERE s.study_accession_code = 'GSE71270'`); n != 1 {
				t.Errorf("GSE71270 has %d batches, want 1", n)
			}
			if n := count(t, w, `SELECT COUNT(*) FROM meta_data_validation_log WHERE study_accession_code = 'GSE71270'
				AND validation_code = 2004 AND severity = 'ERROR' AND file_name = '`+tc.later+`'`); n != 1 {
				t.Errorf("%d 2004 ERROR rows logged for the later matrix, want 1", n)
			}
		})
	}
}
