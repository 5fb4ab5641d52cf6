INSERT INTO fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
WITH input AS (
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
      AND NOT COALESCE(ss.exclude_from_analysis, false)),
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
UNPIVOT (feature_value FOR feature_name IN (gene_cohort_mean, gene_cohort_sd, gene_cohort_n)) AS u
