IF OBJECT_ID(N'dbo.meta_schema_version', N'U') IS NULL
CREATE TABLE dbo.meta_schema_version (
    version     INT NOT NULL CONSTRAINT pk_meta_schema_version PRIMARY KEY,
    description NVARCHAR(200) NOT NULL,
    applied_at  DATETIME2 NOT NULL CONSTRAINT df_meta_schema_version_applied DEFAULT SYSUTCDATETIME()
)
