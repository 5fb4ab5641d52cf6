-- mssql.CopyIn into staging.expression_values, as go-mssqldb v1.11.2 sends it at the first row: the
-- table's metadata under FMTONLY (two batches), then INSERT BULK; the rows follow
-- as one TDS bulk-load stream, applied by the server when the copy ends. The
-- driver reads the column types from that metadata; they are written here from
-- the table's declaration in schema/, in the driver's spelling.
SET FMTONLY ON
select * from [staging].[expression_values] SET FMTONLY OFF
INSERT BULK [staging].[expression_values] ([load_key] bigint, [line_no] bigint, [column_no] int, [expression_value] float) WITH (CHECK_CONSTRAINTS,KEEP_NULLS,ROWS_PER_BATCH = 1048576)
