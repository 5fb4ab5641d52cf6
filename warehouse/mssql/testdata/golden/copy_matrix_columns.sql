-- mssql.CopyIn into staging.matrix_columns, as go-mssqldb v1.11.2 sends it at the first row: the
-- table's metadata under FMTONLY (two batches), then INSERT BULK; the rows follow
-- as one TDS bulk-load stream, applied by the server when the copy ends. The
-- driver reads the column types from that metadata; they are written here from
-- the table's declaration in schema/, in the driver's spelling.
SET FMTONLY ON
select * from [staging].[matrix_columns] SET FMTONLY OFF
INSERT BULK [staging].[matrix_columns] ([load_key] bigint, [column_no] int, [sample_accession_code] nvarchar(100), [study_accession_code] nvarchar(100)) WITH (CHECK_CONSTRAINTS,KEEP_NULLS)
