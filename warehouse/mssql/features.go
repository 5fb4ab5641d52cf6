package mssql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/internal/scan"
)

var _ warehouse.FeatureMaterializer = (*Warehouse)(nil)

// The features are computed by set-based statements, one per group of
// features, in one transaction (see MaterializeFeatures), as the DuckDB
// backend computes them. Each reads the study's values through
// featureInput. Parameters: @p1 the study key, @p2 the batch id the rows
// carry, @p3 1 when y = log2(value + 1), @p4 the number of top genes.
//
// Where T-SQL differs from DuckDB's: PERCENTILE_CONT is a window function,
// so the median is taken over each sample's window and carried through the
// GROUP BY; there is no correlation aggregate, so r is built from sums of
// values centred on each gene's mean (which keeps the sums of squares from
// cancelling); and every division and square root is guarded with NULLIF
// or CASE inside its argument, because SQL Server does not promise to
// evaluate a WHERE or a CASE condition before the expressions it guards.
// LOG is guarded the same way, though the scale rule takes log2(value + 1)
// only for studies with no negative value.

// featureInput is the study's values the features are computed from: NULL
// values and samples excluded from analysis are left out, and a sample with
// no illness label counts as UNKNOWN. The label is the one decided in this
// study (dim_study_sample), so another study sharing the sample does not
// change it. y is the value on the study's analysis scale. The bucket
// predicate confines the scan to the study's partition.
const featureInput = `SELECT fe.sample_key,
           fe.gene_key,
           fe.expression_value AS v,
           CASE WHEN @p3 = 1 THEN LOG(CASE WHEN fe.expression_value > -1 THEN fe.expression_value + 1.0 END, 2) ELSE fe.expression_value END AS y,
           COALESCE(ss.illness_key, u.illness_key) AS illness_key,
           COALESCE(i.illness_label, N'UNKNOWN') AS illness_label
    FROM dbo.fact_gene_expression AS fe
    JOIN dbo.dim_sample AS s ON s.sample_key = fe.sample_key
    LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
    LEFT JOIN dbo.dim_illness AS i ON i.illness_key = ss.illness_key
    CROSS JOIN (SELECT illness_key FROM dbo.dim_illness WHERE illness_label = N'UNKNOWN') AS u
    WHERE fe.study_bucket = CONVERT(SMALLINT, @p1 % 32)
      AND fe.study_key = @p1
      AND fe.expression_value IS NOT NULL
      AND (ss.exclude_from_analysis IS NULL OR ss.exclude_from_analysis = 0)`

const featureInsert = `INSERT INTO dbo.fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
`

// stmtFeaturePublishShared takes the publish lock in shared mode for the
// computation's transaction. Under READ_COMMITTED_SNAPSHOT each statement
// reads its own snapshot; holding the lock keeps a commit from replacing
// the study's facts between two of them, so every feature describes the
// same batch. Computations of different studies share it.
const stmtFeaturePublishShared = `DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = N'genexp.publish', @LockMode = N'Shared',
    @LockOwner = N'Transaction', @LockTimeout = @p1;
SELECT @result;`

// stmtFeatureStudyLock serializes computations of one study (@p2 names it):
// each deletes and rewrites the same rows.
const stmtFeatureStudyLock = `DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = @p2, @LockMode = N'Exclusive',
    @LockOwner = N'Transaction', @LockTimeout = @p1;
SELECT @result;`

// stmtFeatureTarget finds the study, its current batch and technology, the
// batch, top genes, row count, scale and input fingerprint its features
// were last computed with, and the rows of the current batch that
// fact_feature_values holds.
const stmtFeatureTarget = `SELECT st.study_key, b.batch_id, COALESCE(st.study_technology, N''), fs.batch_id, fs.top_genes, fs.rows_written,
    fs.value_scale,
    (SELECT COUNT_BIG(*) FROM dbo.fact_feature_values AS f WHERE f.study_key = st.study_key AND f.batch_id = b.batch_id),
    COALESCE(fs.input_fingerprint, N'')
FROM dbo.dim_study AS st
JOIN dbo.meta_batch AS b ON b.study_key = st.study_key AND b.is_current = 1
LEFT JOIN dbo.meta_feature_state AS fs ON fs.study_key = st.study_key
WHERE st.study_accession_code = @p1`

