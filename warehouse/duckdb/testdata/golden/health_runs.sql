SELECT run_id,
    MIN(started_at),
    CASE WHEN COUNT(*) FILTER (WHERE status = 'RUNNING') > 0 THEN NULL ELSE MAX(ended_at) END,
    COUNT(DISTINCT study_accession_code),
    COUNT(*),
    COUNT(*) FILTER (WHERE status = 'FAILED'),
    COUNT(*) FILTER (WHERE status = 'RUNNING'),
    COUNT(stop_reason) FILTER (WHERE status = 'SKIPPED' AND stop_reason <> 'aborted'),
    COALESCE(MAX(stop_reason) FILTER (WHERE stop_reason <> 'aborted'), ''),
    COUNT(*) FILTER (WHERE status = 'FAILED' AND stop_reason = 'aborted'),
    COUNT(*) FILTER (WHERE step = 'extract')
FROM (SELECT run_id, started_at, ended_at, study_accession_code, status, step,
        CASE WHEN status NOT IN ('SKIPPED', 'FAILED') OR NOT json_valid(context_json) THEN NULL
             WHEN context_json->>'$.reason' IN ('interrupted', 'timed out', 'aborted') THEN context_json->>'$.reason'
        END AS stop_reason
    FROM meta_etl_process_log) AS l
GROUP BY run_id
ORDER BY MIN(started_at) DESC, run_id
LIMIT $1
