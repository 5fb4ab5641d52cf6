UPDATE meta_schema_version SET checksum = $1 WHERE version = $2 AND checksum IS NULL
