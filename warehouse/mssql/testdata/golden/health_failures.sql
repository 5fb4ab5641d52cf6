SELECT COUNT_BIG(*), COUNT_BIG(DISTINCT failed.run_id), SUM(failed.made_good)
FROM (
    SELECT f.run_id,
        CASE WHEN EXISTS (
            SELECT 1 FROM dbo.meta_etl_process_log s
            WHERE s.study_accession_code = f.study_accession_code
              AND s.started_at > f.started_at
              AND ((s.status = N'SUCCESS'
                    AND (s.step = f.step OR (s.step = N'load' AND f.step IN (N'extract', N'transform', N'validate'))))
                OR (s.status = N'SKIPPED' AND s.step = N'analytics' AND f.step = N'analytics'
                    AND CASE WHEN ISJSON(s.context_json) = 1 THEN JSON_VALUE(s.context_json, '$.reason') END = @p2)))
        THEN 1 ELSE 0 END AS made_good
    FROM dbo.meta_etl_process_log f
    WHERE f.status = N'FAILED' AND f.started_at >= CONVERT(DATETIME2, @p1)) AS failed
