DELETE FROM fact_feature_values WHERE study_key = $1 AND feature_record_key >= $2
