package duckdb

import (
	"context"
	"time"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/internal/scan"
)

var (
	_ warehouse.AttemptCounter = (*Warehouse)(nil)
	_ warehouse.HealthChecker  = (*Warehouse)(nil)
)

// stmtFailedAttempts counts the runs, other than the current one ($2), that
// left a FAILED step for the study ($1) after its last successful load
// step, or a step RUNNING since before $3: a run killed mid-step never ends
// its rows, and only their age tells it from a run still going.
const stmtFailedAttempts = `SELECT COUNT(DISTINCT run_id)
FROM meta_etl_process_log
WHERE study_accession_code = $1
  AND run_id <> $2
  AND (status = 'FAILED' OR (status = 'RUNNING' AND started_at < $3))
  AND started_at > COALESCE(
    (SELECT MAX(started_at) FROM meta_etl_process_log
     WHERE study_accession_code = $1 AND step = 'load' AND status = 'SUCCESS'),
    TIMESTAMP '1970-01-01')`

// stmtHealthFailures counts the FAILED steps since $1, and their runs.
const stmtHealthFailures = `SELECT COUNT(*), COUNT(DISTINCT run_id)
FROM meta_etl_process_log
WHERE status = 'FAILED' AND started_at >= $1`

// stmtHealthRuns summarizes the $1 most recent runs.
const stmtHealthRuns = `SELECT run_id,
    MIN(started_at),
    CASE WHEN COUNT(*) FILTER (WHERE status = 'RUNNING') > 0 THEN NULL ELSE MAX(ended_at) END,
    COUNT(DISTINCT study_accession_code),
    COUNT(*),
    COUNT(*) FILTER (WHERE status = 'FAILED'),
    COUNT(*) FILTER (WHERE status = 'RUNNING')
FROM meta_etl_process_log
GROUP BY run_id
ORDER BY MIN(started_at) DESC, run_id
LIMIT $1`

// healthStatements are the statements of this file, by name, for review
// beside the others (see statements.go).
var healthStatements = map[string]string{
	"failed_attempts": stmtFailedAttempts,
	"health_failures": stmtHealthFailures,
	"health_runs":     stmtHealthRuns,
}

// FailedAttempts implements warehouse.AttemptCounter.
func (w *Warehouse) FailedAttempts(ctx context.Context, req warehouse.AttemptsRequest) (int, error) {
	var n int
	err := w.db.QueryRowContext(ctx, stmtFailedAttempts, req.Study, req.RunID, req.KilledBefore.UTC()).Scan(&n)
	return n, classify(err, "duckdb: counting earlier attempts")
}

// Health implements warehouse.HealthChecker. A warehouse with no schema
// reports version 0 and nothing else.
func (w *Warehouse) Health(ctx context.Context, req warehouse.HealthRequest) (warehouse.Health, error) {
	h := warehouse.Health{ExpectedSchemaVersion: SchemaVersion(), Path: w.path}
	v, err := w.Version(ctx)
	if err != nil {
		return h, classify(err, "duckdb: reading the schema version")
	}
	h.SchemaVersion = v
	if v == 0 {
		return h, nil
	}
	since := req.Since.UTC()
	if req.Since.IsZero() {
		since = time.Now().UTC().Add(-24 * time.Hour)
	}
	if err := w.db.QueryRowContext(ctx, stmtHealthFailures, since).Scan(&h.FailedSteps, &h.FailedRuns); err != nil {
		return h, classify(err, "duckdb: counting failures")
	}
	n := req.Runs
	if n <= 0 {
		n = 5
	}
	rows, err := w.db.QueryContext(ctx, stmtHealthRuns, n)
	if err != nil {
		return h, classify(err, "duckdb: reading recent runs")
	}
	h.Runs, err = scan.Runs(rows)
	return h, classify(err, "duckdb: reading recent runs")
}
