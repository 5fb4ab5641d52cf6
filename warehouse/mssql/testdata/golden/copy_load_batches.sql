-- mssql.CopyIn into staging.load_batches, as go-mssqldb v1.11.2 sends it at the first row: the
-- table's metadata under FMTONLY (two batches), then INSERT BULK; the rows follow
-- as one TDS bulk-load stream, applied by the server when the copy ends. The
-- driver reads the column types from that metadata; they are written here from
-- the table's declaration in schema/, in the driver's spelling.
SET FMTONLY ON
select * from [staging].[load_batches] SET FMTONLY OFF
INSERT BULK [staging].[load_batches] ([load_key] bigint, [study_accession_code] nvarchar(100), [batch_id] nvarchar(64), [file_name] nvarchar(1000), [file_hash] nvarchar(64), [load_signature] nvarchar(64)) WITH (CHECK_CONSTRAINTS,KEEP_NULLS)
