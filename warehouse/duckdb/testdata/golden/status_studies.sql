SELECT b.study_accession_code, b.batch_id, COALESCE(b.load_signature, ''),
    COALESCE(q.sample_count, (SELECT COUNT(DISTINCT f.sample_key) FROM fact_gene_expression f WHERE f.study_key = b.study_key)),
    COALESCE(q.gene_count, (SELECT COUNT(DISTINCT f.gene_key) FROM fact_gene_expression f WHERE f.study_key = b.study_key)),
    b.rows_written, b.loaded_at
FROM meta_batch b
LEFT JOIN meta_batch_qc q
  ON q.study_accession_code = b.study_accession_code AND q.batch_id = b.batch_id AND q.qc_status = 'LOADED'
WHERE b.is_current
ORDER BY b.study_accession_code
