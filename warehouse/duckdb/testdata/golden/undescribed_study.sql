SELECT l.study_accession_code FROM staging.load_batches l
WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)
  AND NOT EXISTS (SELECT 1 FROM dim_study st WHERE st.study_accession_code = l.study_accession_code)
ORDER BY 1 LIMIT 1
