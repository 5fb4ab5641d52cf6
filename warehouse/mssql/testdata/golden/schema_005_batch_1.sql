-- genexp warehouse, schema version 5 (SQL Server 2022): what a load keeps
-- of the dimensions travels on its staged rows. A change to staging only;
-- the DuckDB backend's schema has no counterpart.
--
-- A load without a metadata record of a study or sample
-- (warehouse.Study.KeepRecorded; warehouse.Sample.KeepAttributes and,
-- for the sample's membership in its study, KeepIllness) keeps what the
-- warehouse recorded of it. Up to version 4 the merges received those
-- members as one parameter listing their staging ordinals, and matched
-- every staged row against the whole list: a SPECIES matrix loaded without
-- metadata keeps tens of thousands of samples, and the work grew with the
-- square of their number. The flags now sit on the staged rows, copied
-- with them, and the merges read them like any other column.
--
-- Rows staged before the migration get 0 (keep nothing). A loader of an
-- older genexp does not copy the flags: stop older loaders before
-- upgrading (see the README). Like every version, this one runs in the
-- migration transaction, under the migration lock and after the version
-- check, so it is applied once.

ALTER TABLE staging.dim_study ADD keep_recorded BIT NOT NULL CONSTRAINT df_staging_dim_study_keep_recorded DEFAULT 0;

ALTER TABLE staging.dim_sample ADD keep_attributes BIT NOT NULL CONSTRAINT df_staging_dim_sample_keep_attributes DEFAULT 0;

ALTER TABLE staging.dim_sample ADD keep_illness BIT NOT NULL CONSTRAINT df_staging_dim_sample_keep_illness DEFAULT 0;
