SELECT feature_name, COUNT(*)
FROM fact_feature_values
WHERE study_key = $1
GROUP BY feature_name
ORDER BY feature_name
