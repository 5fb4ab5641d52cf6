MERGE dbo.dim_study WITH (HOLDLOCK) AS t
USING (
    SELECT d.study_accession_code, d.study_title, d.study_pubmed_id, d.study_technology, d.study_organism,
           d.study_platform_summary, d.study_description, d.source_first_published, d.source_last_modified,
           d.keep_recorded
    FROM (
        SELECT study_accession_code, study_title, study_pubmed_id, study_technology, study_organism,
               study_platform_summary, study_description, source_first_published, source_last_modified,
               keep_recorded,
               ROW_NUMBER() OVER (PARTITION BY study_accession_code ORDER BY ordinal DESC) AS rn
        FROM staging.dim_study
        WHERE load_key = @p1
    ) AS d
    WHERE d.rn = 1
) AS s
ON t.study_accession_code = s.study_accession_code
WHEN MATCHED AND s.keep_recorded = 0 AND EXISTS (
    SELECT ISNULL(s.study_title, t.study_title), ISNULL(s.study_pubmed_id, t.study_pubmed_id), s.study_technology,
           s.study_organism, s.study_platform_summary, ISNULL(s.study_description, t.study_description),
           ISNULL(s.source_first_published, t.source_first_published), ISNULL(s.source_last_modified, t.source_last_modified)
    EXCEPT
    SELECT t.study_title, t.study_pubmed_id, t.study_technology, t.study_organism, t.study_platform_summary,
           t.study_description, t.source_first_published, t.source_last_modified
) THEN UPDATE SET
    study_title = ISNULL(s.study_title, t.study_title),
    study_pubmed_id = ISNULL(s.study_pubmed_id, t.study_pubmed_id),
    study_technology = s.study_technology,
    study_organism = s.study_organism,
    study_platform_summary = s.study_platform_summary,
    study_description = ISNULL(s.study_description, t.study_description),
    source_first_published = ISNULL(s.source_first_published, t.source_first_published),
    source_last_modified = ISNULL(s.source_last_modified, t.source_last_modified),
    etl_updated_date = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (study_accession_code, study_title, study_pubmed_id, study_technology, study_organism,
            study_platform_summary, study_description, source_first_published, source_last_modified)
    VALUES (s.study_accession_code, s.study_title, s.study_pubmed_id, s.study_technology, s.study_organism,
            s.study_platform_summary, s.study_description, s.source_first_published, s.source_last_modified);
