SELECT TOP (@p3) f.run_id, COALESCE(f.study_accession_code, N''), f.step,
    COALESCE(CASE WHEN ISJSON(f.context_json) = 1 THEN JSON_VALUE(f.context_json, '$.file') END, N''),
    COALESCE(f.error_code, 0), f.started_at
FROM dbo.meta_etl_process_log f
WHERE f.status = N'FAILED' AND f.started_at >= CONVERT(DATETIME2, @p1) AND NOT EXISTS (
            SELECT 1 FROM dbo.meta_etl_process_log s
            WHERE s.study_accession_code = f.study_accession_code
              AND s.started_at > f.started_at
              AND ((s.status = N'SUCCESS'
                    AND (s.step = f.step OR (s.step = N'load' AND f.step IN (N'extract', N'transform', N'validate'))))
                OR (s.status = N'SKIPPED' AND s.step = N'analytics' AND f.step = N'analytics'
                    AND CASE WHEN ISJSON(s.context_json) = 1 THEN JSON_VALUE(s.context_json, '$.reason') END = @p2)))
ORDER BY f.started_at DESC, f.log_id
