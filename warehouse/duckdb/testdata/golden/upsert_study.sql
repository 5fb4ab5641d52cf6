INSERT INTO dim_study (study_accession_code, study_title, study_pubmed_id, study_technology,
    study_organism, study_platform_summary, study_description, source_first_published, source_last_modified)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (study_accession_code) DO UPDATE SET
    study_title = excluded.study_title,
    study_pubmed_id = excluded.study_pubmed_id,
    study_technology = excluded.study_technology,
    study_organism = excluded.study_organism,
    study_platform_summary = excluded.study_platform_summary,
    study_description = excluded.study_description,
    source_first_published = excluded.source_first_published,
    source_last_modified = excluded.source_last_modified,
    etl_updated_date = now()
WHERE dim_study.study_title IS DISTINCT FROM excluded.study_title
   OR dim_study.study_pubmed_id IS DISTINCT FROM excluded.study_pubmed_id
   OR dim_study.study_technology IS DISTINCT FROM excluded.study_technology
   OR dim_study.study_organism IS DISTINCT FROM excluded.study_organism
   OR dim_study.study_platform_summary IS DISTINCT FROM excluded.study_platform_summary
   OR dim_study.study_description IS DISTINCT FROM excluded.study_description
   OR dim_study.source_first_published IS DISTINCT FROM excluded.source_first_published
   OR dim_study.source_last_modified IS DISTINCT FROM excluded.source_last_modified
