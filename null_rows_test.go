package genexp_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// TestMissingShareOverTheStudysRows: in a matrix of several studies (an
// ALL or SPECIES download of organisms or platforms with different
// genes), a row of another study's gene holds none of a study's values
// and is not counted among its missing cells: every study of such a
// matrix failed with 2003 "50% of the study's cells are missing". A study
// missing cells in the rows it does measure still fails, and the message
// says over which rows the share was taken; a matrix of one study counts
// every row, all-missing ones too.
func TestMissingShareOverTheStudysRows(t *testing.T) {
	write := func(t *testing.T, blankOwn int, studies int) string {
		dir := t.TempDir()
		var m strings.Builder
		m.WriteString("Gene\tS1\tS2\tS3\tS4\n")
		for g := range 20 {
			first := g < 10 // GSE1's genes; the rest are GSE2's
			if studies == 1 {
				first = true
			}
			cell := func(own bool, s int) string {
				if !own || (s == 1 && g < blankOwn) {
					return "NA"
				}
				return fmt.Sprintf("%d.5", g+s)
			}
			fmt.Fprintf(&m, "G%02d\t%s\t%s\t%s\t%s\n", g, cell(first, 1), cell(first, 2), cell(!first || studies == 1, 3), cell(!first || studies == 1, 4))
		}
		writeFile(t, filepath.Join(dir, "ALL", "ALL.tsv"), []byte(m.String()))
		sheet := "refinebio_accession_code\texperiment_accession\trefinebio_title\n"
		for s := 1; s <= 4; s++ {
			study := "GSE1"
			if s > 2 && studies == 2 {
				study = "GSE2"
			}
			sheet += fmt.Sprintf("S%d\t%s\tcontrol %d\n", s, study, s)
		}
		writeFile(t, filepath.Join(dir, "ALL", "metadata_ALL.tsv"), []byte(sheet))
		return dir
	}
	load := func(t *testing.T, dir string) map[string]genexp.StudyReport {
		cfg := genexp.DefaultConfig()
		cfg.Quality.MinGenesPerSample, cfg.Quality.MaxNullPercentage = 1, 0.2
		p, err := genexp.New(genexp.DryRunSink(nil), genexp.WithConfig(cfg))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Load(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]genexp.StudyReport{}
		for _, s := range rep.Studies {
			out[s.Study] = s
		}
		return out
	}
	nullFinding := func(s genexp.StudyReport) *qc.Error {
		for _, f := range s.Findings {
			if f.Code == qc.NullPercentageHigh {
				return f
			}
		}
		return nil
	}

	got := load(t, write(t, 0, 2))
	for _, study := range []string{"GSE1", "GSE2"} {
		if s, ok := got[study]; !ok || s.Err != nil || nullFinding(s) != nil {
			t.Errorf("%s of two studies with their own genes: %+v; want it loaded with no 2003 finding", study, s)
		}
	}
	// 4 of GSE1's 20 cells in its 10 rows (20%) pass; 5 (25%) do not
	if s := load(t, write(t, 4, 2))["GSE1"]; s.Err != nil || s.Genes != 10 || s.Cells != 20 || s.Missing != 4 {
		t.Errorf("GSE1 missing 20%% of its own cells: %v, %d genes, %d cells, %d missing; want it loaded, counted over its 10 rows: 20 cells, 4 missing",
			s.Err, s.Genes, s.Cells, s.Missing)
	}
	s := load(t, write(t, 5, 2))["GSE1"]
	if f := nullFinding(s); s.Err == nil || f == nil || !strings.Contains(f.Msg, "25.00% of the study's cells are missing (5 of 20, in the 10 gene rows holding any value of it; 10 more rows hold none") {
		t.Errorf("GSE1 missing 25%% of its own cells: %v, finding %v; want a 2003 error over its 10 rows", s.Err, f)
	}
	// the same matrix with GSE2 filtered out: GSE1 alone is loaded, and
	// GSE2's rows are still none of its cells
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample, cfg.Quality.MaxNullPercentage = 1, 0.2
	cfg.Processing.StudyCodePattern = "GSE1"
	p, err := genexp.New(genexp.DryRunSink(nil), genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), write(t, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Studies {
		if s.Study == "GSE1" && (s.Err != nil || nullFinding(s) != nil) {
			t.Errorf("GSE1 loaded alone from a matrix of two studies: %+v; want it loaded with no 2003 finding", s)
		}
	}
	// one study: 5 of 80 cells (6%) pass, its rows all counted
	if s := load(t, write(t, 5, 1))["GSE1"]; s.Err != nil || nullFinding(s) != nil || s.Genes != 20 || s.Cells != 80 || s.Missing != 5 {
		t.Errorf("one study missing 5 of 80 cells: %+v", s)
	}

	// What the warehouse records says the same as the facts: over the
	// study's own rows when missing cells are skipped; over every row when
	// they are kept as NULL, as the facts then hold every row's.
	dir := write(t, 4, 2)
	for _, tc := range []struct {
		policy                       string
		genes, cells, missing, facts int64
	}{{"skip", 10, 20, 4, 16}, {"null", 20, 40, 24, 40}} {
		w := openWarehouse(t)
		cfg := genexp.DefaultConfig()
		cfg.Quality.MinGenesPerSample, cfg.Quality.MaxNullPercentage = 1, 0.2
		cfg.Processing.MissingValues = tc.policy
		rep := loadWith(t, w, cfg, dir)
		for _, s := range rep.Studies {
			if s.Err != nil {
				t.Fatalf("%s: %s: %v", tc.policy, s.Study, s.Err)
			}
		}
		var genes, cells, missing, facts int64
		if err := w.DB().QueryRow(`SELECT q.gene_count, q.cell_count, q.missing_cells,
			    (SELECT COUNT(*) FROM fact_gene_expression f WHERE f.study_key = q.study_key)
			FROM meta_study_qc q JOIN dim_study st USING (study_key) WHERE st.study_accession_code = 'GSE1'`).Scan(&genes, &cells, &missing, &facts); err != nil {
			t.Fatal(err)
		}
		if genes != tc.genes || cells != tc.cells || missing != tc.missing || facts != tc.facts {
			t.Errorf("missing_values %s: meta_study_qc %d genes, %d cells, %d missing, %d facts; want %d, %d, %d, %d",
				tc.policy, genes, cells, missing, facts, tc.genes, tc.cells, tc.missing, tc.facts)
		}
		if n := count(t, w, `SELECT rows_read FROM meta_etl_process_log WHERE study_accession_code = 'GSE1' AND step = 'extract'`); int64(n) != tc.cells {
			t.Errorf("missing_values %s: the extract step read %d cells, want %d", tc.policy, n, tc.cells)
		}
	}
}
