UPDATE meta_etl_process_log
SET status = 'FAILED', error_message = $1,
    context_json = CAST(json_merge_patch(COALESCE(context_json, '{}'), $2) AS VARCHAR)
WHERE status = 'RUNNING' AND run_id = $3
