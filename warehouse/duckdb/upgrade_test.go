package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// buildVersion3 writes, at path, a warehouse of schema version 3 (the last
// released one before load signatures and meta_batch_qc) holding what
// loadSmallStudy loads as an older genexp recorded it: study GSE1, batch b1
// of 16 facts without a load signature, its meta_study_qc row, and features
// computed from it.
func buildVersion3(t *testing.T, path string) {
	t.Helper()
	old := warehouseAt(t, path, 3)
	db := old.db
	q := []string{
		`INSERT INTO dim_study (study_accession_code, study_technology) VALUES ('GSE1', 'MICROARRAY')`,
		`INSERT INTO dim_gene (gene_id) SELECT 'G' || i FROM range(1, 5) r(i)`,
		`INSERT INTO dim_sample (sample_accession_code, study_key, illness_key)
		 VALUES ('S1', 1, 1), ('S2', 1, 3), ('S3', 1, 1), ('S4', 1, 3)`,
		`INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_id)
		 SELECT 1, s.sample_key, g.gene_key, 99.5, 'b1' FROM dim_sample s, dim_gene g`,
		`INSERT INTO meta_batch VALUES ('b1', 1, 'GSE1', 'm.tsv', 'h', 'r0', 16, true, TIMESTAMP '2026-01-02 03:04:05', NULL)`,
		`INSERT INTO meta_study_qc (study_key, batch_id, ks_statistic, ks_pvalue, gene_count, sample_count, cell_count, collected_at)
		 VALUES (1, 'b1', 0.125, 0.5, 4, 4, 16, TIMESTAMP '2026-01-02 03:04:06')`,
		`INSERT INTO fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
		 VALUES ('STUDY_COHORT', 2, NULL, 'cohort_sample_count', 2, 1, 'b1')`,
		`INSERT INTO meta_feature_state VALUES (1, 'b1', 'value', 100, 1, 'r0', TIMESTAMP '2026-01-02 03:04:07')`,
	}
	for _, stmt := range q {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM fact_gene_expression`); n != 16 {
		t.Fatalf("version-3 facts = %d, want 16", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestStatusOfVersion3ReadOnly: genexp status (and a dry run, which reads
// it) opens a version-3 warehouse read-only, without migrating it, and
// reads its studies although meta_batch has no load_signature yet.
func TestStatusOfVersion3ReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	buildVersion3(t, path)
	w, err := Open(path + "?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	st, err := w.Status(context.Background(), warehouse.StatusRequest{})
	if err != nil {
		t.Fatalf("status of a version-3 warehouse: %v", err)
	}
	if st.SchemaVersion != 3 || len(st.Studies) != 1 {
		t.Fatalf("status: %+v", st)
	}
	if s := st.Studies[0]; s.Study != "GSE1" || s.BatchID != "b1" || s.LoadSignature != "" || s.Facts != 16 || s.Samples != 4 || s.Genes != 4 {
		t.Fatalf("study status: %+v", s)
	}
}

// TestUpgradeFromVersion3: opening a version-3 warehouse migrates it: the
// QC meta_study_qc holds is copied into meta_batch_qc as LOADED, and the
// batch, loaded without a signature, is replaced by its first reload (the
// features of the old facts go) and only then is a duplicate.
func TestUpgradeFromVersion3(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	buildVersion3(t, path)
	w, err := Open(path)
	if err != nil {
		t.Fatalf("opening a version-3 warehouse: %v", err)
	}
	defer w.Close()
	if v, _ := w.Version(context.Background()); v != SchemaVersion() {
		t.Fatalf("migrated to %d, want %d", v, SchemaVersion())
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM meta_batch_qc WHERE study_accession_code = 'GSE1' AND batch_id = 'b1'
		AND qc_status = 'LOADED' AND ks_statistic = 0.125 AND ks_pvalue = 0.5 AND cell_count = 16
		AND ks_rows_used IS NULL AND ks_sampled IS NULL AND collected_at = TIMESTAMP '2026-01-02 03:04:06'`); n != 1 {
		t.Fatal("the migration did not copy meta_study_qc into meta_batch_qc")
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM meta_batch_qc`); n != 1 {
		t.Fatalf("meta_batch_qc rows = %d, want 1", n)
	}

	r := loadSmallStudy(t, w).Studies[0]
	if r.Outcome != warehouse.Replaced || r.PreviousBatchID != "b1" || r.RowsWritten != 16 {
		t.Fatalf("first reload: %+v, want replaced (the batch has no signature)", r)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM fact_gene_expression WHERE expression_value = 99.5`); n != 0 {
		t.Fatalf("%d facts of the version-3 load survived its replacement", n)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM fact_feature_values`); n != 0 {
		t.Fatal("the features of the replaced facts survived under the batch id they share with the new ones")
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM meta_feature_state WHERE input_fingerprint IS NULL`); n != 1 {
		t.Fatal("the features' state was not marked stale")
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM meta_batch_qc WHERE batch_id = 'b1' AND qc_status = 'LOADED' AND run_id = 'r'`); n != 1 {
		t.Fatal("the reload did not update the batch's LOADED row")
	}
	for i := 0; i < 2; i++ {
		if r := loadSmallStudy(t, w).Studies[0]; r.Outcome != warehouse.Duplicate || r.RowsWritten != 0 {
			t.Fatalf("reload %d after the replace: %+v, want duplicate", i+2, r)
		}
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM meta_batch`); n != 1 {
		t.Fatalf("meta_batch rows = %d, want 1", n)
	}
}

