package mssql

import (
	"fmt"
	"strings"

	mssqldrv "github.com/microsoft/go-mssqldb"
)

// The statements this backend runs, by name. Every one has a golden copy
// in testdata/golden/<name>.sql (see TestGoldenStatements), as have the
// bulk copies (copy_*.sql), the statements built at run time (for
// representative sizes) and the schema's batches.
var statements = map[string]string{
	"session_options":       stmtSessionOptions,
	"schema_version_exists": stmtSchemaVersionExists,
	"schema_version_table":  stmtSchemaVersionTable,
	"schema_version_read":   stmtSchemaVersionRead,
	"schema_version_write":  stmtSchemaVersionWrite,
	"schema_version_record": stmtSchemaVersionRecord,
	"schema_checksum_write": stmtSchemaChecksumWrite,
	"schema_checksums":      stmtSchemaChecksums,
	"migrate_lock":          stmtMigrateLock,
	"publish_lock":          stmtPublishLock,
	"load_lock":             stmtLoadLock,
	"load_unlock":           stmtLoadUnlock,
	"rcsi_read":             stmtRCSIRead,
	"rcsi_enable":           stmtRCSIEnable,
	"gene_index":            stmtGeneIndex,
	"next_load_key":         stmtNextLoadKey,
	"register_load":         stmtRegisterLoad,
	"stale_loads":           stmtStaleLoads,
	"load_lock_wait":        stmtLoadLockWait,
	"loaded_by":             stmtLoadedBy,
	"tran_count":            stmtTranCount,
	"clear_load":            stmtClearLoad,
	"staged_lines":          stmtStagedLines,
	"clear_cells":           stmtClearCells,
	"staged_counts":         stmtStagedCounts,
	"duplicate_keys":        stmtDuplicateKeys,
	"merge_platforms":       stmtMergePlatforms,
	"merge_studies":         stmtMergeStudies,
	"merge_samples":         stmtMergeSamples,
	"merge_study_samples":   stmtMergeStudySamples,
	"merge_genes":           stmtMergeGenes,
	"missing_samples":       stmtMissingSamples,
	"classify_batches":      stmtClassifyBatches,
	"read_batches":          stmtReadBatches,
	"delete_facts":          stmtDeleteFacts,
	"drop_study_samples":    stmtDropStudySamples,
	"insert_facts":          stmtInsertFacts,
	"retire_batch":          stmtRetireBatch,
	"drop_features":         stmtDropFeatures,
	"stale_features":        stmtStaleFeatures,
	"record_batch":          stmtRecordBatch,
	"upsert_study_qc":       stmtUpsertStudyQC,
	"upsert_batch_qc":       stmtUpsertBatchQC,
	"log_step":              stmtLogStep,
	"status_studies":        stmtStatusStudies,
	"status_studies_v2":     stmtStatusStudiesV2,
	"status_steps":          stmtStatusSteps,
	"failed_attempts":       stmtFailedAttempts,
	"health_failures":       stmtHealthFailures,
	"health_features":       stmtHealthFeatureStudies,
	"health_open":           stmtHealthOpenFailures,
	"health_runs":           stmtHealthRuns,
}

// copySpecs are the bulk copy targets, by golden name.
func copySpecs() map[string]copySpec {
	return map[string]copySpec{
		"copy_matrix_columns":    copyColumns,
		"copy_matrix_rows":       copyRows,
		"copy_expression_values": copyValues(DefaultChunkRows),
		"copy_dim_platform":      copyPlatforms,
		"copy_dim_study":         copyStudies,
		"copy_dim_sample":        copySamples,
		"copy_load_batches":      copyBatches,
	}
}

// stmtSessionOptions is run on every connection that writes. XACT_ABORT
// makes any error roll back the whole transaction, so a failed commit is
// always all-or-nothing and can be retried; the ANSI options are the ones
// SQL Server requires for writing tables with filtered indexes and
// computed columns. NOCOUNT OFF because the row counts are read from the
// server's DONE tokens, which carry a count only under NOCOUNT OFF: a
// server whose 'user options' turn NOCOUNT on would otherwise report 0 for
// every bulk copy (failing its check against the rows sent) and for the
// facts inserted.
const stmtSessionOptions = `SET XACT_ABORT ON;
SET NOCOUNT OFF;
SET ANSI_NULLS ON;
SET ANSI_PADDING ON;
SET ANSI_WARNINGS ON;
SET ARITHABORT ON;
SET CONCAT_NULL_YIELDS_NULL ON;
SET QUOTED_IDENTIFIER ON;
SET NUMERIC_ROUNDABORT OFF;`

const stmtSchemaVersionExists = `SELECT CASE WHEN OBJECT_ID(N'dbo.meta_schema_version', N'U') IS NULL THEN 0 ELSE 1 END`

const stmtSchemaVersionTable = `IF OBJECT_ID(N'dbo.meta_schema_version', N'U') IS NULL
CREATE TABLE dbo.meta_schema_version (
    version     INT NOT NULL CONSTRAINT pk_meta_schema_version PRIMARY KEY,
    description NVARCHAR(200) NOT NULL,
    applied_at  DATETIME2 NOT NULL CONSTRAINT df_meta_schema_version_applied DEFAULT SYSUTCDATETIME()
)`

const stmtSchemaVersionRead = `SELECT COALESCE(MAX(version), 0) FROM dbo.meta_schema_version`

const stmtSchemaVersionWrite = `INSERT INTO dbo.meta_schema_version (version, description) VALUES (@p1, @p2)`

