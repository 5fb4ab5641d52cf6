MERGE dbo.meta_etl_process_log WITH (HOLDLOCK) AS t
USING (SELECT @p1 AS log_id) AS s
ON t.log_id = s.log_id
WHEN MATCHED THEN UPDATE SET
    batch_id = @p3,
    status = @p6,
    ended_at = @p9,
    rows_read = @p10,
    rows_written = @p11,
    error_code = @p12,
    error_message = @p13,
    context_json = @p14
WHEN NOT MATCHED BY TARGET THEN
    INSERT (log_id, run_id, batch_id, study_accession_code, step, status, attempt, started_at, ended_at,
            rows_read, rows_written, error_code, error_message, context_json)
    VALUES (s.log_id, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14);