// envUpgradeCrashDB names the version-3 warehouse that
// TestUpgradeFromVersion3SurvivesACrash's child process migrates and then
// abandons.
const envUpgradeCrashDB = "GENEXP_TEST_UPGRADE_CRASH_DB"

// TestUpgradeFromVersion3SurvivesACrash: a process that migrates a
// checkpointed version-3 warehouse and dies before the next checkpoint
// leaves migration 004 in the write-ahead log only; the warehouse must open
// again, replaying it (an ALTER that DuckDB cannot replay would leave a
// warehouse that never opens; see 004_load_signature.sql).
func TestUpgradeFromVersion3SurvivesACrash(t *testing.T) {
	w := crashDuringUpgrade(t, buildVersion3)
	defer w.Close()
	if v, _ := w.Version(context.Background()); v != SchemaVersion() {
		t.Fatalf("schema version %d after replay, want %d", v, SchemaVersion())
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM meta_batch_qc WHERE batch_id = 'b1' AND qc_status = 'LOADED'`); n != 1 {
		t.Fatal("the replayed migration lost the copied QC")
	}
	if r := loadSmallStudy(t, w).Studies[0]; r.Outcome != warehouse.Replaced {
		t.Fatalf("reload after the replay: %+v, want replaced", r)
	}
}

// buildVersion4 writes, at path, a warehouse of schema version 4 (the last
// before dim_study_sample) as an older genexp left it after loading two
// studies over shared samples: GSE1 loaded S1–S4 (CONTROL, SEPSIS,
// CONTROL, SEPSIS), then GSE2 loaded S3 and S4 again, labelling them
// SEPTIC_SHOCK and NO_SEPSIS, which moved them to GSE2 in dim_sample.
// Sample S5 names no loaded study.
func buildVersion4(t *testing.T, path string) {
	t.Helper()
	old := warehouseAt(t, path, 4)
	db := old.db
	q := []string{
		`INSERT INTO dim_study (study_accession_code, study_technology) VALUES ('GSE1', 'MICROARRAY'), ('GSE2', 'MICROARRAY')`,
		`INSERT INTO dim_gene (gene_id) SELECT 'G' || i FROM range(1, 5) r(i)`,
		`INSERT INTO dim_sample (sample_accession_code, study_key, illness_key, illness_method, illness_matched) VALUES
		 ('S1', 1, 1, 'rule', 'healthy'), ('S2', 1, 3, 'rule', 'sepsis'),
		 ('S3', 2, 4, 'override', NULL), ('S4', 2, 2, 'rule', 'sirs'), ('S5', NULL, NULL, NULL, NULL),
		 ('S6', 2, 1, 'rule', 'healthy')`, // S6: GSE2's current batch no longer holds it
		`INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_id)
		 SELECT 1, s.sample_key, g.gene_key, 10 * s.sample_key + g.gene_key, 'b1'
		 FROM dim_sample s, dim_gene g WHERE s.sample_key <= 4`,
		`INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_id)
		 SELECT 2, s.sample_key, g.gene_key, 100 * s.sample_key + g.gene_key, 'b2'
		 FROM dim_sample s, dim_gene g WHERE s.sample_key IN (3, 4)`,
		`INSERT INTO meta_batch VALUES ('b1', 1, 'GSE1', 'm1.tsv', 'h1', 'r0', 16, true, TIMESTAMP '2026-01-02 03:04:05', NULL, 's1'),
		 ('b2', 2, 'GSE2', 'm2.tsv', 'h2', 'r0', 8, true, TIMESTAMP '2026-01-02 03:04:06', NULL, 's2')`,
	}
	for _, stmt := range q {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// checkVersion4Upgraded checks what migration 005 made of buildVersion4's
// warehouse: each sample's latest study and decision became a
// dim_study_sample row where that study's facts hold the sample (S6's
// study no longer does: it is listed with no study); GSE1's facts of S3 and S4, whose decisions in GSE1
// GSE2's load overwrote, are members of GSE1 with no decision (UNKNOWN);
// the views read the labels from there.
func checkVersion4Upgraded(t *testing.T, w *Warehouse) {
	t.Helper()
	if v, _ := w.Version(context.Background()); v != SchemaVersion() {
		t.Fatalf("migrated to %d, want %d", v, SchemaVersion())
	}
	rows := func(query string) []string {
		t.Helper()
		r, err := w.db.Query(query)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer r.Close()
		var out []string
		for r.Next() {
			var a, b, c, d sql.NullString
			if err := r.Scan(&a, &b, &c, &d); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s %s %s %s", a.String, b.String, c.String, d.String))
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", what, got, want)
		}
	}
	check("dim_study_sample", rows(`SELECT st.study_accession_code, s.sample_accession_code, i.illness_label, ss.illness_method
		FROM dim_study_sample ss JOIN dim_study st USING (study_key) JOIN dim_sample s USING (sample_key)
		LEFT JOIN dim_illness i ON i.illness_key = ss.illness_key ORDER BY 1, 2`), []string{
		"GSE1 S1 CONTROL rule", "GSE1 S2 SEPSIS rule", "GSE1 S3  ", "GSE1 S4  ",
		"GSE2 S3 SEPTIC_SHOCK override", "GSE2 S4 NO_SEPSIS rule",
	})
	check("vw_sample_illness", rows(`SELECT study_accession_code, sample_accession_code, illness_label, illness_matched
		FROM analytics.vw_sample_illness ORDER BY 1 NULLS LAST, 2`), []string{
		"GSE1 S1 CONTROL healthy", "GSE1 S2 SEPSIS sepsis", "GSE1 S3 UNKNOWN ", "GSE1 S4 UNKNOWN ",
		// S6, which no study holds, is UNKNOWN with no reason (schema 13):
		// no study decides its label.
		"GSE2 S3 SEPTIC_SHOCK ", "GSE2 S4 NO_SEPSIS sirs", " S5 UNKNOWN ", " S6 UNKNOWN ",
	})
	check("vw_expression_by_cohort", rows(`SELECT study_accession_code, illness_label, sample_count::VARCHAR, mean_expression::VARCHAR
		FROM analytics.vw_expression_by_cohort WHERE gene_id = 'G1' ORDER BY 1, 2`), []string{
		"GSE1 CONTROL 1 11.0", "GSE1 SEPSIS 1 21.0", "GSE1 UNKNOWN 2 36.0",
		"GSE2 NO_SEPSIS 1 401.0", "GSE2 SEPTIC_SHOCK 1 301.0",
	})
	if n := count(t, w.db, `SELECT COUNT(*) FROM analytics.vw_expression_long`); n != 24 {
		t.Errorf("vw_expression_long rows = %d, want every fact (24)", n)
	}
}

// TestUpgradeFromVersion4: a version-4 warehouse whose second study took
// over shared samples upgrades to dim_study_sample (checkVersion4Upgraded),
// and loading the first study again restores its decisions in it without
// touching the second's.
func TestUpgradeFromVersion4(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	buildVersion4(t, path)
	w, err := Open(path)
	if err != nil {
		t.Fatalf("opening a version-4 warehouse: %v", err)
	}
	defer w.Close()
	checkVersion4Upgraded(t, w)

	// loadSmallStudy loads GSE1 over S1–S4: CONTROL, SEPSIS, CONTROL, SEPSIS.
	if r := loadSmallStudy(t, w).Studies[0]; r.Outcome != warehouse.Replaced || r.PreviousBatchID != "b1" {
		t.Fatalf("reload of GSE1: %+v, want replaced", r)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM analytics.vw_sample_illness WHERE study_accession_code = 'GSE1'
		AND illness_label = CASE WHEN sample_accession_code IN ('S1', 'S3') THEN 'CONTROL' ELSE 'SEPSIS' END`); n != 4 {
		t.Fatalf("GSE1 samples with their GSE1 labels after its reload: %d, want 4", n)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM analytics.vw_sample_illness WHERE study_accession_code = 'GSE2'
		AND ((sample_accession_code = 'S3' AND illness_label = 'SEPTIC_SHOCK') OR (sample_accession_code = 'S4' AND illness_label = 'NO_SEPSIS'))`); n != 2 {
		t.Fatal("reloading GSE1 changed GSE2's labels")
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM fact_gene_expression f JOIN meta_batch_key k ON k.batch_key = f.batch_key WHERE k.batch_id = 'b2'`); n != 8 {
		t.Fatalf("GSE2 facts = %d, want 8", n)
	}
}

