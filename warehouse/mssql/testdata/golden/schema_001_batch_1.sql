-- genexp warehouse, schema version 1 (SQL Server 2022).
--
-- The star schema of the architecture document, section 2, as the DuckDB
-- backend builds it, in T-SQL. Batches are separated by lines that hold only
-- GO (CREATE OR ALTER VIEW must start its batch); the whole version is
-- applied in one transaction, so a failure leaves no half-built schema.
--
-- What differs from the architecture's sketch, and why:
-- * Tables are created parents first, so every REFERENCES names a table that
--   exists.
-- * Dimension business keys are UNIQUE constraints; the constraint is the
--   index, so there is no second index on the same column.
-- * Business keys (accessions, gene ids) use a binary collation: DuckDB
--   compares them case-sensitively, and so must SQL Server, or two probe ids
--   that differ only in case would collapse into one dimension member.
-- * fact_gene_expression has no surrogate key and no primary key: it is a
--   clustered columnstore, read by its dimensions; its natural key
--   (study, sample, gene) is unique by construction and checked per load on
--   the staged rows (see README.md).
-- * log2 is a computed column that is not PERSISTED: a clustered columnstore
--   index cannot contain a persisted computed column.
-- * The fact is partitioned by study_bucket = study_key % 32, an ordinary
--   column checked by a constraint (a columnstore cannot be partitioned on
--   a computed column). Fixed range boundaries on study_key stop splitting
--   at the last boundary; a modulus keeps working for any number of
--   studies, and needs no SPLIT (a schema lock) at load time.

IF SCHEMA_ID(N'staging') IS NULL EXEC (N'CREATE SCHEMA staging AUTHORIZATION dbo');
IF SCHEMA_ID(N'analytics') IS NULL EXEC (N'CREATE SCHEMA analytics AUTHORIZATION dbo');