// featuresCurrent says whether a study's features, computed from batch
// doneBatch to doneRows rows with input fingerprint doneInput (its
// meta_feature_state row), still describe its current batch, of which
// fact_feature_values holds held rows, and what they are computed from
// now (input, stmtFeatureFingerprint). The number of top genes is the
// caller's to compare.
func featuresCurrent(doneBatch sql.NullString, batch string, doneRows sql.NullInt64, held int64, doneInput, input string) bool {
	return doneBatch.Valid && doneBatch.String == batch && doneRows.Int64 == held && doneInput == input
}

// stmtFeatureFingerprint hashes what the features of study @p1 are
// computed from beside the batch id: the current batch's load signature,
// the study's technology, and the illness label and exclusion (the
// study's own, in dim_study_sample) of each sample the facts hold. A
// duplicate load that relabels a sample leaves the batch as it was; the
// fingerprint is how the features learn they are stale. A load of another
// study sharing the sample changes neither.
const stmtFeatureFingerprint = `SELECT CONVERT(NVARCHAR(64), HASHBYTES('SHA2_256', CONCAT(COALESCE(b.load_signature, N''), N'|',
    COALESCE(st.study_technology, N''), N'|',
    (SELECT STRING_AGG(CONVERT(NVARCHAR(MAX), CONCAT(s.sample_key, N':', COALESCE(ss.illness_key, 0), N':',
                CONVERT(INT, COALESCE(ss.exclude_from_analysis, 0)))), N',') WITHIN GROUP (ORDER BY s.sample_key)
     FROM dbo.dim_sample AS s
     LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = @p1 AND ss.sample_key = s.sample_key
     WHERE s.sample_key IN (SELECT fe.sample_key FROM dbo.fact_gene_expression AS fe
                            WHERE fe.study_bucket = CONVERT(SMALLINT, @p1 % 32) AND fe.study_key = @p1)))), 2)
FROM dbo.dim_study AS st
JOIN dbo.meta_batch AS b ON b.study_key = st.study_key AND b.is_current = 1
WHERE st.study_key = @p1`

// stmtFeatureRange counts the values the features use and finds their
// range, which decides the scale (warehouse.FeatureScale).
const stmtFeatureRange = `SELECT COUNT_BIG(*), MIN(fe.expression_value), MAX(fe.expression_value)
FROM dbo.fact_gene_expression AS fe
LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
WHERE fe.study_bucket = CONVERT(SMALLINT, @p1 % 32)
  AND fe.study_key = @p1
  AND fe.expression_value IS NOT NULL
  AND (ss.exclude_from_analysis IS NULL OR ss.exclude_from_analysis = 0)`

const stmtFeatureDelete = `DELETE FROM dbo.fact_feature_values WHERE study_key = @p1`

// stmtFeatureCohorts counts each illness cohort's samples.
const stmtFeatureCohorts = `WITH input AS (
    ` + featureInput + `)
` + featureInsert + `SELECT N'STUDY_COHORT', illness_key, NULL, N'cohort_sample_count', CONVERT(FLOAT, COUNT(DISTINCT sample_key)), @p1, @p2
FROM input
GROUP BY illness_key
OPTION (RECOMPILE);`

// stmtFeatureSamples summarizes each sample. PERCENTILE_CONT(0.5)
// interpolates: the mean of the two middle values for an even count.
const stmtFeatureSamples = `WITH input AS (
    ` + featureInput + `),
ranked AS (
    SELECT sample_key,
           v,
           y,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY y) OVER (PARTITION BY sample_key) AS median_y
    FROM input),
per_sample AS (
    SELECT sample_key,
           CONVERT(FLOAT, SUM(CASE WHEN v > 0 THEN 1 ELSE 0 END)) AS sample_detected_genes,
           AVG(y) AS sample_mean,
           MAX(median_y) AS sample_median
    FROM ranked
    GROUP BY sample_key)
` + featureInsert + `SELECT N'SAMPLE', u.sample_key, NULL, u.feature_name, u.feature_value, @p1, @p2
FROM per_sample
UNPIVOT (feature_value FOR feature_name IN (sample_detected_genes, sample_mean, sample_median)) AS u
OPTION (RECOMPILE);`