// From schema version 10 (checksumVersion) meta_schema_version has a
// checksum column: the SHA-256 of the migration file each version was
// applied from. stmtSchemaVersionRecord writes a version with its checksum,
// stmtSchemaChecksumWrite fills in the checksum of a version the same
// Migrate applied before the column existed, and stmtSchemaChecksums reads
// the recorded ones (NULL: unknown, see Warehouse.verifyChecksums).
const stmtSchemaVersionRecord = `INSERT INTO dbo.meta_schema_version (version, description, checksum) VALUES (@p1, @p2, @p3)`

const stmtSchemaChecksumWrite = `UPDATE dbo.meta_schema_version SET checksum = @p1 WHERE version = @p2 AND checksum IS NULL`

const stmtSchemaChecksums = `SELECT version, checksum FROM dbo.meta_schema_version WHERE checksum IS NOT NULL ORDER BY version`

// Application locks. sp_getapplock returns 0 or 1 when granted, -1 on
// timeout, -2 when cancelled, -3 for a deadlock victim, -999 for a bad call.
const (
	stmtMigrateLock = `DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = N'genexp.migrate', @LockMode = N'Exclusive',
    @LockOwner = N'Transaction', @LockTimeout = @p1;
SELECT @result;`

	// stmtPublishLock serializes commits: a commit is where a study's facts
	// are replaced, and two loaders publishing the same study must not
	// interleave; serializing them also rules out deadlocks between
	// loaders on the dimensions and the fact.
	stmtPublishLock = `DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = N'genexp.publish', @LockMode = N'Exclusive',
    @LockOwner = N'Transaction', @LockTimeout = @p1;
SELECT @result;`

	// stmtLoadLock marks a load as alive for as long as its session lives:
	// the lock is owned by the session, so it disappears when the process
	// dies or its connection drops.
	stmtLoadLock = `DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = @p1, @LockMode = N'Exclusive',
    @LockOwner = N'Session', @LockTimeout = 0;
SELECT @result;`

	stmtLoadUnlock = `EXEC sp_releaseapplock @Resource = @p1, @LockOwner = N'Session';`
)

// loadLockResource names a load's session lock; stmtStaleLoads builds the
// same name in T-SQL.
func loadLockResource(loadKey int64) string { return fmt.Sprintf("genexp.load.%d", loadKey) }

const stmtRCSIRead = `SELECT is_read_committed_snapshot_on FROM sys.databases WHERE database_id = DB_ID()`

const stmtRCSIEnable = `ALTER DATABASE CURRENT SET READ_COMMITTED_SNAPSHOT ON WITH NO_WAIT`

// stmtGeneIndex is the optional index for reading one gene across studies
// (Config.GeneIndex). It is aligned with the fact's partitions.
const stmtGeneIndex = `IF INDEXPROPERTY(OBJECT_ID(N'dbo.fact_gene_expression'), N'ix_fact_gene_expression_gene_study', 'IndexID') IS NULL
CREATE NONCLUSTERED INDEX ix_fact_gene_expression_gene_study
    ON dbo.fact_gene_expression (gene_key, study_key)
    INCLUDE (sample_key, expression_value)
    ON ps_study_bucket (study_bucket)`

const stmtNextLoadKey = `SELECT NEXT VALUE FOR staging.seq_load_key`

const stmtRegisterLoad = `INSERT INTO staging.loads (load_key, run_id, file_name) VALUES (@p1, @p2, @p3)`

// stmtStaleLoads finds loads whose session lock is free: their process
// died, or their connection dropped, without committing or aborting. A
// load takes its lock before it registers, and keeps it until its staging
// rows are gone, so a registered load with a free lock is dead for good.
const stmtStaleLoads = `SELECT load_key
FROM staging.loads
WHERE load_key <> @p1
  AND APPLOCK_TEST(N'public', CONCAT(N'genexp.load.', load_key), N'Exclusive', N'Session') = 1
ORDER BY load_key`

// stmtLoadLockWait takes a load's session lock as stmtLoadLock does, but
// waits up to @p2 milliseconds for it: granted, the session that held it
// has ended, and with it any transaction it had open.
const stmtLoadLockWait = `DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = @p1, @LockMode = N'Exclusive',
    @LockOwner = N'Session', @LockTimeout = @p2;
SELECT @result;`

// stmtLoadedBy counts the LOADED row of meta_batch_qc that a commit of run
// @p3 wrote for study @p1's batch @p2: the commit transaction writes one
// for each of its studies, so all of them there mean it committed.
const stmtLoadedBy = `SELECT COUNT_BIG(*) FROM dbo.meta_batch_qc
WHERE study_accession_code = @p1 AND batch_id = @p2 AND qc_status = N'LOADED' AND run_id = @p3`

// stmtStagedLines reads the span of line numbers a load staged cells of,
// and how many cells, so that clearLoad deletes them in windows.
const stmtStagedLines = `SELECT MIN(line_no), MAX(line_no), COUNT_BIG(*) FROM staging.expression_values WHERE load_key = @p1`

// stmtClearCells deletes a load's staged cells of the lines [@p2, @p3):
// one window of clearLoad, a statement that commits on its own. The cells
// were copied in line order, so the window's rows sit in few rowgroups,
// which the line_no segment bounds find.
const stmtClearCells = `DELETE FROM staging.expression_values WHERE load_key = @p1 AND line_no >= @p2 AND line_no < @p3`

// stmtClearLoad deletes a load's staging rows, the registration last, so
// that an interrupted cleanup is found and finished by the next one. It
// runs after clearLoad's windows have deleted the cells, so its first
// statement finds none left unless the load staged more meanwhile.
const stmtClearLoad = `DELETE FROM staging.expression_values WHERE load_key = @p1;
DELETE FROM staging.matrix_rows WHERE load_key = @p1;
DELETE FROM staging.matrix_columns WHERE load_key = @p1;
DELETE FROM staging.load_batches WHERE load_key = @p1;
DELETE FROM staging.dim_sample WHERE load_key = @p1;
DELETE FROM staging.dim_study WHERE load_key = @p1;
DELETE FROM staging.dim_platform WHERE load_key = @p1;
DELETE FROM staging.loads WHERE load_key = @p1;`

