INSERT INTO meta_schema_version (version, description, checksum) VALUES ($1, $2, $3)
