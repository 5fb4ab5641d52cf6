WITH input AS (
    SELECT fe.sample_key,
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
      AND (ss.exclude_from_analysis IS NULL OR ss.exclude_from_analysis = 0)),
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
INSERT INTO dbo.fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
SELECT N'GENE', u.gene_key, NULL, u.feature_name, u.feature_value, @p1, @p2
FROM per_gene_features
UNPIVOT (feature_value FOR feature_name IN (gene_variance, gene_sepsis_vs_control_log2fc, gene_sepsis_vs_control_welch_t,
    gene_sepsis_vs_control_welch_df)) AS u
OPTION (RECOMPILE);