// stmtFeatureGeneCohorts describes each gene in each illness cohort.
// UNPIVOT drops the NULL standard deviation of a cohort of one. The
// standard deviation is computed in two passes, from each value's distance
// to its cohort's mean, as DuckDB's is: SQL Server's STDEV and VAR sum the
// squares of the values themselves, which loses a small spread beside a
// large mean (identical values get a deviation of rounding noise) and
// overflows on values near the float's range.
const stmtFeatureGeneCohorts = `WITH input AS (
    ` + featureInput + `),
centered AS (
    SELECT gene_key, illness_key, y, y - AVG(y) OVER (PARTITION BY gene_key, illness_key) AS d
    FROM input),
per_cohort AS (
    SELECT gene_key,
           illness_key,
           AVG(y) AS gene_cohort_mean,
           SQRT(CASE WHEN COUNT(*) > 1 THEN SUM(d * d) / NULLIF(COUNT(*) - 1, 0) END) AS gene_cohort_sd,
           CONVERT(FLOAT, COUNT(*)) AS gene_cohort_n
    FROM centered
    GROUP BY gene_key, illness_key)
` + featureInsert + `SELECT N'GENE', u.gene_key, u.illness_key, u.feature_name, u.feature_value, @p1, @p2
FROM per_cohort
UNPIVOT (feature_value FOR feature_name IN (gene_cohort_mean, gene_cohort_sd, gene_cohort_n)) AS u
OPTION (RECOMPILE);`

// stmtFeatureGenes writes each gene's variance over all samples and its
// sepsis-against-control comparison (Welch's t and its degrees of freedom,
// from the sepsis arm's share of se², as the DuckDB backend computes them,
// so that no square of a variance can overflow). Variances are computed in
// two passes, from each value's distance to its group's mean (see
// stmtFeatureGeneCohorts); grp is 1 for the sepsis arm (SEPSIS and
// SEPTIC_SHOCK), 2 for CONTROL, 0 for the rest.
const stmtFeatureGenes = `WITH input AS (
    ` + featureInput + `),
grouped AS (
    SELECT gene_key, y,
           CASE WHEN illness_label IN (N'SEPSIS', N'SEPTIC_SHOCK') THEN 1 WHEN illness_label = N'CONTROL' THEN 2 ELSE 0 END AS grp
    FROM input),
centered AS (
    SELECT gene_key, y, grp,
           y - AVG(y) OVER (PARTITION BY gene_key) AS d,
           y - AVG(y) OVER (PARTITION BY gene_key, grp) AS dg
    FROM grouped),
per_gene AS (
    SELECT gene_key,
           SUM(d * d) / NULLIF(COUNT(*) - 1, 0) AS variance,
           COUNT(CASE WHEN grp = 1 THEN 1 END) AS n_s,
           AVG(CASE WHEN grp = 1 THEN y END) AS mean_s,
           SUM(CASE WHEN grp = 1 THEN dg * dg END) / NULLIF(COUNT(CASE WHEN grp = 1 THEN 1 END) - 1, 0) AS var_s,
           COUNT(CASE WHEN grp = 2 THEN 1 END) AS n_c,
           AVG(CASE WHEN grp = 2 THEN y END) AS mean_c,
           SUM(CASE WHEN grp = 2 THEN dg * dg END) / NULLIF(COUNT(CASE WHEN grp = 2 THEN 1 END) - 1, 0) AS var_c
    FROM centered
    GROUP BY gene_key),
compared AS (
    SELECT gene_key,
           variance,
           CASE WHEN n_s >= 2 AND n_c >= 2 THEN mean_s - mean_c END AS diff,
           CASE WHEN n_s >= 2 AND n_c >= 2 THEN var_s / NULLIF(n_s, 0) + var_c / NULLIF(n_c, 0) END AS se2,
           var_s / NULLIF(n_s, 0) AS q_s,
           n_s,
           n_c
    FROM per_gene),
shares AS (
    SELECT gene_key, variance, diff, se2, n_s, n_c,
           CASE WHEN se2 > 0 THEN q_s / NULLIF(se2, 0) END AS w
    FROM compared),
per_gene_features AS (
    SELECT gene_key,
           variance AS gene_variance,
           diff AS gene_sepsis_vs_control_log2fc,
           diff / SQRT(CASE WHEN se2 > 0 THEN se2 END) AS gene_sepsis_vs_control_welch_t,
           CONVERT(FLOAT, 1.0 / (w * w / NULLIF(n_s - 1, 0) + (1.0 - w) * (1.0 - w) / NULLIF(n_c - 1, 0))) AS gene_sepsis_vs_control_welch_df
    FROM shares)
` + featureInsert + `SELECT N'GENE', u.gene_key, NULL, u.feature_name, u.feature_value, @p1, @p2
FROM per_gene_features
UNPIVOT (feature_value FOR feature_name IN (gene_variance, gene_sepsis_vs_control_log2fc, gene_sepsis_vs_control_welch_t,
    gene_sepsis_vs_control_welch_df)) AS u
OPTION (RECOMPILE);`

