package duckdb_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestPreparedReadAcrossAReplace prepares a read of a study, replaces the
// study's batch, then runs the read: it must see the new batch whole.
// duckdb-go prepares every statement before it executes it, each in its
// own transaction when none is open, so this is what any reader meets when
// a load commits in between; with DuckDB's statistics propagation the plan
// made from the old batch's statistics found no row of the new one.
func TestPreparedReadAcrossAReplace(t *testing.T) {
	w, err := duckdb.Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	loadSyntheticBatch(t, w, "GSE1", "b1", 400, 5)
	// Exact statistics, as a warehouse has once a load has checkpointed it.
	if _, err := w.DB().Exec(`CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	stmt, err := w.DB().Prepare(`SELECT COUNT(*), COUNT(DISTINCT batch_id), MIN(batch_id)
		FROM analytics.vw_expression_long WHERE study_accession_code = 'GSE1'`)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	loadSyntheticBatch(t, w, "GSE1", "b2", 300, 5)
	var n, batches int
	var batch sql.NullString
	if err := stmt.QueryRow().Scan(&n, &batches, &batch); err != nil {
		t.Fatal(err)
	}
	if n != 1500 || batches != 1 || batch.String != "b2" {
		t.Fatalf("read %d rows of %d batches (first %q), want the new batch whole: 1500 rows of b2", n, batches, batch.String)
	}
}
