SELECT COALESCE(MAX(version), 0) FROM meta_schema_version