// stmtFeaturePairs correlates every pair of the @p4 most variable genes,
// ranked by the gene_variance rows stmtFeatureGenes has just written,
// among the genes measured in at least 3 of the study's samples and at
// least half of them (gene_cohort_n summed against cohort_sample_count
// summed), control probes left out (warehouse.GeneTypeControlProbe). The
// self-join pairs the two genes' values sample by sample, so a pair's
// correlation uses the samples measuring both (gene_pair_n, written beside
// it, counts them): with d the value less the
// gene's mean, r = (Σab − ΣaΣb/n) / sqrt((Σaa − (Σa)²/n)(Σbb − (Σb)²/n)).
// A gene constant over the samples the pair shares leaves its term at
// rounding noise, not 0 (its d are centred on the mean over all its
// samples): a term below 1e-12 of its Σaa is taken as 0, and the pair has
// no correlation, as DuckDB's corr gives none; the two square roots are
// taken apart so that their product cannot overflow.
const stmtFeaturePairs = `WITH coverage AS (
    SELECT entity_id_1 AS gene_key, SUM(feature_value) AS n
    FROM dbo.fact_feature_values
    WHERE study_key = @p1 AND feature_name = N'gene_cohort_n'
    GROUP BY entity_id_1),
top_genes AS (
    SELECT TOP (@p4) CONVERT(INT, v.entity_id_1) AS gene_key
    FROM dbo.fact_feature_values AS v
    JOIN coverage AS c ON c.gene_key = v.entity_id_1
    WHERE v.study_key = @p1 AND v.feature_name = N'gene_variance' AND v.feature_value > 0
      AND c.n >= 3
      AND 2 * c.n >= (SELECT SUM(w.feature_value) FROM dbo.fact_feature_values AS w
                      WHERE w.study_key = @p1 AND w.feature_name = N'cohort_sample_count')
      AND NOT EXISTS (SELECT 1 FROM dbo.dim_gene AS g WHERE g.gene_key = CONVERT(INT, v.entity_id_1) AND g.gene_type = N'control_probe')
    ORDER BY v.feature_value DESC, v.entity_id_1),
input AS (
    ` + featureInput + `
      AND fe.gene_key IN (SELECT t.gene_key FROM top_genes AS t)),
centered AS (
    SELECT i.sample_key, i.gene_key, i.y - m.mean_y AS d
    FROM input AS i
    JOIN (SELECT gene_key, AVG(y) AS mean_y FROM input GROUP BY gene_key) AS m ON m.gene_key = i.gene_key),
sums AS (
    SELECT a.gene_key AS gene_1,
           b.gene_key AS gene_2,
           COUNT_BIG(*) AS n,
           SUM(a.d) AS sa,
           SUM(b.d) AS sb,
           SUM(a.d * b.d) AS sab,
           SUM(a.d * a.d) AS saa,
           SUM(b.d * b.d) AS sbb
    FROM centered AS a
    JOIN centered AS b ON b.sample_key = a.sample_key AND b.gene_key > a.gene_key
    GROUP BY a.gene_key, b.gene_key),
moments AS (
    SELECT gene_1, gene_2, n, sab - sa * sb / n AS cab, saa - sa * sa / n AS caa, sbb - sb * sb / n AS cbb, saa, sbb
    FROM sums),
correlations AS (
    SELECT gene_1, gene_2, n,
           cab / (SQRT(CASE WHEN caa > saa * 0.000000000001 THEN caa END) * SQRT(CASE WHEN cbb > sbb * 0.000000000001 THEN cbb END)) AS r
    FROM moments),
pair_features AS (
    SELECT gene_1, gene_2,
           CONVERT(FLOAT, CASE WHEN r > 1 THEN 1.0 WHEN r < -1 THEN -1.0 ELSE r END) AS gene_pair_pearson_r,
           CONVERT(FLOAT, n) AS gene_pair_n
    FROM correlations
    WHERE n >= 3 AND r IS NOT NULL)
` + featureInsert + `SELECT N'GENE_PAIR', u.gene_1, u.gene_2, u.feature_name, u.feature_value, @p1, @p2
FROM pair_features
UNPIVOT (feature_value FOR feature_name IN (gene_pair_pearson_r, gene_pair_n)) AS u
OPTION (RECOMPILE);`

