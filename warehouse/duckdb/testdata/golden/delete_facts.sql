DELETE FROM fact_gene_expression
WHERE study_key IN (
    SELECT st.study_key
    FROM staging.load_batches l
    JOIN dim_study st ON st.study_accession_code = l.study_accession_code
    WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id))
