-- mssql.CopyIn into staging.dim_platform, as go-mssqldb v1.11.2 sends it at the first row: the
-- table's metadata under FMTONLY (two batches), then INSERT BULK; the rows follow
-- as one TDS bulk-load stream, applied by the server when the copy ends. The
-- driver reads the column types from that metadata; they are written here from
-- the table's declaration in schema/, in the driver's spelling.
SET FMTONLY ON
select * from [staging].[dim_platform] SET FMTONLY OFF
INSERT BULK [staging].[dim_platform] ([load_key] bigint, [ordinal] int, [platform_accession] nvarchar(100), [platform_name] nvarchar(1000), [manufacturer] nvarchar(200), [measurement_technology] nvarchar(50)) WITH (CHECK_CONSTRAINTS,KEEP_NULLS)
