package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

var _ warehouse.FeatureMaterializer = (*Warehouse)(nil)

// The features are computed by set-based statements, one per group of
// features, in one transaction (see MaterializeFeatures). Each reads the
// study's values through featureInput. Parameters: $1 the study key, $2 the
// batch id the rows carry, $3 true when y = log2(value + 1), $4 the number
// of top genes, $5 the feature_record_key below every row the computation
// writes (see stmtFeatureKeyFloor).

// featureInput is the study's values the features are computed from: NULL
// values and samples the study excludes from analysis are left out, and a
// sample with no illness label counts as UNKNOWN. The label and the
// exclusion are the ones decided in this study (dim_study_sample), so
// another study sharing the sample does not change them. y is the value on the study's analysis scale.
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
      AND NOT COALESCE(ss.exclude_from_analysis, false)`

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

// featuresCurrent says whether a study's features, computed from batch
// doneBatch to doneRows rows with input fingerprint doneInput (its
// meta_feature_state row), still describe its current batch, of which
// fact_feature_values holds held rows, and what they are computed from
// now (input, featureFingerprint). The number of top genes is the
// caller's to compare.
func featuresCurrent(doneBatch sql.NullString, batch string, doneRows sql.NullInt64, held int64, doneInput, input string) bool {
	return doneBatch.Valid && doneBatch.String == batch && doneRows.Int64 == held && doneInput == input
}

// featureFingerprint is a hash of what the features are computed from
// beside the batch id: the rows the batch holds (its load signature), the
// study's technology (which picks the scale), and the illness label and
// exclusion of each sample the facts hold, both the study's own
// (dim_study_sample). A duplicate load that relabels a sample updates its
// row in place and leaves the batch as it was; the fingerprint is how the
// features learn they are stale. A load of another study sharing the
// sample changes neither. Features record it (meta_feature_state), so the
// text it hashes must not change: a warehouse's features would all read
// as stale.
const featureFingerprint = `md5(concat_ws('|', COALESCE(b.load_signature, ''), COALESCE(st.study_technology, ''),
        (SELECT COALESCE(string_agg(s.sample_key || ':' || COALESCE(ss.illness_key, 0) || ':' || COALESCE(ss.exclude_from_analysis, false), ',' ORDER BY s.sample_key), '')
         FROM dim_sample s
         LEFT JOIN dim_study_sample ss ON ss.study_key = $1 AND ss.sample_key = s.sample_key
         WHERE s.sample_key IN (SELECT fe.sample_key FROM fact_gene_expression fe WHERE fe.study_key = $1))))`

// stmtFeatureRange counts the values the features use and finds their
// range, which decides the scale (warehouse.FeatureScale).
const stmtFeatureRange = `SELECT COUNT(*), MIN(fe.expression_value), MAX(fe.expression_value)
FROM fact_gene_expression fe
LEFT JOIN dim_study_sample ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
WHERE fe.study_key = $1
  AND fe.expression_value IS NOT NULL
  AND NOT COALESCE(ss.exclude_from_analysis, false)`

// stmtFeatureKeyFloor takes a feature_record_key from the sequence the
// rows' keys come from: every row the computation then writes has a greater
// key, and so does no row written before it, except one written with a key
// of its own choosing.
const stmtFeatureKeyFloor = `SELECT nextval('seq_feature_record_key')`

// stmtFeatureDeleteAbove and stmtFeatureDeleteBelow remove the study's
// previous features: those at or above the floor $2 (rows given a key of
// their own: normally none) before the computation writes, the others
// after it. Deleting them all first, as the transaction's first write,
// then inserting a study of 400,000 genes close to memory_limit (60-72 MB)
// made DuckDB 1.5.6, in most runs, fail the insert on invalid UTF-8 or a
// NULL key, crash, or commit gene features with wrong counts or gene keys;
// with the delete last, 40 such runs wrote the right rows.
const stmtFeatureDeleteAbove = `DELETE FROM fact_feature_values WHERE study_key = $1 AND feature_record_key >= $2`

const stmtFeatureDeleteBelow = `DELETE FROM fact_feature_values WHERE study_key = $1 AND feature_record_key < $2`

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
// sepsis-against-control comparison (Welch's t and its Welch–Satterthwaite
// degrees of freedom), in one pass over the values. The degrees of freedom
// are (q_S + q_C)² / (q_S²/(n_S − 1) + q_C²/(n_C − 1)) with q = var/n,
// computed from the sepsis arm's share w = q_S / (q_S + q_C) as
// 1 / (w²/(n_S − 1) + (1 − w)²/(n_C − 1)): the squares of q overflow a
// double (to infinity, and the ratio to NaN) for values far below
// expression.MaxMagnitude.
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
           CASE WHEN n_s >= 2 AND n_c >= 2 THEN var_s / n_s + var_c / n_c END AS se2,
           var_s / n_s AS q_s,
           n_s,
           n_c
    FROM per_gene),
per_gene_features AS (
    SELECT gene_key,
           variance AS gene_variance,
           diff AS gene_sepsis_vs_control_log2fc,
           CASE WHEN se2 > 0 THEN diff / sqrt(se2) END AS gene_sepsis_vs_control_welch_t,
           CASE WHEN se2 > 0 THEN 1 / ((q_s / se2) * (q_s / se2) / (n_s - 1) + (1 - q_s / se2) * (1 - q_s / se2) / (n_c - 1)) END AS gene_sepsis_vs_control_welch_df
    FROM compared)
SELECT 'GENE', gene_key, NULL, feature_name, feature_value, $1, $2
FROM per_gene_features
UNPIVOT (feature_value FOR feature_name IN (gene_variance, gene_sepsis_vs_control_log2fc, gene_sepsis_vs_control_welch_t,
    gene_sepsis_vs_control_welch_df)) AS u`

