INSERT INTO dim_sample (sample_accession_code, sample_title, sample_organism, sample_platform,
    sample_treatment, sample_cell_line, sample_tissue, is_processed, processor_name, processor_version,
    illness_key, illness_method, illness_rule, illness_field, illness_matched,
    platform_key, study_key, exclude_from_analysis)
SELECT t.sample_accession_code, t.sample_title, t.sample_organism, t.platform_accession,
    t.sample_treatment, t.sample_cell_line, t.sample_tissue, t.is_processed, t.processor_name, t.processor_version,
    i.illness_key, t.illness_method, t.illness_rule, t.illness_field, t.illness_matched,
    p.platform_key, st.study_key, t.exclude_from_analysis
FROM (
    SELECT * FROM staging.samples
    WHERE load_key = $1
    QUALIFY row_number() OVER (PARTITION BY sample_accession_code ORDER BY study_accession_code DESC) = 1) t
LEFT JOIN dim_illness i ON i.illness_label = t.illness_label
LEFT JOIN dim_platform p ON p.platform_accession = t.platform_accession
LEFT JOIN dim_study st ON st.study_accession_code = t.study_accession_code
WHERE NOT (t.sample_accession_code IN (SELECT unnest($2::VARCHAR[]))
    AND EXISTS (SELECT 1 FROM dim_sample d WHERE d.sample_accession_code = t.sample_accession_code))
ON CONFLICT (sample_accession_code) DO UPDATE SET
    sample_title = excluded.sample_title,
    sample_organism = excluded.sample_organism,
    sample_platform = excluded.sample_platform,
    sample_treatment = excluded.sample_treatment,
    sample_cell_line = excluded.sample_cell_line,
    sample_tissue = excluded.sample_tissue,
    is_processed = excluded.is_processed,
    processor_name = excluded.processor_name,
    processor_version = excluded.processor_version,
    illness_key = excluded.illness_key,
    illness_method = excluded.illness_method,
    illness_rule = excluded.illness_rule,
    illness_field = excluded.illness_field,
    illness_matched = excluded.illness_matched,
    platform_key = excluded.platform_key,
    study_key = excluded.study_key,
    exclude_from_analysis = excluded.exclude_from_analysis,
    etl_updated_date = now()
WHERE dim_sample.sample_title IS DISTINCT FROM excluded.sample_title
   OR dim_sample.sample_organism IS DISTINCT FROM excluded.sample_organism
   OR dim_sample.sample_platform IS DISTINCT FROM excluded.sample_platform
   OR dim_sample.sample_treatment IS DISTINCT FROM excluded.sample_treatment
   OR dim_sample.sample_cell_line IS DISTINCT FROM excluded.sample_cell_line
   OR dim_sample.sample_tissue IS DISTINCT FROM excluded.sample_tissue
   OR dim_sample.is_processed IS DISTINCT FROM excluded.is_processed
   OR dim_sample.processor_name IS DISTINCT FROM excluded.processor_name
   OR dim_sample.processor_version IS DISTINCT FROM excluded.processor_version
   OR dim_sample.illness_key IS DISTINCT FROM excluded.illness_key
   OR dim_sample.illness_method IS DISTINCT FROM excluded.illness_method
   OR dim_sample.illness_rule IS DISTINCT FROM excluded.illness_rule
   OR dim_sample.illness_field IS DISTINCT FROM excluded.illness_field
   OR dim_sample.illness_matched IS DISTINCT FROM excluded.illness_matched
   OR dim_sample.platform_key IS DISTINCT FROM excluded.platform_key
   OR dim_sample.study_key IS DISTINCT FROM excluded.study_key
   OR dim_sample.exclude_from_analysis IS DISTINCT FROM excluded.exclude_from_analysis
