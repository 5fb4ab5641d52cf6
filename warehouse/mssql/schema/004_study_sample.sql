-- genexp warehouse, schema version 4 (SQL Server 2022): a sample may belong
-- to several studies. The same change as the DuckDB backend's version 5.
--
-- GEO SuperSeries and their SubSeries share sample accessions, and so do
-- their refine.bio downloads. dim_sample is keyed by the sample accession
-- alone, so a load of a second study holding the same samples moved them
-- to that study (study_key and the illness decision were updated in
-- place): the first study's facts stayed, but lost their samples in
-- vw_sample_illness and took the second study's labels in the cohort views
-- and the features.
--
-- dim_study_sample is the membership of a sample in a study, with the
-- illness decision made for the sample in that study. Every load merges
-- the rows of its studies' samples; a study's labels are read from here by
-- (study_key, sample_key), never from dim_sample. dim_sample keeps the
-- sample's own attributes; its study_key and illness columns stay, for
-- compatibility, as the study of the sample's latest load and the decision
-- made there.
--
-- The back-fill takes each sample's study and decision from dim_sample.
-- A warehouse where a second study already took over shared samples has
-- lost the first study's decisions: each (study, sample) its facts hold
-- without such a row gets one with no decision (shown as UNKNOWN), until
-- the study is loaded again. The back-fill reads dim_sample, dim_study and
-- the fact and writes dim_study_sample: data access the schema owner has
-- (see the README).

CREATE TABLE dbo.dim_study_sample (
    study_key        INT NOT NULL CONSTRAINT fk_dim_study_sample_study REFERENCES dbo.dim_study (study_key),
    sample_key       INT NOT NULL CONSTRAINT fk_dim_study_sample_sample REFERENCES dbo.dim_sample (sample_key),
    illness_key      INT NULL CONSTRAINT fk_dim_study_sample_illness REFERENCES dbo.dim_illness (illness_key),
    -- How the illness label was decided in this study: override, rule or
    -- default, and for a rule its name, the field it read and the text it
    -- matched.
    illness_method   NVARCHAR(50) NULL,
    illness_rule     NVARCHAR(200) NULL,
    illness_field    NVARCHAR(200) NULL,
    illness_matched  NVARCHAR(1000) NULL,
    etl_created_date DATETIME2 NOT NULL CONSTRAINT df_dim_study_sample_created DEFAULT SYSUTCDATETIME(),
    etl_updated_date DATETIME2 NOT NULL CONSTRAINT df_dim_study_sample_updated DEFAULT SYSUTCDATETIME(),
    CONSTRAINT pk_dim_study_sample PRIMARY KEY (study_key, sample_key)
);

-- The studies of a sample, for vw_sample_illness's samples without one and
-- for the foreign key's check when a sample is deleted.
CREATE INDEX ix_dim_study_sample_sample ON dbo.dim_study_sample (sample_key);
GO

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
GO

CREATE OR ALTER VIEW analytics.vw_expression_long AS
SELECT s.sample_key,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, N'UNKNOWN') AS illness_label,
       st.study_key,
       st.study_accession_code,
       st.study_title,
       g.gene_key,
       g.gene_id,
       g.gene_symbol,
       fe.expression_value,
       fe.expression_log2_value,
       fe.batch_id,
       fe.etl_created_date
FROM dbo.fact_gene_expression AS fe
JOIN dbo.dim_sample AS s ON fe.sample_key = s.sample_key
JOIN dbo.dim_gene AS g ON fe.gene_key = g.gene_key
JOIN dbo.dim_study AS st ON fe.study_key = st.study_key
LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
LEFT JOIN dbo.dim_illness AS i ON ss.illness_key = i.illness_key
WHERE s.exclude_from_analysis = 0;
GO

-- PERCENTILE_CONT is a window function in SQL Server: the median is
-- computed over the cohort's window and carried through the GROUP BY (it is
-- constant within the group). The window is partitioned by the grouping
-- columns themselves, so a filter on them reaches below the window.
CREATE OR ALTER VIEW analytics.vw_expression_by_cohort AS
SELECT c.study_accession_code,
       c.illness_label,
       c.gene_id,
       COUNT(DISTINCT c.sample_key) AS sample_count,
       AVG(c.expression_value) AS mean_expression,
       STDEV(c.expression_value) AS std_expression,
       MIN(c.expression_value) AS min_expression,
       MAX(c.expression_value) AS max_expression,
       MAX(c.median_expression) AS median_expression
