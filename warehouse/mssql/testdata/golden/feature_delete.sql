DELETE FROM dbo.fact_feature_values WHERE study_key = @p1
