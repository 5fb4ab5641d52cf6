SELECT version, checksum FROM dbo.meta_schema_version WHERE checksum IS NOT NULL ORDER BY version
