INSERT INTO fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
WITH input AS (
    SELECT fe.sample_key,
           fe.gene_key,
           fe.expression_value AS v,
           CASE WHEN $3 THEN log2(fe.expression_value + 1) ELSE fe.expression_value END AS y,
           COALESCE(ss.illness_key, u.illness_key) AS illness_key,
           COALESCE(i.illness_label, 'UNKNOWN') AS illness_label
    FROM fact_gene_expression fe
    JOIN dim_sample s ON s.sample_key = fe.sample_key
    LEFT JOIN dim_study_sample ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
    LEFT JOIN dim_illness i ON i.illness_key = ss.illness_key
    CROSS JOIN (SELECT illness_key FROM dim_illness WHERE illness_label = 'UNKNOWN') u
    WHERE fe.study_key = $1
      AND fe.expression_value IS NOT NULL
      AND NOT COALESCE(ss.exclude_from_analysis, false)),
ranges AS (
    SELECT sample_key, COUNT(*) AS n, MIN(y) AS lo, MAX(y) AS hi
    FROM input
    GROUP BY sample_key),
slice_counts AS (
    SELECT i.sample_key, CASE WHEN p.hi > p.lo AND isfinite(p.hi - p.lo)
                THEN least(64 - 1, CAST(floor((i.y - p.lo) / (p.hi - p.lo) * 64) AS INTEGER))
                ELSE 0 END AS slice, COUNT(*) AS c
    FROM input i
    JOIN ranges p ON p.sample_key = i.sample_key
    GROUP BY ALL),
middle AS (
    SELECT sample_key, ANY_VALUE(n) AS n, ANY_VALUE(lo) AS lo, ANY_VALUE(hi) AS hi,
           MIN(slice) AS first_slice, MAX(slice) AS last_slice, MIN(below) AS below
    FROM (SELECT c.sample_key, c.slice, c.c, p.n, p.lo, p.hi,
                 SUM(c.c) OVER (PARTITION BY c.sample_key ORDER BY c.slice) - c.c AS below
          FROM slice_counts c
          JOIN ranges p ON p.sample_key = c.sample_key)
    WHERE ((n + 1) // 2 > below AND (n + 1) // 2 <= below + c)
       OR ((n + 2) // 2 > below AND (n + 2) // 2 <= below + c)
    GROUP BY sample_key),
ranked AS (
    SELECT i.sample_key, i.y, p.n,
           p.below + row_number() OVER (PARTITION BY i.sample_key ORDER BY i.y) AS rank
    FROM input i
    JOIN middle p ON p.sample_key = i.sample_key
    WHERE CASE WHEN p.hi > p.lo AND isfinite(p.hi - p.lo)
                THEN least(64 - 1, CAST(floor((i.y - p.lo) / (p.hi - p.lo) * 64) AS INTEGER))
                ELSE 0 END BETWEEN p.first_slice AND p.last_slice),
medians AS (
    SELECT sample_key, AVG(y) AS sample_median
    FROM ranked
    WHERE rank IN ((n + 1) // 2, (n + 2) // 2)
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
