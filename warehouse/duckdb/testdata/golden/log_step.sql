INSERT INTO meta_etl_process_log (log_id, run_id, batch_id, study_accession_code, step, status, attempt,
    started_at, ended_at, rows_read, rows_written, error_code, error_message, context_json)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (log_id) DO UPDATE SET
    batch_id = excluded.batch_id,
    status = excluded.status,
    ended_at = excluded.ended_at,
    rows_read = excluded.rows_read,
    rows_written = excluded.rows_written,
    error_code = excluded.error_code,
    error_message = excluded.error_message,
    context_json = excluded.context_json
