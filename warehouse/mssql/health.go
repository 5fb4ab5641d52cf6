package mssql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/genexp/genexp/qc"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/internal/scan"
)

var (
	_ warehouse.AttemptCounter = (*Warehouse)(nil)
	_ warehouse.HealthChecker  = (*Warehouse)(nil)
)

// The process log's times are DATETIME2 holding UTC. go-mssqldb sends a
// time.Time as DATETIMEOFFSET, which outranks DATETIME2: compared as they
// are, every row's started_at would be converted (and the started_at index
// not sought). The statements convert the parameter instead, which drops
// its offset; callers therefore pass UTC.

// stmtFailedAttempts counts the runs, other than the current one (@p2),
// that left a FAILED step for the study (@p1) after its last successful
// load step, or a step RUNNING since before @p3: a run killed mid-step
// never ends its rows, and only their age tells it from a run still going.
const stmtFailedAttempts = `SELECT COUNT_BIG(DISTINCT run_id)
FROM dbo.meta_etl_process_log
WHERE study_accession_code = @p1
  AND run_id <> @p2
  AND (status = N'FAILED' OR (status = N'RUNNING' AND started_at < CONVERT(DATETIME2, @p3)))
  AND started_at > COALESCE(
    (SELECT MAX(started_at) FROM dbo.meta_etl_process_log
     WHERE study_accession_code = @p1 AND step = N'load' AND status = N'SUCCESS'),
    CONVERT(DATETIME2, '0001-01-01T00:00:00', 126))`

// stmtHealthFailures counts the FAILED steps since @p1, their runs, and
// those of them a later success of their study made good
// (warehouse.Health.ResolvedFailedSteps): a later analytics step skipped
// with reason @p2 (warehouse.ReasonFeaturesCurrent) makes good a failed
// one, the reason read only where ISJSON says the context is JSON (CASE
// tests its WHENs in order). T-SQL takes no subquery inside
// an aggregate (Msg 130): each failed step's flag is computed in a derived
// table and summed outside it.
const stmtHealthFailures = `SELECT COUNT_BIG(*), COUNT_BIG(DISTINCT failed.run_id), SUM(failed.made_good)
FROM (
    SELECT f.run_id,
        CASE WHEN ` + madeGood + `
        THEN 1 ELSE 0 END AS made_good
    FROM dbo.meta_etl_process_log f
    WHERE f.status = N'FAILED' AND f.started_at >= CONVERT(DATETIME2, @p1)) AS failed`

// madeGood holds when the failed step f of the process log was made good
// by a later step of its study (warehouse.Health.ResolvedFailedSteps);
// @p2 is warehouse.ReasonFeaturesCurrent.
const madeGood = `EXISTS (
            SELECT 1 FROM dbo.meta_etl_process_log s
            WHERE s.study_accession_code = f.study_accession_code
              AND s.started_at > f.started_at
              AND ((s.status = N'SUCCESS'
                    AND (s.step = f.step OR (s.step = N'load' AND f.step IN (N'extract', N'transform', N'validate'))))
                OR (s.status = N'SKIPPED' AND s.step = N'analytics' AND f.step = N'analytics'
                    AND CASE WHEN ISJSON(s.context_json) = 1 THEN JSON_VALUE(s.context_json, '$.reason') END = @p2)))`

// stmtHealthOpenFailures lists the @p3 most recent FAILED steps since @p1
// that nothing made good (warehouse.Health.OpenFailures), the file read
// only where ISJSON says the context is JSON.
const stmtHealthOpenFailures = `SELECT TOP (@p3) f.run_id, COALESCE(f.study_accession_code, N''), f.step,
    COALESCE(CASE WHEN ISJSON(f.context_json) = 1 THEN JSON_VALUE(f.context_json, '$.file') END, N''),
    COALESCE(f.error_code, 0), f.started_at
FROM dbo.meta_etl_process_log f
WHERE f.status = N'FAILED' AND f.started_at >= CONVERT(DATETIME2, @p1) AND NOT ` + madeGood + `
ORDER BY f.started_at DESC, f.log_id`

