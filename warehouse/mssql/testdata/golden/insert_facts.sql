INSERT INTO dbo.fact_gene_expression WITH (TABLOCK)
    (study_key, sample_key, gene_key, study_bucket, expression_value, batch_id)
SELECT @p2, s.sample_key, g.gene_key, CONVERT(SMALLINT, @p2 % 32), v.expression_value, @p3
FROM staging.expression_values AS v
JOIN staging.matrix_columns AS c ON c.load_key = v.load_key AND c.column_no = v.column_no
JOIN staging.matrix_rows AS r ON r.load_key = v.load_key AND r.line_no = v.line_no
JOIN dbo.dim_sample AS s ON s.sample_accession_code = c.sample_accession_code
JOIN dbo.dim_gene AS g ON g.gene_id = r.gene_id
WHERE v.load_key = @p1 AND c.study_accession_code = @p4
OPTION (RECOMPILE)
