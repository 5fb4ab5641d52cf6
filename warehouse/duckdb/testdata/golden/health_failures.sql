SELECT COUNT(*), COUNT(DISTINCT run_id)
FROM meta_etl_process_log
WHERE status = 'FAILED' AND started_at >= $1
