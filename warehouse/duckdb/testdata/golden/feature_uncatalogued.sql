SELECT COALESCE(string_agg(DISTINCT f.feature_name || ' (' || f.entity_scope || ')', ', '), '')
FROM fact_feature_values f
LEFT JOIN meta_feature_catalog c ON c.feature_name = f.feature_name AND c.entity_scope = f.entity_scope
WHERE f.study_key = $1 AND c.feature_name IS NULL