// stmtFeaturePairs correlates every pair of the $4 most variable genes. It
// ranks the genes by the gene_variance rows stmtFeatureGenes has just
// written (the keys above the floor $5: the previous features are still
// there), so the choice can be checked from the table, among the genes
// measured in at least 3 of the study's samples and at least half of them
// (their gene_cohort_n rows summed against the cohort_sample_count rows
// summed: a variance over a handful of a study's samples ranks by chance),
// leaving out the lines dim_gene types as control probes
// (warehouse.GeneTypeControlProbe, set for Affymetrix AFFX- probe sets, and
// by anyone marking other lines so). The self-join pairs
// the two genes' values sample by sample, so a pair's correlation uses the
// samples measuring both, and gene_pair_n, written beside it, counts them.
const stmtFeaturePairs = featureInsert + `WITH written AS (
    SELECT entity_id_1, feature_name, feature_value
    FROM fact_feature_values
    WHERE study_key = $1 AND feature_record_key > $5
      AND feature_name IN ('gene_variance', 'gene_cohort_n', 'cohort_sample_count')),
coverage AS (
    SELECT entity_id_1 AS gene_key, SUM(feature_value) AS n
    FROM written
    WHERE feature_name = 'gene_cohort_n'
    GROUP BY entity_id_1),
top_genes AS (
    SELECT v.entity_id_1 AS gene_key
    FROM written v
    JOIN coverage c ON c.gene_key = v.entity_id_1
    WHERE v.feature_name = 'gene_variance' AND v.feature_value > 0
      AND c.n >= 3
      AND 2 * c.n >= (SELECT SUM(w.feature_value) FROM written w WHERE w.feature_name = 'cohort_sample_count')
      AND v.entity_id_1 NOT IN (SELECT g.gene_key FROM dim_gene g WHERE g.gene_type = 'control_probe')
    ORDER BY v.feature_value DESC, v.entity_id_1
    LIMIT $4),
input AS (
    ` + featureInput + `
      AND fe.gene_key IN (SELECT t.gene_key FROM top_genes AS t)),
pairs AS (
    SELECT a.gene_key AS gene_1, b.gene_key AS gene_2, COUNT(*) AS n, corr(a.y, b.y) AS r
    FROM input a
    JOIN input b ON b.sample_key = a.sample_key AND b.gene_key > a.gene_key
    GROUP BY a.gene_key, b.gene_key),
pair_features AS (
    SELECT gene_1, gene_2, greatest(-1.0, least(1.0, r)) AS gene_pair_pearson_r, CAST(n AS DOUBLE) AS gene_pair_n
    FROM pairs
    WHERE n >= 3 AND isfinite(r))
SELECT 'GENE_PAIR', gene_1, gene_2, feature_name, feature_value, $1, $2
FROM pair_features
UNPIVOT (feature_value FOR feature_name IN (gene_pair_pearson_r, gene_pair_n)) AS u`

// stmtFeatureWritten counts the rows the computation wrote by feature and
// scope, and says whether meta_feature_catalog defines each: the check a
// foreign key would make (see schema/003_features.sql for why there is
// none). The rows are grouped before the join: DuckDB's statistics do not
// count the transaction's own uncommitted rows, so a join of the rows
// themselves with the catalog expected none and built its hash table on
// them, which for millions of feature rows (a study of millions of genes)
// did not fit in memory_limit.
const stmtFeatureWritten = `SELECT w.feature_name, w.entity_scope, w.n, c.feature_name IS NOT NULL
FROM (SELECT feature_name, entity_scope, COUNT(*) AS n
      FROM fact_feature_values
      WHERE study_key = $1
      GROUP BY feature_name, entity_scope) AS w
LEFT JOIN meta_feature_catalog c ON c.feature_name = w.feature_name AND c.entity_scope = w.entity_scope
ORDER BY w.feature_name, w.entity_scope`

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

