package genexp_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// sharedSample is a GSE71270 sample that the tests below also list under
// E-GEOD-39842, as refine.bio lists a sample under each experiment that
// holds it (a SuperSeries and its SubSeries).
const sharedSample = "GSM1831675"

// listSharedSample adds (or, with add false, removes) sharedSample in
// E-GEOD-39842's sample_accession_codes of the download at dir.
func listSharedSample(t *testing.T, dir string, add bool) {
	t.Helper()
	agg := filepath.Join(dir, "aggregated_metadata.json")
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, agg), &doc); err != nil {
		t.Fatal(err)
	}
	exp := doc["experiments"].(map[string]any)["E-GEOD-39842"].(map[string]any)
	codes := slices.DeleteFunc(exp["sample_accession_codes"].([]any), func(v any) bool { return v == sharedSample })
	if add {
		codes = append(codes, sharedSample)
	}
	exp["sample_accession_codes"] = codes
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, agg, b)
}

// blankCells empties the cell of each (gene line, column name) in the
// matrix at path: missing values, which the default policy skips.
func blankCells(t *testing.T, path string, cells map[int]string) {
	t.Helper()
	lines := strings.Split(string(readFile(t, path)), "\n")
	header := strings.Split(lines[0], "\t")
	for line, col := range cells {
		i := slices.Index(header, col)
		if i < 0 {
			t.Fatalf("no column %s in %s", col, path)
		}
		f := strings.Split(lines[line-1], "\t")
		f[i] = ""
		lines[line-1] = strings.Join(f, "\t")
	}
	writeFile(t, path, []byte(strings.Join(lines, "\n")))
}

// expectedFacts reads the matrix at path and returns, sorted, the facts
// "study gene sample value" that the columns in studyOf (column name →
// studies) must give: one per present cell and study.
func expectedFacts(t *testing.T, path string, studyOf map[string][]string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma, r.FieldsPerRecord = '\t', -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rec := range recs[1:] {
		for i, cell := range rec[1:] {
			if cell == "" {
				continue
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				t.Fatal(err)
			}
			for _, study := range studyOf[recs[0][i+1]] {
				out = append(out, fmt.Sprintf("%s\t%s\t%s\t%s", study, rec[0], recs[0][i+1], strconv.FormatFloat(v, 'g', -1, 64)))
			}
		}
	}
	slices.Sort(out)
	return out
}

// storedFacts returns, sorted, the facts the warehouse holds, as
// expectedFacts gives them.
func storedFacts(t *testing.T, w *duckdb.Warehouse) []string {
	t.Helper()
	out := rows(t, w, `SELECT st.study_accession_code, g.gene_id, s.sample_accession_code, f.expression_value
		FROM fact_gene_expression f JOIN dim_study st USING (study_key) JOIN dim_sample s USING (sample_key) JOIN dim_gene g USING (gene_key)`)
	slices.Sort(out)
	return out
}

