package genexp_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// gse71270 copies the real GSE71270 slice (10 samples × 300 genes) into a
// fresh folder and returns the study folder, its matrix and its metadata.
func gse71270(t *testing.T) (study, matrix, sheet string) {
	t.Helper()
	study = filepath.Join(t.TempDir(), "GSE71270")
	if err := os.MkdirAll(study, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "testdata/refinebio/GSE71270/GSE71270/"
	sheet = filepath.Join(study, "metadata_GSE71270.tsv")
	matrix = filepath.Join(study, "GSE71270.tsv")
	copyFile(t, src+"metadata_GSE71270.tsv", sheet)
	copyFile(t, src+"GSE71270.tsv", matrix)
	return study, matrix, sheet
}

// editLines rewrites a file line by line.
func editLines(t *testing.T, path string, edit func(i int, line string) (string, bool)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, line := range strings.SplitAfter(string(data), "\n") {
		if l, keep := edit(i, line); keep {
			out = append(out, l)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dryOne runs the pipeline on a DryRunSink of w: what a load would do.
func dryOne(t *testing.T, w *duckdb.Warehouse, cfg genexp.Config, path string) genexp.StudyReport {
	t.Helper()
	return loadOne(t, genexp.DryRunSink(w), cfg, path)
}

// loadOne runs the pipeline on sink over a path holding one study and
// returns that study's report.
func loadOne(t *testing.T, sink warehouse.WarehouseSink, cfg genexp.Config, path string, opts ...genexp.Option) genexp.StudyReport {
	t.Helper()
	p, err := genexp.New(sink, append([]genexp.Option{genexp.WithConfig(cfg)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Studies) != 1 || len(rep.Errors) > 0 {
		t.Fatalf("report: %+v", rep)
	}
	return rep.Studies[0]
}

func hasFinding(fs []*qc.Error, code qc.Code) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

// TestIncompleteLoadIsReplacedOnceComplete: a sample missing from the
// metadata leaves its column out of the first load; once the metadata
// describes it, the same matrix (the same batch id) loads all ten samples
// instead of being taken for a duplicate. Only an identical load is a
// duplicate, and each duplicate is recorded as a 4002 INFO finding.
func TestIncompleteLoadIsReplacedOnceComplete(t *testing.T) {
	study, _, sheet := gse71270(t)
	full, err := os.ReadFile(sheet)
	if err != nil {
		t.Fatal(err)
	}
	editLines(t, sheet, func(_ int, line string) (string, bool) { return line, !strings.HasPrefix(line, "GSM1831676\t") })
	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()

	first := loadOne(t, w, cfg, study)
	if first.Err != nil || first.Outcome != warehouse.Inserted || first.Samples != 9 || first.Rows != 2700 {
		t.Fatalf("first load: outcome %s, samples %d, rows %d, err %v", first.Outcome, first.Samples, first.Rows, first.Err)
	}
	if !hasFinding(first.Findings, qc.SampleMismatch) {
		t.Fatalf("first load lacks the unmatched column's finding: %v", first.Findings)
	}

	if err := os.WriteFile(sheet, full, 0o644); err != nil {
		t.Fatal(err)
	}
	second := loadOne(t, w, cfg, study)
	if second.Err != nil || second.Outcome != warehouse.Replaced || second.BatchID != first.BatchID ||
		second.Rows != 3000 {
		t.Fatalf("complete metadata: outcome %s, batch %s (first %s), rows %d written %d, err %v", second.Outcome,
			second.BatchID, first.BatchID, second.Rows, second.RowsWritten, second.Err)
	}
	if n := count(t, w, `SELECT COUNT(DISTINCT sample_key) FROM fact_gene_expression`); n != 10 {
		t.Fatalf("facts hold %d samples, want 10", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 3000 {
		t.Fatalf("facts = %d, want 3000", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_batch`); n != 1 {
		t.Fatalf("meta_batch rows = %d, want 1 (the batch id is the same)", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_batch WHERE is_current AND rows_written = 3000`); n != 1 {
		t.Fatal("the current batch does not record the complete load")
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_data_validation_log WHERE validation_code = 4002`); n != 0 {
		t.Fatalf("4002 rows = %d before any duplicate", n)
	}

	for i := 1; i <= 2; i++ {
		dup := loadOne(t, w, cfg, study)
		if dup.Err != nil || dup.Outcome != warehouse.Duplicate || dup.Rows != 3000 {
			t.Fatalf("identical load %d: outcome %s, rows %d written %d, err %v", i, dup.Outcome, dup.Rows, dup.RowsWritten, dup.Err)
		}
		if !hasFinding(dup.Findings, qc.BatchDuplicate) {
			t.Fatalf("identical load %d: the report lacks 4002", i)
		}
		if n := count(t, w, `SELECT COUNT(*) FROM meta_data_validation_log WHERE validation_code = 4002 AND severity = 'INFO'
			AND study_accession_code = 'GSE71270' AND batch_id = '`+first.BatchID+`'`); n != int64(i) {
			t.Fatalf("after %d duplicate loads meta_data_validation_log holds %d 4002 INFO rows", i, n)
		}
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 3000 {
		t.Fatalf("facts after duplicates = %d, want 3000", n)
	}
}

// TestMissingPolicyChangeReplaces: the same matrix loaded with its missing
// cells skipped, then kept as NULL, is replaced, not a duplicate.
func TestMissingPolicyChangeReplaces(t *testing.T) {
	study, matrix, _ := gse71270(t)
	editLines(t, matrix, func(i int, line string) (string, bool) {
		if i == 3 || i == 7 {
			f := strings.Split(line, "\t")
			f[2] = "NA"
			return strings.Join(f, "\t"), true
		}
		return line, true
	})
	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()
	skip := loadOne(t, w, cfg, study)
	if skip.Err != nil || skip.Outcome != warehouse.Inserted || skip.Missing != 2 || skip.Rows != 2998 {
		t.Fatalf("skipping: %s, missing %d, rows %d, err %v", skip.Outcome, skip.Missing, skip.Rows, skip.Err)
	}
	cfg.Processing.MissingValues = "null"
	if dry := dryOne(t, w, cfg, study); dry.Outcome != warehouse.Replaced || dry.RowsWritten != 3000 {
		t.Fatalf("dry run keeping as NULL: %s, written %d; want replaced, 3000", dry.Outcome, dry.RowsWritten)
	}
	keep := loadOne(t, w, cfg, study)
	if keep.Err != nil || keep.Outcome != warehouse.Replaced || keep.BatchID != skip.BatchID || keep.Rows != 3000 {
		t.Fatalf("keeping as NULL: %s, batch %s, written %d, err %v", keep.Outcome, keep.BatchID, keep.RowsWritten, keep.Err)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression WHERE expression_value IS NULL`); n != 2 {
		t.Fatalf("NULL facts = %d, want 2", n)
	}
	if dry := dryOne(t, w, cfg, study); dry.Outcome != warehouse.Duplicate {
		t.Fatalf("dry run keeping again: %s; want duplicate", dry.Outcome)
	}
	if again := loadOne(t, w, cfg, study); again.Outcome != warehouse.Duplicate || again.Rows != 3000 {
		t.Fatalf("keeping again: %s, rows %d; want duplicate holding 3000", again.Outcome, again.Rows)
	}
}

// relabel is a classifier that labels the listed samples SEPSIS and the
// others CONTROL.
type relabel map[string]bool

func (r relabel) Classify(s *metadata.Sample) illness.Decision {
	if r[s.Accession] {
		return illness.Decision{Label: illness.Sepsis, Method: illness.MethodOverride, Field: "accession", Matched: s.Accession}
	}
	return illness.Decision{Label: illness.Control, Method: illness.MethodOverride, Field: "accession", Matched: s.Accession}
}

// TestRelabelRecomputesFeatures: a duplicate load that relabels samples
// updates their labels in the study (dim_study_sample) in place; the analytics step must find the features
// stale and recompute the cohorts.
func TestRelabelRecomputesFeatures(t *testing.T) {
	study, _, _ := gse71270(t)
	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()
	sepsisCount := func() int64 {
		return count(t, w, `SELECT COALESCE(MAX(feature_value), 0) FROM analytics.vw_feature_values
			WHERE study_accession_code = 'GSE71270' AND feature_name = 'cohort_sample_count' AND illness_label = 'SEPSIS'`)
	}
	first := loadOne(t, w, cfg, study, genexp.WithClassifier(relabel{"GSM1831676": true, "GSM1831677": true}))
	if first.Err != nil || first.Features == nil || first.Features.Skipped || sepsisCount() != 2 {
		t.Fatalf("first load: err %v, features %+v, SEPSIS cohort %d", first.Err, first.Features, sepsisCount())
	}
	second := loadOne(t, w, cfg, study, genexp.WithClassifier(relabel{"GSM1831676": true, "GSM1831677": true, "GSM1831678": true}))
	if second.Outcome != warehouse.Duplicate {
		t.Fatalf("relabelling load: %s, want duplicate", second.Outcome)
	}
	if second.Err != nil || second.Features == nil || second.Features.Skipped {
		t.Fatalf("relabelling load: features %+v, err %v; want recomputed", second.Features, second.Err)
	}
	if n := sepsisCount(); n != 3 {
		t.Fatalf("SEPSIS cohort after the relabel = %d, want 3", n)
	}
	p, err := genexp.New(w, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Features(context.Background(), genexp.FeatureOptions{IfStale: true})
	if err != nil || len(run.Studies) != 1 || !run.Studies[0].Skipped {
		t.Fatalf("features --if-stale after the recomputation: %+v, %v; want skipped", run, err)
	}
}

// TestRejectedStudyKeepsItsQC: a study validation rejects writes no
// dimension or fact, but its QC figures land in meta_batch_qc.
func TestRejectedStudyKeepsItsQC(t *testing.T) {
	dir := t.TempDir()
	bad := crafted{study: "GSE1BAD", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
		cell: func(g, c int) string {
			if c == 0 || g%2 == 0 {
				return "NA"
			}
			return value(g, c)
		}}
	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	sr := loadOne(t, w, cfg, bad.write(t, dir))
	if sr.Err == nil || sr.Outcome != "" {
		t.Fatalf("want rejected: outcome %s, err %v", sr.Outcome, sr.Err)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM dim_study WHERE study_accession_code = 'GSE1BAD'`); n != 0 {
		t.Fatal("a rejected study has a dim_study row")
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_batch_qc WHERE study_accession_code = 'GSE1BAD' AND qc_status = 'REJECTED'
		AND batch_id = '`+sr.BatchID+`' AND cell_count = 120 AND missing_cells = 80 AND gene_count = 40 AND sample_count = 3`); n != 1 {
		t.Fatal("meta_batch_qc lacks the rejected study's QC")
	}
}

// TestStricterRerunKeepsTheLoadedQC: a rerun whose configuration rejects
// the content a study already holds records a REJECTED validation of that
// batch beside its LOADED one; the loaded batch, its facts and its LOADED
// QC row stay as they were.
func TestStricterRerunKeepsTheLoadedQC(t *testing.T) {
	study, _, _ := gse71270(t)
	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()
	first := loadOne(t, w, cfg, study)
	if first.Err != nil || first.Outcome != warehouse.Inserted {
		t.Fatalf("first load: %s, err %v", first.Outcome, first.Err)
	}
	if !hasFinding(first.Findings, qc.GeneCountLow) {
		t.Fatalf("first load lacks the 2002 warning the stricter run raises: %v", first.Findings)
	}
	strict := cfg
	strict.Quality.Severities = map[string]string{"VALIDATION_GENE_COUNT_LOW": "ERROR"}
	second := loadOne(t, w, strict, study)
	if second.Err == nil || second.BatchID != first.BatchID {
		t.Fatalf("stricter rerun: outcome %s, batch %s (first %s), err %v; want rejected", second.Outcome,
			second.BatchID, first.BatchID, second.Err)
	}
	batch := "'" + first.BatchID + "'"
	if n := count(t, w, `SELECT COUNT(*) FROM meta_batch WHERE is_current AND batch_id = `+batch); n != 1 {
		t.Fatal("the rejected rerun changed the current batch")
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 3000 {
		t.Fatalf("facts after the rejected rerun = %d, want 3000", n)
	}
	for _, status := range []string{"LOADED", "REJECTED"} {
		if n := count(t, w, `SELECT COUNT(*) FROM meta_batch_qc WHERE study_accession_code = 'GSE71270'
			AND qc_status = '`+status+`' AND batch_id = `+batch+` AND gene_count = 300 AND sample_count = 10`); n != 1 {
			t.Errorf("meta_batch_qc holds %d %s rows of the current batch, want 1", n, status)
		}
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_batch_qc q JOIN meta_batch b USING (batch_id)
		WHERE b.is_current AND q.qc_status = 'LOADED' AND q.run_id = b.run_id`); n != 1 {
		t.Error("the current batch's LOADED row is not the one its load wrote")
	}
}

// TestBadInputKeepsTheLoadedStudy: input that holds no usable data, or
// that cannot be read as it was meant, is a coded error, and the study
// already loaded keeps its batch and facts: a header-only matrix, a matrix
// whose every cell is missing (whatever the thresholds and overrides
// say), files whose lines end in CR only, a sample sheet with no sample
// rows, a sample in two matrix columns.
func TestBadInputKeepsTheLoadedStudy(t *testing.T) {
	toCR := func(t *testing.T, path string) {
		editLines(t, path, func(_ int, line string) (string, bool) { return strings.ReplaceAll(line, "\n", "\r"), true })
	}
	cases := []struct {
		name      string
		edit      func(t *testing.T, matrix, sheet string)
		cfg       func(*genexp.Config)
		code      qc.Code
		file      string // the file the error names: "matrix" or "sheet"
		line, col int64
		msg       string
	}{
		{"header-only matrix", func(t *testing.T, matrix, _ string) {
			editLines(t, matrix, func(i int, line string) (string, bool) { return line, i == 0 })
		}, nil, qc.GeneCountLow, "matrix", 0, 0, "no gene rows"},
		{"every cell missing, thresholds and overrides lenient, missing kept", func(t *testing.T, matrix, _ string) {
			editLines(t, matrix, func(i int, line string) (string, bool) {
				if i == 0 || line == "" {
					return line, true
				}
				f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
				for j := 1; j < len(f); j++ {
					f[j] = "NA"
				}
				return strings.Join(f, "\t") + "\n", true
			})
		}, func(c *genexp.Config) {
			c.Quality.MaxNullPercentage, c.Quality.MinGenesPerSample = 1, 0
			c.Quality.Severities = map[string]string{"2002": "INFO", "2003": "INFO"}
			c.Processing.MissingValues = "null"
		}, qc.NullPercentageHigh, "matrix", 0, 0, "all 3000 of the study's cells are missing"},
		{"matrix lines end in CR only", func(t *testing.T, matrix, _ string) { toCR(t, matrix) },
			nil, qc.InvalidFormat, "matrix", 1, 11, "end in CR only"},
		{"sample sheet lines end in CR only", func(t *testing.T, _, sheet string) { toCR(t, sheet) },
			nil, qc.InvalidFormat, "sheet", 1, 48, "end in CR only"},
		{"sample sheet with only its header", func(t *testing.T, _, sheet string) {
			editLines(t, sheet, func(i int, line string) (string, bool) { return line, i == 0 })
		}, nil, qc.InvalidFormat, "sheet", 0, 0, "no sample rows"},
		{"a sample in two columns", func(t *testing.T, matrix, _ string) {
			editLines(t, matrix, func(_ int, line string) (string, bool) {
				if line == "" {
					return line, false
				}
				f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
				return strings.Join(append(f, f[2]), "\t") + "\n", true
			})
		}, nil, qc.DuplicateSamples, "matrix", 1, 12, `column "GSM1831675" repeats sample GSM1831675 of column 3`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			study, matrix, sheet := gse71270(t)
			w := openWarehouse(t)
			first := loadOne(t, w, genexp.DefaultConfig(), study)
			if first.Err != nil || first.Rows != 3000 {
				t.Fatalf("first load: rows %d, err %v", first.Rows, first.Err)
			}
			tc.edit(t, matrix, sheet)
			cfg := genexp.DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			rep := loadWith(t, w, cfg, study)
			var err error
			switch {
			case len(rep.Studies) == 1 && len(rep.Errors) == 0:
				if sr := rep.Studies[0]; sr.Outcome != "" {
					t.Errorf("outcome %s, want none", sr.Outcome)
				}
				err = rep.Studies[0].Err
			case len(rep.Studies) == 0 && len(rep.Errors) == 1:
				err = rep.Errors[0]
			default:
				t.Fatalf("report: %d studies, errors %v", len(rep.Studies), rep.Errors)
			}
			file := map[string]string{"matrix": matrix, "sheet": sheet}[tc.file]
			var e *qc.Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Severity != qc.SeverityError || e.File != file ||
				e.Line != tc.line || e.Column != tc.col || !strings.Contains(e.Msg, tc.msg) {
				t.Fatalf("error %v; want %d ERROR at %s:%d:%d saying %q", err, tc.code, file, tc.line, tc.col, tc.msg)
			}
			if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression WHERE expression_value IS NOT NULL`); n != 3000 {
				t.Errorf("facts after the bad input = %d, want the 3000 loaded before", n)
			}
			if n := count(t, w, `SELECT COUNT(*) FROM meta_batch WHERE is_current AND batch_id = '`+first.BatchID+`'`); n != 1 {
				t.Error("the current batch changed")
			}
		})
	}
}
