package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/internal/scan"
)

var (
	_ warehouse.AttemptCounter = (*Warehouse)(nil)
	_ warehouse.HealthChecker  = (*Warehouse)(nil)
	_ warehouse.StepAborter    = (*Warehouse)(nil)
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

// stmtHealthFailures counts the FAILED steps since $1, their runs, and
// those of them a later success of their study made good
// (warehouse.Health.ResolvedFailedSteps): a later analytics step skipped
// with reason $2 (warehouse.ReasonFeaturesCurrent) makes good a failed
// one. The reason is read only from valid JSON, as stmtHealthRuns reads it.
const stmtHealthFailures = `SELECT COUNT(*), COUNT(DISTINCT run_id),
    COUNT(*) FILTER (WHERE ` + madeGood + `)
FROM meta_etl_process_log f
WHERE status = 'FAILED' AND started_at >= $1`

// madeGood holds when the failed step f of the process log was made good
// by a later step of its study (warehouse.Health.ResolvedFailedSteps); $2
// is warehouse.ReasonFeaturesCurrent.
const madeGood = `EXISTS (
        SELECT 1 FROM meta_etl_process_log s
        WHERE s.study_accession_code = f.study_accession_code
          AND s.started_at > f.started_at
          AND ((s.status = 'SUCCESS'
                AND (s.step = f.step OR (s.step = 'load' AND f.step IN ('extract', 'transform', 'validate'))))
            OR (s.status = 'SKIPPED' AND s.step = 'analytics' AND f.step = 'analytics'
                AND CASE WHEN json_valid(s.context_json) THEN s.context_json->>'$.reason' END = $2)))`

// stmtHealthOpenFailures lists the $3 most recent FAILED steps since $1
// that nothing made good (warehouse.Health.OpenFailures), the file read
// from valid JSON only.
const stmtHealthOpenFailures = `SELECT run_id, COALESCE(study_accession_code, ''), step,
    COALESCE(CASE WHEN json_valid(context_json) THEN context_json->>'$.file' END, ''),
    COALESCE(error_code, 0), started_at
FROM meta_etl_process_log f
WHERE status = 'FAILED' AND started_at >= $1 AND NOT ` + madeGood + `
ORDER BY started_at DESC, log_id
LIMIT $3`

// stmtHealthRuns summarizes the $1 most recent runs. A step the run never
// began because it was stopped is SKIPPED with context_json reason
// "interrupted" or "timed out" (warehouse.RunSummary.Stopped), and the
// step it was in FAILED with that reason (warehouse.RunSummary.StopReason);
// the reason is read only from valid JSON, so that one unreadable row
// cannot fail health. A step a later run found abandoned is FAILED with
// reason "aborted" (warehouse.RunSummary.Aborted); a run with an extract
// step read matrices (warehouse.RunSummary.Load).
const stmtHealthRuns = `SELECT run_id,
    MIN(started_at),
    CASE WHEN COUNT(*) FILTER (WHERE status = 'RUNNING') > 0 THEN NULL ELSE MAX(ended_at) END,
    COUNT(DISTINCT study_accession_code),
    COUNT(*),
    COUNT(*) FILTER (WHERE status = 'FAILED'),
    COUNT(*) FILTER (WHERE status = 'RUNNING'),
    COUNT(stop_reason) FILTER (WHERE status = 'SKIPPED' AND stop_reason <> 'aborted'),
    COALESCE(MAX(stop_reason) FILTER (WHERE stop_reason <> 'aborted'), ''),
    COUNT(*) FILTER (WHERE status = 'FAILED' AND stop_reason = 'aborted'),
    COUNT(*) FILTER (WHERE step = 'extract')
FROM (SELECT run_id, started_at, ended_at, study_accession_code, status, step,
        CASE WHEN status NOT IN ('SKIPPED', 'FAILED') OR NOT json_valid(context_json) THEN NULL
             WHEN context_json->>'$.reason' IN ('interrupted', 'timed out', 'aborted') THEN context_json->>'$.reason'
        END AS stop_reason
    FROM meta_etl_process_log) AS l
GROUP BY run_id
ORDER BY MIN(started_at) DESC, run_id
LIMIT $1`

// stmtRunningRuns lists the runs with a step still RUNNING.
const stmtRunningRuns = `SELECT DISTINCT run_id FROM meta_etl_process_log WHERE status = 'RUNNING' ORDER BY run_id`

// stmtAbortRun marks the RUNNING steps of run $3 FAILED with message $1,
// adding reason "aborted" to their context ($2, a JSON object). Their end
// stays NULL: when the process died is unknown.
const stmtAbortRun = `UPDATE meta_etl_process_log
SET status = 'FAILED', error_message = $1,
    context_json = CAST(json_merge_patch(COALESCE(context_json, '{}'), $2) AS VARCHAR)
WHERE status = 'RUNNING' AND run_id = $3`

// stmtCommittedLoadSteps ends as SUCCESS the RUNNING load steps of run $1
// whose batch that run committed: a process killed after its commit,
// before it logged the step, loaded the study all the same. A step's batch
// is the run's batch of its study committed after the step started that
// no SUCCESS load step of the run names (a study's copies in one run load
// one after another, each logged before the next starts), the earliest if
// several are. The step ends when the batch was committed, with its rows,
// and its context says why ($2). A duplicate commit writes no batch row,
// so its step is left to stmtAbortRun.
const stmtCommittedLoadSteps = `UPDATE meta_etl_process_log
SET status = 'SUCCESS', ended_at = c.loaded_at, rows_written = c.rows_written, batch_id = c.batch_id,
    context_json = CAST(json_merge_patch(COALESCE(meta_etl_process_log.context_json, '{}'), $2) AS VARCHAR)
FROM (
    SELECT l.log_id,
           arg_min(b.batch_id, b.loaded_at) AS batch_id,
           min(b.loaded_at) AS loaded_at,
           arg_min(b.rows_written, b.loaded_at) AS rows_written
    FROM meta_etl_process_log l
    JOIN meta_batch b ON b.run_id = l.run_id AND b.study_accession_code = l.study_accession_code
        AND b.loaded_at >= l.started_at
    WHERE l.run_id = $1 AND l.step = 'load' AND l.status = 'RUNNING'
      AND NOT EXISTS (
        SELECT 1 FROM meta_etl_process_log d
        WHERE d.run_id = $1 AND d.step = 'load' AND d.status = 'SUCCESS' AND d.batch_id = b.batch_id)
    GROUP BY l.log_id
) c
WHERE meta_etl_process_log.log_id = c.log_id`

// stmtHealthFeatures asks, in one statement for every loaded study (one
// with a current batch), in accession order, what MaterializeFeatures asks
// of one before it skips it as current (stmtFeatureTarget): its current
// batch, the batch, top genes and rows its features were computed from and their input
// fingerprint, the rows of its current batch fact_feature_values holds,
// and the fingerprint of what they would be computed from now. The
// fingerprint is featureFingerprint's text, each study's labels
// aggregated in one pass over the facts rather than one scan per study
// (docs/performance.md, *Health*; TestFeatureFingerprintUnchanged checks
// that the two agree).
const stmtHealthFeatures = `WITH held AS (
    SELECT DISTINCT study_key, sample_key FROM fact_gene_expression),
labels AS (
    SELECT h.study_key,
        string_agg(h.sample_key || ':' || COALESCE(ss.illness_key, 0) || ':' || COALESCE(ss.exclude_from_analysis, false), ',' ORDER BY h.sample_key) AS agg
    FROM held h
    LEFT JOIN dim_study_sample ss ON ss.study_key = h.study_key AND ss.sample_key = h.sample_key
    GROUP BY h.study_key),
features AS (
    SELECT study_key, batch_id, COUNT(*) AS n FROM fact_feature_values GROUP BY study_key, batch_id)
SELECT st.study_accession_code,
    b.batch_id, fs.batch_id, fs.top_genes, fs.rows_written,
    COALESCE((SELECT f.n FROM features f WHERE f.study_key = st.study_key AND f.batch_id = b.batch_id), 0),
    COALESCE(fs.input_fingerprint, ''),
    md5(concat_ws('|', COALESCE(b.load_signature, ''), COALESCE(st.study_technology, ''), COALESCE(l.agg, '')))
FROM dim_study st
JOIN meta_batch b ON b.study_key = st.study_key AND b.is_current
LEFT JOIN meta_feature_state fs ON fs.study_key = st.study_key
LEFT JOIN labels l ON l.study_key = st.study_key
ORDER BY st.study_accession_code`

// healthStatements are the statements of this file, by name, for review
// beside the others (see statements.go).
var healthStatements = map[string]string{
	"failed_attempts": stmtFailedAttempts,
	"health_failures": stmtHealthFailures,
	"health_features": stmtHealthFeatures,
	"health_open":     stmtHealthOpenFailures,
	"health_runs":     stmtHealthRuns,
	"running_runs":    stmtRunningRuns,
	"abort_run":       stmtAbortRun,
	"committed_loads": stmtCommittedLoadSteps,
	"objects":         stmtObjects,
}

// EndRun implements warehouse.RunEnder: the run is no longer one of this
// process's runs going on.
func (w *Warehouse) EndRun(runID string) {
	if w.usable() == nil {
		w.file.runs.Delete(runID)
	}
}

// AbortAbandonedSteps implements warehouse.StepAborter. A process writing a
// DuckDB file holds it alone, so a RUNNING step of a run that did not log
// through this Warehouse (or another that Open made of its file in this
// process) was left by a process that is gone.
func (w *Warehouse) AbortAbandonedSteps(ctx context.Context, req warehouse.AbortRequest) (int64, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	if w.readOnly {
		return 0, nil
	}
	if err := w.requireSchema(ctx); err != nil {
		return 0, err
	}
	w.file.runs.Store(req.RunID, true)
	rows, err := w.db.QueryContext(ctx, stmtRunningRuns)
	if err != nil {
		return 0, classify(err, "duckdb: finding abandoned steps")
	}
	var dead []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, classify(err, "duckdb: finding abandoned steps")
		}
		if _, live := w.file.runs.Load(id); !live {
			dead = append(dead, id)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, classify(err, "duckdb: finding abandoned steps")
	}
	if err := rows.Err(); err != nil {
		return 0, classify(err, "duckdb: finding abandoned steps")
	}
	var n int64
	for _, id := range dead {
		if _, err := w.db.ExecContext(ctx, stmtCommittedLoadSteps, id,
			`{"reason":"committed","note":"the process ended after the commit, before it logged the step"}`); err != nil {
			return n, classify(err, "duckdb: ending the committed steps of run "+id)
		}
		res, err := w.db.ExecContext(ctx, stmtAbortRun, req.Message, `{"reason":"aborted"}`, id)
		if err != nil {
			return n, classify(err, "duckdb: marking the steps of run "+id+" aborted")
		}
		m, _ := res.RowsAffected()
		n += m
	}
	return n, nil
}

