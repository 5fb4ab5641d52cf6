SELECT run_id,
    MIN(started_at),
    CASE WHEN COUNT(*) FILTER (WHERE status = 'RUNNING') > 0 THEN NULL ELSE MAX(ended_at) END,
    COUNT(DISTINCT study_accession_code),
    COUNT(*),
    COUNT(*) FILTER (WHERE status = 'FAILED'),
    COUNT(*) FILTER (WHERE status = 'RUNNING')
FROM meta_etl_process_log
GROUP BY run_id
ORDER BY MIN(started_at) DESC, run_id
LIMIT $1
