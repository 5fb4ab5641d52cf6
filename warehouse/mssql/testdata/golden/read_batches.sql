SELECT l.study_accession_code, l.batch_id, l.outcome, COALESCE(l.previous_batch_id, N''),
       COALESCE(st.study_key, 0)
FROM staging.load_batches AS l
LEFT JOIN dbo.dim_study AS st ON st.study_accession_code = l.study_accession_code
WHERE l.load_key = @p1
ORDER BY l.study_accession_code
