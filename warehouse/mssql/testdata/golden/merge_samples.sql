MERGE dbo.dim_sample WITH (HOLDLOCK) AS t
USING (
    SELECT d.sample_accession_code, d.sample_title, d.sample_organism, d.platform_accession AS sample_platform,
           d.sample_treatment, d.sample_cell_line, d.sample_tissue, d.is_processed, d.processor_name,
           d.processor_version, i.illness_key, d.illness_method, d.illness_rule, d.illness_field,
           d.illness_matched, p.platform_key, st.study_key, d.exclude_from_analysis, d.keep_attributes
    FROM (
        SELECT sample_accession_code, sample_title, sample_organism, platform_accession, sample_treatment,
               sample_cell_line, sample_tissue, is_processed, processor_name, processor_version, illness_label,
               illness_method, illness_rule, illness_field, illness_matched, study_accession_code,
               exclude_from_analysis, keep_attributes,
               ROW_NUMBER() OVER (PARTITION BY sample_accession_code ORDER BY ordinal DESC) AS rn
        FROM staging.dim_sample
        WHERE load_key = @p1
    ) AS d
    LEFT JOIN dbo.dim_illness AS i ON i.illness_label = d.illness_label
    LEFT JOIN dbo.dim_platform AS p ON p.platform_accession = d.platform_accession
    LEFT JOIN dbo.dim_study AS st ON st.study_accession_code = d.study_accession_code
    WHERE d.rn = 1
) AS s
ON t.sample_accession_code = s.sample_accession_code
WHEN MATCHED AND s.keep_attributes = 0 AND EXISTS (
    SELECT s.sample_title, s.sample_organism, s.sample_platform, s.sample_treatment, s.sample_cell_line,
           s.sample_tissue, s.is_processed, s.processor_name, s.processor_version, s.illness_key,
           s.illness_method, s.illness_rule, s.illness_field, s.illness_matched, s.platform_key,
           s.study_key, s.exclude_from_analysis
    EXCEPT
    SELECT t.sample_title, t.sample_organism, t.sample_platform COLLATE Latin1_General_100_BIN2, t.sample_treatment, t.sample_cell_line,
           t.sample_tissue, t.is_processed, t.processor_name, t.processor_version, t.illness_key,
           t.illness_method, t.illness_rule, t.illness_field, t.illness_matched, t.platform_key,
           t.study_key, t.exclude_from_analysis
) THEN UPDATE SET
    sample_title = s.sample_title,
    sample_organism = s.sample_organism,
    sample_platform = s.sample_platform,
    sample_treatment = s.sample_treatment,
    sample_cell_line = s.sample_cell_line,
    sample_tissue = s.sample_tissue,
    is_processed = s.is_processed,
    processor_name = s.processor_name,
    processor_version = s.processor_version,
    illness_key = s.illness_key,
    illness_method = s.illness_method,
    illness_rule = s.illness_rule,
    illness_field = s.illness_field,
    illness_matched = s.illness_matched,
    platform_key = s.platform_key,
    study_key = s.study_key,
    exclude_from_analysis = s.exclude_from_analysis,
    etl_updated_date = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (sample_accession_code, sample_title, sample_organism, sample_platform, sample_treatment,
            sample_cell_line, sample_tissue, is_processed, processor_name, processor_version, illness_key,
            illness_method, illness_rule, illness_field, illness_matched, platform_key, study_key,
            exclude_from_analysis)
    VALUES (s.sample_accession_code, s.sample_title, s.sample_organism, s.sample_platform, s.sample_treatment,
            s.sample_cell_line, s.sample_tissue, s.is_processed, s.processor_name, s.processor_version,
            s.illness_key, s.illness_method, s.illness_rule, s.illness_field, s.illness_matched, s.platform_key,
            s.study_key, s.exclude_from_analysis);
