SELECT TOP (@p1) log_id, run_id, COALESCE(batch_id, N''), COALESCE(study_accession_code, N''), step, status,
    attempt, started_at, ended_at, rows_read, rows_written, error_code, COALESCE(error_message, N''),
    COALESCE(context_json, N'')
FROM dbo.meta_etl_process_log
ORDER BY started_at DESC
