INSERT INTO dbo.dim_study_sample (study_key, sample_key, illness_key, illness_method, illness_rule, illness_field,
    illness_matched, etl_created_date, etl_updated_date)
SELECT s.study_key, s.sample_key, s.illness_key, s.illness_method, s.illness_rule, s.illness_field,
    s.illness_matched, s.etl_created_date, s.etl_updated_date
FROM dbo.dim_sample AS s
JOIN dbo.dim_study AS st ON st.study_key = s.study_key
WHERE EXISTS (
    SELECT 1 FROM dbo.fact_gene_expression AS fe
    WHERE fe.study_key = s.study_key AND fe.sample_key = s.sample_key);

INSERT INTO dbo.dim_study_sample (study_key, sample_key)
SELECT DISTINCT fe.study_key, fe.sample_key
FROM dbo.fact_gene_expression AS fe
WHERE NOT EXISTS (
    SELECT 1 FROM dbo.dim_study_sample AS ss
    WHERE ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key)
  AND EXISTS (SELECT 1 FROM dbo.dim_study AS st WHERE st.study_key = fe.study_key)
  AND EXISTS (SELECT 1 FROM dbo.dim_sample AS s WHERE s.sample_key = fe.sample_key);
