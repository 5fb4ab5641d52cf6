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
	if s := load(t, write(t, 4, 2))["GSE1"]; s.Err != nil {
		t.Errorf("GSE1 missing 20%% of its own cells: %v, want it loaded", s.Err)
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
	if s := load(t, write(t, 5, 1))["GSE1"]; s.Err != nil || nullFinding(s) != nil {
		t.Errorf("one study missing 5 of 80 cells: %+v", s)
	}
}
