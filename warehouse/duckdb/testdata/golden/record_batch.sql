UPDATE meta_batch SET
    file_name = l.file_name,
    run_id = $2,
    rows_written = w.rows_written,
    load_signature = l.load_signature,
    scale_by = l.scale_by,
    is_current = true,
    loaded_at = now(),
    replaced_at = NULL
FROM staging.load_batches l
JOIN (SELECT unnest($3::VARCHAR[]) AS batch_id, unnest($4::BIGINT[]) AS rows_written) w ON w.batch_id = l.batch_id
JOIN dim_study st ON st.study_accession_code = l.study_accession_code
WHERE l.load_key = $1 AND meta_batch.batch_id = l.batch_id;
INSERT INTO meta_batch (batch_id, study_key, study_accession_code, file_name, file_hash, run_id,
    rows_written, is_current, loaded_at, load_signature, scale_by)
SELECT l.batch_id, st.study_key, l.study_accession_code, l.file_name, l.file_hash, $2, w.rows_written, true, now(), l.load_signature, l.scale_by
FROM staging.load_batches l
JOIN (SELECT unnest($3::VARCHAR[]) AS batch_id, unnest($4::BIGINT[]) AS rows_written) w ON w.batch_id = l.batch_id
JOIN dim_study st ON st.study_accession_code = l.study_accession_code
WHERE l.load_key = $1
  AND NOT EXISTS (SELECT 1 FROM meta_batch m WHERE m.batch_id = l.batch_id)