// FailedAttempts implements warehouse.AttemptCounter.
func (w *Warehouse) FailedAttempts(ctx context.Context, req warehouse.AttemptsRequest) (int, error) {
	if err := w.requireSchema(ctx); err != nil {
		return 0, err
	}
	var n int
	err := w.db.QueryRowContext(ctx, stmtFailedAttempts, req.Study, req.RunID, req.KilledBefore.UTC()).Scan(&n)
	return n, classify(err, "duckdb: counting earlier attempts")
}

// Health implements warehouse.HealthChecker. A warehouse with no schema
// reports version 0 and nothing else but, when objects of its own would
// make Migrate refuse it (see clashingNames), SchemaMismatch naming them,
// in the words Migrate refuses it with. A warehouse at an older version
// reports such objects the same way, for the migrations it still lacks.
func (w *Warehouse) Health(ctx context.Context, req warehouse.HealthRequest) (warehouse.Health, error) {
	if err := w.usable(); err != nil {
		return warehouse.Health{ExpectedSchemaVersion: SchemaVersion()}, err
	}
	// Opened read-only, a file no process can be writing.
	h := warehouse.Health{ExpectedSchemaVersion: SchemaVersion(), Path: w.path, NoWriter: w.readOnly && w.path != ""}
	v, err := w.Version(ctx)
	if err != nil {
		return h, classify(err, "duckdb: reading the schema version")
	}
	h.SchemaVersion = v
	if v <= h.ExpectedSchemaVersion {
		ms, err := migrations()
		if err != nil {
			return h, qc.Wrap(qc.SchemaVersion, err, "duckdb: reading the embedded schema")
		}
		// The objects Migrate would refuse the warehouse for, named with
		// the message it refuses it with.
		clash, err := clashingNames(ctx, w.db, v, ms)
		if err != nil {
			return h, err
		}
		if len(clash) > 0 {
			h.SchemaMismatch = clashMessage(v, clash)
		}
		if v == 0 {
			return h, nil
		}
		// A version applied from another text of its migration than this
		// genexp's is reported with the error Migrate refuses it with; the
		// runs and failures are still read, for monitoring.
		if err := verifyChecksums(ctx, w.db, v, ms); err != nil {
			if !errors.Is(err, qc.SchemaVersion) {
				return h, err
			}
			h.SchemaMismatch = err.Error()
		}
	}
	since := req.Since.UTC()
	if req.Since.IsZero() {
		since = time.Now().UTC().Add(-24 * time.Hour)
	}
	if err := w.db.QueryRowContext(ctx, stmtHealthFailures, since, warehouse.ReasonFeaturesCurrent).Scan(&h.FailedSteps, &h.FailedRuns, &h.ResolvedFailedSteps); err != nil {
		return h, classify(err, "duckdb: counting failures")
	}
	if h.FailedSteps > h.ResolvedFailedSteps {
		rows, err := w.db.QueryContext(ctx, stmtHealthOpenFailures, since, warehouse.ReasonFeaturesCurrent, warehouse.MaxOpenFailures)
		if err != nil {
			return h, classify(err, "duckdb: listing failures")
		}
		if h.OpenFailures, err = scan.FailedSteps(rows); err != nil {
			return h, classify(err, "duckdb: listing failures")
		}
	}
	n := req.Runs
	if n <= 0 {
		n = 5
	}
	rows, err := w.db.QueryContext(ctx, stmtHealthRuns, n)
	if err != nil {
		return h, classify(err, "duckdb: reading recent runs")
	}
	if h.Runs, err = scan.Runs(rows); err != nil {
		return h, classify(err, "duckdb: reading recent runs")
	}
	if req.Features && v == h.ExpectedSchemaVersion && h.SchemaMismatch == "" {
		if err := w.checkFeatures(ctx, &h, req.TopGenes); err != nil {
			if ctx.Err() != nil {
				return h, classify(err, "duckdb: checking the features")
			}
			h.StaleFeatures, h.StaleFeatureStudies, h.StudiesWithoutFeatures = 0, nil, 0
			h.FeaturesError = classify(err, "duckdb: checking the features").Error()
		}
	}
	return h, nil
}

