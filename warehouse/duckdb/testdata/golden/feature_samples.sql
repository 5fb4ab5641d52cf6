INSERT INTO fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
WITH input AS (
    SELECT fe.sample_key,
           fe.gene_key,
           fe.expression_value AS v,
           CASE WHEN $3 THEN log2(fe.expression_value + 1) ELSE fe.expression_value END AS y,
           COALESCE(s.illness_key, u.illness_key) AS illness_key,
           COALESCE(i.illness_label, 'UNKNOWN') AS illness_label
    FROM fact_gene_expression fe
    JOIN dim_sample s ON s.sample_key = fe.sample_key
    LEFT JOIN dim_illness i ON i.illness_key = s.illness_key
    CROSS JOIN (SELECT illness_key FROM dim_illness WHERE illness_label = 'UNKNOWN') u
    WHERE fe.study_key = $1
      AND fe.expression_value IS NOT NULL
      AND NOT s.exclude_from_analysis),
ranked AS (
    SELECT sample_key, y,
           row_number() OVER (PARTITION BY sample_key ORDER BY y) AS rn,
           COUNT(*) OVER (PARTITION BY sample_key) AS n
    FROM input),
medians AS (
    SELECT sample_key, AVG(y) AS sample_median
    FROM ranked
    WHERE rn IN ((n + 1) // 2, (n + 2) // 2)
    GROUP BY sample_key),
per_sample AS (
    SELECT i.sample_key,
           CAST(COUNT(*) FILTER (WHERE i.v > 0) AS DOUBLE) AS sample_detected_genes,
           AVG(i.y) AS sample_mean,
           ANY_VALUE(m.sample_median) AS sample_median
    FROM input i
    JOIN medians m ON m.sample_key = i.sample_key
    GROUP BY i.sample_key)
SELECT 'SAMPLE', sample_key, NULL, feature_name, feature_value, $1, $2
FROM per_sample
UNPIVOT (feature_value FOR feature_name IN (sample_detected_genes, sample_mean, sample_median)) AS u
