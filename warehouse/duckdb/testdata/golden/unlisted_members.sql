SELECT c.sample_accession_code, c.study_accession_code
FROM staging.matrix_columns c
JOIN staging.load_batches l ON l.load_key = c.load_key AND l.study_accession_code = c.study_accession_code
LEFT JOIN dim_study st ON st.study_accession_code = c.study_accession_code
LEFT JOIN dim_sample s ON s.sample_accession_code = c.sample_accession_code
LEFT JOIN dim_study_sample ss ON ss.study_key = st.study_key AND ss.sample_key = s.sample_key
WHERE c.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id) AND ss.sample_key IS NULL
ORDER BY c.column_no
LIMIT 1
