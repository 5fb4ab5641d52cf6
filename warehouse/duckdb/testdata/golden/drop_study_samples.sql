DELETE FROM dim_study_sample
WHERE study_key IN (
    SELECT st.study_key
    FROM staging.load_batches l
    JOIN dim_study st ON st.study_accession_code = l.study_accession_code
    WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id))
  AND NOT EXISTS (
    SELECT 1
    FROM staging.matrix_columns c
    JOIN dim_study st ON st.study_accession_code = c.study_accession_code
    JOIN dim_sample s ON s.sample_accession_code = c.sample_accession_code
    WHERE c.load_key = $1
      AND st.study_key = dim_study_sample.study_key
      AND s.sample_key = dim_study_sample.sample_key)
