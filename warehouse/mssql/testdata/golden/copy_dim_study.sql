-- TDS bulk load (mssql.CopyIn): one server batch per copy
INSERT BULK staging.dim_study (load_key, ordinal, study_accession_code, study_title, study_pubmed_id, study_technology, study_organism, study_platform_summary, study_description, source_first_published, source_last_modified) WITH (CHECK_CONSTRAINTS, KEEP_NULLS)
