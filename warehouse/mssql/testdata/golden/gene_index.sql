IF INDEXPROPERTY(OBJECT_ID(N'dbo.fact_gene_expression'), N'ix_fact_gene_expression_gene_study', 'IndexID') IS NULL
CREATE NONCLUSTERED INDEX ix_fact_gene_expression_gene_study
    ON dbo.fact_gene_expression (gene_key, study_key)
    INCLUDE (sample_key, expression_value)
    ON ps_study_bucket (study_bucket)
