-- genexp warehouse, schema version 5 (DuckDB): a sample may belong to
-- several studies.
--
-- GEO SuperSeries and their SubSeries share sample accessions, and so do
-- their refine.bio downloads. dim_sample is keyed by the sample accession
-- alone, so a load of a second study holding the same samples moved them
-- to that study (study_key and the illness decision are updated in place):
-- the first study's facts stayed, but lost their samples in
-- vw_sample_illness and took the second study's labels in the cohort views
-- and the features.
--
-- dim_study_sample is the membership of a sample in a study, with the
-- illness decision made for the sample in that study (each study's sample
-- sheet and rules decide it). Every load upserts the rows of its studies'
-- samples; a study's labels are read from here by (study_key, sample_key),
-- never from dim_sample. dim_sample keeps the sample's own attributes; its
-- study_key and illness columns stay, for compatibility, as the study of
-- the sample's latest load and the decision made there.
--
-- The back-fill takes each sample's study and decision from dim_sample.
-- A warehouse where a second study already took over shared samples has
-- lost the first study's decisions: each (study, sample) its facts hold
-- without such a row gets one with no decision (shown as UNKNOWN), until
-- the study is loaded again.
--
-- sample_key has no foreign key to dim_sample: DuckDB updates a row by
-- deleting and inserting it when the update changes an indexed column (as
-- a new illness, platform or study does, their keys being foreign keys of
-- dim_sample), and refuses that delete while another table references the
-- row ("Violates foreign key constraint because key … is still
-- referenced"), so every relabel of a shared sample would fail its load.
-- The load writes the row only for a sample it has just upserted.
--
-- A new table with function defaults replays from the write-ahead log (see
-- 004_load_signature.sql: only ALTER TABLE … ADD COLUMN does not);
-- TestUpgradeFromVersion4SurvivesACrash checks it.

CREATE TABLE dim_study_sample (
    study_key        INTEGER NOT NULL REFERENCES dim_study (study_key),
    sample_key       INTEGER NOT NULL,
    illness_key      INTEGER REFERENCES dim_illness (illness_key),
    -- How the illness label was decided in this study: override, rule or
    -- default, and for a rule its name, the field it read and the text it
    -- matched.
    illness_method   VARCHAR,
    illness_rule     VARCHAR,
    illness_field    VARCHAR,
    illness_matched  VARCHAR,
    etl_created_date TIMESTAMP NOT NULL DEFAULT current_timestamp,
    etl_updated_date TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (study_key, sample_key)
);

INSERT INTO dim_study_sample (study_key, sample_key, illness_key, illness_method, illness_rule, illness_field,
    illness_matched, etl_created_date, etl_updated_date)
SELECT s.study_key, s.sample_key, s.illness_key, s.illness_method, s.illness_rule, s.illness_field,
    s.illness_matched, s.etl_created_date, s.etl_updated_date
FROM dim_sample s
JOIN dim_study st ON st.study_key = s.study_key
WHERE EXISTS (
    SELECT 1 FROM fact_gene_expression fe
    WHERE fe.study_key = s.study_key AND fe.sample_key = s.sample_key);

INSERT INTO dim_study_sample (study_key, sample_key)
SELECT DISTINCT fe.study_key, fe.sample_key
FROM fact_gene_expression fe
WHERE NOT EXISTS (
    SELECT 1 FROM dim_study_sample ss
    WHERE ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key)
  AND EXISTS (SELECT 1 FROM dim_study st WHERE st.study_key = fe.study_key)
  AND EXISTS (SELECT 1 FROM dim_sample s WHERE s.sample_key = fe.sample_key);

CREATE OR REPLACE VIEW analytics.vw_expression_long AS
SELECT s.sample_key,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, 'UNKNOWN') AS illness_label,
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
FROM fact_gene_expression fe
JOIN dim_sample s ON fe.sample_key = s.sample_key
JOIN dim_gene g ON fe.gene_key = g.gene_key
JOIN dim_study st ON fe.study_key = st.study_key
LEFT JOIN dim_study_sample ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
LEFT JOIN dim_illness i ON ss.illness_key = i.illness_key
WHERE NOT s.exclude_from_analysis;

