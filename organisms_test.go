package genexp_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// writeTwoOrganismsALL writes an ALL download whose one matrix holds study
// GSE1 of two human (GSM1, GSM2) and two mouse (GSM3, GSM4) samples, and
// study GSE2 of two human ones (GSM5, GSM6): 40 human gene rows where only
// the human samples hold values, then 40 mouse rows where only the mouse
// ones do, as refine.bio's ALL aggregation joins the organisms' genes. One
// human cell of GSE1 (GSM2's in the first row) is missing.
func writeTwoOrganismsALL(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "all")
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"aggregate_by": "ALL",
 "experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["GSM1", "GSM2", "GSM3", "GSM4"]},
  "GSE2": {"accession_code": "GSE2", "sample_accession_codes": ["GSM5", "GSM6"]}},
 "samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_organism": "HOMO_SAPIENS"},
  "GSM2": {"refinebio_accession_code": "GSM2", "refinebio_organism": "HOMO_SAPIENS"},
  "GSM3": {"refinebio_accession_code": "GSM3", "refinebio_organism": "MUS_MUSCULUS"},
  "GSM4": {"refinebio_accession_code": "GSM4", "refinebio_organism": "MUS_MUSCULUS"},
  "GSM5": {"refinebio_accession_code": "GSM5", "refinebio_organism": "HOMO_SAPIENS"},
  "GSM6": {"refinebio_accession_code": "GSM6", "refinebio_organism": "HOMO_SAPIENS"}}}`))
	columns := []string{"GSM1", "GSM2", "GSM3", "GSM4", "GSM5", "GSM6"}
	human := []bool{true, true, false, false, true, true}
	var b strings.Builder
	b.WriteString("Gene\t" + strings.Join(columns, "\t") + "\n")
	for g := range 80 {
		if g < 40 {
			fmt.Fprintf(&b, "ENSG%08d", g)
		} else {
			fmt.Fprintf(&b, "ENSMUSG%08d", g)
		}
		for c := range columns {
			switch {
			case g == 0 && c == 1, human[c] != (g < 40):
				b.WriteString("\tNA")
			default:
				b.WriteString("\t" + value(g, c))
			}
		}
		b.WriteString("\n")
	}
	writeFile(t, filepath.Join(dir, "ALL", "ALL.tsv"), []byte(b.String()))
	return dir
}

// A study of two organisms in an ALL matrix is counted per organism: each
// sample over the gene rows holding values of the study's samples of its
// organism, so that the other organism's genes, which it cannot measure,
// are not its missing cells (counted so, half of GSE1's cells would be
// missing and the study rejected). Kept as NULL, missing cells are still
// facts of every row, and the QC counts say so, but the share of missing
// cells is taken per organism all the same.
func TestStudyOfTwoOrganismsInALLMatrix(t *testing.T) {
	cases := []struct {
		missing              string
		facts1, cells1       int64 // GSE1's facts, and its QC cells
		missing1             int64
		facts2, cells2, miss int64 // GSE2's
	}{
		{missing: "skip", facts1: 159, cells1: 160, missing1: 1, facts2: 80, cells2: 80, miss: 0},
		{missing: "null", facts1: 320, cells1: 320, missing1: 161, facts2: 160, cells2: 160, miss: 80},
	}
	for _, tc := range cases {
		t.Run(tc.missing, func(t *testing.T) {
			dir := writeTwoOrganismsALL(t)
			cfg := genexp.DefaultConfig()
			cfg.Quality.MinGenesPerSample = 1
			cfg.Processing.MissingValues = tc.missing
			w := openWarehouse(t)
			rep := loadWith(t, w, cfg, dir)
			if len(rep.Studies) != 2 {
				t.Fatalf("report %+v, want GSE1 and GSE2", rep.Studies)
			}
			for _, sr := range rep.Studies {
				if sr.Err != nil || sr.Outcome != warehouse.Inserted {
					t.Fatalf("study %s: outcome %q, error %v; want it loaded", sr.Study, sr.Outcome, sr.Err)
				}
				for _, f := range sr.Findings {
					if errors.Is(f, qc.NullPercentageHigh) {
						t.Errorf("study %s: %v", sr.Study, f)
					}
				}
			}
			for _, c := range []struct {
				study                  string
				facts, cells, missing  int64
				genes, samples, sample int64
			}{
				{"GSE1", tc.facts1, tc.cells1, tc.missing1, 80, 4, 0},
				{"GSE2", tc.facts2, tc.cells2, tc.miss, 40, 2, 0},
			} {
				if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression f JOIN dim_study s USING (study_key) WHERE s.study_accession_code = '`+c.study+`'`); n != c.facts {
					t.Errorf("study %s: %d facts, want %d", c.study, n, c.facts)
				}
				var cells, missing, genes, samples int64
				if err := w.DB().QueryRow(`SELECT q.cell_count, q.missing_cells, q.gene_count, q.sample_count
					FROM meta_study_qc q JOIN dim_study s USING (study_key) WHERE s.study_accession_code = ?`, c.study).Scan(&cells, &missing, &genes, &samples); err != nil {
					t.Fatal(err)
				}
				if tc.missing == "null" {
					c.genes = 80 // every row's facts are kept
				}
				if cells != c.cells || missing != c.missing || genes != c.genes || samples != c.samples {
					t.Errorf("study %s QC: %d cells, %d missing, %d genes, %d samples; want %d, %d, %d, %d",
						c.study, cells, missing, genes, samples, c.cells, c.missing, c.genes, c.samples)
				}
			}
			ks := rep.Studies[0].KS
			if rep.Studies[0].Study != "GSE1" || ks == nil || len(ks.Samples) != 4 || ks.Pool != 2*40-1 && ks.Pool != 2*40 {
				t.Fatalf("GSE1's KS check %+v, want its 4 samples, each against its organism's pool of 79 or 80 values", ks)
			}
		})
	}
}

