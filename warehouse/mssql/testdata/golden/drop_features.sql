DELETE FROM dbo.fact_feature_values
WHERE study_key = @p1 AND batch_id = @p2
