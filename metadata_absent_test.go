package genexp_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression/synth"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestReloadWithoutMetadataKeepsWhatWasRecorded: GSE71270 loaded with its
// sample sheet (5 CONTROL, 5 UNKNOWN), then its matrix alone, the same
// bytes with no sheet or JSON beside them. The second load is a duplicate
// and must leave what the first recorded as it was: the samples' titles
// and attributes, their labels and how they were decided, the study's row
// and the features; it warns that the study came without metadata. An
// override names a decision, not an absence: it relabels its sample.
func TestReloadWithoutMetadataKeepsWhatWasRecorded(t *testing.T) {
	root := t.TempDir()
	src := "testdata/refinebio/quickstart/GSE71270/"
	full := filepath.Join(root, "full", "GSE71270")
	bare := filepath.Join(root, "bare", "GSE71270")
	for _, dir := range []string{full, bare} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, src+"GSE71270.tsv", filepath.Join(dir, "GSE71270.tsv"))
	}
	copyFile(t, src+"metadata_GSE71270.tsv", filepath.Join(full, "metadata_GSE71270.tsv"))

	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()
	first := loadOne(t, w, cfg, full)
	if first.Err != nil || first.Outcome != warehouse.Inserted ||
		first.Illness[illness.Control] != 5 || first.Illness[illness.Unknown] != 5 {
		t.Fatalf("first load: %s, illness %v, %v", first.Outcome, first.Illness, first.Err)
	}
	const (
		labels = `SELECT sample_accession_code, illness_label, illness_method, illness_rule, illness_field, illness_matched
			FROM analytics.vw_sample_illness WHERE study_accession_code = 'GSE71270' ORDER BY 1`
		samples = `SELECT sample_accession_code, sample_title, sample_organism, sample_platform, sample_tissue,
			is_processed, platform_key, study_key, illness_key, illness_method
			FROM dim_sample ORDER BY 1`
		study = `SELECT study_title, study_organism, study_technology, study_platform_summary
			FROM dim_study WHERE study_accession_code = 'GSE71270'`
		features = `SELECT feature_name, entity_id_1, entity_id_2, illness_label, feature_value
			FROM analytics.vw_feature_values WHERE study_accession_code = 'GSE71270' ORDER BY 1, 2, 3, 4`
	)
	queries := []string{labels, samples, study, features}
	before := map[string][]string{}
	for _, q := range queries {
		before[q] = rows(t, w, q)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM dim_sample WHERE sample_title IS NULL`); n != 0 {
		t.Fatalf("%d samples have no title after the load with metadata; the test needs titles", n)
	}
	if !slices.ContainsFunc(before[features], func(r string) bool { return strings.Contains(r, "\tCONTROL\t") }) {
		t.Fatal("no CONTROL features after the first load; the test needs some")
	}

	second := loadOne(t, w, cfg, bare)
	if second.Err != nil || second.Outcome != warehouse.Duplicate || len(second.Illness) != 0 || second.IllnessKept != 10 {
		t.Fatalf("matrix alone: %s, illness %v, kept %d, %v", second.Outcome, second.Illness, second.IllnessKept, second.Err)
	}
	for _, q := range queries {
		if got := rows(t, w, q); !slices.Equal(got, before[q]) {
			t.Errorf("loading the matrix without its metadata changed\n%s\n%s", q, firstDifference(before[q], got))
		}
	}
	var warned *qc.Error
	for _, f := range second.Findings {
		if f.Code == qc.SampleMismatch && f.Severity == qc.SeverityInfo && f.Study == "GSE71270" {
			warned = f
		}
	}
	if warned == nil || !strings.Contains(warned.Msg, "no metadata") || !strings.Contains(warned.Msg, "kept") {
		t.Errorf("findings %v: no INFO finding says GSE71270 had no metadata and its recorded attributes were kept", second.Findings)
	} else if want := filepath.Join(bare, "GSE71270.tsv"); warned.File != want {
		t.Errorf("the no-metadata finding names file %q, want the matrix %q", warned.File, want)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_data_validation_log
		WHERE study_accession_code = 'GSE71270' AND validation_code = 2001 AND severity = 'INFO' AND details LIKE '%no metadata%'`); n != 1 {
		t.Errorf("meta_data_validation_log holds %d such warnings, want 1", n)
	}

	// An override of a CONTROL sample still applies without metadata;
	// the sample's attributes and the other samples' labels stay.
	const target = "GSM1831683"
	cfg.Illness.Overrides = map[string]illness.Label{target: illness.Sepsis}
	third := loadOne(t, w, cfg, bare)
	if third.Err != nil || third.Illness[illness.Sepsis] != 1 || third.IllnessKept != 9 {
		t.Fatalf("override without metadata: %s, illness %v, kept %d, %v", third.Outcome, third.Illness, third.IllnessKept, third.Err)
	}
	got := rows(t, w, labels)
	for i, r := range got {
		acc, _, _ := strings.Cut(r, "\t")
		want := before[labels][i]
		if acc == target {
			want = target + "\tSEPSIS\toverride\t<nil>\taccession\t" + target
		}
		if r != want {
			t.Errorf("label row %d is %q, want %q", i+1, r, want)
		}
	}
	if got := rows(t, w, samples); !slices.Equal(got, before[samples]) {
		t.Errorf("the override changed dim_sample:\n%s", firstDifference(before[samples], got))
	}

	// The override taken out of the configuration, the matrix alone again:
	// the label it set is not kept as if the configuration still gave it.
	// With no metadata to classify the sample by, it is UNKNOWN; the other
	// samples' recorded labels stay.
	cfg.Illness.Overrides = nil
	fourth := loadOne(t, w, cfg, bare)
	if fourth.Err != nil || fourth.Outcome != warehouse.Duplicate {
		t.Fatalf("override removed, matrix alone: %s, %v", fourth.Outcome, fourth.Err)
	}
	got = rows(t, w, labels)
	for i, r := range got {
		acc, _, _ := strings.Cut(r, "\t")
		want := before[labels][i]
		if acc == target {
			want = target + "\tUNKNOWN\tdefault\t<nil>\t<nil>\t<nil>"
		}
		if r != want {
			t.Errorf("after the override was removed, label row %d is %q, want %q", i+1, r, want)
		}
	}
}

