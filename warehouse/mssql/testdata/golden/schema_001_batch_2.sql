CREATE TABLE dbo.dim_illness (
    illness_key        INT NOT NULL CONSTRAINT pk_dim_illness PRIMARY KEY,
    illness_label      NVARCHAR(20) NOT NULL CONSTRAINT uq_dim_illness_label UNIQUE,
    illness_definition NVARCHAR(500) NULL
);

INSERT INTO dbo.dim_illness (illness_key, illness_label, illness_definition) VALUES
    (1, N'CONTROL', N'Healthy control samples'),
    (2, N'NO_SEPSIS', N'Samples from patients without sepsis (SIRS, post-surgical, non-infectious critical illness)'),
    (3, N'SEPSIS', N'Sepsis patients (including severe sepsis)'),
    (4, N'SEPTIC_SHOCK', N'Septic shock patients'),
    (5, N'UNKNOWN', N'Illness status unknown');

CREATE TABLE dbo.dim_platform (
    platform_key           INT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_dim_platform PRIMARY KEY,
    platform_accession     NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT uq_dim_platform_accession UNIQUE,
    platform_name          NVARCHAR(1000) NULL,
    manufacturer           NVARCHAR(200) NULL,
    measurement_technology NVARCHAR(50) NULL,
    etl_created_date       DATETIME2 NOT NULL CONSTRAINT df_dim_platform_created DEFAULT SYSUTCDATETIME(),
    etl_updated_date       DATETIME2 NOT NULL CONSTRAINT df_dim_platform_updated DEFAULT SYSUTCDATETIME()
);

CREATE TABLE dbo.dim_study (
    study_key              INT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_dim_study PRIMARY KEY,
    study_accession_code   NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT uq_dim_study_accession UNIQUE,
    study_title            NVARCHAR(2000) NULL,
    study_pubmed_id        NVARCHAR(100) NULL,
    study_technology       NVARCHAR(50) NULL,
    study_organism         NVARCHAR(200) NULL,
    study_platform_summary NVARCHAR(2000) NULL,
    study_description      NVARCHAR(MAX) NULL,
    source_first_published DATETIME2 NULL,
    source_last_modified   DATETIME2 NULL,
    etl_created_date       DATETIME2 NOT NULL CONSTRAINT df_dim_study_created DEFAULT SYSUTCDATETIME(),
    etl_updated_date       DATETIME2 NOT NULL CONSTRAINT df_dim_study_updated DEFAULT SYSUTCDATETIME()
);

CREATE TABLE dbo.dim_gene (
    gene_key         INT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_dim_gene PRIMARY KEY,
    gene_id          NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT uq_dim_gene_id UNIQUE,
    gene_symbol      NVARCHAR(100) NULL,
    gene_name        NVARCHAR(1000) NULL,
    gene_type        NVARCHAR(100) NULL,
    chromosome       NVARCHAR(50) NULL,
    start_position   BIGINT NULL,
    end_position     BIGINT NULL,
    etl_created_date DATETIME2 NOT NULL CONSTRAINT df_dim_gene_created DEFAULT SYSUTCDATETIME(),
    etl_updated_date DATETIME2 NOT NULL CONSTRAINT df_dim_gene_updated DEFAULT SYSUTCDATETIME()
);

CREATE TABLE dbo.dim_sample (
    sample_key            INT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_dim_sample PRIMARY KEY,
    sample_accession_code NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT uq_dim_sample_accession UNIQUE,
    sample_title          NVARCHAR(2000) NULL,
    sample_organism       NVARCHAR(200) NULL,
    sample_platform       NVARCHAR(100) NULL,
    sample_treatment      NVARCHAR(1000) NULL,
    sample_cell_line      NVARCHAR(1000) NULL,
    sample_tissue         NVARCHAR(1000) NULL,
    is_processed          BIT NULL,
    processor_name        NVARCHAR(200) NULL,
    processor_version     NVARCHAR(200) NULL,
    illness_key           INT NULL CONSTRAINT fk_dim_sample_illness REFERENCES dbo.dim_illness (illness_key),
    -- How the illness label was decided: override, rule or default, and for
    -- a rule its name, the field it read and the text it matched.
    illness_method        NVARCHAR(50) NULL,
    illness_rule          NVARCHAR(200) NULL,
    illness_field         NVARCHAR(200) NULL,
    illness_matched       NVARCHAR(1000) NULL,
    platform_key          INT NULL CONSTRAINT fk_dim_sample_platform REFERENCES dbo.dim_platform (platform_key),
    study_key             INT NULL CONSTRAINT fk_dim_sample_study REFERENCES dbo.dim_study (study_key),
    exclude_from_analysis BIT NOT NULL CONSTRAINT df_dim_sample_exclude DEFAULT 0,
    etl_created_date      DATETIME2 NOT NULL CONSTRAINT df_dim_sample_created DEFAULT SYSUTCDATETIME(),
    etl_updated_date      DATETIME2 NOT NULL CONSTRAINT df_dim_sample_updated DEFAULT SYSUTCDATETIME()
);

-- 32 partitions: bucket b (0..31) lives in partition b + 1.
CREATE PARTITION FUNCTION pf_study_bucket (SMALLINT)
    AS RANGE RIGHT FOR VALUES (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                               17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);

CREATE PARTITION SCHEME ps_study_bucket AS PARTITION pf_study_bucket ALL TO ([PRIMARY]);
