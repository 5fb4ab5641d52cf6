DELETE FROM fact_feature_values
WHERE study_key IN (
    SELECT st.study_key
    FROM staging.load_batches l
    JOIN dim_study st ON st.study_accession_code = l.study_accession_code
    WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id))
  AND EXISTS (
    SELECT 1
    FROM staging.load_batches l
    JOIN dim_study st ON st.study_accession_code = l.study_accession_code
    WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)
      AND st.study_key = fact_feature_values.study_key AND l.batch_id = fact_feature_values.batch_id)