// stmtStagedCounts reads back what the load's bulk copies left in staging,
// so that Commit publishes exactly what was sent.
const stmtStagedCounts = `SELECT (SELECT COUNT_BIG(*) FROM staging.expression_values WHERE load_key = @p1),
       (SELECT COUNT_BIG(*) FROM staging.matrix_rows WHERE load_key = @p1),
       (SELECT COUNT_BIG(*) FROM staging.matrix_columns WHERE load_key = @p1)`

// stmtDuplicateKeys guards the fact's natural key, which no index enforces:
// two lines of one gene, or two columns of one sample in one study, would
// give two facts for the same (study, sample, gene). One column of a
// sample several studies hold is staged once per study, and is no
// duplicate.
const stmtDuplicateKeys = `SELECT (SELECT COUNT_BIG(*) FROM (
            SELECT gene_id FROM staging.matrix_rows WHERE load_key = @p1
            GROUP BY gene_id HAVING COUNT_BIG(*) > 1) AS d),
       (SELECT COUNT_BIG(*) FROM (
            SELECT study_accession_code, sample_accession_code FROM staging.matrix_columns WHERE load_key = @p1
            GROUP BY study_accession_code, sample_accession_code HAVING COUNT_BIG(*) > 1) AS d)`

// The MERGE statements take HOLDLOCK on their target: MERGE already reads
// the target with update locks, and HOLDLOCK keeps the key-range locks to
// the end of the transaction, so two merges cannot both find a key missing
// and both insert it (the known MERGE upsert race). The source keeps the
// last member given for each key. A row is updated only when a value
// changed; EXCEPT compares NULLs as equal.
const stmtMergePlatforms = `MERGE dbo.dim_platform WITH (HOLDLOCK) AS t
USING (
    SELECT d.platform_accession, d.platform_name, d.manufacturer, d.measurement_technology
    FROM (
        SELECT platform_accession, platform_name, manufacturer, measurement_technology,
               ROW_NUMBER() OVER (PARTITION BY platform_accession ORDER BY ordinal DESC) AS rn
        FROM staging.dim_platform
        WHERE load_key = @p1
    ) AS d
    WHERE d.rn = 1
) AS s
ON t.platform_accession = s.platform_accession
WHEN MATCHED AND EXISTS (
    SELECT s.platform_name, s.manufacturer, s.measurement_technology
    EXCEPT
    SELECT t.platform_name, t.manufacturer, t.measurement_technology
) THEN UPDATE SET
    platform_name = s.platform_name,
    manufacturer = s.manufacturer,
    measurement_technology = s.measurement_technology,
    etl_updated_date = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (platform_accession, platform_name, manufacturer, measurement_technology)
    VALUES (s.platform_accession, s.platform_name, s.manufacturer, s.measurement_technology);`

// stmtMergeStudies, stmtMergeSamples and stmtMergeStudySamples leave a
// row the warehouse holds as it is when the staged member that wins for
// its key is flagged keep_recorded, keep_attributes or keep_illness: the
// load has no metadata record of it (warehouse.Study.KeepRecorded;
// warehouse.Sample.KeepAttributes, and for its membership KeepIllness). A
// new member is inserted all the same. The flags are columns of the staged
// rows (schema 5), bulk-copied with them, rather than a parameter listing
// the members to keep: such a list is matched against every staged row, so
// a matrix loaded without metadata, whose tens of thousands of samples are
// all kept, made the match quadratic, and a parameter of that size is sent
// and parsed with every attempt of the commit. A study's title, PubMed id,
// description and dates that the load does not know (NULL: its metadata
// is a sample sheet alone) keep what the warehouse holds.
const stmtMergeStudies = `MERGE dbo.dim_study WITH (HOLDLOCK) AS t
USING (
    SELECT d.study_accession_code, d.study_title, d.study_pubmed_id, d.study_technology, d.study_organism,
           d.study_platform_summary, d.study_description, d.source_first_published, d.source_last_modified,
           d.keep_recorded
    FROM (
        SELECT study_accession_code, study_title, study_pubmed_id, study_technology, study_organism,
               study_platform_summary, study_description, source_first_published, source_last_modified,
               keep_recorded,
               ROW_NUMBER() OVER (PARTITION BY study_accession_code ORDER BY ordinal DESC) AS rn
        FROM staging.dim_study
        WHERE load_key = @p1
    ) AS d
    WHERE d.rn = 1
) AS s
ON t.study_accession_code = s.study_accession_code
WHEN MATCHED AND s.keep_recorded = 0 AND EXISTS (
    SELECT ISNULL(s.study_title, t.study_title), ISNULL(s.study_pubmed_id, t.study_pubmed_id), s.study_technology,
           s.study_organism, s.study_platform_summary, ISNULL(s.study_description, t.study_description),
           ISNULL(s.source_first_published, t.source_first_published), ISNULL(s.source_last_modified, t.source_last_modified)
    EXCEPT
    SELECT t.study_title, t.study_pubmed_id, t.study_technology, t.study_organism, t.study_platform_summary,
           t.study_description, t.source_first_published, t.source_last_modified
) THEN UPDATE SET
    study_title = ISNULL(s.study_title, t.study_title),
    study_pubmed_id = ISNULL(s.study_pubmed_id, t.study_pubmed_id),
    study_technology = s.study_technology,
    study_organism = s.study_organism,
    study_platform_summary = s.study_platform_summary,
    study_description = ISNULL(s.study_description, t.study_description),
    source_first_published = ISNULL(s.source_first_published, t.source_first_published),
    source_last_modified = ISNULL(s.source_last_modified, t.source_last_modified),
    etl_updated_date = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (study_accession_code, study_title, study_pubmed_id, study_technology, study_organism,
            study_platform_summary, study_description, source_first_published, source_last_modified)
    VALUES (s.study_accession_code, s.study_title, s.study_pubmed_id, s.study_technology, s.study_organism,
            s.study_platform_summary, s.study_description, s.source_first_published, s.source_last_modified);`