// featureStatements are the statements of this file, by name, for review
// beside the others (see statements.go).
var featureStatements = map[string]string{
	"feature_study_key":    stmtStudyKey,
	"feature_target":       stmtFeatureTarget,
	"feature_range":        stmtFeatureRange,
	"feature_key_floor":    stmtFeatureKeyFloor,
	"feature_delete_above": stmtFeatureDeleteAbove,
	"feature_delete_below": stmtFeatureDeleteBelow,
	"feature_cohorts":      stmtFeatureCohorts,
	"feature_samples":      stmtFeatureSamples,
	"feature_gene_cohorts": stmtFeatureGeneCohorts,
	"feature_genes":        stmtFeatureGenes,
	"feature_pairs":        stmtFeaturePairs,
	"feature_written":      stmtFeatureWritten,
	"feature_state":        stmtFeatureState,
	"feature_hold_batch":   stmtFeatureHoldBatch,
}

// stmtFeatureHoldBatch writes the current batch row of the features'
// batch, changing nothing in it (see MaterializeFeatures). DuckDB finds a
// write-write conflict per column, and only where a value changed: a load
// publishing the same batch id sets loaded_at (to now), one publishing
// another retires this row (is_current, replaced_at).
const stmtFeatureHoldBatch = `UPDATE meta_batch SET loaded_at = loaded_at, is_current = is_current, replaced_at = replaced_at
WHERE batch_id = $1 AND is_current`

// featureInserts are the feature statements in the order they run: the
// pairs read the variances the genes statement writes. topGenes marks the
// statement that takes $4 and $5.
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
// readers see the previous features until the commit. It runs beside a
// load's staging, and takes turns with its commit (below). A load that
// still replaces the study's facts while it runs (through a Warehouse New
// made, with turns of its own) makes it fail (its last write, of the batch
// row it read, then conflicts with the load's), so that features of facts
// the study no longer holds are never published as its current batch's; a
// duplicate load changes no facts and fails nothing. A failure is a *qc.Error of code MaterializationFailed, except when ctx
// ended; one for want of memory says how to raise the DSN's memory_limit.
// This process's computations on one file take turns with one another and
// with its loads' commits, through any Warehouse Open made of it (two
// computations at once would fail one another, and a commit replacing the
// study's facts would fail or make the computation fail; a Warehouse New
// made has turns of its own); one waiting for its turn ends with ctx.
func (w *Warehouse) MaterializeFeatures(ctx context.Context, req warehouse.FeaturesRequest) (res warehouse.FeaturesResult, err error) {
	res.Study = req.Study
	if err := w.requireSchema(ctx); err != nil {
		return res, err
	}
	release, err := w.file.takeTurn(ctx)
	if err != nil {
		return res, fmt.Errorf("duckdb: features of %s: waiting for another computation or a load's commit to end: %w", req.Study, err)
	}
	defer release()
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
			return w.placeResources(se)
		}
		if outOfMemory(err) {
			err = &memoryError{cause: err}
		}
		return w.placeResources(&qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: req.Study,
			Msg: "duckdb: features of " + req.Study + ": " + what, Err: err})
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
	if req.IfStale && int(doneTop.Int32) == top && featuresCurrent(doneBatch, res.BatchID, doneRows, held, doneInput, input) {
		res.Skipped, res.Scale = true, doneScale.String
		return res, nil
	}
	var lo, hi sql.NullFloat64
	if err = tx.QueryRowContext(ctx, stmtFeatureRange, studyKey).Scan(&res.Values, &lo, &hi); err != nil {
		return res, fail("reading the values' range", err)
	}
	res.Scale = warehouse.FeatureScale(tech, lo.Float64, hi.Float64)
	logScale := res.Scale == warehouse.ScaleLog2
	var floor int64
	if err = tx.QueryRowContext(ctx, stmtFeatureKeyFloor).Scan(&floor); err != nil {
		return res, fail("reserving the features' keys", err)
	}
	if res.Removed, err = affected(ctx, tx, stmtFeatureDeleteAbove, studyKey, floor); err != nil {
		return res, fail("removing the previous features", err)
	}
	for _, ins := range featureInserts {
		args := []any{studyKey, res.BatchID, logScale}
		if ins.topGenes {
			args = append(args, top, floor)
		}
		n, err := affected(ctx, tx, ins.stmt, args...)
		if err != nil {
			return res, fail(ins.what, err)
		}
		res.Rows += n
	}
	removed, err := affected(ctx, tx, stmtFeatureDeleteBelow, studyKey, floor)
	if err != nil {
		return res, fail("removing the previous features", err)
	}
	res.Removed += removed
	var missing []string
	if res.Features, missing, err = featuresWritten(ctx, tx, studyKey); err != nil {
		return res, fail("checking the features against the catalog", err)
	}
	if len(missing) > 0 {
		return res, &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: req.Study,
			Msg: "duckdb: features of " + req.Study + ": meta_feature_catalog does not define " + strings.Join(missing, ", ")}
	}
	var left int64
	for _, n := range res.Features {
		left += n
	}
	if left != res.Rows {
		// Only the rows just written should be left: anything else would
		// mix two computations.
		return res, &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: req.Study,
			Msg: fmt.Sprintf("duckdb: features of %s: the study holds %d feature rows after the computation wrote %d", req.Study, left, res.Rows)}
	}
	if _, err = tx.ExecContext(ctx, stmtFeatureState, studyKey, res.BatchID, res.Scale, top, res.Rows, null(req.RunID), input); err != nil {
		return res, fail("recording the features' state", err)
	}
	if beforeFeaturesHold != nil {
		beforeFeaturesHold()
	}
	// Last, the computation writes the batch row it read the facts of,
	// which every load that replaces the study writes too (it retires the
	// row and records the batch it publishes, under the same id or
	// another): a load that committed since this transaction began makes
	// this write a conflict, and the features, computed from facts that
	// are no longer the study's, fail instead of being published as the
	// current batch's. Written last, it leaves a load the shortest time in
	// which it would be the one to fail.
	if held, err := affected(ctx, tx, stmtFeatureHoldBatch, res.BatchID); err != nil || held != 1 {
		if err == nil {
			err = fmt.Errorf("batch %s is no longer the study's current batch", res.BatchID)
		}
		return res, fail("the study's facts were replaced while its features were computed; compute them again", err)
	}
	if err = tx.Commit(); err != nil {
		return res, fail("committing", err)
	}
	return res, nil
}