// TestSpeciesSampleOfTwoStudiesIsHeldByBoth: a SPECIES matrix holds a
// sample once, in one column; when aggregated_metadata.json lists the
// sample under two experiments, the column counts in both, as it does when
// each experiment's own matrix holds a copy: its cells are facts of each
// study, each study's dim_study_sample links it, and each study's counts,
// QC and process log include it. Loaded again it is a duplicate for both;
// listed under one experiment again, that experiment's facts are replaced
// without it and the other study's stay.
func TestSpeciesSampleOfTwoStudiesIsHeldByBoth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "species")
	copyTree(t, speciesDir, dir, nil)
	listSharedSample(t, dir, true)
	matrix := filepath.Join(dir, "DANIO_RERIO", "DANIO_RERIO.tsv")
	// Missing cells in the shared column and in a column of each study, so
	// that each study's count is genes × samples − its own missing cells.
	blankCells(t, matrix, map[int]string{3: sharedSample, 5: "GSM1831676", 7: "E-GEOD-39842-GSM980273", 9: sharedSample})
	studyOf := map[string][]string{}
	header := strings.Split(strings.SplitN(string(readFile(t, matrix)), "\n", 2)[0], "\t")[1:]
	for _, col := range header {
		study := "GSE71270"
		if strings.HasPrefix(col, "E-GEOD-39842-") {
			study = "E-GEOD-39842"
		}
		studyOf[col] = []string{study}
	}
	studyOf[sharedSample] = []string{"E-GEOD-39842", "GSE71270"}
	const genes = 300
	want := map[string]struct{ samples, missing int64 }{
		"GSE71270":     {10, 3}, // the shared column's two, GSM1831676's one
		"E-GEOD-39842": {13, 3}, // the shared column's two, GSM980273's one
	}

	w := openWarehouse(t)
	run := func(outcomes map[string]warehouse.Outcome) *genexp.Report {
		t.Helper()
		rep := load(t, w, dir)
		if len(rep.Studies) != len(outcomes) {
			t.Fatalf("studies %+v, want %v", rep.Studies, outcomes)
		}
		for _, s := range rep.Studies {
			if s.Outcome != outcomes[s.Study] {
				t.Errorf("%s: outcome %q, want %q", s.Study, s.Outcome, outcomes[s.Study])
			}
			for _, f := range s.Findings {
				if f.Code == qc.SampleMismatch && f.Severity >= qc.SeverityWarning && strings.Contains(f.Msg, sharedSample) {
					t.Errorf("%s: a finding at %s about the shared sample: %v", s.Study, f.Severity, f)
				}
			}
		}
		return rep
	}

	rep := run(map[string]warehouse.Outcome{"GSE71270": warehouse.Inserted, "E-GEOD-39842": warehouse.Inserted})
	for _, s := range rep.Studies {
		other := "GSE71270"
		if s.Study == other {
			other = "E-GEOD-39842"
		}
		told := slices.ContainsFunc(s.Findings, func(f *qc.Error) bool {
			return f.Severity == qc.SeverityInfo && strings.Contains(f.Msg, sharedSample) && strings.Contains(f.Msg, other)
		})
		if !told {
			t.Errorf("%s: no INFO finding says it shares %s with %s: %v", s.Study, sharedSample, other, s.Findings)
		}
		wn := want[s.Study]
		cells := genes * wn.samples
		if int64(s.Samples) != wn.samples || s.Genes != genes || s.Cells != cells || s.Missing != wn.missing ||
			s.RowsWritten != cells-wn.missing || s.Rows != cells-wn.missing {
			t.Errorf("%s: samples %d genes %d cells %d missing %d rows %d written %d; want %d samples, %d cells, %d missing, %d rows",
				s.Study, s.Samples, s.Genes, s.Cells, s.Missing, s.Rows, s.RowsWritten, wn.samples, cells, wn.missing, cells-wn.missing)
		}
	}
	if got, exp := storedFacts(t, w), expectedFacts(t, matrix, studyOf); !slices.Equal(got, exp) {
		t.Fatalf("facts: %d stored, %d expected; %s", len(got), len(exp), firstDifference(exp, got))
	}
	for study, wn := range want {
		cells := genes * wn.samples
		q := fmt.Sprintf(`SELECT q.sample_count, q.cell_count, q.missing_cells, b.rows_written,
			(SELECT COUNT(*) FROM dim_study_sample ss JOIN dim_sample s USING (sample_key) WHERE ss.study_key = st.study_key AND ss.illness_key IS NOT NULL),
			(SELECT l.rows_written FROM meta_etl_process_log l WHERE l.study_accession_code = st.study_accession_code AND l.step = 'load' AND l.status = 'SUCCESS'),
			(SELECT l.rows_read FROM meta_etl_process_log l WHERE l.study_accession_code = st.study_accession_code AND l.step = 'validate' AND l.status = 'SUCCESS')
			FROM dim_study st JOIN meta_study_qc q USING (study_key) JOIN meta_batch b ON b.study_key = st.study_key AND b.is_current
			WHERE st.study_accession_code = '%s'`, study)
		got := rows(t, w, q)
		exp := fmt.Sprintf("%d\t%d\t%d\t%d\t%d\t%d\t%d", wn.samples, cells, wn.missing, cells-wn.missing, wn.samples, cells-wn.missing, cells)
		if len(got) != 1 || got[0] != exp {
			t.Errorf("%s: qc samples, cells, missing, batch rows, labelled members, logged rows written and read: %v, want %s", study, got, exp)
		}
	}
	members := `SELECT st.study_accession_code FROM dim_study_sample ss JOIN dim_study st USING (study_key)
		JOIN dim_sample s USING (sample_key) WHERE s.sample_accession_code = '` + sharedSample + `' ORDER BY 1`
	if got := rows(t, w, members); !slices.Equal(got, []string{"E-GEOD-39842", "GSE71270"}) {
		t.Errorf("studies holding %s: %v, want both", sharedSample, got)
	}

	// The same download again: nothing to write for either study.
	rep = run(map[string]warehouse.Outcome{"GSE71270": warehouse.Duplicate, "E-GEOD-39842": warehouse.Duplicate})
	for _, s := range rep.Studies {
		if wn := want[s.Study]; s.RowsWritten != 0 || s.Rows != genes*wn.samples-wn.missing {
			t.Errorf("%s again: %d rows written, holds %d", s.Study, s.RowsWritten, s.Rows)
		}
	}

	// E-GEOD-39842 no longer lists the sample: its facts are replaced
	// without it, GSE71270's stay.
	listSharedSample(t, dir, false)
	run(map[string]warehouse.Outcome{"GSE71270": warehouse.Duplicate, "E-GEOD-39842": warehouse.Replaced})
	studyOf[sharedSample] = []string{"GSE71270"}
	if got, exp := storedFacts(t, w), expectedFacts(t, matrix, studyOf); !slices.Equal(got, exp) {
		t.Fatalf("facts after the sample left E-GEOD-39842: %d stored, %d expected; %s", len(got), len(exp), firstDifference(exp, got))
	}
	if got := rows(t, w, members); !slices.Equal(got, []string{"GSE71270"}) {
		t.Errorf("studies holding %s after it left E-GEOD-39842: %v, want GSE71270 only", sharedSample, got)
	}
}

