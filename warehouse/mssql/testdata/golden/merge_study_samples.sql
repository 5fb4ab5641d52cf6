MERGE dbo.dim_study_sample WITH (HOLDLOCK) AS t
USING (
    SELECT st.study_key, sm.sample_key, i.illness_key, d.illness_method, d.illness_rule, d.illness_field,
           d.illness_matched, d.illness_evidence, d.keep_illness, d.exclude_from_analysis
    FROM (
        SELECT sample_accession_code, study_accession_code, illness_label, illness_method, illness_rule,
               illness_field, illness_matched, illness_evidence, keep_illness, exclude_from_analysis,
               ROW_NUMBER() OVER (PARTITION BY study_accession_code, sample_accession_code ORDER BY ordinal DESC) AS rn
        FROM staging.dim_sample
        WHERE load_key = @p1
    ) AS d
    JOIN dbo.dim_sample AS sm ON sm.sample_accession_code = d.sample_accession_code
    JOIN dbo.dim_study AS st ON st.study_accession_code = d.study_accession_code
    LEFT JOIN dbo.dim_illness AS i ON i.illness_label = d.illness_label
    WHERE d.rn = 1
) AS s
ON t.study_key = s.study_key AND t.sample_key = s.sample_key
WHEN MATCHED AND (s.exclude_from_analysis <> t.exclude_from_analysis OR (s.keep_illness = 0 OR t.illness_method = N'override') AND EXISTS (
    SELECT s.illness_key, s.illness_method, s.illness_rule, s.illness_field, s.illness_matched, s.illness_evidence
    EXCEPT
    SELECT t.illness_key, t.illness_method, t.illness_rule, t.illness_field, t.illness_matched, t.illness_evidence
)) THEN UPDATE SET
    illness_key = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_key, t.illness_key),
    illness_method = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_method, t.illness_method),
    illness_rule = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_rule, t.illness_rule),
    illness_field = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_field, t.illness_field),
    illness_matched = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_matched, t.illness_matched),
    illness_evidence = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_evidence, t.illness_evidence),
    exclude_from_analysis = s.exclude_from_analysis,
    etl_updated_date = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (study_key, sample_key, illness_key, illness_method, illness_rule, illness_field, illness_matched,
            illness_evidence, exclude_from_analysis)
    VALUES (s.study_key, s.sample_key, s.illness_key, s.illness_method, s.illness_rule, s.illness_field,
            s.illness_matched, s.illness_evidence, s.exclude_from_analysis);
