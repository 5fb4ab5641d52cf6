SELECT COUNT_BIG(*), COUNT_BIG(DISTINCT run_id)
FROM dbo.meta_etl_process_log
WHERE status = N'FAILED' AND started_at >= CONVERT(DATETIME2, @p1)
