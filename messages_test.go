package genexp_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// What a study's failure and findings say is true of the case, and said
// once.
func TestFindingMessages(t *testing.T) {
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1

	t.Run("no column matches: the code once", func(t *testing.T) {
		w := openWarehouse(t)
		cr := crafted{study: "GSE51", genes: 40, columns: []string{"A", "B", "C"}, sheet: samples("GSM", 3)}
		rep := loadWith(t, w, cfg, cr.write(t, t.TempDir()))
		msg := rep.Studies[0].Err.Error()
		// The code as the message tags it: the temporary folder's name
		// is digits too, and held "2001" once.
		if n := strings.Count(msg, "[2001 "); n != 1 || !strings.Contains(msg, `column "A" names no sample`) {
			t.Errorf("error %q: code printed %d times, or the first unmatched column not named", msg, n)
		}
	})

	t.Run("duplicate column, an ERROR: no claim it loads", func(t *testing.T) {
		w := openWarehouse(t)
		cr := crafted{study: "GSE52", genes: 40, columns: []string{"GSM1", "GSM2", "GSM3", "GSM2"}, sheet: samples("GSM", 3)}
		rep := loadWith(t, w, cfg, cr.write(t, t.TempDir()))
		sr := rep.Studies[0]
		if msg := fmt.Sprint(sr.Err); sr.Err == nil || !strings.Contains(msg, "[2004 ") || strings.Contains(msg, "is kept") ||
			strings.Contains(msg, "loaded from") || !strings.Contains(msg, "remove or rename one of them") {
			t.Errorf("rejected study's error: %v", sr.Err)
		}
	})

	t.Run("a sheet's duplicate is not called a matrix column", func(t *testing.T) {
		if s := qc.DuplicateSamples.Summary(); strings.Contains(s, "column") {
			t.Errorf("2004 summary %q speaks of columns; the sample may repeat on a sheet", s)
		}
	})

	t.Run("many duplicate genes: a few listed, all logged", func(t *testing.T) {
		w := openWarehouse(t)
		// 40 of 400 rows repeat a gene: over the 5% limit, so an ERROR
		// summary and 40 row findings.
		cr := crafted{study: "GSE53", genes: 400, columns: samples("GSM", 3), sheet: samples("GSM", 3),
			gene: func(g int) string {
				if g%10 == 9 {
					g--
				}
				return fmt.Sprintf("ENSG%08d", g)
			}}
		rep := loadWith(t, w, cfg, cr.write(t, t.TempDir()))
		sr := rep.Studies[0]
		rows, notes := 0, 0
		for _, f := range sr.Findings {
			switch {
			case f.Code == qc.DuplicateGenes && f.Line > 0:
				rows++
			case f.Code == qc.DuplicateGenes && strings.HasPrefix(f.Msg, "and 35 more rows"):
				notes++
			}
		}
		if rows != 5 || notes != 1 {
			t.Errorf("report lists %d row findings and %d notes, want 5 and 1: %v", rows, notes, sr.Findings)
		}
		logged := count(t, w, `SELECT COUNT(*) FROM meta_data_validation_log WHERE study_accession_code = 'GSE53' AND validation_code = 2005 AND line_no IS NOT NULL`)
		summary := count(t, w, `SELECT COUNT(*) FROM meta_data_validation_log WHERE study_accession_code = 'GSE53' AND validation_code = 2005 AND severity = 'ERROR'`)
		notesLogged := count(t, w, `SELECT COUNT(*) FROM meta_data_validation_log WHERE details LIKE 'and % more rows%'`)
		if logged != 40 || summary != 1 || notesLogged != 0 {
			t.Errorf("validation log: %d row findings (want 40), %d ERROR summaries (want 1), %d notes (want 0)", logged, summary, notesLogged)
		}
	})
}

// A platform string normalization makes nothing of is a 3002 WARNING; a
// known one is not.
func TestUnnormalizedPlatformFinding(t *testing.T) {
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	w := openWarehouse(t)
	cr := crafted{study: "GSE61", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3)}
	folder := cr.write(t, t.TempDir())
	platforms := []string{"Mystery Machine 3000 (mm3k)", "Mystery Machine 3000 (mm3k)", "Illumina HiSeq 2500 (IlluminaHiSeq2500)"}
	var sheet strings.Builder
	sheet.WriteString("refinebio_accession_code\texperiment_accession\trefinebio_title\trefinebio_platform\n")
	for i, acc := range cr.sheet {
		fmt.Fprintf(&sheet, "%s\t%s\ttitle of %s\t%s\n", acc, cr.study, acc, platforms[i])
	}
	writeFile(t, folder+"/metadata_GSE61.tsv", []byte(sheet.String()))
	rep := loadWith(t, w, cfg, folder)
	sr := rep.Studies[0]
	if sr.Err != nil {
		t.Fatal(sr.Err)
	}
	var got []*qc.Error
	for _, f := range sr.Findings {
		if f.Code == qc.PlatformNormalizationFailed {
			got = append(got, f)
		}
	}
	if len(got) != 1 || got[0].Severity != qc.SeverityWarning || !strings.Contains(got[0].Msg, `"Mystery Machine 3000 (mm3k)" of 2 samples (GSM1, GSM2)`) {
		t.Errorf("3002 findings: %v", got)
	}
	if f := findings(t, w, "GSE61"); f[finding{3002, "WARNING"}] != 1 {
		t.Errorf("validation log %v lacks the 3002 warning", f)
	}
}
