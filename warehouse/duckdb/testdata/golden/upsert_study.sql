UPDATE dim_study SET
    study_title = $2,
    study_pubmed_id = $3,
    study_technology = $4,
    study_organism = $5,
    study_platform_summary = $6,
    study_description = $7,
    source_first_published = $8,
    source_last_modified = $9,
    etl_updated_date = now()
WHERE study_accession_code = $1
  AND (study_title IS DISTINCT FROM $2
   OR study_pubmed_id IS DISTINCT FROM $3
   OR study_technology IS DISTINCT FROM $4
   OR study_organism IS DISTINCT FROM $5
   OR study_platform_summary IS DISTINCT FROM $6
   OR study_description IS DISTINCT FROM $7
   OR source_first_published IS DISTINCT FROM $8
   OR source_last_modified IS DISTINCT FROM $9);
INSERT INTO dim_study (study_accession_code, study_title, study_pubmed_id, study_technology,
    study_organism, study_platform_summary, study_description, source_first_published, source_last_modified)
SELECT $1, $2, $3, $4, $5, $6, $7, timezone('UTC', $8::TIMESTAMPTZ), timezone('UTC', $9::TIMESTAMPTZ)
WHERE NOT EXISTS (SELECT 1 FROM dim_study WHERE study_accession_code = $1)