FROM (
    SELECT st.study_accession_code,
           COALESCE(i.illness_label, N'UNKNOWN') AS illness_label,
           g.gene_id,
           fe.sample_key,
           fe.expression_value,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY fe.expression_value)
               OVER (PARTITION BY st.study_accession_code, COALESCE(i.illness_label, N'UNKNOWN'), g.gene_id) AS median_expression
    FROM dbo.fact_gene_expression AS fe
    JOIN dbo.dim_sample AS s ON fe.sample_key = s.sample_key
    JOIN dbo.dim_gene AS g ON fe.gene_key = g.gene_key
    JOIN dbo.dim_study AS st ON fe.study_key = st.study_key
    LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
    LEFT JOIN dbo.dim_illness AS i ON ss.illness_key = i.illness_key
    WHERE s.exclude_from_analysis = 0
      AND fe.expression_value IS NOT NULL
) AS c
GROUP BY c.study_accession_code, c.illness_label, c.gene_id;
GO

-- One row per study and sample, with the decision made in that study. A
-- sample that belongs to no study (its load named a study dim_study lacks)
-- is listed once, without a study, as before.
CREATE OR ALTER VIEW analytics.vw_sample_illness AS
SELECT st.study_accession_code,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, N'UNKNOWN') AS illness_label,
       ss.illness_method,
       ss.illness_rule,
       ss.illness_field,
       ss.illness_matched
FROM dbo.dim_study_sample AS ss
JOIN dbo.dim_sample AS s ON s.sample_key = ss.sample_key
JOIN dbo.dim_study AS st ON st.study_key = ss.study_key
LEFT JOIN dbo.dim_illness AS i ON i.illness_key = ss.illness_key
UNION ALL
SELECT NULL,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, N'UNKNOWN'),
       s.illness_method,
       s.illness_rule,
       s.illness_field,
       s.illness_matched
FROM dbo.dim_sample AS s
LEFT JOIN dbo.dim_illness AS i ON i.illness_key = s.illness_key
WHERE NOT EXISTS (SELECT 1 FROM dbo.dim_study_sample AS ss WHERE ss.sample_key = s.sample_key);
GO

-- Each study's features of its current batch, with names for their
-- entities: gene ids (two for a pair), the sample, the illness label (of the
-- cohort, or of the sample in the study).
CREATE OR ALTER VIEW analytics.vw_feature_values AS
SELECT f.feature_record_key,
       f.feature_name,
       f.entity_scope,
       st.study_key,
       st.study_accession_code,
       f.entity_id_1,
       f.entity_id_2,
       g1.gene_id,
       g1.gene_symbol,
       g2.gene_id AS gene_id_2,
       g2.gene_symbol AS gene_symbol_2,
       s.sample_accession_code,
       CASE
           WHEN c.entity_id_1_ref = N'dim_illness.illness_key' OR c.entity_id_2_ref = N'dim_illness.illness_key' THEN i.illness_label
           WHEN s.sample_key IS NOT NULL THEN COALESCE(si.illness_label, N'UNKNOWN')
       END AS illness_label,
       f.feature_value,
       f.batch_id,
       f.etl_created_date
FROM dbo.fact_feature_values AS f
JOIN dbo.meta_feature_catalog AS c ON c.feature_name = f.feature_name
JOIN dbo.dim_study AS st ON st.study_key = f.study_key
JOIN dbo.meta_batch AS b ON b.batch_id = f.batch_id AND b.study_key = f.study_key AND b.is_current = 1
LEFT JOIN dbo.dim_gene AS g1 ON c.entity_id_1_ref = N'dim_gene.gene_key' AND g1.gene_key = f.entity_id_1
LEFT JOIN dbo.dim_gene AS g2 ON c.entity_id_2_ref = N'dim_gene.gene_key' AND g2.gene_key = f.entity_id_2
LEFT JOIN dbo.dim_sample AS s ON c.entity_id_1_ref = N'dim_sample.sample_key' AND s.sample_key = f.entity_id_1
LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = f.study_key AND ss.sample_key = s.sample_key
LEFT JOIN dbo.dim_illness AS si ON si.illness_key = ss.illness_key
LEFT JOIN dbo.dim_illness AS i ON i.illness_key = CASE
    WHEN c.entity_id_1_ref = N'dim_illness.illness_key' THEN f.entity_id_1
    WHEN c.entity_id_2_ref = N'dim_illness.illness_key' THEN f.entity_id_2
END;
