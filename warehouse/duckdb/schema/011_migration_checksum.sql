-- genexp warehouse, schema version 11 (DuckDB): each version records the
-- SHA-256 of the migration text that made it.
--
-- meta_schema_version said which version a warehouse was at, not which text
-- of that version's file was applied; a file edited after it shipped left
-- warehouses at the same version with different schemas. From this version
-- on the migrator writes meta_schema_version.checksum (the lowercase hex
-- SHA-256 of the schema file) with every version it applies, and refuses a
-- warehouse whose recorded checksum differs from its own file's. Versions
-- an earlier genexp applied keep NULL: what text made them is unknown, and
-- NULL is accepted as unknown. The versions applied by the same run as this
-- one get their checksums with it (see Warehouse.migrate).
--
-- DuckDB 1.5.6 cannot replay from its write-ahead log an ADD COLUMN to a
-- table with a column whose default calls a function (applied_at's
-- current_timestamp), so this migration, like version 7, is committed by a
-- checkpoint instead of the log (see migrate.go).

ALTER TABLE meta_schema_version ADD COLUMN checksum VARCHAR;
