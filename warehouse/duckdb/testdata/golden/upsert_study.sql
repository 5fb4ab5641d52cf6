UPDATE dim_study SET
    study_title = COALESCE($2, study_title),
    study_pubmed_id = COALESCE($3, study_pubmed_id),
    study_technology = $4,
    study_organism = $5,
    study_platform_summary = $6,
    study_description = COALESCE($7, study_description),
    source_first_published = COALESCE($8, source_first_published),
    source_last_modified = COALESCE($9, source_last_modified),
    etl_updated_date = now()
WHERE study_accession_code = $1
  AND (study_title IS DISTINCT FROM COALESCE($2, study_title)
   OR study_pubmed_id IS DISTINCT FROM COALESCE($3, study_pubmed_id)
   OR study_technology IS DISTINCT FROM $4
   OR study_organism IS DISTINCT FROM $5
   OR study_platform_summary IS DISTINCT FROM $6
   OR study_description IS DISTINCT FROM COALESCE($7, study_description)
   OR source_first_published IS DISTINCT FROM COALESCE($8, source_first_published)
   OR source_last_modified IS DISTINCT FROM COALESCE($9, source_last_modified));
INSERT INTO dim_study (study_accession_code, study_title, study_pubmed_id, study_technology,
    study_organism, study_platform_summary, study_description, source_first_published, source_last_modified)
SELECT $1, $2, $3, $4, $5, $6, $7, timezone('UTC', $8::TIMESTAMPTZ), timezone('UTC', $9::TIMESTAMPTZ)
WHERE NOT EXISTS (SELECT 1 FROM dim_study WHERE study_accession_code = $1)
