-- mssql.CopyIn into staging.dim_sample, as go-mssqldb v1.11.2 sends it at the first row: the
-- table's metadata under FMTONLY (two batches), then INSERT BULK; the rows follow
-- as one TDS bulk-load stream, applied by the server when the copy ends. The
-- driver reads the column types from that metadata; they are written here from
-- the table's declaration in schema/, in the driver's spelling.
SET FMTONLY ON
select * from [staging].[dim_sample] SET FMTONLY OFF
INSERT BULK [staging].[dim_sample] ([load_key] bigint, [ordinal] int, [sample_accession_code] nvarchar(100), [sample_title] nvarchar(2000), [sample_organism] nvarchar(200), [platform_accession] nvarchar(100), [sample_treatment] nvarchar(1000), [sample_cell_line] nvarchar(1000), [sample_tissue] nvarchar(1000), [is_processed] bit, [processor_name] nvarchar(200), [processor_version] nvarchar(200), [illness_label] nvarchar(20), [illness_method] nvarchar(50), [illness_rule] nvarchar(200), [illness_field] nvarchar(200), [illness_matched] nvarchar(1000), [study_accession_code] nvarchar(100), [exclude_from_analysis] bit, [keep_attributes] bit, [keep_illness] bit, [illness_evidence] nvarchar(max)) WITH (CHECK_CONSTRAINTS,KEEP_NULLS)
