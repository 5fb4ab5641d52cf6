SELECT COUNT_BIG(DISTINCT run_id)
FROM dbo.meta_etl_process_log
WHERE study_accession_code = @p1
  AND run_id <> @p2
  AND (status = N'FAILED' OR (status = N'RUNNING' AND started_at < CONVERT(DATETIME2, @p3)))
  AND started_at > COALESCE(
    (SELECT MAX(started_at) FROM dbo.meta_etl_process_log
     WHERE study_accession_code = @p1 AND step = N'load' AND status = N'SUCCESS'),
    CONVERT(DATETIME2, '0001-01-01T00:00:00', 126))