// beforeFeaturesHold, when set (by tests), runs just before a feature
// computation writes its batch row.
var beforeFeaturesHold func()

// affected runs a statement and returns the rows it affected.
func affected(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	r, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// featuresWritten counts the study's feature rows by name and lists, as
// "name (scope)", the features among them that the catalog does not define.
func featuresWritten(ctx context.Context, tx *sql.Tx, studyKey int32) (counts map[string]int64, missing []string, err error) {
	rows, err := tx.QueryContext(ctx, stmtFeatureWritten, studyKey)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	counts = map[string]int64{}
	for rows.Next() {
		var name, scope string
		var n int64
		var catalogued bool
		if err := rows.Scan(&name, &scope, &n, &catalogued); err != nil {
			return nil, nil, err
		}
		counts[name] += n
		if !catalogued {
			missing = append(missing, name+" ("+scope+")")
		}
	}
	return counts, missing, rows.Err()
}

// outOfMemory reports whether DuckDB failed for want of memory within its
// memory_limit.
func outOfMemory(err error) bool {
	var de *duckdbdrv.Error
	if errors.As(err, &de) && de.Type == duckdbdrv.ErrorTypeOutOfMemory {
		return true
	}
	return strings.Contains(err.Error(), "Out of Memory Error")
}

// memoryError says that DuckDB needed more memory than the warehouse's
// memory_limit and how to give it more from the command line; DuckDB's own
// message follows without its advice, which names SQL settings (SET
// memory_limit, threads) that a genexp user has no prompt to type.
type memoryError struct {
	file  string
	limit string // memory_limit as DuckDB shows it; "" when not known
	cause error
}

func (e *memoryError) Error() string {
	file := e.file
	if file == "" {
		file = "FILE"
	}
	duck, _, _ := strings.Cut(e.cause.Error(), "\n")
	limit := fmt.Sprintf("memory_limit: %s unless the DSN or processing.memory_limit_mb sets it", DefaultMemoryLimit)
	if e.limit != "" {
		limit = "memory_limit: " + e.limit
	}
	return fmt.Sprintf("DuckDB ran out of the memory the warehouse allows it (%s): raise it in the warehouse DSN, as in --db '%s?memory_limit=2GB', "+
		"or with processing.memory_limit_mb in the configuration (DuckDB: %s)",
		limit, file, strings.TrimSpace(duck))
}

func (e *memoryError) Unwrap() error { return e.cause }
