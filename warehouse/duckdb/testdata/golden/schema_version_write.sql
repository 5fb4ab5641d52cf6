INSERT INTO meta_schema_version (version, description) VALUES ($1, $2)
