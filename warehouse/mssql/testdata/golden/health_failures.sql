SELECT COUNT_BIG(*), COUNT_BIG(DISTINCT failed.run_id), SUM(failed.made_good)
FROM (
    SELECT f.run_id,
        CASE WHEN EXISTS (
            SELECT 1 FROM dbo.meta_etl_process_log s
            WHERE s.study_accession_code = f.study_accession_code
              AND s.status = N'SUCCESS' AND s.started_at > f.started_at
              AND (s.step = f.step OR (s.step = N'load' AND f.step IN (N'extract', N'transform', N'validate'))))
        THEN 1 ELSE 0 END AS made_good
    FROM dbo.meta_etl_process_log f
    WHERE f.status = N'FAILED' AND f.started_at >= CONVERT(DATETIME2, @p1)) AS failed
