UPDATE meta_etl_process_log
SET status = 'SUCCESS', ended_at = b.loaded_at, rows_written = b.rows_written, batch_id = b.batch_id,
    context_json = CAST(json_merge_patch(COALESCE(meta_etl_process_log.context_json, '{}'), $2) AS VARCHAR)
FROM meta_batch b
WHERE meta_etl_process_log.status = 'RUNNING'
  AND meta_etl_process_log.run_id = $1
  AND meta_etl_process_log.step = 'load'
  AND b.run_id = $1
  AND b.study_accession_code = meta_etl_process_log.study_accession_code
  AND b.loaded_at >= meta_etl_process_log.started_at
  AND NOT EXISTS (
    SELECT 1 FROM meta_etl_process_log l
    WHERE l.run_id = $1 AND l.study_accession_code = meta_etl_process_log.study_accession_code
      AND l.step = 'load' AND l.status = 'SUCCESS')