// A matrix loaded without metadata into a warehouse that does not hold its
// samples adds them with what is known: the accession, the study, UNKNOWN.
// The report decides no label for them (IllnessKept).
func TestLoadWithoutMetadataAddsNewSamples(t *testing.T) {
	bare := filepath.Join(t.TempDir(), "GSE71270")
	if err := os.Mkdir(bare, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, "testdata/refinebio/quickstart/GSE71270/GSE71270.tsv", filepath.Join(bare, "GSE71270.tsv"))
	w := openWarehouse(t)
	r := loadOne(t, w, genexp.DefaultConfig(), bare)
	if r.Err != nil || r.Outcome != warehouse.Inserted || len(r.Illness) != 0 || r.IllnessKept != 10 {
		t.Fatalf("%s, illness %v, kept %d, %v", r.Outcome, r.Illness, r.IllnessKept, r.Err)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM analytics.vw_sample_illness
		WHERE study_accession_code = 'GSE71270' AND illness_label = 'UNKNOWN' AND illness_method = 'default'`); n != 10 {
		t.Errorf("%d samples labelled UNKNOWN by default, want 10", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM dim_study WHERE study_accession_code = 'GSE71270'`); n != 1 {
		t.Errorf("dim_study holds GSE71270 %d times", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE study_accession_code = 'GSE71270'
		AND step = 'transform' AND json_extract(context_json, '$.illness_no_metadata')::INTEGER = 10`); n != 1 {
		t.Errorf("%d transform steps record 10 samples without metadata, want 1", n)
	}
}

// A matrix whose columns are sample titles, given without the metadata
// that maps them to accessions, is not loaded under made-up accessions:
// the study is rejected by a finding that says its columns are titles
// (TestLoneMatrixOfTitles has the rest); nothing reaches the warehouse.
func TestTitleNamedMatrixWithoutMetadata(t *testing.T) {
	bare := filepath.Join(t.TempDir(), "alone")
	if err := os.Mkdir(bare, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, "testdata/refinebio/early-2018/E-GEOD-39842.tsv", filepath.Join(bare, "E-GEOD-39842.tsv"))
	w := openWarehouse(t)
	r := loadOne(t, w, genexp.DefaultConfig(), filepath.Join(bare, "E-GEOD-39842.tsv"))
	if !errors.Is(r.Err, qc.SampleMismatch) || !strings.Contains(r.Err.Error(), "is a sample accession: they are sample titles") {
		t.Fatalf("%s: %v, want a SampleMismatch saying the columns are titles", r.Outcome, r.Err)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM dim_sample`); n != 0 {
		t.Errorf("%d samples in dim_sample, want none", n)
	}
}

// A study loaded from a download whose metadata describes it (title,
// description) and then from one that has only its sample sheet keeps its
// title and description: the sheet knows neither, and an absence is not a
// change.
func TestSheetOnlyLoadKeepsTheStudyText(t *testing.T) {
	w := openWarehouse(t)
	text := func() string {
		var title, desc sql.NullString
		if err := w.DB().QueryRow(`SELECT study_title, study_description FROM dim_study WHERE study_accession_code = 'GSE71270'`).
			Scan(&title, &desc); err != nil {
			t.Fatal(err)
		}
		return title.String + " | " + desc.String
	}
	for _, sr := range loadWith(t, w, genexp.DefaultConfig(), "testdata/refinebio/species").Studies {
		if sr.Outcome == "" {
			t.Fatalf("species: %s failed: %v", sr.Study, sr.Err)
		}
	}
	before := text()
	if before == " | " {
		t.Fatal("the species download gave GSE71270 no title or description")
	}
	if r := loadOne(t, w, genexp.DefaultConfig(), "testdata/refinebio/quickstart/GSE71270"); r.Err != nil {
		t.Fatalf("sheet only: %v", r.Err)
	}
	if got := text(); got != before {
		t.Errorf("after a sheet-only load GSE71270 reads %q, want %q", got, before)
	}
}

// TestStudyDescribedSamplesNot: a download whose JSON describes the study
// but none of its samples (no samples entry, no sample sheet) said "no
// metadata describes study … or its samples", though the study's row was
// filled from that JSON. The finding now says which is missing.
func TestStudyDescribedSamplesNot(t *testing.T) {
	m, err := synth.Write(t.TempDir(), synth.Spec{Genes: 1100, Samples: 4, Studies: 1, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	st := m.Studies[0]
	if err := os.Remove(filepath.Join(m.Path, st.Sheet)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(m.Path, "aggregated_metadata.json")
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, path), &doc); err != nil {
		t.Fatal(err)
	}
	doc["samples"] = map[string]any{}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)

	w := openWarehouse(t)
	sr := loadOne(t, w, genexp.DefaultConfig(), m.Path)
	if sr.Err != nil {
		t.Fatal(sr.Err)
	}
	var said *qc.Error
	for _, f := range sr.Findings {
		if f.Code == qc.SampleMismatch && f.Severity == qc.SeverityInfo && strings.Contains(f.Msg, "kept") {
			said = f
		}
	}
	want := "the metadata describes study " + st.Accession + " but not 4 of its samples"
	if said == nil || !strings.Contains(said.Msg, want) {
		t.Errorf("findings %v: none says %q", sr.Findings, want)
	}
	var title string
	if err := w.DB().QueryRow(`SELECT COALESCE(study_title, '') FROM dim_study`).Scan(&title); err != nil || title == "" {
		t.Errorf("study title %q (%v): the JSON's description of the study was not loaded", title, err)
	}
}
