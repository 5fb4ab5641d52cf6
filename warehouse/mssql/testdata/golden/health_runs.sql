SELECT TOP (@p1) run_id,
    MIN(started_at),
    CASE WHEN SUM(CASE WHEN status = N'RUNNING' THEN 1 ELSE 0 END) > 0 THEN NULL ELSE MAX(ended_at) END,
    COUNT_BIG(DISTINCT study_accession_code),
    COUNT_BIG(*),
    SUM(CASE WHEN status = N'FAILED' THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = N'RUNNING' THEN 1 ELSE 0 END)
FROM dbo.meta_etl_process_log
GROUP BY run_id
ORDER BY MIN(started_at) DESC, run_id
