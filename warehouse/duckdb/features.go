package duckdb

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
// features, in one transaction (see MaterializeFeatures). Each reads the
// study's values through featureInput. Parameters: $1 the study key, $2 the
// batch id the rows carry, $3 true when y = log2(value + 1), $4 the number
// of top genes.

// featureInput is the study's values the features are computed from: NULL
// values and samples excluded from analysis are left out, and a sample with
// no illness label counts as UNKNOWN. The label is the one decided in this
// study (dim_study_sample), so another study sharing the sample does not
// change it. y is the value on the study's analysis scale.
const featureInput = `SELECT fe.sample_key,
           fe.gene_key,
           fe.expression_value AS v,
           CASE WHEN $3 THEN log2(fe.expression_value + 1) ELSE fe.expression_value END AS y,
           COALESCE(ss.illness_key, u.illness_key) AS illness_key,
           COALESCE(i.illness_label, 'UNKNOWN') AS illness_label
    FROM fact_gene_expression fe
    JOIN dim_sample s ON s.sample_key = fe.sample_key
    LEFT JOIN dim_study_sample ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
    LEFT JOIN dim_illness i ON i.illness_key = ss.illness_key
    CROSS JOIN (SELECT illness_key FROM dim_illness WHERE illness_label = 'UNKNOWN') u
    WHERE fe.study_key = $1
      AND fe.expression_value IS NOT NULL
      AND NOT s.exclude_from_analysis`

const featureInsert = `INSERT INTO fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
`

// stmtStudyKey finds the study's key; stmtFeatureTarget takes it.
const stmtStudyKey = `SELECT study_key FROM dim_study WHERE study_accession_code = $1`

// stmtFeatureTarget finds, for the study of key $1, its current batch and
// technology, the batch, top genes, row count, scale and input fingerprint
// its features were last computed with, the rows of the current batch that
// fact_feature_values holds (fewer than were written: someone removed
// features), and the fingerprint of the features' input now (see
// featureFingerprint). Every read of the fact and feature tables names the
// study key as a constant, so DuckDB reads only the row groups that may
// hold the study; subqueries correlated on the study were joined against
// every row of those tables, a cost that grew with the warehouse.
const stmtFeatureTarget = `SELECT b.batch_id, COALESCE(st.study_technology, ''), fs.batch_id, fs.top_genes, fs.rows_written, fs.value_scale,
    (SELECT COUNT(*) FROM fact_feature_values f WHERE f.study_key = $1 AND f.batch_id = b.batch_id),
    COALESCE(fs.input_fingerprint, ''),
    ` + featureFingerprint + `
FROM dim_study st
JOIN meta_batch b ON b.study_key = st.study_key AND b.is_current
LEFT JOIN meta_feature_state fs ON fs.study_key = st.study_key
WHERE st.study_key = $1`

// featureFingerprint is a hash of what the features are computed from
// beside the batch id: the rows the batch holds (its load signature), the
// study's technology (which picks the scale), and the illness label and
// exclusion of each sample the facts hold, the label being the study's own
// (dim_study_sample). A duplicate load that relabels a sample updates its
// row in place and leaves the batch as it was; the fingerprint is how the
// features learn they are stale. A load of another study sharing the
// sample changes neither. Features record it (meta_feature_state), so the
// text it hashes must not change: a warehouse's features would all read
// as stale.
const featureFingerprint = `md5(concat_ws('|', COALESCE(b.load_signature, ''), COALESCE(st.study_technology, ''),
        (SELECT COALESCE(string_agg(s.sample_key || ':' || COALESCE(ss.illness_key, 0) || ':' || s.exclude_from_analysis, ',' ORDER BY s.sample_key), '')
         FROM dim_sample s
         LEFT JOIN dim_study_sample ss ON ss.study_key = $1 AND ss.sample_key = s.sample_key
         WHERE s.sample_key IN (SELECT fe.sample_key FROM fact_gene_expression fe WHERE fe.study_key = $1))))`

