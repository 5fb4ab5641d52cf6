UPDATE meta_etl_process_log
SET status = 'SUCCESS', ended_at = c.loaded_at, rows_written = c.rows_written, batch_id = c.batch_id,
    context_json = CAST(json_merge_patch(COALESCE(meta_etl_process_log.context_json, '{}'), $2) AS VARCHAR)
FROM (
    SELECT l.log_id,
           arg_min(b.batch_id, b.loaded_at) AS batch_id,
           min(b.loaded_at) AS loaded_at,
           arg_min(b.rows_written, b.loaded_at) AS rows_written
    FROM meta_etl_process_log l
    JOIN meta_batch b ON b.run_id = l.run_id AND b.study_accession_code = l.study_accession_code
        AND b.loaded_at >= l.started_at
    WHERE l.run_id = $1 AND l.step = 'load' AND l.status = 'RUNNING'
      AND NOT EXISTS (
        SELECT 1 FROM meta_etl_process_log d
        WHERE d.run_id = $1 AND d.step = 'load' AND d.status = 'SUCCESS' AND d.batch_id = b.batch_id)
    GROUP BY l.log_id
) c
WHERE meta_etl_process_log.log_id = c.log_id
