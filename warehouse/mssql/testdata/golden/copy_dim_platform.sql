-- TDS bulk load (mssql.CopyIn): one server batch per copy
INSERT BULK staging.dim_platform (load_key, ordinal, platform_accession, platform_name, manufacturer, measurement_technology) WITH (CHECK_CONSTRAINTS, KEEP_NULLS)
