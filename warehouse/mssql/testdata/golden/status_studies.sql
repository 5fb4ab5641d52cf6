SELECT b.study_accession_code, b.batch_id, COALESCE(b.load_signature, N''),
    COALESCE(q.sample_count, (SELECT COUNT_BIG(DISTINCT f.sample_key) FROM dbo.fact_gene_expression AS f
     WHERE f.study_bucket = CONVERT(SMALLINT, b.study_key % 32) AND f.study_key = b.study_key)),
    COALESCE(q.gene_count, (SELECT COUNT_BIG(DISTINCT f.gene_key) FROM dbo.fact_gene_expression AS f
     WHERE f.study_bucket = CONVERT(SMALLINT, b.study_key % 32) AND f.study_key = b.study_key)),
    b.rows_written, b.loaded_at
FROM dbo.meta_batch AS b
LEFT JOIN dbo.meta_batch_qc AS q
  ON q.study_accession_code = b.study_accession_code AND q.batch_id = b.batch_id AND q.qc_status = N'LOADED'
WHERE b.is_current = 1
ORDER BY b.study_accession_code
