SELECT COUNT(*), MIN(fe.expression_value), MAX(fe.expression_value)
FROM fact_gene_expression fe
JOIN dim_sample s ON s.sample_key = fe.sample_key
WHERE fe.study_key = $1
  AND fe.expression_value IS NOT NULL
  AND NOT s.exclude_from_analysis