// stmtFeatureRange counts the values the features use and finds their
// range, which decides the scale (warehouse.FeatureScale).
const stmtFeatureRange = `SELECT COUNT(*), MIN(fe.expression_value), MAX(fe.expression_value)
FROM fact_gene_expression fe
JOIN dim_sample s ON s.sample_key = fe.sample_key
WHERE fe.study_key = $1
  AND fe.expression_value IS NOT NULL
  AND NOT s.exclude_from_analysis`

const stmtFeatureDelete = `DELETE FROM fact_feature_values WHERE study_key = $1`

// stmtFeatureCohorts counts each illness cohort's samples.
const stmtFeatureCohorts = featureInsert + `WITH input AS (
    ` + featureInput + `)
SELECT 'STUDY_COHORT', illness_key, NULL, 'cohort_sample_count', COUNT(DISTINCT sample_key), $1, $2
FROM input
GROUP BY illness_key`

// stmtFeatureSamples summarizes each sample. The median is the middle
// value, or the mean of the two middle values for an even count. DuckDB's
// MEDIAN aggregate would hold every value of the study in memory at once
// (1.1 GB for 50M cells), and ranking all of a sample's values sorts the
// whole study; so each sample's values are counted in medianBuckets equal
// slices of the sample's range, and only the one or two slices holding the
// middle ranks are sorted. The slice of a value never decreases as the value
// grows (every step of its arithmetic is monotone), so the k-th value of a
// sample is the (k - values below its slice)-th of its slice. A sample whose
// range is empty or not finite keeps all its values in one slice.
const stmtFeatureSamples = featureInsert + `WITH input AS (
    ` + featureInput + `),
ranges AS (
    SELECT sample_key, COUNT(*) AS n, MIN(y) AS lo, MAX(y) AS hi
    FROM input
    GROUP BY sample_key),
slice_counts AS (
    SELECT i.sample_key, ` + sliceOf + ` AS slice, COUNT(*) AS c
    FROM input i
    JOIN ranges p ON p.sample_key = i.sample_key
    GROUP BY ALL),
middle AS (
    SELECT sample_key, ANY_VALUE(n) AS n, ANY_VALUE(lo) AS lo, ANY_VALUE(hi) AS hi,
           MIN(slice) AS first_slice, MAX(slice) AS last_slice, MIN(below) AS below
    FROM (SELECT c.sample_key, c.slice, c.c, p.n, p.lo, p.hi,
                 SUM(c.c) OVER (PARTITION BY c.sample_key ORDER BY c.slice) - c.c AS below
          FROM slice_counts c
          JOIN ranges p ON p.sample_key = c.sample_key)
    WHERE ((n + 1) // 2 > below AND (n + 1) // 2 <= below + c)
       OR ((n + 2) // 2 > below AND (n + 2) // 2 <= below + c)
    GROUP BY sample_key),
ranked AS (
    SELECT i.sample_key, i.y, p.n,
           p.below + row_number() OVER (PARTITION BY i.sample_key ORDER BY i.y) AS rank
    FROM input i
    JOIN middle p ON p.sample_key = i.sample_key
    WHERE ` + sliceOf + ` BETWEEN p.first_slice AND p.last_slice),
medians AS (
    SELECT sample_key, AVG(y) AS sample_median
    FROM ranked
    WHERE rank IN ((n + 1) // 2, (n + 2) // 2)
    GROUP BY sample_key),
` + samplesFromMedians

// samplesFromMedians ends stmtFeatureSamples: from the CTEs input and
// medians, each sample's detected genes, mean and median.
const samplesFromMedians = `per_sample AS (
    SELECT i.sample_key,
           CAST(COUNT(*) FILTER (WHERE i.v > 0) AS DOUBLE) AS sample_detected_genes,
           AVG(i.y) AS sample_mean,
           ANY_VALUE(m.sample_median) AS sample_median
    FROM input i
    JOIN medians m ON m.sample_key = i.sample_key
    GROUP BY i.sample_key)
SELECT 'SAMPLE', sample_key, NULL, feature_name, feature_value, $1, $2
FROM per_sample
UNPIVOT (feature_value FOR feature_name IN (sample_detected_genes, sample_mean, sample_median)) AS u`

