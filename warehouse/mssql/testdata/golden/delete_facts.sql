DELETE FROM dbo.fact_gene_expression
WHERE study_bucket = CONVERT(SMALLINT, @p1 % 32) AND study_key = @p1