// stmtMergeSamples resolves the sample's illness, platform and study keys
// by their business keys; an unknown label or accession gives NULL, as in
// the DuckDB warehouse. sample_platform is the platform accession, a
// binary-collated business key in staging, kept in a column of the
// database's default collation: the EXCEPT compares the two under the
// accession's collation (without a COLLATE the statement does not compile,
// Msg 468), so a change of case alone is a change, as it is for the key.
const stmtMergeSamples = `MERGE dbo.dim_sample WITH (HOLDLOCK) AS t
USING (
    SELECT d.sample_accession_code, d.sample_title, d.sample_organism, d.platform_accession AS sample_platform,
           d.sample_treatment, d.sample_cell_line, d.sample_tissue, d.is_processed, d.processor_name,
           d.processor_version, i.illness_key, d.illness_method, d.illness_rule, d.illness_field,
           d.illness_matched, p.platform_key, st.study_key, d.exclude_from_analysis, d.keep_attributes
    FROM (
        SELECT sample_accession_code, sample_title, sample_organism, platform_accession, sample_treatment,
               sample_cell_line, sample_tissue, is_processed, processor_name, processor_version, illness_label,
               illness_method, illness_rule, illness_field, illness_matched, study_accession_code,
               exclude_from_analysis, keep_attributes,
               ROW_NUMBER() OVER (PARTITION BY sample_accession_code ORDER BY ordinal DESC) AS rn
        FROM staging.dim_sample
        WHERE load_key = @p1
    ) AS d
    LEFT JOIN dbo.dim_illness AS i ON i.illness_label = d.illness_label
    LEFT JOIN dbo.dim_platform AS p ON p.platform_accession = d.platform_accession
    LEFT JOIN dbo.dim_study AS st ON st.study_accession_code = d.study_accession_code
    WHERE d.rn = 1
) AS s
ON t.sample_accession_code = s.sample_accession_code
WHEN MATCHED AND s.keep_attributes = 0 AND EXISTS (
    SELECT s.sample_title, s.sample_organism, s.sample_platform, s.sample_treatment, s.sample_cell_line,
           s.sample_tissue, s.is_processed, s.processor_name, s.processor_version, s.illness_key,
           s.illness_method, s.illness_rule, s.illness_field, s.illness_matched, s.platform_key,
           s.study_key, s.exclude_from_analysis
    EXCEPT
    SELECT t.sample_title, t.sample_organism, t.sample_platform COLLATE Latin1_General_100_BIN2, t.sample_treatment, t.sample_cell_line,
           t.sample_tissue, t.is_processed, t.processor_name, t.processor_version, t.illness_key,
           t.illness_method, t.illness_rule, t.illness_field, t.illness_matched, t.platform_key,
           t.study_key, t.exclude_from_analysis
) THEN UPDATE SET
    sample_title = s.sample_title,
    sample_organism = s.sample_organism,
    sample_platform = s.sample_platform,
    sample_treatment = s.sample_treatment,
    sample_cell_line = s.sample_cell_line,
    sample_tissue = s.sample_tissue,
    is_processed = s.is_processed,
    processor_name = s.processor_name,
    processor_version = s.processor_version,
    illness_key = s.illness_key,
    illness_method = s.illness_method,
    illness_rule = s.illness_rule,
    illness_field = s.illness_field,
    illness_matched = s.illness_matched,
    platform_key = s.platform_key,
    study_key = s.study_key,
    exclude_from_analysis = s.exclude_from_analysis,
    etl_updated_date = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (sample_accession_code, sample_title, sample_organism, sample_platform, sample_treatment,
            sample_cell_line, sample_tissue, is_processed, processor_name, processor_version, illness_key,
            illness_method, illness_rule, illness_field, illness_matched, platform_key, study_key,
            exclude_from_analysis)
    VALUES (s.sample_accession_code, s.sample_title, s.sample_organism, s.sample_platform, s.sample_treatment,
            s.sample_cell_line, s.sample_tissue, s.is_processed, s.processor_name, s.processor_version,
            s.illness_key, s.illness_method, s.illness_rule, s.illness_field, s.illness_matched, s.platform_key,
            s.study_key, s.exclude_from_analysis);`

