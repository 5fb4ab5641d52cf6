SELECT TOP (1) c.sample_accession_code
FROM staging.matrix_columns AS c
JOIN staging.load_batches AS l ON l.load_key = c.load_key AND l.study_accession_code = c.study_accession_code
LEFT JOIN dbo.dim_study AS st ON st.study_accession_code = c.study_accession_code
LEFT JOIN dbo.dim_sample AS s ON s.sample_accession_code = c.sample_accession_code
LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = st.study_key AND ss.sample_key = s.sample_key
WHERE c.load_key = @p1 AND ss.sample_key IS NULL
ORDER BY c.column_no