// TestUpgradeFromVersion4SurvivesACrash: migration 005 left in the
// write-ahead log only (the process died before a checkpoint) replays.
func TestUpgradeFromVersion4SurvivesACrash(t *testing.T) {
	w := crashDuringUpgrade(t, buildVersion4)
	defer w.Close()
	checkVersion4Upgraded(t, w)
}

// crashDuringUpgrade builds an old warehouse, has a child process running
// the calling test migrate it through the migrations written to the
// write-ahead log (those before the first committedByCheckpoint one, which
// would checkpoint everything) and exit without closing it, so that those
// migrations are in the log only, and returns the warehouse opened again:
// the log replayed, the remaining migrations applied. In the child it does
// not return.
func crashDuringUpgrade(t *testing.T, build func(*testing.T, string)) *Warehouse {
	t.Helper()
	if path := os.Getenv(envUpgradeCrashDB); path != "" {
		ms, err := migrations()
		if err != nil {
			t.Fatal(err)
		}
		warehouseAt(t, path, len(loggedMigrations(ms)))
		os.Exit(0) // no Close: no checkpoint
	}
	path := filepath.Join(t.TempDir(), "w.duckdb")
	build(t, path)
	runChild(t, envUpgradeCrashDB, path)
	if _, err := os.Stat(path + ".wal"); err != nil {
		t.Fatalf("the child left no write-ahead log to replay: %v", err)
	}
	w, err := Open(path)
	if err != nil {
		t.Fatalf("opening after a crash during the upgrade: %v", err)
	}
	return w
}