// stmtHealthRuns summarizes the @p1 most recent runs. A run with a step
// still RUNNING has not ended. SUM(CASE …) is DuckDB's COUNT(*) FILTER,
// which T-SQL lacks. A step the run never began because it was stopped is
// SKIPPED with context_json reason "interrupted" or "timed out"
// (warehouse.RunSummary.Stopped), and the step it was in FAILED with that
// reason (warehouse.RunSummary.StopReason). JSON_VALUE fails on text that is not
// JSON, so the reason is read only where ISJSON says it is: CASE tests its
// WHENs in order, and none of them holds an aggregate. A step a later run
// found abandoned is FAILED with reason "aborted"
// (warehouse.RunSummary.Aborted); a run with an extract step read
// matrices (warehouse.RunSummary.Load).
const stmtHealthRuns = `SELECT TOP (@p1) run_id,
    MIN(started_at),
    CASE WHEN SUM(CASE WHEN status = N'RUNNING' THEN 1 ELSE 0 END) > 0 THEN NULL ELSE MAX(ended_at) END,
    COUNT_BIG(DISTINCT study_accession_code),
    COUNT_BIG(*),
    SUM(CASE WHEN status = N'FAILED' THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = N'RUNNING' THEN 1 ELSE 0 END),
    COUNT_BIG(CASE WHEN status = N'SKIPPED' AND stop_reason <> N'aborted' THEN stop_reason END),
    COALESCE(MAX(CASE WHEN stop_reason <> N'aborted' THEN stop_reason END), N''),
    SUM(CASE WHEN status = N'FAILED' AND stop_reason = N'aborted' THEN 1 ELSE 0 END),
    SUM(CASE WHEN step = N'extract' THEN 1 ELSE 0 END)
FROM (SELECT run_id, started_at, ended_at, study_accession_code, status, step,
        CASE WHEN status NOT IN (N'SKIPPED', N'FAILED') OR ISJSON(context_json) <> 1 THEN NULL
             WHEN JSON_VALUE(context_json, N'$.reason') IN (N'interrupted', N'timed out', N'aborted')
             THEN JSON_VALUE(context_json, N'$.reason')
        END AS stop_reason
    FROM dbo.meta_etl_process_log) AS l
GROUP BY run_id
ORDER BY MIN(started_at) DESC, run_id`

// FailedAttempts implements warehouse.AttemptCounter. A zero KilledBefore
// counts no RUNNING step.
func (w *Warehouse) FailedAttempts(ctx context.Context, req warehouse.AttemptsRequest) (int, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	var n int
	err := w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		return w.db.QueryRowContext(ctx, stmtFailedAttempts, req.Study, req.RunID, req.KilledBefore.UTC()).Scan(&n)
	})
	return n, w.wrap(err, "mssql: counting earlier attempts of "+req.Study)
}

// Health implements warehouse.HealthChecker. A database without the
// genexp schema reports version 0 and nothing else. Path is always "": a
// server holds the warehouse.
func (w *Warehouse) Health(ctx context.Context, req warehouse.HealthRequest) (warehouse.Health, error) {
	if err := w.usable(); err != nil {
		return warehouse.Health{ExpectedSchemaVersion: SchemaVersion()}, err
	}
	h := warehouse.Health{ExpectedSchemaVersion: SchemaVersion()}
	v, err := w.Version(ctx)
	if err != nil {
		return h, w.wrap(err, "mssql: reading the schema version")
	}
	h.SchemaVersion = v
	if v == 0 {
		return h, nil
	}
	if v <= h.ExpectedSchemaVersion {
		// A version applied from another text of its migration than this
		// genexp's is reported with the error Migrate refuses it with,
		// beside the runs and failures.
		ms, err := migrations()
		if err != nil {
			return h, qc.Wrap(qc.SchemaVersion, err, "mssql: reading the embedded schema")
		}
		sums, err := w.readChecksums(ctx, v)
		if err != nil {
			return h, err
		}
		if err := checksumMismatch(sums, ms); err != nil {
			h.SchemaMismatch = err.Error()
		}
	}
	since := req.Since.UTC()
	if req.Since.IsZero() {
		since = time.Now().UTC().Add(-24 * time.Hour)
	}
	n := req.Runs
	if n <= 0 {
		n = 5
	}
	err = w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		h.FailedSteps, h.FailedRuns, h.ResolvedFailedSteps, h.Runs, h.OpenFailures = 0, 0, 0, nil, nil
		var resolved sql.NullInt64 // SUM of no rows is NULL
		if err := w.db.QueryRowContext(ctx, stmtHealthFailures, since, warehouse.ReasonFeaturesCurrent).Scan(&h.FailedSteps, &h.FailedRuns, &resolved); err != nil {
			return err
		}
		h.ResolvedFailedSteps = int(resolved.Int64)
		if h.FailedSteps > h.ResolvedFailedSteps {
			rows, err := w.db.QueryContext(ctx, stmtHealthOpenFailures, since, warehouse.ReasonFeaturesCurrent, int32(warehouse.MaxOpenFailures))
			if err != nil {
				return err
			}
			if h.OpenFailures, err = scan.FailedSteps(rows); err != nil {
				return err
			}
		}
		return w.readRuns(ctx, &h, n)
	})
	if err != nil {
		return h, w.wrap(err, "mssql: reading the process log")
	}
	if req.Features && v == h.ExpectedSchemaVersion && h.SchemaMismatch == "" {
		err = w.retry(ctx, opIdempotent, func(ctx context.Context) error {
			h.StaleFeatures, h.StaleFeatureStudies, h.StudiesWithoutFeatures, h.FeaturesChecked = 0, nil, 0, false
			return w.checkFeatures(ctx, &h, req.TopGenes)
		})
		if err != nil {
			// A reader not granted what the check reads still gets the
			// rest of the report.
			if ctx.Err() != nil {
				return h, w.wrap(err, "mssql: checking the features")
			}
			h.StaleFeatures, h.StaleFeatureStudies, h.StudiesWithoutFeatures = 0, nil, 0
			h.FeaturesError = w.wrap(err, "mssql: checking the features").Error()
		}
	}
	return h, nil
}

