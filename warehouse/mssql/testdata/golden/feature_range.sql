SELECT COUNT_BIG(*), MIN(fe.expression_value), MAX(fe.expression_value)
FROM dbo.fact_gene_expression AS fe
JOIN dbo.dim_sample AS s ON s.sample_key = fe.sample_key
WHERE fe.study_bucket = CONVERT(SMALLINT, @p1 % 32)
  AND fe.study_key = @p1
  AND fe.expression_value IS NOT NULL
  AND s.exclude_from_analysis = 0
