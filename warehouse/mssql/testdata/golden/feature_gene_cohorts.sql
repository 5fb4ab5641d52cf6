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
INSERT INTO dbo.fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
SELECT N'GENE', u.gene_key, u.illness_key, u.feature_name, u.feature_value, @p1, @p2
FROM per_cohort
UNPIVOT (feature_value FOR feature_name IN (gene_cohort_mean, gene_cohort_sd, gene_cohort_n)) AS u
OPTION (RECOMPILE);
