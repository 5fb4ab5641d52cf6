SELECT version, checksum FROM meta_schema_version WHERE checksum IS NOT NULL ORDER BY version
