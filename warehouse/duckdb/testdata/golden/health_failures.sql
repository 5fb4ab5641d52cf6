SELECT COUNT(*), COUNT(DISTINCT run_id),
    COUNT(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM meta_etl_process_log s
        WHERE s.study_accession_code = f.study_accession_code
          AND s.started_at > f.started_at
          AND ((s.status = 'SUCCESS'
                AND (s.step = f.step OR (s.step = 'load' AND f.step IN ('extract', 'transform', 'validate'))))
            OR (s.status = 'SKIPPED' AND s.step = 'analytics' AND f.step = 'analytics'
                AND CASE WHEN json_valid(s.context_json) THEN s.context_json->>'$.reason' END = $2))))
FROM meta_etl_process_log f
WHERE status = 'FAILED' AND started_at >= $1