// stmtHealthFeatureStudies lists the loaded studies (those with a current
// batch), in accession order, each with whether fact_feature_values holds
// any feature of it.
const stmtHealthFeatureStudies = `SELECT st.study_key, st.study_accession_code,
    CASE WHEN EXISTS (SELECT 1 FROM dbo.fact_feature_values AS f WHERE f.study_key = st.study_key) THEN 1 ELSE 0 END
FROM dbo.dim_study AS st
JOIN dbo.meta_batch AS b ON b.study_key = st.study_key AND b.is_current = 1
ORDER BY st.study_accession_code`

// checkFeatures counts the loaded studies whose features are stale and
// those that have none (warehouse.Health.StaleFeatures), asking of each
// study with features what MaterializeFeatures asks before it skips one
// as current; the number of top genes only when top, the configuration's,
// is above 0.
func (w *Warehouse) checkFeatures(ctx context.Context, h *warehouse.Health, top int) error {
	type study struct {
		key      int32
		acc      string
		features bool
	}
	rows, err := w.db.QueryContext(ctx, stmtHealthFeatureStudies)
	if err != nil {
		return err
	}
	var studies []study
	for rows.Next() {
		var s study
		if err := rows.Scan(&s.key, &s.acc, &s.features); err != nil {
			rows.Close()
			return err
		}
		studies = append(studies, s)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, s := range studies {
		if !s.features {
			h.StudiesWithoutFeatures++
			continue
		}
		var key int32
		var batch, tech, doneInput, input string
		var doneBatch, doneScale sql.NullString
		var doneTop sql.NullInt32
		var doneRows sql.NullInt64
		var held int64
		err := w.db.QueryRowContext(ctx, stmtFeatureTarget, s.acc).Scan(&key, &batch, &tech, &doneBatch, &doneTop, &doneRows,
			&doneScale, &held, &doneInput)
		if err == nil && held == 0 {
			// The views serve a study's features of its current batch
			// only: none are served, and there is nothing to fingerprint.
			h.StudiesWithoutFeatures++
			continue
		}
		if err == nil {
			err = w.db.QueryRowContext(ctx, stmtFeatureFingerprint, s.key).Scan(&input)
		}
		if err != nil {
			return fmt.Errorf("study %s: %w", s.acc, err)
		}
		if !featuresCurrent(doneBatch, batch, doneRows, held, doneInput, input) || (top > 0 && int(doneTop.Int32) != top) {
			h.StaleFeatures++
			if len(h.StaleFeatureStudies) < warehouse.MaxListedStudies {
				h.StaleFeatureStudies = append(h.StaleFeatureStudies, s.acc)
			}
		}
	}
	h.FeaturesChecked = true
	return nil
}

func (w *Warehouse) readRuns(ctx context.Context, h *warehouse.Health, n int) error {
	rows, err := w.db.QueryContext(ctx, stmtHealthRuns, int32(min(n, 1<<31-1)))
	if err != nil {
		return err
	}
	h.Runs, err = scan.Runs(rows)
	return err
}