// Past the limit, the share of a study of two organisms' missing cells is
// reported as taken per organism.
func TestStudyOfTwoOrganismsMissingTooMany(t *testing.T) {
	dir := writeTwoOrganismsALL(t)
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	cfg.Quality.MaxNullPercentage = 0.001 // one missing cell of GSE1's 160 is 0.625%
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, dir)
	if len(rep.Studies) != 2 || rep.Studies[0].Study != "GSE1" {
		t.Fatalf("report %+v, want GSE1 and GSE2", rep.Studies)
	}
	var e *qc.Error
	if !errors.As(rep.Studies[0].Err, &e) || e.Code != qc.NullPercentageHigh ||
		!strings.Contains(e.Msg, "(1 of 160, each sample's in the gene rows holding any value of the study's samples of its organism;") {
		t.Fatalf("GSE1: %v, want a NullPercentageHigh error over 160 cells taken per organism", rep.Studies[0].Err)
	}
	if sr := rep.Studies[1]; sr.Err != nil || sr.Outcome != warehouse.Inserted {
		t.Fatalf("GSE2: outcome %q, error %v; want it loaded", sr.Outcome, sr.Err)
	}
}

// A sample of no known organism in a study of two is counted over every
// gene row holding a value of its study, as in a study of one organism: its
// organism's rows cannot be told from the other's. Here GSM2, whose
// organism the metadata leaves out, holds values in 39 of GSE1's 80 rows
// and has 41 missing cells beside GSM1's 40 human, GSM3's and GSM4's 40
// mouse cells.
func TestStudyOfTwoOrganismsSampleOfNone(t *testing.T) {
	dir := writeTwoOrganismsALL(t)
	meta := filepath.Join(dir, "aggregated_metadata.json")
	b, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	const gsm2 = `"GSM2": {"refinebio_accession_code": "GSM2", "refinebio_organism": "HOMO_SAPIENS"}`
	if !bytes.Contains(b, []byte(gsm2)) {
		t.Fatal("writeTwoOrganismsALL changed: GSM2's record not found")
	}
	writeFile(t, meta, bytes.Replace(b, []byte(gsm2), []byte(`"GSM2": {"refinebio_accession_code": "GSM2"}`), 1))
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	cfg.Quality.MaxNullPercentage = 0.5
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, dir)
	if len(rep.Studies) != 2 || rep.Studies[0].Study != "GSE1" || rep.Studies[0].Err != nil {
		t.Fatalf("report %+v, want GSE1 loaded", rep.Studies)
	}
	var cells, missing int64
	if err := w.DB().QueryRow(`SELECT q.cell_count, q.missing_cells FROM meta_study_qc q JOIN dim_study s USING (study_key)
		WHERE s.study_accession_code = 'GSE1'`).Scan(&cells, &missing); err != nil {
		t.Fatal(err)
	}
	if cells != 200 || missing != 41 {
		t.Errorf("GSE1 QC: %d cells, %d missing; want 200 and 41 (GSM2 over all 80 of the study's rows)", cells, missing)
	}
}