// sliceOf is the slice of medianBuckets that input value i.y falls in,
// given its sample's range p.lo..p.hi (see stmtFeatureSamples). A range
// wider than the largest double (-1e308..1e308) is one slice, like an
// infinite one.
const sliceOf = `CASE WHEN p.hi > p.lo AND isfinite(p.hi - p.lo)
                THEN least(` + medianBuckets + ` - 1, CAST(floor((i.y - p.lo) / (p.hi - p.lo) * ` + medianBuckets + `) AS INTEGER))
                ELSE 0 END`

// medianBuckets is how many slices of its range a sample's values are
// counted in to find its median (see stmtFeatureSamples). Counting in more
// slices costs more than sorting fewer values: at 10M cells 1,024 slices
// took 0.75 s, 256 0.58 s, 64 0.56 s and 16 0.59 s.
const medianBuckets = "64"

// stmtFeatureGeneCohorts describes each gene in each illness cohort. UNPIVOT
// drops the NULL standard deviation of a cohort of one.
const stmtFeatureGeneCohorts = featureInsert + `WITH input AS (
    ` + featureInput + `),
per_cohort AS (
    SELECT gene_key,
           illness_key,
           AVG(y) AS gene_cohort_mean,
           STDDEV_SAMP(y) AS gene_cohort_sd,
           CAST(COUNT(*) AS DOUBLE) AS gene_cohort_n
    FROM input
    GROUP BY gene_key, illness_key)
SELECT 'GENE', gene_key, illness_key, feature_name, feature_value, $1, $2
FROM per_cohort
UNPIVOT (feature_value FOR feature_name IN (gene_cohort_mean, gene_cohort_sd, gene_cohort_n)) AS u`

// stmtFeatureGenes writes each gene's variance over all samples and its
// sepsis-against-control comparison (Welch's t), in one pass over the
// values.
const stmtFeatureGenes = featureInsert + `WITH input AS (
    ` + featureInput + `),
per_gene AS (
    SELECT gene_key,
           VAR_SAMP(y) AS variance,
           COUNT(*) FILTER (WHERE illness_label IN ('SEPSIS', 'SEPTIC_SHOCK')) AS n_s,
           AVG(y) FILTER (WHERE illness_label IN ('SEPSIS', 'SEPTIC_SHOCK')) AS mean_s,
           VAR_SAMP(y) FILTER (WHERE illness_label IN ('SEPSIS', 'SEPTIC_SHOCK')) AS var_s,
           COUNT(*) FILTER (WHERE illness_label = 'CONTROL') AS n_c,
           AVG(y) FILTER (WHERE illness_label = 'CONTROL') AS mean_c,
           VAR_SAMP(y) FILTER (WHERE illness_label = 'CONTROL') AS var_c
    FROM input
    GROUP BY gene_key),
compared AS (
    SELECT gene_key,
           variance,
           CASE WHEN n_s >= 2 AND n_c >= 2 THEN mean_s - mean_c END AS diff,
           CASE WHEN n_s >= 2 AND n_c >= 2 THEN var_s / n_s + var_c / n_c END AS se2
    FROM per_gene),
per_gene_features AS (
    SELECT gene_key,
           variance AS gene_variance,
           diff AS gene_sepsis_vs_control_log2fc,
           CASE WHEN se2 > 0 THEN diff / sqrt(se2) END AS gene_sepsis_vs_control_welch_t
    FROM compared)
SELECT 'GENE', gene_key, NULL, feature_name, feature_value, $1, $2
FROM per_gene_features
UNPIVOT (feature_value FOR feature_name IN (gene_variance, gene_sepsis_vs_control_log2fc, gene_sepsis_vs_control_welch_t)) AS u`

