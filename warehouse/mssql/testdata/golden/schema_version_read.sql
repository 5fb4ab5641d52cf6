SELECT COALESCE(MAX(version), 0) FROM dbo.meta_schema_version
