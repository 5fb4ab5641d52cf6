UPDATE meta_feature_state SET input_fingerprint = NULL
WHERE EXISTS (
    SELECT 1
    FROM staging.load_batches l
    JOIN dim_study st ON st.study_accession_code = l.study_accession_code
    WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)
      AND st.study_key = meta_feature_state.study_key AND l.batch_id = meta_feature_state.batch_id)
