package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/genexp/genexp/warehouse"
)

// TestCommittedLoadStepsOfAKilledRun: a killed run's RUNNING load step
// ends SUCCESS with the batch the run committed after the step started
// that no SUCCESS step of the run names: a second copy of a study that
// committed its own batch gets that batch, not the first copy's, and a
// step whose run committed nothing for it is marked aborted.
func TestCommittedLoadStepsOfAKilledRun(t *testing.T) {
	ctx := context.Background()
	w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	loadSmallStudy(t, w) // GSE1, for its dim_study row
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := w.db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// The first copy: started at t0, committed B1 at t0+1s, logged SUCCESS.
	// The second: started at t0+2s, committed B2 at t0+3s, killed before
	// logging. A third study step of the run committed nothing.
	batch := `INSERT INTO meta_batch (batch_id, study_key, study_accession_code, file_hash, run_id, rows_written, is_current, loaded_at)
		SELECT ?, study_key, 'GSE1', 'h', 'dead', ?, false, ? FROM dim_study WHERE study_accession_code = 'GSE1'`
	exec(batch, "B1", 10, t0.Add(time.Second))
	exec(batch, "B2", 20, t0.Add(3*time.Second))
	step := `INSERT INTO meta_etl_process_log (log_id, run_id, batch_id, study_accession_code, step, status, attempt, started_at, ended_at)
		VALUES (?, 'dead', ?, ?, 'load', ?, ?, ?, ?)`
	exec(step, "first", "B1", "GSE1", "SUCCESS", 1, t0, t0.Add(time.Second))
	exec(step, "second", nil, "GSE1", "RUNNING", 2, t0.Add(2*time.Second), nil)
	exec(step, "other", nil, "GSE2", "RUNNING", 1, t0.Add(2*time.Second), nil)

	n, err := w.AbortAbandonedSteps(ctx, warehouse.AbortRequest{RunID: "next", Message: "aborted: gone"})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d steps marked aborted, want 1 (GSE2's)", n)
	}
	var status, batchID, reason string
	var rows int64
	var ended time.Time
	if err := w.db.QueryRowContext(ctx, `SELECT status, batch_id, context_json->>'reason', rows_written, ended_at
		FROM meta_etl_process_log WHERE log_id = 'second'`).Scan(&status, &batchID, &reason, &rows, &ended); err != nil {
		t.Fatal(err)
	}
	if status != "SUCCESS" || batchID != "B2" || reason != "committed" || rows != 20 || !ended.Equal(t0.Add(3*time.Second)) {
		t.Errorf("the second copy's step: %s, batch %s, reason %q, %d rows, ended %v; want SUCCESS, B2, committed, 20, %v",
			status, batchID, reason, rows, ended, t0.Add(3*time.Second))
	}
	if got := count(t, w.db, `SELECT count(*) FROM meta_etl_process_log WHERE log_id = 'other' AND status = 'FAILED'`); got != 1 {
		t.Error("the step whose run committed nothing is not FAILED")
	}
}
