SELECT w.feature_name, w.entity_scope, w.n, c.feature_name IS NOT NULL
FROM (SELECT feature_name, entity_scope, COUNT(*) AS n
      FROM fact_feature_values
      WHERE study_key = $1
      GROUP BY feature_name, entity_scope) AS w
LEFT JOIN meta_feature_catalog c ON c.feature_name = w.feature_name AND c.entity_scope = w.entity_scope
ORDER BY w.feature_name, w.entity_scope
