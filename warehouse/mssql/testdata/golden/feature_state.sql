MERGE dbo.meta_feature_state WITH (HOLDLOCK) AS t
USING (SELECT @p1 AS study_key) AS s
ON t.study_key = s.study_key
WHEN MATCHED THEN UPDATE SET
    batch_id = @p2,
    value_scale = @p3,
    top_genes = @p4,
    rows_written = @p5,
    run_id = @p6,
    input_fingerprint = @p7,
    computed_at = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (study_key, batch_id, value_scale, top_genes, rows_written, run_id, computed_at, input_fingerprint)
    VALUES (s.study_key, @p2, @p3, @p4, @p5, @p6, SYSUTCDATETIME(), @p7);
