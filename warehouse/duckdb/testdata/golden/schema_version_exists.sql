SELECT COUNT(*) = 2 FROM information_schema.columns
WHERE table_schema = 'main' AND table_name = 'meta_schema_version' AND column_name IN ('version', 'description')
