INSERT INTO dbo.meta_data_validation_log (run_id, batch_id, study_key, study_accession_code,
    validation_code, validation_name, severity, details, file_name, line_no, column_no)
SELECT v.run_id, v.batch_id, st.study_key, v.study_accession_code, v.validation_code, v.validation_name,
       v.severity, v.details, v.file_name, v.line_no, v.column_no
FROM (VALUES
    (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10),
    (@p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19, @p20),
    (@p21, @p22, @p23, @p24, @p25, @p26, @p27, @p28, @p29, @p30)
) AS v (run_id, batch_id, study_accession_code, validation_code, validation_name, severity, details, file_name, line_no, column_no)
LEFT JOIN dbo.dim_study AS st ON st.study_accession_code = v.study_accession_code
