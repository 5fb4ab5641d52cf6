SELECT COUNT(*) > 0 FROM information_schema.tables
WHERE table_schema = 'main' AND table_name = 'meta_schema_version'