// stmtFeaturePairs correlates every pair of the $4 most variable genes. It
// ranks the genes by the gene_variance rows stmtFeatureGenes has just
// written, so the choice can be checked from the table. The self-join pairs
// the two genes' values sample by sample, so a pair's correlation uses the
// samples measuring both.
const stmtFeaturePairs = featureInsert + `WITH top_genes AS (
    SELECT entity_id_1 AS gene_key
    FROM fact_feature_values
    WHERE study_key = $1 AND feature_name = 'gene_variance' AND feature_value > 0
    ORDER BY feature_value DESC, entity_id_1
    LIMIT $4),
input AS (
    ` + featureInput + `
      AND fe.gene_key IN (SELECT t.gene_key FROM top_genes AS t)),
pairs AS (
    SELECT a.gene_key AS gene_1, b.gene_key AS gene_2, COUNT(*) AS n, corr(a.y, b.y) AS r
    FROM input a
    JOIN input b ON b.sample_key = a.sample_key AND b.gene_key > a.gene_key
    GROUP BY a.gene_key, b.gene_key)
SELECT 'GENE_PAIR', gene_1, gene_2, 'gene_pair_pearson_r', greatest(-1.0, least(1.0, r)), $1, $2
FROM pairs
WHERE n >= 3 AND isfinite(r)`

// stmtFeatureUncatalogued lists the features the computation wrote that
// meta_feature_catalog does not define with their scope: the check a
// foreign key would make (see schema/003_features.sql for why there is
// none).
const stmtFeatureUncatalogued = `SELECT COALESCE(string_agg(DISTINCT f.feature_name || ' (' || f.entity_scope || ')', ', '), '')
FROM fact_feature_values f
LEFT JOIN meta_feature_catalog c ON c.feature_name = f.feature_name AND c.entity_scope = f.entity_scope
WHERE f.study_key = $1 AND c.feature_name IS NULL`

const stmtFeatureState = `INSERT INTO meta_feature_state (study_key, batch_id, value_scale, top_genes, rows_written, run_id, computed_at, input_fingerprint)
VALUES ($1, $2, $3, $4, $5, $6, now(), $7)
ON CONFLICT (study_key) DO UPDATE SET
    input_fingerprint = excluded.input_fingerprint,
    batch_id = excluded.batch_id,
    value_scale = excluded.value_scale,
    top_genes = excluded.top_genes,
    rows_written = excluded.rows_written,
    run_id = excluded.run_id,
    computed_at = excluded.computed_at`

const stmtFeatureCounts = `SELECT feature_name, COUNT(*)
FROM fact_feature_values
WHERE study_key = $1
GROUP BY feature_name
ORDER BY feature_name`

// featureStatements are the statements of this file, by name, for review
// beside the others (see statements.go).
var featureStatements = map[string]string{
	"feature_study_key":    stmtStudyKey,
	"feature_target":       stmtFeatureTarget,
	"feature_range":        stmtFeatureRange,
	"feature_delete":       stmtFeatureDelete,
	"feature_cohorts":      stmtFeatureCohorts,
	"feature_samples":      stmtFeatureSamples,
	"feature_gene_cohorts": stmtFeatureGeneCohorts,
	"feature_genes":        stmtFeatureGenes,
	"feature_pairs":        stmtFeaturePairs,
	"feature_uncatalogued": stmtFeatureUncatalogued,
	"feature_state":        stmtFeatureState,
	"feature_counts":       stmtFeatureCounts,
}

// featureInserts are the feature statements in the order they run: the
// pairs read the variances the genes statement writes.
var featureInserts = []struct {
	stmt, what string
	topGenes   bool
}{
	{stmtFeatureCohorts, "counting cohorts", false},
	{stmtFeatureSamples, "summarizing samples", false},
	{stmtFeatureGeneCohorts, "describing genes per cohort", false},
	{stmtFeatureGenes, "comparing sepsis with control", false},
	{stmtFeaturePairs, "correlating gene pairs", true},
}

