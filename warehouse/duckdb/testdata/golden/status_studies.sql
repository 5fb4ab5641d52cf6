WITH cur AS (
    SELECT b.study_key, b.study_accession_code, b.batch_id, b.load_signature, b.rows_written, b.loaded_at,
           q.sample_count, q.gene_count
    FROM meta_batch b
    LEFT JOIN meta_batch_qc q
      ON q.study_accession_code = b.study_accession_code AND q.batch_id = b.batch_id AND q.qc_status = 'LOADED'
    WHERE b.is_current
), counted AS (
    SELECT f.study_key, COUNT(DISTINCT f.sample_key) AS sample_count, COUNT(DISTINCT f.gene_key) AS gene_count
    FROM fact_gene_expression f
    WHERE f.study_key IN (SELECT study_key FROM cur WHERE sample_count IS NULL OR gene_count IS NULL)
    GROUP BY f.study_key
)
SELECT c.study_accession_code, c.batch_id, COALESCE(c.load_signature, ''),
    COALESCE(c.sample_count, n.sample_count, 0), COALESCE(c.gene_count, n.gene_count, 0),
    c.rows_written, c.loaded_at
FROM cur c
LEFT JOIN counted n ON n.study_key = c.study_key
ORDER BY c.study_accession_code