const stmtFeatureState = `MERGE dbo.meta_feature_state WITH (HOLDLOCK) AS t
USING (SELECT @p1 AS study_key) AS s
ON t.study_key = s.study_key
WHEN MATCHED THEN UPDATE SET
    batch_id = @p2,
    value_scale = @p3,
    top_genes = @p4,
    rows_written = @p5,
    run_id = @p6,
    input_fingerprint = @p7,
    computed_at = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (study_key, batch_id, value_scale, top_genes, rows_written, run_id, computed_at, input_fingerprint)
    VALUES (s.study_key, @p2, @p3, @p4, @p5, @p6, SYSUTCDATETIME(), @p7);`

const stmtFeatureCounts = `SELECT feature_name, COUNT_BIG(*)
FROM dbo.fact_feature_values
WHERE study_key = @p1
GROUP BY feature_name
ORDER BY feature_name`

// featureStatements are the statements of this file, by name, for review
// beside the others (see statements.go).
var featureStatements = map[string]string{
	"feature_publish_shared": stmtFeaturePublishShared,
	"feature_study_lock":     stmtFeatureStudyLock,
	"feature_target":         stmtFeatureTarget,
	"feature_fingerprint":    stmtFeatureFingerprint,
	"feature_range":          stmtFeatureRange,
	"feature_delete":         stmtFeatureDelete,
	"feature_cohorts":        stmtFeatureCohorts,
	"feature_samples":        stmtFeatureSamples,
	"feature_gene_cohorts":   stmtFeatureGeneCohorts,
	"feature_genes":          stmtFeatureGenes,
	"feature_pairs":          stmtFeaturePairs,
	"feature_state":          stmtFeatureState,
	"feature_counts":         stmtFeatureCounts,
}

// featureInserts are the feature statements in the order they run, with the
// number of parameters each takes: the pairs read the variances the genes
// statement writes. Those that read a study's facts are compiled for each
// run (OPTION (RECOMPILE)), as the fact insert is: each runs once a study,
// and a plan cached for another study's size would size its memory grants.
var featureInserts = []struct {
	stmt, what string
	params     int
}{
	{stmtFeatureCohorts, "counting cohorts", 3},
	{stmtFeatureSamples, "summarizing samples", 3},
	{stmtFeatureGeneCohorts, "describing genes per cohort", 3},
	{stmtFeatureGenes, "comparing sepsis with control", 3},
	{stmtFeaturePairs, "correlating gene pairs", 4},
}

// featureLockResource names the application lock of one study's features.
func featureLockResource(study string) string { return "genexp.features." + study }

// MaterializeFeatures implements warehouse.FeatureMaterializer. It runs in
// one transaction holding the publish lock shared (no commit replaces the
// study's facts meanwhile) and the study's own lock; readers under
// READ_COMMITTED_SNAPSHOT see the previous features until it commits. The
// whole transaction is retried after a transient error or a lost
// connection: computing the features twice gives the same rows. A failure
// is a *qc.Error of code MaterializationFailed (WarehouseBusy when a lock
// is not granted within busy_timeout), except when ctx ended.
func (w *Warehouse) MaterializeFeatures(ctx context.Context, req warehouse.FeaturesRequest) (warehouse.FeaturesResult, error) {
	if err := w.usable(); err != nil {
		return warehouse.FeaturesResult{Study: req.Study}, err
	}
	top := req.TopGenes
	if top == 0 {
		top = warehouse.DefaultTopGenes
	}
	if top < 0 {
		return warehouse.FeaturesResult{Study: req.Study},
			qc.Errorf(qc.MaterializationFailed, "mssql: features of %s: top genes must not be negative (got %d)", req.Study, top)
	}
	var res warehouse.FeaturesResult
	err := w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		var err error
		res, err = w.materialize(ctx, req, top)
		return err
	})
	if err == nil {
		return res, nil
	}
	var qe *qc.Error
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return res, fmt.Errorf("mssql: features of %s: %w", req.Study, err)
	case errors.As(err, &qe):
		return res, err
	}
	return res, &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: req.Study,
		Msg: "mssql: features of " + req.Study, Err: err}
}

// featureStep is one statement of the computation and what it does, for
// the error.
type featureStep struct {
	what string
	err  error
}

