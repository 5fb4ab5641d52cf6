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
      AND (ss.exclude_from_analysis IS NULL OR ss.exclude_from_analysis = 0))
INSERT INTO dbo.fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
SELECT N'STUDY_COHORT', illness_key, NULL, N'cohort_sample_count', CONVERT(FLOAT, COUNT(DISTINCT sample_key)), @p1, @p2
FROM input
GROUP BY illness_key
OPTION (RECOMPILE);
