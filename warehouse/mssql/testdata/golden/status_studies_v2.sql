SELECT b.study_accession_code, b.batch_id, N'',
    (SELECT COUNT_BIG(DISTINCT f.sample_key) FROM dbo.fact_gene_expression AS f
     WHERE f.study_bucket = CONVERT(SMALLINT, b.study_key % 32) AND f.study_key = b.study_key),
    (SELECT COUNT_BIG(DISTINCT f.gene_key) FROM dbo.fact_gene_expression AS f
     WHERE f.study_bucket = CONVERT(SMALLINT, b.study_key % 32) AND f.study_key = b.study_key),
    b.rows_written, b.loaded_at
FROM dbo.meta_batch AS b
WHERE b.is_current = 1
ORDER BY b.study_accession_code