// stmtMergeStudySamples records each staged sample's membership in its
// study, with the illness decision made there. It runs after
// stmtMergeSamples, which gives new samples their key, and keeps the same
// staged row of a sample listed twice. A study's labels are read from
// here: dim_sample's study_key and illness columns say only which study
// loaded the sample last, and a study sharing samples with another must
// keep its own decisions when the other is loaded. The exclusion from
// analysis is the study's too, and is written even where the label is
// kept (keep_illness: the load has no metadata of the sample), since the
// configuration, not the metadata, names it. A label an override set is
// not kept: no override names the sample now (keep_illness says so), and
// a label the configuration no longer gives is not kept as one it does.
const stmtMergeStudySamples = `MERGE dbo.dim_study_sample WITH (HOLDLOCK) AS t
USING (
    SELECT st.study_key, sm.sample_key, i.illness_key, d.illness_method, d.illness_rule, d.illness_field,
           d.illness_matched, d.illness_evidence, d.keep_illness, d.exclude_from_analysis
    FROM (
        SELECT sample_accession_code, study_accession_code, illness_label, illness_method, illness_rule,
               illness_field, illness_matched, illness_evidence, keep_illness, exclude_from_analysis,
               ROW_NUMBER() OVER (PARTITION BY study_accession_code, sample_accession_code ORDER BY ordinal DESC) AS rn
        FROM staging.dim_sample
        WHERE load_key = @p1
    ) AS d
    JOIN dbo.dim_sample AS sm ON sm.sample_accession_code = d.sample_accession_code
    JOIN dbo.dim_study AS st ON st.study_accession_code = d.study_accession_code
    LEFT JOIN dbo.dim_illness AS i ON i.illness_label = d.illness_label
    WHERE d.rn = 1
) AS s
ON t.study_key = s.study_key AND t.sample_key = s.sample_key
WHEN MATCHED AND (s.exclude_from_analysis <> t.exclude_from_analysis OR (s.keep_illness = 0 OR t.illness_method = N'override') AND EXISTS (
    SELECT s.illness_key, s.illness_method, s.illness_rule, s.illness_field, s.illness_matched, s.illness_evidence
    EXCEPT
    SELECT t.illness_key, t.illness_method, t.illness_rule, t.illness_field, t.illness_matched, t.illness_evidence
)) THEN UPDATE SET
    illness_key = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_key, t.illness_key),
    illness_method = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_method, t.illness_method),
    illness_rule = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_rule, t.illness_rule),
    illness_field = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_field, t.illness_field),
    illness_matched = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_matched, t.illness_matched),
    illness_evidence = IIF(s.keep_illness = 0 OR t.illness_method = N'override', s.illness_evidence, t.illness_evidence),
    exclude_from_analysis = s.exclude_from_analysis,
    etl_updated_date = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (study_key, sample_key, illness_key, illness_method, illness_rule, illness_field, illness_matched,
            illness_evidence, exclude_from_analysis)
    VALUES (s.study_key, s.sample_key, s.illness_key, s.illness_method, s.illness_rule, s.illness_field,
            s.illness_matched, s.illness_evidence, s.exclude_from_analysis);`

// stmtMergeGenes adds the load's genes that dim_gene lacks; an Affymetrix
// control probe set gets its type (warehouse.ControlProbe).
const stmtMergeGenes = `MERGE dbo.dim_gene WITH (HOLDLOCK) AS t
USING (
    SELECT DISTINCT gene_id
    FROM staging.matrix_rows
    WHERE load_key = @p1
) AS s
ON t.gene_id = s.gene_id
WHEN NOT MATCHED BY TARGET THEN
    INSERT (gene_id, gene_type)
    VALUES (s.gene_id, CASE WHEN UPPER(s.gene_id) LIKE N'AFFX-%' THEN N'control_probe' END);`

// stmtMissingSamples finds matrix columns of the studies being committed
// whose sample is not a member of the column's study in dim_study_sample
// (or has no dim_sample row at all): their cells would silently drop out
// of the fact join, or load with no label the views can read.
const stmtMissingSamples = `SELECT TOP (1) c.sample_accession_code
FROM staging.matrix_columns AS c
JOIN staging.load_batches AS l ON l.load_key = c.load_key AND l.study_accession_code = c.study_accession_code
LEFT JOIN dbo.dim_study AS st ON st.study_accession_code = c.study_accession_code
LEFT JOIN dbo.dim_sample AS s ON s.sample_accession_code = c.sample_accession_code
LEFT JOIN dbo.dim_study_sample AS ss ON ss.study_key = st.study_key AND ss.sample_key = s.sample_key
WHERE c.load_key = @p1 AND ss.sample_key IS NULL
ORDER BY c.column_no`

// stmtClassifyBatches decides, per study, whether the load is new, replaces
// the current batch, or is a duplicate of it: the same batch id loaded with
// the same signature (a batch without one, loaded before signatures were
// recorded, is replaced). It runs under the publish
// lock, so the current batches cannot change until the commit ends.
const stmtClassifyBatches = `UPDATE l
SET l.previous_batch_id = b.batch_id,
    l.outcome = CASE
        WHEN b.batch_id IS NULL THEN N'new'
        WHEN b.batch_id = l.batch_id AND b.load_signature = l.load_signature THEN N'duplicate'
        ELSE N'replaced'
    END
FROM staging.load_batches AS l
LEFT JOIN dbo.meta_batch AS b ON b.study_accession_code = l.study_accession_code AND b.is_current = 1
WHERE l.load_key = @p1;`

const stmtReadBatches = `SELECT l.study_accession_code, l.batch_id, l.outcome, COALESCE(l.previous_batch_id, N''),
       COALESCE(st.study_key, 0)
FROM staging.load_batches AS l
LEFT JOIN dbo.dim_study AS st ON st.study_accession_code = l.study_accession_code
WHERE l.load_key = @p1
ORDER BY l.study_accession_code`

// stmtDeleteFacts removes a study's facts. The bucket predicate confines
// the delete to the study's partition.
const stmtDeleteFacts = `DELETE FROM dbo.fact_gene_expression
WHERE study_bucket = CONVERT(SMALLINT, @p1 % 32) AND study_key = @p1`

// stmtDropStudySamples removes the memberships of a study (@p2, loaded as
// @p3) whose samples its new batch (load @p1) does not hold: the study's
// facts no longer have them, and the views would still list them under
// it. A duplicate does not run it, and keeps its rows as it keeps its
// facts.
const stmtDropStudySamples = `DELETE ss
FROM dbo.dim_study_sample AS ss
WHERE ss.study_key = @p2
  AND NOT EXISTS (
    SELECT 1
    FROM staging.matrix_columns AS c
    JOIN dbo.dim_sample AS s ON s.sample_accession_code = c.sample_accession_code
    WHERE c.load_key = @p1 AND c.study_accession_code = @p3 AND s.sample_key = ss.sample_key);`

