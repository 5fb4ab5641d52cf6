SELECT log_id, run_id, COALESCE(batch_id, ''), COALESCE(study_accession_code, ''), step, status, attempt,
    started_at, ended_at, rows_read, rows_written, error_code, COALESCE(error_message, ''),
    COALESCE(context_json, '')
FROM meta_etl_process_log
ORDER BY started_at DESC
LIMIT $1
