WITH coverage AS (
    SELECT entity_id_1 AS gene_key, SUM(feature_value) AS n
    FROM dbo.fact_feature_values
    WHERE study_key = @p1 AND feature_name = N'gene_cohort_n'
    GROUP BY entity_id_1),
top_genes AS (
    SELECT TOP (@p4) CONVERT(INT, v.entity_id_1) AS gene_key
    FROM dbo.fact_feature_values AS v
    JOIN coverage AS c ON c.gene_key = v.entity_id_1
    WHERE v.study_key = @p1 AND v.feature_name = N'gene_variance' AND v.feature_value > 0
      AND c.n >= 3
      AND 2 * c.n >= (SELECT SUM(w.feature_value) FROM dbo.fact_feature_values AS w
                      WHERE w.study_key = @p1 AND w.feature_name = N'cohort_sample_count')
      AND NOT EXISTS (SELECT 1 FROM dbo.dim_gene AS g WHERE g.gene_key = CONVERT(INT, v.entity_id_1) AND g.gene_type = N'control_probe')
    ORDER BY v.feature_value DESC, v.entity_id_1),
input AS (
    SELECT fe.sample_key,
           fe.gene_key,
           fe.expression_value AS v,
           CASE WHEN @p3 = 1 THEN LOG(CASE WHEN fe.expression_value > -1 THEN fe.expression_value + 1.0 END, 2) ELSE fe.expression_value END AS y,
           COALESCE(ss.illness_key, u.illness_key) AS illness_key,
           COALESCE(i.illness_label, N'UNKNOWN') AS illness_label
    FROM dbo.fact_gene_expression AS fe
    JOIN dbo.dim_sample AS s ON s.sample_key = fe.sample_key
    LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
    LEFT JOIN dbo.dim_illness AS i ON i.illness_key = ss.illness_key
    CROSS JOIN (SELECT illness_key FROM dbo.dim_illness WHERE illness_label = N'UNKNOWN') AS u
    WHERE fe.study_bucket = CONVERT(SMALLINT, @p1 % 32)
      AND fe.study_key = @p1
      AND fe.expression_value IS NOT NULL
      AND (ss.exclude_from_analysis IS NULL OR ss.exclude_from_analysis = 0)
      AND fe.gene_key IN (SELECT t.gene_key FROM top_genes AS t)),
centered AS (
    SELECT i.sample_key, i.gene_key, i.y - m.mean_y AS d
    FROM input AS i
    JOIN (SELECT gene_key, AVG(y) AS mean_y FROM input GROUP BY gene_key) AS m ON m.gene_key = i.gene_key),
sums AS (
    SELECT a.gene_key AS gene_1,
           b.gene_key AS gene_2,
           COUNT_BIG(*) AS n,
           SUM(a.d) AS sa,
           SUM(b.d) AS sb,
           SUM(a.d * b.d) AS sab,
           SUM(a.d * a.d) AS saa,
           SUM(b.d * b.d) AS sbb
    FROM centered AS a
    JOIN centered AS b ON b.sample_key = a.sample_key AND b.gene_key > a.gene_key
    GROUP BY a.gene_key, b.gene_key),
moments AS (
    SELECT gene_1, gene_2, n, sab - sa * sb / n AS cab, saa - sa * sa / n AS caa, sbb - sb * sb / n AS cbb, saa, sbb
    FROM sums),
correlations AS (
    SELECT gene_1, gene_2, n,
           cab / (SQRT(CASE WHEN caa > saa * 0.000000000001 THEN caa END) * SQRT(CASE WHEN cbb > sbb * 0.000000000001 THEN cbb END)) AS r
    FROM moments),
pair_features AS (
    SELECT gene_1, gene_2,
           CONVERT(FLOAT, CASE WHEN r > 1 THEN 1.0 WHEN r < -1 THEN -1.0 ELSE r END) AS gene_pair_pearson_r,
           CONVERT(FLOAT, n) AS gene_pair_n
    FROM correlations
    WHERE n >= 3 AND r IS NOT NULL)
INSERT INTO dbo.fact_feature_values (entity_scope, entity_id_1, entity_id_2, feature_name, feature_value, study_key, batch_id)
SELECT N'GENE_PAIR', u.gene_1, u.gene_2, u.feature_name, u.feature_value, @p1, @p2
FROM pair_features
UNPIVOT (feature_value FOR feature_name IN (gene_pair_pearson_r, gene_pair_n)) AS u
OPTION (RECOMPILE);
