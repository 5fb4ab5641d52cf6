SELECT b.study_accession_code, b.batch_id, '',
    (SELECT COUNT(DISTINCT f.sample_key) FROM fact_gene_expression f WHERE f.study_key = b.study_key),
    (SELECT COUNT(DISTINCT f.gene_key) FROM fact_gene_expression f WHERE f.study_key = b.study_key),
    b.rows_written, b.loaded_at
FROM meta_batch b
WHERE b.is_current
ORDER BY b.study_accession_code