// MaterializeFeatures implements warehouse.FeatureMaterializer. It runs in
// one transaction, under DuckDB's snapshot isolation: the features describe
// one state of the study's facts and carry that state's batch id, and
// readers see the previous features until the commit. It runs beside a load:
// a load writes the features' tables only when it replaces a study's facts
// under the batch id the features carry (it removes them), and if that
// meets a computation of the same study, DuckDB fails one of the two. A
// failure is a *qc.Error of code MaterializationFailed, except when ctx
// ended.
func (w *Warehouse) MaterializeFeatures(ctx context.Context, req warehouse.FeaturesRequest) (res warehouse.FeaturesResult, err error) {
	res.Study = req.Study
	if err := w.requireSchema(ctx); err != nil {
		return res, err
	}
	top := req.TopGenes
	if top == 0 {
		top = warehouse.DefaultTopGenes
	}
	if top < 0 {
		return res, qc.Errorf(qc.MaterializationFailed, "duckdb: features of %s: top genes must not be negative (got %d)", req.Study, top)
	}
	fail := func(what string, err error) error {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("duckdb: features of %s: %s: %w", req.Study, what, err)
		}
		var qe *qc.Error
		if errors.As(err, &qe) {
			return err
		}
		if se := storageError(err, "duckdb: features of "+req.Study+": "+what); se != nil {
			return w.placeSpill(se)
		}
		return &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: req.Study,
			Msg: "duckdb: features of " + req.Study + ": " + what, Err: err}
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return res, fail("beginning the transaction", err)
	}
	defer func() {
		if err != nil || res.Skipped {
			_ = tx.Rollback()
		}
	}()
	var studyKey int32
	var tech string
	var doneBatch sql.NullString
	var doneTop sql.NullInt32
	var doneRows sql.NullInt64
	var doneScale sql.NullString
	var held int64
	var doneInput, input string
	err = tx.QueryRowContext(ctx, stmtStudyKey, req.Study).Scan(&studyKey)
	if err == nil {
		err = tx.QueryRowContext(ctx, stmtFeatureTarget, studyKey).Scan(&res.BatchID, &tech, &doneBatch, &doneTop, &doneRows,
			&doneScale, &held, &doneInput, &input)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return res, &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: req.Study,
			Msg: "duckdb: study " + req.Study + " has no loaded batch; load it before computing its features"}
	}
	if err != nil {
		return res, fail("finding the study", err)
	}
	if req.IfStale && doneBatch.Valid && doneBatch.String == res.BatchID && int(doneTop.Int32) == top && doneRows.Int64 == held &&
		doneInput == input {
		res.Skipped, res.Scale = true, doneScale.String
		return res, nil
	}
	var lo, hi sql.NullFloat64
	if err = tx.QueryRowContext(ctx, stmtFeatureRange, studyKey).Scan(&res.Values, &lo, &hi); err != nil {
		return res, fail("reading the values' range", err)
	}
	res.Scale = warehouse.FeatureScale(tech, lo.Float64, hi.Float64)
	logScale := res.Scale == warehouse.ScaleLog2
	r, err := tx.ExecContext(ctx, stmtFeatureDelete, studyKey)
	if err != nil {
		return res, fail("removing the previous features", err)
	}
	if res.Removed, err = r.RowsAffected(); err != nil {
		return res, fail("removing the previous features", err)
	}
	for _, ins := range featureInserts {
		args := []any{studyKey, res.BatchID, logScale}
		if ins.topGenes {
			args = append(args, top)
		}
		r, err := tx.ExecContext(ctx, ins.stmt, args...)
		if err != nil {
			return res, fail(ins.what, err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			return res, fail(ins.what, err)
		}
		res.Rows += n
	}
	var missing string
	if err = tx.QueryRowContext(ctx, stmtFeatureUncatalogued, studyKey).Scan(&missing); err != nil {
		return res, fail("checking the features against the catalog", err)
	}
	if missing != "" {
		return res, &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: req.Study,
			Msg: "duckdb: features of " + req.Study + ": meta_feature_catalog does not define " + missing}
	}
	if _, err = tx.ExecContext(ctx, stmtFeatureState, studyKey, res.BatchID, res.Scale, top, res.Rows, null(req.RunID), input); err != nil {
		return res, fail("recording the features' state", err)
	}
	if res.Features, err = featureCounts(ctx, tx, studyKey); err != nil {
		return res, fail("counting the features", err)
	}
	if err = tx.Commit(); err != nil {
		return res, fail("committing", err)
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