// loggedMigrations is ms up to the first migration committed by a
// checkpoint.
func loggedMigrations(ms []migration) []migration {
	for i, m := range ms {
		if committedByCheckpoint[m.version] {
			return ms[:i]
		}
	}
	return ms
}

// buildVersion6 writes, at path, a warehouse of schema version 6 (the last
// whose fact_feature_values has a primary key and a foreign key) holding
// loadSmallStudy's study with its features, checkpointed.
func buildVersion6(t *testing.T, path string) {
	t.Helper()
	old := warehouseAt(t, path, 6)
	// This package's loads and features write schema 6 as its own did
	// (schema 7 only drops two constraints of fact_feature_values; the column
	// schema 9 adds is there while the load runs), so they
	// stand in for the version-6 genexp that wrote the warehouse; only here
	// may they run on a schema older than SchemaVersion.
	old.schemaCurrent.Store(true)
	ctx := context.Background()
	// Loads also write the batch's scale_by (schema 9): the columns are
	// there only while this load runs.
	for _, table := range []string{"meta_batch", "staging.load_batches"} {
		if _, err := old.db.Exec(`ALTER TABLE ` + table + ` ADD COLUMN scale_by VARCHAR`); err != nil {
			t.Fatal(err)
		}
	}
	// And the memberships' exclusion (schema 12), which the features read
	// too.
	if _, err := old.db.Exec(`ALTER TABLE dim_study_sample ADD COLUMN exclude_from_analysis BOOLEAN DEFAULT false`); err != nil {
		t.Fatal(err)
	}
	// And the labels' evidence (schema 16).
	for _, table := range []string{"dim_study_sample", "staging.samples"} {
		if _, err := old.db.Exec(`ALTER TABLE ` + table + ` ADD COLUMN illness_evidence VARCHAR`); err != nil {
			t.Fatal(err)
		}
	}
	// And the catalog rows of the features schema 14 adds: the features
	// write them, and a version-6 genexp did not, so they go again below.
	const added = `('gene_pair_n', 'gene_sepsis_vs_control_welch_df')`
	if _, err := old.db.Exec(`INSERT INTO meta_feature_catalog (feature_name, entity_scope, entity_id_1_ref, description, formula,
		min_samples, feature_version) VALUES ('gene_pair_n', 'GENE_PAIR', 'x', 'x', 'x', 3, 1),
		('gene_sepsis_vs_control_welch_df', 'GENE', 'x', 'x', 'x', 2, 1)`); err != nil {
		t.Fatal(err)
	}
	loadSmallStudy(t, old)
	for _, table := range []string{"meta_batch", "staging.load_batches"} {
		if _, err := old.db.Exec(`ALTER TABLE ` + table + ` DROP COLUMN scale_by`); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.MaterializeFeatures(ctx, warehouse.FeaturesRequest{Study: "GSE1"}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"fact_feature_values", "meta_feature_catalog"} {
		res, err := old.db.Exec(`DELETE FROM ` + table + ` WHERE feature_name IN ` + added)
		if err != nil {
			t.Fatal(err)
		}
		if table == "fact_feature_values" {
			// The state counts the rows a version-6 genexp would have written.
			n, _ := res.RowsAffected()
			if _, err := old.db.Exec(`UPDATE meta_feature_state SET rows_written = rows_written - $1`, n); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := old.db.Exec(`ALTER TABLE dim_study_sample DROP COLUMN exclude_from_analysis`); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"dim_study_sample", "staging.samples"} {
		if _, err := old.db.Exec(`ALTER TABLE ` + table + ` DROP COLUMN illness_evidence`); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, old.db, `SELECT COUNT(*) FROM duckdb_constraints() WHERE table_name = 'fact_feature_values'
		AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')`); n != 2 {
		t.Fatalf("version-6 fact_feature_values has %d key constraints, want 2", n)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
}

// featureRows lists fact_feature_values in storage order, every column.
func featureRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return texts(t, db, `SELECT concat_ws('|', feature_record_key, entity_scope, entity_id_1, entity_id_2, feature_name,
		feature_value, study_key, batch_id, etl_created_date) FROM fact_feature_values ORDER BY rowid`)
}

// texts returns the one text column of query's rows.
func texts(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUpgradeFromVersion6 migrates a version-6 warehouse: fact_feature_values
// keeps every row, key and order, loses its two indexed constraints, and
// goes on taking keys from its sequence.
func TestUpgradeFromVersion6(t *testing.T) {
	path, before := version6WithFeatures(t)
	if len(before) == 0 {
		t.Fatal("the version-6 warehouse holds no features")
	}
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if v, _ := w.Version(context.Background()); v != SchemaVersion() {
		t.Fatalf("schema version %d, want %d", v, SchemaVersion())
	}
	if after := featureRows(t, w.db); !slices.Equal(after, before) {
		t.Fatalf("features changed:\n%v\nwant\n%v", after, before)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM duckdb_constraints() WHERE table_name = 'fact_feature_values'
		AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY', 'UNIQUE')`); n != 0 {
		t.Fatalf("fact_feature_values keeps %d key constraints", n)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM duckdb_indexes() WHERE table_name = 'fact_feature_values'`); n != 0 {
		t.Fatalf("fact_feature_values keeps %d indexes", n)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM analytics.vw_feature_values`); n != len(before) {
		t.Fatalf("vw_feature_values shows %d features, want %d", n, len(before))
	}
	var wantThreshold, wantSkip, threshold, skip string
	if err := openRaw(t, filepath.Join(t.TempDir(), "defaults.duckdb")).QueryRow(stmtCheckpointSettings).Scan(&wantThreshold, &wantSkip); err != nil {
		t.Fatal(err)
	}
	if err := w.db.QueryRow(stmtCheckpointSettings).Scan(&threshold, &skip); err != nil {
		t.Fatal(err)
	}
	if threshold != wantThreshold || skip != wantSkip {
		t.Fatalf("after the migration checkpoint_threshold = %q, auto_checkpoint_skip_wal_threshold = %q; want DuckDB's %q, %q",
			threshold, skip, wantThreshold, wantSkip)
	}
	maxKey := count(t, w.db, `SELECT MAX(feature_record_key) FROM fact_feature_values`)
	// The features lack what schema 14 added, so they are stale.
	res, err := w.MaterializeFeatures(context.Background(), warehouse.FeaturesRequest{Study: "GSE1", IfStale: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped || res.Features["gene_pair_n"] == 0 || res.Features["gene_pair_n"] != res.Features["gene_pair_pearson_r"] ||
		res.Features["gene_sepsis_vs_control_welch_df"] != res.Features["gene_sepsis_vs_control_welch_t"] {
		t.Fatalf("features after the upgrade: skipped %v, %v; want recomputed with the features schema 14 adds", res.Skipped, res.Features)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM fact_feature_values WHERE feature_record_key <= `+fmt.Sprint(maxKey)); n != 0 {
		t.Fatalf("%d recomputed features reuse keys of the migrated ones", n)
	}
	if n := count(t, w.db, `SELECT COUNT(*) - COUNT(DISTINCT feature_record_key) FROM fact_feature_values`); n != 0 {
		t.Fatalf("%d duplicate feature keys", n)
	}
}

// TestUpgradeFromVersion6SurvivesACrash: migration 7 committed, and the
// process killed before anything else, leaves a warehouse that opens at
// version 7 (and migrates on) — which only holds because the migration is
// committed by a checkpoint, not the write-ahead log (the post-commit
// checkpoint is skipped here to show it).
func TestUpgradeFromVersion6SurvivesACrash(t *testing.T) {
	if path := os.Getenv(envUpgradeCrashDB); path != "" {
		checkpointAfterMigration = false
		warehouseAt(t, path, 7)
		os.Exit(0) // no Close: no checkpoint
	}
	path, before := version6WithFeatures(t)
	runChild(t, envUpgradeCrashDB, path)
	if st, err := os.Stat(path + ".wal"); err == nil && st.Size() > 0 {
		t.Fatalf("migration 7 left %d bytes of write-ahead log", st.Size())
	}
	reopenMigrated(t, path, before)
}

// envCheckpointAbortDB names the version-6 warehouse that
// TestUpgradeFromVersion6CrashDuringItsCheckpoint's child migrates with
// DuckDB told to fail its checkpoints before they land.
const envCheckpointAbortDB = "GENEXP_TEST_CHECKPOINT_ABORT_DB"

// TestUpgradeFromVersion6CrashDuringItsCheckpoint: a process that dies
// while migration 7's commit checkpoints (DuckDB's debug_checkpoint_abort
// stands for the kill) leaves version 6, which opens and migrates again.
// Had the commit also written the write-ahead log, the reopen would replay
// the DROP and fail.
func TestUpgradeFromVersion6CrashDuringItsCheckpoint(t *testing.T) {
	if path := os.Getenv(envCheckpointAbortDB); path != "" {
		db := openRaw(t, path)
		if _, err := db.Exec(`SET GLOBAL debug_checkpoint_abort = 'before_header'`); err != nil {
			t.Fatal(err)
		}
		_, err := New(db, Config{AutoMigrate: true})
		fmt.Println("migration:", err)
		os.Exit(0) // no Close: no checkpoint
	}
	path, before := version6WithFeatures(t)
	out := runChild(t, envCheckpointAbortDB, path)
	if !strings.Contains(string(out), "migration: ") || strings.Contains(string(out), "migration: <nil>") {
		t.Fatalf("the child's migration did not fail at its checkpoint:\n%s", out)
	}
	raw := openRaw(t, path)
	if v := count(t, raw, `SELECT MAX(version) FROM meta_schema_version`); v != 6 {
		t.Fatalf("schema version %d after the failed checkpoint, want 6", v)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	reopenMigrated(t, path, before)
}

// TestMigrationByCheckpointNeedsTheOnlyConnection: with another connection
// open, DuckDB could not commit migration 7 by a checkpoint, so the
// migration is refused (code SchemaVersion), version 6 stands and the
// checkpoint settings are as they were.
func TestMigrationByCheckpointNeedsTheOnlyConnection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	buildVersion6(t, path)
	db := openRaw(t, path)
	ctx := context.Background()
	other, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM dim_study`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("dim_study rows = %d (%v), want 1", n, err)
	}
	var want, got [2]string
	if err := db.QueryRow(stmtCheckpointSettings).Scan(&want[0], &want[1]); err != nil {
		t.Fatal(err)
	}
	_, err = New(db, Config{AutoMigrate: true})
	if !errors.Is(err, qc.SchemaVersion) || !strings.Contains(err.Error(), "connections to the warehouse are open") {
		t.Fatalf("migrating beside another connection: %v, want a SchemaVersion error naming the connections", err)
	}
	if n := count(t, db, `SELECT MAX(version) FROM meta_schema_version`); n != 6 {
		t.Fatalf("schema version %d after the refusal, want 6", n)
	}
	if err := db.QueryRow(stmtCheckpointSettings).Scan(&got[0], &got[1]); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("checkpoint settings %v after the refusal, want %v", got, want)
	}
}

// version6WithFeatures builds a version-6 warehouse (buildVersion6) at a
// new path and returns the path and its feature rows.
func version6WithFeatures(t *testing.T) (string, []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	buildVersion6(t, path)
	raw := openRaw(t, path)
	defer raw.Close()
	return path, featureRows(t, raw)
}

// runChild runs the calling test again in a child process with env set to
// path, and returns what it printed; the child failing fails the test.
func runChild(t *testing.T, env, path string) []byte {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^"+t.Name()+"$")
	cmd.Env = append(os.Environ(), env+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	return out
}

// reopenMigrated opens the warehouse at path after a child process left it
// and checks that it is at this package's version with the features it had
// at version 6.
func reopenMigrated(t *testing.T, path string, before []string) {
	t.Helper()
	w, err := Open(path)
	if err != nil {
		t.Fatalf("opening after the child: %v", err)
	}
	defer w.Close()
	if v, _ := w.Version(context.Background()); v != SchemaVersion() {
		t.Fatalf("schema version %d, want %d", v, SchemaVersion())
	}
	if after := featureRows(t, w.db); !slices.Equal(after, before) {
		t.Fatal("features changed across the migration")
	}
}
