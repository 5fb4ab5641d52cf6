UPDATE meta_batch SET
    file_name = l.file_name,
    run_id = $3,
    rows_written = $4,
    load_signature = l.load_signature,
    is_current = true,
    loaded_at = now(),
    replaced_at = NULL
FROM staging.load_batches l
JOIN dim_study st ON st.study_accession_code = l.study_accession_code
WHERE l.load_key = $1 AND l.batch_id = $2 AND meta_batch.batch_id = $2;
INSERT INTO meta_batch (batch_id, study_key, study_accession_code, file_name, file_hash, run_id,
    rows_written, is_current, loaded_at, load_signature)
SELECT l.batch_id, st.study_key, l.study_accession_code, l.file_name, l.file_hash, $3, $4, true, now(), l.load_signature
FROM staging.load_batches l
JOIN dim_study st ON st.study_accession_code = l.study_accession_code
WHERE l.load_key = $1 AND l.batch_id = $2
  AND NOT EXISTS (SELECT 1 FROM meta_batch WHERE batch_id = $2)