// stmtInsertFacts publishes one study's staged cells: one set-based insert.
// TABLOCK takes an exclusive lock on the whole fact, every study's
// partition, until the commit ends. It buys a parallel insert into the
// columnstore (with or without it, an insert of 102,400 rows or more per
// thread writes compressed rowgroups directly) and, in the simple or
// bulk-logged recovery model, minimal logging. It costs little here:
// commits are serialized anyway, and readers under READ_COMMITTED_SNAPSHOT
// read row versions and do not wait. A reader that takes shared locks (RCSI
// off, REPEATABLE READ, SERIALIZABLE, a READCOMMITTEDLOCK hint) waits for
// the commit, and the insert first waits for such readers to finish.
// OPTION (RECOMPILE): it runs once a study, and a plan cached for another
// study would size the insert's memory grant, and with it the columnstore's
// rowgroups (trimmed when memory runs short), by that study's rows.
const stmtInsertFacts = `INSERT INTO dbo.fact_gene_expression WITH (TABLOCK)
    (study_key, sample_key, gene_key, study_bucket, expression_value, batch_id)
SELECT @p2, s.sample_key, g.gene_key, CONVERT(SMALLINT, @p2 % 32), v.expression_value, @p3
FROM staging.expression_values AS v
JOIN staging.matrix_columns AS c ON c.load_key = v.load_key AND c.column_no = v.column_no
JOIN staging.matrix_rows AS r ON r.load_key = v.load_key AND r.line_no = v.line_no
JOIN dbo.dim_sample AS s ON s.sample_accession_code = c.sample_accession_code
JOIN dbo.dim_gene AS g ON g.gene_id = r.gene_id
WHERE v.load_key = @p1 AND c.study_accession_code = @p4
OPTION (RECOMPILE)`

const stmtRetireBatch = `UPDATE dbo.meta_batch
SET is_current = 0, replaced_at = SYSUTCDATETIME()
WHERE study_key = @p1 AND is_current = 1`

// stmtDropFeatures removes a study's (@p1) features that carry the batch id
// being published (@p2) when the commit replaces the study's facts. They
// were computed from the facts of an earlier load of the same content —
// with other columns or another missing-value policy, or before the study
// held another batch in between — and the views, which pick a study's
// features by its current batch id, would show them as the new facts'.
// The commit holds the publish lock exclusively, so no feature computation
// (which holds it shared) runs meanwhile.
const stmtDropFeatures = `DELETE FROM dbo.fact_feature_values
WHERE study_key = @p1 AND batch_id = @p2`

// stmtStaleFeatures marks the feature state of the features stmtDropFeatures
// removed stale: a NULL input fingerprint matches no input, so the next
// computation with IfStale recomputes them.
const stmtStaleFeatures = `UPDATE dbo.meta_feature_state
SET input_fingerprint = NULL
WHERE study_key = @p1 AND batch_id = @p2`

// stmtRecordBatch records the published batch as current. Loading content
// that was loaded before (again, or with another signature) makes its old
// batch row current again and records the load in it.
const stmtRecordBatch = `MERGE dbo.meta_batch WITH (HOLDLOCK) AS t
USING (SELECT @p2 AS batch_id) AS s
ON t.batch_id = s.batch_id
WHEN MATCHED THEN UPDATE SET
    study_key = @p1,
    study_accession_code = @p3,
    file_name = @p4,
    file_hash = @p5,
    run_id = @p6,
    rows_written = @p7,
    load_signature = @p8,
    scale_by = @p9,
    is_current = 1,
    loaded_at = SYSUTCDATETIME(),
    replaced_at = NULL
WHEN NOT MATCHED BY TARGET THEN
    INSERT (batch_id, study_key, study_accession_code, file_name, file_hash, run_id, rows_written, is_current, loaded_at, load_signature, scale_by)
    VALUES (s.batch_id, @p1, @p3, @p4, @p5, @p6, @p7, 1, SYSUTCDATETIME(), @p8, @p9);`

const stmtUpsertStudyQC = `MERGE dbo.meta_study_qc WITH (HOLDLOCK) AS t
USING (SELECT study_key FROM dbo.dim_study WHERE study_accession_code = @p1) AS s
ON t.study_key = s.study_key
WHEN MATCHED THEN UPDATE SET
    batch_id = @p2,
    ks_statistic = @p3,
    ks_pvalue = @p4,
    ks_warning = @p5,
    quantile_normalized = @p6,
    quant_sf_only = @p7,
    ks_statistic_recomputed = @p8,
    ks_pvalue_recomputed = @p9,
    ks_worst_sample = @p10,
    gene_count = @p11,
    sample_count = @p12,
    cell_count = @p13,
    missing_cells = @p14,
    duplicate_genes = @p15,
    collected_at = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (study_key, batch_id, ks_statistic, ks_pvalue, ks_warning, quantile_normalized, quant_sf_only,
            ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample, gene_count, sample_count,
            cell_count, missing_cells, duplicate_genes)
    VALUES (s.study_key, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15);`

