-- genexp warehouse, schema version 10 (SQL Server 2022): each version
-- records the SHA-256 of the migration text that made it. The same change
-- as the DuckDB backend's version 11.
--
-- meta_schema_version said which version a warehouse was at, not which text
-- of that version's file was applied; a file edited after it shipped left
-- warehouses at the same version with different schemas. From this version
-- on the migrator writes meta_schema_version.checksum (the lowercase hex
-- SHA-256 of the schema file) with every version it applies, and refuses a
-- warehouse whose recorded checksum differs from its own file's. Versions
-- an earlier genexp applied keep NULL: what text made them is unknown, and
-- NULL is accepted as unknown. The versions applied by the same run as this
-- one get their checksums with it (see Warehouse.Migrate).

ALTER TABLE dbo.meta_schema_version ADD checksum NVARCHAR(64) NULL;
