package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// envEvidenceCrashDB names the version-15 warehouse that
// TestUpgradeAddsIllnessEvidence's child migrates to version 16 and leaves
// without a checkpoint.
const envEvidenceCrashDB = "GENEXP_TEST_EVIDENCE_CRASH_DB"

// TestUpgradeAddsIllnessEvidence migrates a version-15 warehouse whose
// process dies right after migration 16 commits: the migration reached the
// file by its commit's own checkpoint (no write-ahead log to replay, whose
// ADD COLUMN to dim_study_sample DuckDB could not replay), the memberships
// keep their labels and reasons with no evidence, and
// analytics.vw_sample_illness ends with the new column.
func TestUpgradeAddsIllnessEvidence(t *testing.T) {
	if path := os.Getenv(envEvidenceCrashDB); path != "" {
		checkpointAfterMigration = false
		warehouseAt(t, path, 16)
		os.Exit(0) // no Close: no checkpoint
	}
	path := filepath.Join(t.TempDir(), "w.duckdb")
	old := warehouseAt(t, path, 15)
	for _, stmt := range []string{
		`INSERT INTO dim_study (study_accession_code) VALUES ('GSE1')`,
		`INSERT INTO dim_sample (sample_accession_code, sample_title) VALUES ('S1', 'Patient 1'), ('S2', 'healthy 1')`,
		`INSERT INTO dim_study_sample (study_key, sample_key, illness_key, illness_method, illness_rule, illness_field, illness_matched)
		 SELECT 1, s.sample_key, i.illness_key, 'rule', r, 'title', m
		 FROM (VALUES ('S1', 'SEPSIS', 'cohort_sole_arm', 'Patient'), ('S2', 'CONTROL', 'healthy_control', 'healthy')) v(a, l, r, m)
		 JOIN dim_sample s ON s.sample_accession_code = v.a JOIN dim_illness i ON i.illness_label = v.l`,
	} {
		if _, err := old.db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	const q = `SELECT concat_ws('|', study_accession_code, sample_accession_code, illness_label, illness_method, illness_rule,
		illness_field, illness_matched, exclude_from_analysis) FROM analytics.vw_sample_illness ORDER BY sample_accession_code`
	before := texts(t, old.db, q)
	if len(before) != 2 {
		t.Fatalf("the version-15 warehouse lists %q", before)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	runChild(t, envEvidenceCrashDB, path)
	if st, err := os.Stat(path + ".wal"); err == nil && st.Size() > 0 {
		t.Fatalf("migration 16 left %d bytes of write-ahead log", st.Size())
	}
	w, err := Open(path)
	if err != nil {
		t.Fatalf("opening after the child: %v", err)
	}
	defer w.Close()
	if v, _ := w.Version(context.Background()); v != SchemaVersion() {
		t.Fatalf("schema version %d, want %d", v, SchemaVersion())
	}
	if after := texts(t, w.db, q); !slices.Equal(after, before) {
		t.Errorf("labels after the upgrade:\n%q\nwant\n%q", after, before)
	}
	cols := texts(t, w.db, `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'analytics'
		AND table_name = 'vw_sample_illness' ORDER BY column_index`)
	if len(cols) == 0 || cols[len(cols)-1] != "illness_evidence" {
		t.Errorf("vw_sample_illness columns %q, want illness_evidence last", cols)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM analytics.vw_sample_illness WHERE illness_evidence IS NOT NULL`); n != 0 {
		t.Errorf("%d migrated memberships have evidence, want none", n)
	}
}
