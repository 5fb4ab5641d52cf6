SELECT feature_name, COUNT_BIG(*)
FROM dbo.fact_feature_values
WHERE study_key = @p1
GROUP BY feature_name
ORDER BY feature_name
