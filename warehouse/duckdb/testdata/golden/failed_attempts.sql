SELECT COUNT(DISTINCT run_id)
FROM meta_etl_process_log
WHERE study_accession_code = $1
  AND run_id <> $2
  AND (status = 'FAILED' OR (status = 'RUNNING' AND started_at < $3))
  AND started_at > COALESCE(
    (SELECT MAX(started_at) FROM meta_etl_process_log
     WHERE study_accession_code = $1 AND step = 'load' AND status = 'SUCCESS'),
    TIMESTAMP '1970-01-01')
