DELETE FROM fact_feature_values WHERE study_key = $1
