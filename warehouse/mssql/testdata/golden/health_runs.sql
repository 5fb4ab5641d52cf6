SELECT TOP (@p1) run_id,
    MIN(started_at),
    CASE WHEN SUM(CASE WHEN status = N'RUNNING' THEN 1 ELSE 0 END) > 0 THEN NULL ELSE MAX(ended_at) END,
    COUNT_BIG(DISTINCT study_accession_code),
    COUNT_BIG(*),
    SUM(CASE WHEN status = N'FAILED' THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = N'RUNNING' THEN 1 ELSE 0 END),
    COUNT_BIG(CASE WHEN status = N'SKIPPED' AND stop_reason <> N'aborted' THEN stop_reason END),
    COALESCE(MAX(CASE WHEN stop_reason <> N'aborted' THEN stop_reason END), N''),
    SUM(CASE WHEN status = N'FAILED' AND stop_reason = N'aborted' THEN 1 ELSE 0 END),
    SUM(CASE WHEN step = N'extract' THEN 1 ELSE 0 END)
FROM (SELECT run_id, started_at, ended_at, study_accession_code, status, step,
        CASE WHEN status NOT IN (N'SKIPPED', N'FAILED') OR ISJSON(context_json) <> 1 THEN NULL
             WHEN JSON_VALUE(context_json, N'$.reason') IN (N'interrupted', N'timed out', N'aborted')
             THEN JSON_VALUE(context_json, N'$.reason')
        END AS stop_reason
    FROM dbo.meta_etl_process_log) AS l
GROUP BY run_id
ORDER BY MIN(started_at) DESC, run_id
