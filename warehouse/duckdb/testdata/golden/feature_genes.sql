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
    gene_sepsis_vs_control_welch_df)) AS u