CREATE OR REPLACE VIEW analytics.vw_expression_by_cohort AS
SELECT st.study_accession_code,
       COALESCE(i.illness_label, 'UNKNOWN') AS illness_label,
       g.gene_id,
       COUNT(DISTINCT fe.sample_key) AS sample_count,
       AVG(fe.expression_value) AS mean_expression,
       STDDEV_SAMP(fe.expression_value) AS std_expression,
       MIN(fe.expression_value) AS min_expression,
       MAX(fe.expression_value) AS max_expression,
       QUANTILE_CONT(fe.expression_value, 0.5) AS median_expression
FROM fact_gene_expression fe
JOIN dim_sample s ON fe.sample_key = s.sample_key
JOIN dim_gene g ON fe.gene_key = g.gene_key
JOIN dim_study st ON fe.study_key = st.study_key
LEFT JOIN dim_study_sample ss ON ss.study_key = fe.study_key AND ss.sample_key = fe.sample_key
LEFT JOIN dim_illness i ON ss.illness_key = i.illness_key
WHERE NOT s.exclude_from_analysis
  AND fe.expression_value IS NOT NULL
GROUP BY st.study_accession_code, COALESCE(i.illness_label, 'UNKNOWN'), g.gene_id;

-- One row per study and sample, with the decision made in that study. A
-- sample that belongs to no study (its load named a study dim_study lacks)
-- is listed once, without a study, as before.
CREATE OR REPLACE VIEW analytics.vw_sample_illness AS
SELECT st.study_accession_code,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, 'UNKNOWN') AS illness_label,
       ss.illness_method,
       ss.illness_rule,
       ss.illness_field,
       ss.illness_matched
FROM dim_study_sample ss
JOIN dim_sample s ON s.sample_key = ss.sample_key
JOIN dim_study st ON st.study_key = ss.study_key
LEFT JOIN dim_illness i ON i.illness_key = ss.illness_key
UNION ALL
SELECT NULL,
       s.sample_accession_code,
       s.sample_title,
       COALESCE(i.illness_label, 'UNKNOWN'),
       s.illness_method,
       s.illness_rule,
       s.illness_field,
       s.illness_matched
FROM dim_sample s
LEFT JOIN dim_illness i ON i.illness_key = s.illness_key
WHERE NOT EXISTS (SELECT 1 FROM dim_study_sample ss WHERE ss.sample_key = s.sample_key);

-- Each study's features of its current batch, with names for their
-- entities: gene ids (two for a pair), the sample, the illness label (of the
-- cohort, or of the sample in the study).
CREATE OR REPLACE VIEW analytics.vw_feature_values AS
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
           WHEN c.entity_id_1_ref = 'dim_illness.illness_key' OR c.entity_id_2_ref = 'dim_illness.illness_key' THEN i.illness_label
           WHEN s.sample_key IS NOT NULL THEN COALESCE(si.illness_label, 'UNKNOWN')
       END AS illness_label,
       f.feature_value,
       f.batch_id,
       f.etl_created_date
FROM fact_feature_values f
JOIN meta_feature_catalog c ON c.feature_name = f.feature_name
JOIN dim_study st ON st.study_key = f.study_key
JOIN meta_batch b ON b.batch_id = f.batch_id AND b.study_key = f.study_key AND b.is_current
LEFT JOIN dim_gene g1 ON c.entity_id_1_ref = 'dim_gene.gene_key' AND g1.gene_key = f.entity_id_1
LEFT JOIN dim_gene g2 ON c.entity_id_2_ref = 'dim_gene.gene_key' AND g2.gene_key = f.entity_id_2
LEFT JOIN dim_sample s ON c.entity_id_1_ref = 'dim_sample.sample_key' AND s.sample_key = f.entity_id_1
LEFT JOIN dim_study_sample ss ON ss.study_key = f.study_key AND ss.sample_key = s.sample_key
LEFT JOIN dim_illness si ON si.illness_key = ss.illness_key
LEFT JOIN dim_illness i ON i.illness_key = CASE
    WHEN c.entity_id_1_ref = 'dim_illness.illness_key' THEN f.entity_id_1
    WHEN c.entity_id_2_ref = 'dim_illness.illness_key' THEN f.entity_id_2
END;
