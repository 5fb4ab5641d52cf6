-- mssql.CopyIn into staging.matrix_rows, as go-mssqldb v1.11.2 sends it at the first row: the
-- table's metadata under FMTONLY (two batches), then INSERT BULK; the rows follow
-- as one TDS bulk-load stream, applied by the server when the copy ends. The
-- driver reads the column types from that metadata; they are written here from
-- the table's declaration in schema/, in the driver's spelling.
SET FMTONLY ON
select * from [staging].[matrix_rows] SET FMTONLY OFF
INSERT BULK [staging].[matrix_rows] ([load_key] bigint, [line_no] bigint, [gene_id] nvarchar(255)) WITH (CHECK_CONSTRAINTS,KEEP_NULLS)
