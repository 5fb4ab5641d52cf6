INSERT INTO meta_batch (batch_id, study_key, study_accession_code, file_name, file_hash, run_id,
    rows_written, is_current, loaded_at, load_signature)
SELECT l.batch_id, st.study_key, l.study_accession_code, l.file_name, l.file_hash, $3, $4, true, now(), l.load_signature
FROM staging.load_batches l
JOIN dim_study st ON st.study_accession_code = l.study_accession_code
WHERE l.load_key = $1 AND l.batch_id = $2
ON CONFLICT (batch_id) DO UPDATE SET
    file_name = excluded.file_name,
    run_id = excluded.run_id,
    rows_written = excluded.rows_written,
    load_signature = excluded.load_signature,
    is_current = true,
    loaded_at = excluded.loaded_at,
    replaced_at = NULL
