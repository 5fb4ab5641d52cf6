MERGE dbo.meta_batch WITH (HOLDLOCK) AS t
USING (SELECT @p2 AS batch_id) AS s
ON t.batch_id = s.batch_id
WHEN MATCHED THEN UPDATE SET
    study_key = @p1,
    study_accession_code = @p3,
    file_name = @p4,
    file_hash = @p5,
    run_id = @p6,
    rows_written = @p7,
    load_signature = @p8,
    scale_by = @p9,
    is_current = 1,
    loaded_at = SYSUTCDATETIME(),
    replaced_at = NULL
WHEN NOT MATCHED BY TARGET THEN
    INSERT (batch_id, study_key, study_accession_code, file_name, file_hash, run_id, rows_written, is_current, loaded_at, load_signature, scale_by)
    VALUES (s.batch_id, @p1, @p3, @p4, @p5, @p6, @p7, 1, SYSUTCDATETIME(), @p8, @p9);
