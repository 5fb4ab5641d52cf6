DELETE FROM meta_study_qc_ks
WHERE study_key = (SELECT study_key FROM dim_study WHERE study_accession_code = $1)
