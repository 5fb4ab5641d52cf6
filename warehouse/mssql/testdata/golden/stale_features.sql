UPDATE dbo.meta_feature_state
SET input_fingerprint = NULL
WHERE study_key = @p1 AND batch_id = @p2