// checkFeatures counts the loaded studies whose features are stale and
// those that have none (warehouse.Health.StaleFeatures), by the test
// MaterializeFeatures skips a study by; the number of top genes only when
// top, the configuration's, is above 0.
func (w *Warehouse) checkFeatures(ctx context.Context, h *warehouse.Health, top int) error {
	rows, err := w.db.QueryContext(ctx, stmtHealthFeatures)
	if err != nil {
		return err
	}
	for rows.Next() {
		var acc, batch, doneInput, input string
		var doneBatch sql.NullString
		var doneTop sql.NullInt32
		var doneRows sql.NullInt64
		var held int64
		if err := rows.Scan(&acc, &batch, &doneBatch, &doneTop, &doneRows, &held, &doneInput, &input); err != nil {
			rows.Close()
			return err
		}
		switch {
		case held == 0:
			// The views serve a study's features of its current batch
			// only: none are served.
			h.StudiesWithoutFeatures++
		case !featuresCurrent(doneBatch, batch, doneRows, held, doneInput, input) || (top > 0 && int(doneTop.Int32) != top):
			h.StaleFeatures++
			if len(h.StaleFeatureStudies) < warehouse.MaxListedStudies {
				h.StaleFeatureStudies = append(h.StaleFeatureStudies, acc)
			}
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	h.FeaturesChecked = true
	return nil
}
