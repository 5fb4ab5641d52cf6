-- mssql.CopyIn into staging.dim_study, as go-mssqldb v1.11.2 sends it at the first row: the
-- table's metadata under FMTONLY (two batches), then INSERT BULK; the rows follow
-- as one TDS bulk-load stream, applied by the server when the copy ends. The
-- driver reads the column types from that metadata; they are written here from
-- the table's declaration in schema/, in the driver's spelling.
SET FMTONLY ON
select * from [staging].[dim_study] SET FMTONLY OFF
INSERT BULK [staging].[dim_study] ([load_key] bigint, [ordinal] int, [study_accession_code] nvarchar(100), [study_title] nvarchar(2000), [study_pubmed_id] nvarchar(100), [study_technology] nvarchar(50), [study_organism] nvarchar(200), [study_platform_summary] nvarchar(2000), [study_description] nvarchar(max), [source_first_published] datetime2(7), [source_last_modified] datetime2(7), [keep_recorded] bit) WITH (CHECK_CONSTRAINTS,KEEP_NULLS)
