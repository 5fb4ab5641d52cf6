SELECT study_key FROM dim_study WHERE study_accession_code = $1
