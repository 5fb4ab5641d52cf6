SELECT COUNT(*), MIN(fe.expression_value), MAX(fe.expression_value)
FROM fact_gene_expression fe
LEFT JOIN dim_study_sample ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
WHERE fe.study_key = $1
  AND fe.expression_value IS NOT NULL
  AND NOT COALESCE(ss.exclude_from_analysis, false)
