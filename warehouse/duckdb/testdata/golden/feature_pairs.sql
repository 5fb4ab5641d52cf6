INSERT INTO fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
WITH written AS (
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
    SELECT fe.sample_key,
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
      AND NOT COALESCE(ss.exclude_from_analysis, false)
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
UNPIVOT (feature_value FOR feature_name IN (gene_pair_pearson_r, gene_pair_n)) AS u