// stmtUpsertBatchQC records the QC of one validation of a batch, loaded or
// rejected; it needs no dim_study row. A validation with the same outcome
// as an earlier one of the batch updates that row; the other outcome's row
// stays (@p18 rows the KS check read and @p19 sampled: both or neither).
const stmtUpsertBatchQC = `MERGE dbo.meta_batch_qc WITH (HOLDLOCK) AS t
USING (SELECT @p1 AS study_accession_code, @p2 AS batch_id, @p3 AS qc_status) AS s
ON t.study_accession_code = s.study_accession_code AND t.batch_id = s.batch_id AND t.qc_status = s.qc_status
WHEN MATCHED THEN UPDATE SET
    run_id = @p4,
    ks_statistic = @p5,
    ks_pvalue = @p6,
    ks_warning = @p7,
    quantile_normalized = @p8,
    quant_sf_only = @p9,
    ks_statistic_recomputed = @p10,
    ks_pvalue_recomputed = @p11,
    ks_worst_sample = @p12,
    gene_count = @p13,
    sample_count = @p14,
    cell_count = @p15,
    missing_cells = @p16,
    duplicate_genes = @p17,
    ks_rows_used = @p18,
    ks_sampled = @p19,
    collected_at = SYSUTCDATETIME()
WHEN NOT MATCHED BY TARGET THEN
    INSERT (study_accession_code, batch_id, qc_status, run_id, ks_statistic, ks_pvalue, ks_warning, quantile_normalized,
            quant_sf_only, ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample, gene_count, sample_count,
            cell_count, missing_cells, duplicate_genes, ks_rows_used, ks_sampled)
    VALUES (s.study_accession_code, s.batch_id, s.qc_status, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14,
            @p15, @p16, @p17, @p18, @p19);`

// stmtLogStep upserts a process-log row by its key: the second call for a
// step (its end) updates the row its first call (its start) wrote.
const stmtLogStep = `MERGE dbo.meta_etl_process_log WITH (HOLDLOCK) AS t
USING (SELECT @p1 AS log_id) AS s
ON t.log_id = s.log_id
WHEN MATCHED THEN UPDATE SET
    batch_id = @p3,
    status = @p6,
    ended_at = @p9,
    rows_read = @p10,
    rows_written = @p11,
    error_code = @p12,
    error_message = @p13,
    context_json = @p14
WHEN NOT MATCHED BY TARGET THEN
    INSERT (log_id, run_id, batch_id, study_accession_code, step, status, attempt, started_at, ended_at,
            rows_read, rows_written, error_code, error_message, context_json)
    VALUES (s.log_id, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14);`

// findingColumns are the values of one finding, in the order
// buildInsertFindings numbers their parameters.
var findingColumns = []string{"run_id", "batch_id", "study_accession_code", "validation_code", "validation_name",
	"severity", "details", "file_name", "line_no", "column_no"}

// maxFindingsPerStatement keeps an insert under SQL Server's 2,100
// parameters (10 per finding).
const maxFindingsPerStatement = 200

