UPDATE dbo.meta_schema_version SET checksum = @p1 WHERE version = @p2 AND checksum IS NULL
