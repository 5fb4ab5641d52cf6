SELECT COUNT_BIG(*), MIN(fe.expression_value), MAX(fe.expression_value)
FROM dbo.fact_gene_expression AS fe
LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
WHERE fe.study_bucket = CONVERT(SMALLINT, @p1 % 32)
  AND fe.study_key = @p1
  AND fe.expression_value IS NOT NULL
  AND (ss.exclude_from_analysis IS NULL OR ss.exclude_from_analysis = 0)
