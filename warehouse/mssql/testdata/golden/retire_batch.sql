UPDATE dbo.meta_batch
SET is_current = 0, replaced_at = SYSUTCDATETIME()
WHERE study_key = @p1 AND is_current = 1
