INSERT INTO dbo.meta_schema_version (version, description) VALUES (@p1, @p2)
