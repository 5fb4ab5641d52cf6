MERGE dbo.meta_study_qc_ks WITH (HOLDLOCK) AS t
USING (SELECT study_key FROM dbo.dim_study WHERE study_accession_code = @p1) AS s
ON t.study_key = s.study_key
WHEN MATCHED AND @p3 IS NULL THEN DELETE
WHEN MATCHED THEN UPDATE SET
    batch_id = @p2,
    ks_rows_used = @p3,
    ks_sampled = @p4,
    collected_at = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET AND @p3 IS NOT NULL THEN
    INSERT (study_key, batch_id, ks_rows_used, ks_sampled)
    VALUES (s.study_key, @p2, @p3, @p4);
