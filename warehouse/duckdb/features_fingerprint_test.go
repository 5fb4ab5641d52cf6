package duckdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp"
)

// fingerprintV5 is the input fingerprint as genexp computed it when
// meta_feature_state began recording it, with the study's subqueries
// correlated on its key. The stored fingerprints of existing warehouses
// were made by it.
const fingerprintV5 = `SELECT st.study_accession_code, md5(concat_ws('|', COALESCE(b.load_signature, ''), COALESCE(st.study_technology, ''),
        (SELECT COALESCE(string_agg(s.sample_key || ':' || COALESCE((SELECT ss.illness_key FROM dim_study_sample ss
                 WHERE ss.study_key = st.study_key AND ss.sample_key = s.sample_key), 0) || ':' || s.exclude_from_analysis, ',' ORDER BY s.sample_key), '')
         FROM dim_sample s
         WHERE s.sample_key IN (SELECT fe.sample_key FROM fact_gene_expression fe WHERE fe.study_key = st.study_key))))
FROM dim_study st
JOIN meta_batch b ON b.study_key = st.study_key AND b.is_current
ORDER BY 1`

// TestFeatureFingerprintUnchanged holds stmtFeatureTarget's fingerprint to
// the one the features of existing warehouses recorded: were it to differ,
// every study's features would read as stale after an upgrade. The
// warehouse holds several studies, a sample with no label in its study, one
// excluded from analysis and one that another study holds under another
// label, so every part of the hashed text is there.
func TestFeatureFingerprintUnchanged(t *testing.T) {
	ctx := context.Background()
	w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	loadBundled(t, w, "species", "GSE71270", "SRP110235")
	for _, q := range []string{
		// An exclusion as version 12 carries it over: the sample's flag
		// and its memberships' alike.
		`UPDATE dim_sample SET exclude_from_analysis = true WHERE sample_key = (SELECT MIN(sample_key) FROM dim_sample)`,
		`UPDATE dim_study_sample SET exclude_from_analysis = true WHERE sample_key = (SELECT MIN(sample_key) FROM dim_sample)`,
		`UPDATE dim_study_sample SET illness_key = NULL WHERE sample_key = (SELECT MAX(sample_key) FROM dim_study_sample)`,
		`INSERT INTO dim_study_sample (study_key, sample_key, illness_key)
		 SELECT (SELECT MAX(study_key) FROM dim_study), MIN(sample_key) + 1, (SELECT illness_key FROM dim_illness WHERE illness_label = 'SEPSIS')
		 FROM dim_study_sample WHERE study_key = (SELECT MIN(study_key) FROM dim_study)`,
	} {
		if _, err := w.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows, err := w.db.QueryContext(ctx, fingerprintV5)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for rows.Next() {
		var study, fp string
		if err := rows.Scan(&study, &fp); err != nil {
			t.Fatal(err)
		}
		want[study] = fp
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) < 3 {
		t.Fatalf("%d studies loaded, want at least 3", len(want))
	}
	for study, fp := range want {
		var key int32
		if err := w.db.QueryRowContext(ctx, stmtStudyKey, study).Scan(&key); err != nil {
			t.Fatal(err)
		}
		var batch, tech, input string
		var doneBatch, doneScale, doneInput any
		var doneTop, doneRows, held any
		if err := w.db.QueryRowContext(ctx, stmtFeatureTarget, key).Scan(&batch, &tech, &doneBatch, &doneTop, &doneRows,
			&doneScale, &held, &doneInput, &input); err != nil {
			t.Fatalf("%s: %v", study, err)
		}
		if input != fp {
			t.Errorf("%s: fingerprint %s, the recorded form gives %s", study, input, fp)
		}
	}

	// Health computes the same fingerprints for every study at once
	// (stmtHealthFeatures): were they to differ, health
	// would call current features stale, or stale ones current.
	rows, err = w.db.QueryContext(ctx, stmtHealthFeatures)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for rows.Next() {
		var study, input string
		var batch, doneBatch, doneTop, doneRows, held, doneInput any
		if err := rows.Scan(&study, &batch, &doneBatch, &doneTop, &doneRows, &held, &doneInput, &input); err != nil {
			t.Fatal(err)
		}
		seen++
		if input != want[study] {
			t.Errorf("%s: health's fingerprint %s, stmtFeatureTarget's %s", study, input, want[study])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != len(want) {
		t.Errorf("health's statement lists %d studies, want %d", seen, len(want))
	}
}

// loadBundled loads the bundled downloads dirs (folders of
// testdata/refinebio) into w through the pipeline, in one run.
func loadBundled(t *testing.T, w *Warehouse, dirs ...string) *genexp.Report {
	t.Helper()
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	paths := make([]string, len(dirs))
	for i, d := range dirs {
		paths[i] = filepath.Join("..", "..", "testdata", "refinebio", d)
	}
	rep, err := p.Load(context.Background(), paths...)
	if err != nil {
		t.Fatalf("loading %v: %v", dirs, err)
	}
	return rep
}
