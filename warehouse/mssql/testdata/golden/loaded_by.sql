SELECT COUNT_BIG(*) FROM dbo.meta_batch_qc
WHERE study_accession_code = @p1 AND batch_id = @p2 AND qc_status = N'LOADED' AND run_id = @p3
