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
