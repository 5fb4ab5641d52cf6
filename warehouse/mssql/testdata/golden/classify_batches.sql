UPDATE l
SET l.previous_batch_id = b.batch_id,
    l.outcome = CASE
        WHEN b.batch_id IS NULL THEN N'new'
        WHEN b.batch_id = l.batch_id AND b.load_signature = l.load_signature THEN N'duplicate'
        ELSE N'replaced'
    END
FROM staging.load_batches AS l
LEFT JOIN dbo.meta_batch AS b ON b.study_accession_code = l.study_accession_code AND b.is_current = 1
WHERE l.load_key = @p1;
