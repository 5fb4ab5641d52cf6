// Package scan reads the result rows that every backend's status, health
// and feature statements return in the same shape, so that each backend
// owns only its SQL.
package scan

import (
	"database/sql"

	"github.com/genexp/genexp/warehouse"
)

// Steps reads process-log rows in the column order log_id, run_id,
// batch_id, study, step, status, attempt, started_at, ended_at, rows_read,
// rows_written, error_code, error_message, context_json; the nullable
// columns become nil pointers.
func Steps(rows *sql.Rows) ([]warehouse.StepRecord, error) {
	defer rows.Close()
	var out []warehouse.StepRecord
	for rows.Next() {
		var r warehouse.StepRecord
		var ended sql.NullTime
		var read, written sql.NullInt64
		var code sql.NullInt32
		if err := rows.Scan(&r.LogID, &r.RunID, &r.BatchID, &r.Study, &r.Step, &r.Status, &r.Attempt, &r.StartedAt,
			&ended, &read, &written, &code, &r.ErrorMessage, &r.Context); err != nil {
			return out, err
		}
		if ended.Valid {
			r.EndedAt = &ended.Time
		}
		if read.Valid {
			r.RowsRead = &read.Int64
		}
		if written.Valid {
			r.RowsWritten = &written.Int64
		}
		if code.Valid {
			c := int(code.Int32)
			r.ErrorCode = &c
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Runs reads run summaries in the column order run_id, started_at,
// ended_at (NULL while a step runs), studies, steps, failed, running,
// stopped, stop_reason (empty when none stopped), aborted, and extracts
// (the run's extract steps; any makes it a load).
func Runs(rows *sql.Rows) ([]warehouse.RunSummary, error) {
	defer rows.Close()
	var out []warehouse.RunSummary
	for rows.Next() {
		var r warehouse.RunSummary
		var ended sql.NullTime
		var extracts int64
		if err := rows.Scan(&r.RunID, &r.StartedAt, &ended, &r.Studies, &r.Steps, &r.Failed, &r.Running, &r.Stopped, &r.StopReason,
			&r.Aborted, &extracts); err != nil {
			return out, err
		}
		if ended.Valid {
			r.EndedAt = &ended.Time
		}
		r.Load = extracts > 0
		out = append(out, r)
	}
	return out, rows.Err()
}

// FailedSteps reads failed steps in the column order run_id, study (""
// for none), step, file ("" when not recorded), error_code (0 for none),
// started_at.
func FailedSteps(rows *sql.Rows) ([]warehouse.FailedStep, error) {
	defer rows.Close()
	var out []warehouse.FailedStep
	for rows.Next() {
		var f warehouse.FailedStep
		var code int64
		if err := rows.Scan(&f.RunID, &f.Study, &f.Step, &f.File, &code, &f.StartedAt); err != nil {
			return out, err
		}
		f.ErrorCode = int(code)
		out = append(out, f)
	}
	return out, rows.Err()
}

// Counts reads (name, count) rows into a map.
func Counts(rows *sql.Rows) (map[string]int64, error) {
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return out, err
		}
		out[name] = n
	}
	return out, rows.Err()
}