func (e *featureStep) Error() string { return e.what + ": " + e.err.Error() }
func (e *featureStep) Unwrap() error { return e.err }

// materialize is one attempt of MaterializeFeatures.
func (w *Warehouse) materialize(ctx context.Context, req warehouse.FeaturesRequest, top int) (res warehouse.FeaturesResult, err error) {
	res.Study = req.Study
	step := func(what string, err error) error { return &featureStep{what, err} }
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, stmtSessionOptions); err != nil {
		return res, err
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil || res.Skipped {
			// A rollback that fails leaves the session's state unknown: it
			// must not go back to the pool.
			if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
				_ = discard(conn)
			}
		}
	}()
	// The study's lock first, then the publish lock: a computation waiting
	// for another of the same study then holds nothing a load's commit
	// waits for.
	timeout := lockTimeoutMillis(w.cfg.BusyTimeout)
	var granted int
	if err = tx.QueryRowContext(ctx, stmtFeatureStudyLock, timeout, featureLockResource(req.Study)).Scan(&granted); err != nil {
		return res, step("locking the study's features", err)
	}
	switch {
	case granted == -3:
		return res, errLockDeadlock
	case granted < 0:
		return res, &qc.Error{Code: qc.WarehouseBusy, Severity: qc.SeverityError, Study: req.Study,
			Msg: fmt.Sprintf("warehouse busy: the features of %s are being computed by another process for longer than busy_timeout (sp_getapplock returned %d)", req.Study, granted)}
	}
	if err = getAppLock(ctx, tx, stmtFeaturePublishShared, timeout, "publishing"); err != nil {
		return res, err
	}
	var studyKey int32
	var tech string
	var doneBatch, doneScale sql.NullString
	var doneTop sql.NullInt32
	var doneRows sql.NullInt64
	var held int64
	var doneInput, input string
	err = tx.QueryRowContext(ctx, stmtFeatureTarget, req.Study).Scan(&studyKey, &res.BatchID, &tech, &doneBatch, &doneTop, &doneRows,
		&doneScale, &held, &doneInput)
	if errors.Is(err, sql.ErrNoRows) {
		return res, &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: req.Study,
			Msg: "mssql: study " + req.Study + " has no loaded batch; load it before computing its features"}
	}
	if err != nil {
		return res, step("finding the study", err)
	}
	if err = tx.QueryRowContext(ctx, stmtFeatureFingerprint, studyKey).Scan(&input); err != nil {
		return res, step("fingerprinting the features' input", err)
	}
	if req.IfStale && int(doneTop.Int32) == top && featuresCurrent(doneBatch, res.BatchID, doneRows, held, doneInput, input) {
		res.Skipped, res.Scale = true, doneScale.String
		return res, nil
	}
	var lo, hi sql.NullFloat64
	if err = tx.QueryRowContext(ctx, stmtFeatureRange, studyKey).Scan(&res.Values, &lo, &hi); err != nil {
		return res, step("reading the values' range", err)
	}
	res.Scale = warehouse.FeatureScale(tech, lo.Float64, hi.Float64)
	logScale := res.Scale == warehouse.ScaleLog2
	r, err := tx.ExecContext(ctx, stmtFeatureDelete, studyKey)
	if err != nil {
		return res, step("removing the previous features", err)
	}
	if res.Removed, err = r.RowsAffected(); err != nil {
		return res, step("removing the previous features", err)
	}
	for _, ins := range featureInserts {
		args := []any{studyKey, res.BatchID, logScale, int32(top)}[:ins.params]
		r, err := tx.ExecContext(ctx, ins.stmt, args...)
		if err != nil {
			return res, step(ins.what, err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			return res, step(ins.what, err)
		}
		res.Rows += n
	}
	if _, err = tx.ExecContext(ctx, stmtFeatureState, studyKey, res.BatchID, res.Scale, int32(top), res.Rows, null(req.RunID), input); err != nil {
		return res, step("recording the features' state", err)
	}
	if res.Features, err = featureCounts(ctx, tx, studyKey); err != nil {
		return res, step("counting the features", err)
	}
	if err = tx.Commit(); err != nil {
		return res, step("committing", err)
	}
	return res, nil
}

func featureCounts(ctx context.Context, tx *sql.Tx, studyKey int32) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, stmtFeatureCounts, studyKey)
	if err != nil {
		return nil, err
	}
	return scan.Counts(rows)
}
