-- The catalog with, for each feature, how many values the studies' current
-- batches hold and for how many studies.
CREATE OR ALTER VIEW analytics.vw_feature_catalog AS
SELECT c.feature_name,
       c.entity_scope,
       c.entity_id_1_ref,
       c.entity_id_2_ref,
       c.description,
       c.formula,
       c.min_samples,
       c.feature_version,
       COALESCE(v.value_count, 0) AS value_count,
       COALESCE(v.study_count, 0) AS study_count
FROM dbo.meta_feature_catalog AS c
LEFT JOIN (
    SELECT f.feature_name, COUNT_BIG(*) AS value_count, COUNT_BIG(DISTINCT f.study_key) AS study_count
    FROM dbo.fact_feature_values AS f
    JOIN dbo.meta_batch AS b ON b.batch_id = f.batch_id AND b.study_key = f.study_key AND b.is_current = 1
    GROUP BY f.feature_name
) AS v ON v.feature_name = c.feature_name;