// TestSpeciesStudyTechnologyFromItsOwnSamples: a study whose metadata does
// not state its technology takes the one its own samples' platforms agree
// on. In a SPECIES matrix the other studies' platforms said nothing of it,
// yet they were counted: a microarray study beside an RNA-seq one got no
// technology at all.
func TestSpeciesStudyTechnologyFromItsOwnSamples(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, speciesDir, dir, nil)
	agg := filepath.Join(dir, "aggregated_metadata.json")
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, agg), &doc); err != nil {
		t.Fatal(err)
	}
	for _, e := range doc["experiments"].(map[string]any) {
		delete(e.(map[string]any), "technology")
	}
	for acc, s := range doc["samples"].(map[string]any) {
		if strings.HasPrefix(acc, "GSM") { // GSE71270's
			s.(map[string]any)["refinebio_platform"] = "Illumina HiSeq 2500 (GPL18413)"
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, agg, b)
	w := openWarehouse(t)
	load(t, w, dir)
	rows, err := w.DB().Query(`SELECT study_accession_code, COALESCE(study_technology, '') FROM dim_study ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var study, tech string
		if err := rows.Scan(&study, &tech); err != nil {
			t.Fatal(err)
		}
		got = append(got, study+" "+tech)
	}
	if want := []string{"E-GEOD-39842 MICROARRAY", "GSE71270 RNA-SEQ"}; !slices.Equal(got, want) {
		t.Errorf("technologies %q, want %q", got, want)
	}
}
