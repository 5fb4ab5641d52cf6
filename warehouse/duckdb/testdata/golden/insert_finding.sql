INSERT INTO meta_data_validation_log (run_id, batch_id, study_key, study_accession_code,
    validation_code, validation_name, severity, details, file_name, line_no, column_no)
VALUES ($1, $2, (SELECT study_key FROM dim_study WHERE study_accession_code = $3), $3, $4, $5, $6, $7, $8, $9, $10)