// buildInsertFindings returns the insert of n findings (n ≤
// maxFindingsPerStatement): one statement, one VALUES row per finding,
// study_key resolved by accession.
func buildInsertFindings(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO dbo.meta_data_validation_log (run_id, batch_id, study_key, study_accession_code,\n")
	b.WriteString("    validation_code, validation_name, severity, details, file_name, line_no, column_no)\n")
	b.WriteString("SELECT v.run_id, v.batch_id, st.study_key, v.study_accession_code, v.validation_code, v.validation_name,\n")
	b.WriteString("       v.severity, v.details, v.file_name, v.line_no, v.column_no\n")
	b.WriteString("FROM (VALUES\n")
	p := 1
	for i := 0; i < n; i++ {
		b.WriteString("    (")
		for j := range findingColumns {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "@p%d", p)
			p++
		}
		b.WriteString(")")
		if i < n-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(") AS v (" + strings.Join(findingColumns, ", ") + ")\n")
	b.WriteString("LEFT JOIN dbo.dim_study AS st ON st.study_accession_code = v.study_accession_code")
	return b.String()
}

// stmtStatusStudies reports each current batch's samples and genes as its
// load counted them in the matrix (meta_batch_qc), as the load summary
// does, so that a sample column with no value at all counts; the facts'
// distinct keys stand in only for a batch without its QC row.
const stmtStatusStudies = `SELECT b.study_accession_code, b.batch_id, COALESCE(b.load_signature, N''),
    COALESCE(q.sample_count, (SELECT COUNT_BIG(DISTINCT f.sample_key) FROM dbo.fact_gene_expression AS f
     WHERE f.study_bucket = CONVERT(SMALLINT, b.study_key % 32) AND f.study_key = b.study_key)),
    COALESCE(q.gene_count, (SELECT COUNT_BIG(DISTINCT f.gene_key) FROM dbo.fact_gene_expression AS f
     WHERE f.study_bucket = CONVERT(SMALLINT, b.study_key % 32) AND f.study_key = b.study_key)),
    b.rows_written, b.loaded_at
FROM dbo.meta_batch AS b
LEFT JOIN dbo.meta_batch_qc AS q
  ON q.study_accession_code = b.study_accession_code AND q.batch_id = b.batch_id AND q.qc_status = N'LOADED'
WHERE b.is_current = 1
ORDER BY b.study_accession_code`

// stmtStatusStudiesV2 reads a warehouse below version 3, which has no
// meta_batch.load_signature nor meta_batch_qc (SQL Server compiles the
// whole statement, so stmtStatusStudies fails there with Msg 207): a
// read-only status, or a dry run, before init has migrated it. The counts
// come from meta_study_qc when it holds the current batch.
const stmtStatusStudiesV2 = `SELECT b.study_accession_code, b.batch_id, N'',
    COALESCE(q.sample_count, (SELECT COUNT_BIG(DISTINCT f.sample_key) FROM dbo.fact_gene_expression AS f
     WHERE f.study_bucket = CONVERT(SMALLINT, b.study_key % 32) AND f.study_key = b.study_key)),
    COALESCE(q.gene_count, (SELECT COUNT_BIG(DISTINCT f.gene_key) FROM dbo.fact_gene_expression AS f
     WHERE f.study_bucket = CONVERT(SMALLINT, b.study_key % 32) AND f.study_key = b.study_key)),
    b.rows_written, b.loaded_at
FROM dbo.meta_batch AS b
LEFT JOIN dbo.meta_study_qc AS q ON q.study_key = b.study_key AND q.batch_id = b.batch_id
WHERE b.is_current = 1
ORDER BY b.study_accession_code`

const stmtStatusSteps = `SELECT TOP (@p1) log_id, run_id, COALESCE(batch_id, N''), COALESCE(study_accession_code, N''), step, status,
    attempt, started_at, ended_at, rows_read, rows_written, error_code, COALESCE(error_message, N''),
    COALESCE(context_json, N'')
FROM dbo.meta_etl_process_log
ORDER BY started_at DESC`

// copySpec is one bulk copy target: mssql.CopyIn sends it to the server as
// INSERT BULK followed by the rows, as one server batch. Its golden file
// (copy_*.sql, see renderCopy) shows the batches the driver sends for it.
type copySpec struct {
	table   string
	columns []string
	options mssqldrv.BulkOptions
	// widths are the n of the columns declared NVARCHAR(n), in UTF-16 code
	// units (TestCopyWidthsMatchTheSchema holds them to the schema). A
	// column not listed is a number, a bit, a date or NVARCHAR(MAX).
	widths map[string]int
	// key names the column that says which row a too-wide value is in.
	key string
}

// stmt returns the CopyIn statement to prepare.
func (c copySpec) stmt() string { return mssqldrv.CopyIn(c.table, c.options, c.columns...) }

// The bulk copy targets. KEEP_NULLS keeps a NULL a NULL (no column has a
// default to fill in, but the intent is explicit). CHECK_CONSTRAINTS costs
// nothing (staging has no CHECK or FOREIGN KEY constraints) and spares the
// loader the ALTER TABLE permission a bulk load that skips constraints
// needs. No TABLOCK: concurrent loads copy into the same staging tables,
// each under its own load_key.
var (
	copyColumns = copySpec{table: "staging.matrix_columns", options: mssqldrv.BulkOptions{KeepNulls: true, CheckConstraints: true},
		columns: []string{"load_key", "column_no", "sample_accession_code", "study_accession_code"},
		widths:  map[string]int{"sample_accession_code": 100, "study_accession_code": 100}, key: "sample_accession_code"}
	copyRows = copySpec{table: "staging.matrix_rows", options: mssqldrv.BulkOptions{KeepNulls: true, CheckConstraints: true},
		columns: []string{"load_key", "line_no", "gene_id"},
		widths:  map[string]int{"gene_id": 255}, key: "line_no"}
	copyPlatforms = copySpec{table: "staging.dim_platform", options: mssqldrv.BulkOptions{KeepNulls: true, CheckConstraints: true},
		columns: []string{"load_key", "ordinal", "platform_accession", "platform_name", "manufacturer", "measurement_technology"},
		widths:  map[string]int{"platform_accession": 100, "platform_name": 1000, "manufacturer": 200, "measurement_technology": 50},
		key:     "platform_accession"}
	copyStudies = copySpec{table: "staging.dim_study", options: mssqldrv.BulkOptions{KeepNulls: true, CheckConstraints: true},
		columns: []string{"load_key", "ordinal", "study_accession_code", "study_title", "study_pubmed_id", "study_technology",
			"study_organism", "study_platform_summary", "study_description", "source_first_published", "source_last_modified",
			"keep_recorded"},
		widths: map[string]int{"study_accession_code": 100, "study_title": 2000, "study_pubmed_id": 100, "study_technology": 50,
			"study_organism": 200, "study_platform_summary": 2000},
		key: "study_accession_code"}
	copySamples = copySpec{table: "staging.dim_sample", options: mssqldrv.BulkOptions{KeepNulls: true, CheckConstraints: true},
		columns: []string{"load_key", "ordinal", "sample_accession_code", "sample_title", "sample_organism", "platform_accession",
			"sample_treatment", "sample_cell_line", "sample_tissue", "is_processed", "processor_name", "processor_version",
			"illness_label", "illness_method", "illness_rule", "illness_field", "illness_matched", "study_accession_code",
			"exclude_from_analysis", "keep_attributes", "keep_illness", "illness_evidence"},
		widths: map[string]int{"sample_accession_code": 100, "sample_title": 2000, "sample_organism": 200, "platform_accession": 100,
			"sample_treatment": 1000, "sample_cell_line": 1000, "sample_tissue": 1000, "processor_name": 200, "processor_version": 200,
			"illness_label": 20, "illness_method": 50, "illness_rule": 200, "illness_field": 200, "illness_matched": 1000,
			"study_accession_code": 100},
		key: "sample_accession_code"}
	copyBatches = copySpec{table: "staging.load_batches", options: mssqldrv.BulkOptions{KeepNulls: true, CheckConstraints: true},
		columns: []string{"load_key", "study_accession_code", "batch_id", "file_name", "file_hash", "load_signature"},
		widths:  map[string]int{"study_accession_code": 100, "batch_id": 64, "file_name": 1000, "file_hash": 64, "load_signature": 64},
		key:     "study_accession_code"}
)

// copyValues is the target of the cells; its ROWS_PER_BATCH hint tells the
// server how many rows the copy brings, which it uses to size the
// columnstore rowgroup it builds.
func copyValues(chunkRows int) copySpec {
	return copySpec{table: "staging.expression_values", options: mssqldrv.BulkOptions{KeepNulls: true, CheckConstraints: true, RowsPerBatch: chunkRows},
		columns: []string{"load_key", "line_no", "column_no", "expression_value"}}
}
