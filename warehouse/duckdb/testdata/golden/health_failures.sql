SELECT COUNT(*), COUNT(DISTINCT run_id),
    COUNT(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM meta_etl_process_log s
        WHERE s.study_accession_code = f.study_accession_code
          AND s.status = 'SUCCESS' AND s.started_at > f.started_at
          AND (s.step = f.step OR (s.step = 'load' AND f.step IN ('extract', 'transform', 'validate')))))
FROM meta_etl_process_log f
WHERE status = 'FAILED' AND started_at >= $1
