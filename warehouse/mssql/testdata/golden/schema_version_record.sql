INSERT INTO dbo.meta_schema_version (version, description, checksum) VALUES (@p1, @p2, @p3)
