SELECT run_id, COALESCE(study_accession_code, ''), step,
    COALESCE(CASE WHEN json_valid(context_json) THEN context_json->>'$.file' END, ''),
    COALESCE(error_code, 0), started_at
FROM meta_etl_process_log f
WHERE status = 'FAILED' AND started_at >= $1 AND NOT EXISTS (
        SELECT 1 FROM meta_etl_process_log s
        WHERE s.study_accession_code = f.study_accession_code
          AND s.started_at > f.started_at
          AND ((s.status = 'SUCCESS'
                AND (s.step = f.step OR (s.step = 'load' AND f.step IN ('extract', 'transform', 'validate'))))
            OR (s.status = 'SKIPPED' AND s.step = 'analytics' AND f.step = 'analytics'
                AND CASE WHEN json_valid(s.context_json) THEN s.context_json->>'$.reason' END = $2)))
ORDER BY started_at DESC, log_id
LIMIT $3
