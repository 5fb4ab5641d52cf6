package duckdb

import (
	"fmt"
	"strings"
)

// The statements this backend runs, by name. Each has a golden copy in
// testdata/golden/<name>.sql (see TestGoldenStatements).
var statements = map[string]string{
	"schema_version_table":       stmtSchemaVersionTable,
	"schema_version_exists":      stmtSchemaVersionExists,
	"schema_version_read":        stmtSchemaVersionRead,
	"schema_version_write":       stmtSchemaVersionWrite,
	"schema_version_record":      stmtSchemaVersionRecord,
	"schema_checksum_write":      stmtSchemaChecksumWrite,
	"schema_checksums":           stmtSchemaChecksums,
	"next_load_key":              stmtNextLoadKey,
	"create_stage_values":        stmtCreateStageValues,
	"drop_stage_values":          stmtDropStageValues,
	"stage_values":               stmtStageValues,
	"illness_labels":             stmtIllnessLabels,
	"read_only":                  stmtReadOnly,
	"upsert_study":               stmtUpsertStudy + ";\n" + stmtInsertStudy,
	"upsert_platform":            stmtUpsertPlatform,
	"unknown_illness":            stmtUnknownIllness,
	"upsert_samples":             stmtUpsertSamples,
	"upsert_study_samples":       stmtUpsertStudySamples,
	"exclude_kept_study_samples": stmtExcludeKeptStudySamples,
	"drop_study_samples":         stmtDropUnstagedStudySamples,
	"unlisted_members":           stmtUnlistedMembers,
	"clear_staged_samples":       stmtClearStagedSamples,
	"stage_batch":                stmtStageBatch,
	"record_batch_keys":          stmtRecordBatchKeys,
	"current_batches":            stmtCurrentBatches,
	"insert_genes":               stmtInsertGenes,
	"delete_facts":               stmtDeleteFacts,
	"insert_facts":               stmtInsertFacts,
	"insert_study_facts":         stmtInsertStudyFacts,
	"retire_batches":             stmtRetireBatches,
	"drop_features":              stmtDropReplacedFeatures,
	"stale_features":             stmtStaleFeatureState,
	"record_batch":               stmtRecordBatch + ";\n" + stmtInsertBatch,
	"undescribed_study":          stmtUndescribedStudy,
	"upsert_study_qc":            stmtUpsertStudyQC + ";\n" + stmtInsertStudyQC,
	"upsert_batch_qc":            stmtUpsertBatchQC + ";\n" + stmtInsertBatchQC,
	"insert_finding":             stmtInsertFinding,
	"clear_staging":              strings.Join(stmtClearStaging, ";\n"),
	"log_step":                   stmtLogStep,
	"status_studies":             stmtStatusStudies,
	"status_studies_v3":          stmtStatusStudiesV3,
	"status_steps":               stmtStatusSteps,
	"stage_function_exists":      stmtStageFunctionExists,
	"disabled_optimizers":        stmtDisabledOptimizers,
	"temp_directory":             stmtTempDirectory,
	"memory_limit":               stmtMemoryLimit,
	"user_tables":                stmtUserTables,
	"disable_optimizers":         fmt.Sprintf(stmtDisableOptimizers, quoteString("statistics_propagation")),
	"connection_count":           stmtConnectionCount,
	"checkpoint_settings":        stmtCheckpointSettings,
	"checkpoint_every":           stmtCheckpointEveryCommit,
	"checkpoint_restore":         fmt.Sprintf(stmtCheckpointSettingsRestore, quoteString("16.0 MiB"), quoteString("100000")),
}

const stmtSchemaVersionTable = `CREATE TABLE IF NOT EXISTS meta_schema_version (
    version     INTEGER PRIMARY KEY,
    description VARCHAR NOT NULL,
    applied_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
)`

const stmtSchemaVersionExists = `SELECT COUNT(*) = 2 FROM information_schema.columns
WHERE table_schema = 'main' AND table_name = 'meta_schema_version' AND column_name IN ('version', 'description')`

const stmtSchemaVersionRead = `SELECT COALESCE(MAX(version), 0) FROM meta_schema_version`

const stmtSchemaVersionWrite = `INSERT INTO meta_schema_version (version, description) VALUES ($1, $2)`

// From schema version 11 (checksumVersion) meta_schema_version has a
// checksum column: the SHA-256 of the migration file each version was
// applied from. stmtSchemaVersionRecord writes a version with its checksum,
// stmtSchemaChecksumWrite fills in the checksum of a version the same
// migration run applied before the column existed, and stmtSchemaChecksums
// reads the recorded ones (NULL: unknown, see verifyChecksums).
const stmtSchemaVersionRecord = `INSERT INTO meta_schema_version (version, description, checksum) VALUES ($1, $2, $3)`

const stmtSchemaChecksumWrite = `UPDATE meta_schema_version SET checksum = $1 WHERE version = $2 AND checksum IS NULL`

const stmtSchemaChecksums = `SELECT version, checksum FROM meta_schema_version WHERE checksum IS NOT NULL ORDER BY version`

// stmtDisabledOptimizers reads the optimizers DuckDB skips and how the
// database is open; stmtDisableOptimizers sets the first, taking the list
// as a quoted string literal (see consistentReads).
const stmtDisabledOptimizers = `SELECT current_setting('disabled_optimizers')::VARCHAR, current_setting('access_mode')::VARCHAR`

const stmtDisableOptimizers = `SET GLOBAL disabled_optimizers = %s`

// stmtConnectionCount counts the connections to the database in this
// process (see Warehouse.apply).
const stmtConnectionCount = `SELECT count FROM duckdb_connection_count()`

// A migration that DuckDB must not write to its write-ahead log is
// committed with every commit checkpointing and skipping the log (see
// Warehouse.apply); the settings are read first and restored after.
const stmtCheckpointSettings = `SELECT current_setting('checkpoint_threshold')::VARCHAR,
       current_setting('auto_checkpoint_skip_wal_threshold')::VARCHAR`

const stmtCheckpointEveryCommit = `SET GLOBAL checkpoint_threshold = '0b';
SET GLOBAL auto_checkpoint_skip_wal_threshold = 0`

// stmtCheckpointSettingsRestore takes the two values stmtCheckpointSettings
// read, as quoted string literals.
const stmtCheckpointSettingsRestore = `SET GLOBAL checkpoint_threshold = %s;
SET GLOBAL auto_checkpoint_skip_wal_threshold = %s`

// quoteString is s as an SQL string literal.
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

const stmtNextLoadKey = `SELECT nextval('seq_load_key')`

// The rows a load writes once per study (dim_study, meta_study_qc,
// meta_batch_qc; meta_batch see stmtRecordBatch) are upserted by two
// statements, see upsert:
// an UPDATE of the row that exists and an INSERT of the one that does not.
// In a transaction DuckDB holds some 300 KB of memory for each INSERT … ON
// CONFLICT until the commit, so a SPECIES matrix of 1,000 studies ran out
// of the load's memory limit with its rows written.
//
// stmtUpsertStudy keeps what the warehouse holds of the study's title,
// PubMed id, description and dates where this load has none (NULL): a run
// whose metadata is a sample sheet alone (no aggregated_metadata.json)
// knows the study's samples but none of those, and an absence is not a
// change. Technology (the metadata's, else the one the study's samples'
// platforms agree on), organism and platforms are this load's, NULL
// included: they describe the samples the study's current batch holds.
const stmtUpsertStudy = `UPDATE dim_study SET
    study_title = COALESCE($2, study_title),
    study_pubmed_id = COALESCE($3, study_pubmed_id),
    study_technology = $4,
    study_organism = $5,
    study_platform_summary = $6,
    study_description = COALESCE($7, study_description),
    source_first_published = COALESCE($8, source_first_published),
    source_last_modified = COALESCE($9, source_last_modified),
    etl_updated_date = now()
WHERE study_accession_code = $1
  AND (study_title IS DISTINCT FROM COALESCE($2, study_title)
   OR study_pubmed_id IS DISTINCT FROM COALESCE($3, study_pubmed_id)
   OR study_technology IS DISTINCT FROM $4
   OR study_organism IS DISTINCT FROM $5
   OR study_platform_summary IS DISTINCT FROM $6
   OR study_description IS DISTINCT FROM COALESCE($7, study_description)
   OR source_first_published IS DISTINCT FROM COALESCE($8, source_first_published)
   OR source_last_modified IS DISTINCT FROM COALESCE($9, source_last_modified))`

// stmtInsertStudy's dates are instants made wall times in UTC, as the
// columns hold them: a SELECT gives its parameters no column type, and the
// driver binds a time as an instant, which DuckDB would otherwise turn
// into a wall time in its own time zone (TimeZone, the machine's).
const stmtInsertStudy = `INSERT INTO dim_study (study_accession_code, study_title, study_pubmed_id, study_technology,
    study_organism, study_platform_summary, study_description, source_first_published, source_last_modified)
SELECT $1, $2, $3, $4, $5, $6, $7, timezone('UTC', $8::TIMESTAMPTZ), timezone('UTC', $9::TIMESTAMPTZ)
WHERE NOT EXISTS (SELECT 1 FROM dim_study WHERE study_accession_code = $1)`

const stmtUpsertPlatform = `INSERT INTO dim_platform (platform_accession, platform_name, manufacturer, measurement_technology)
VALUES ($1, $2, $3, $4)
ON CONFLICT (platform_accession) DO UPDATE SET
    platform_name = excluded.platform_name,
    manufacturer = excluded.manufacturer,
    measurement_technology = excluded.measurement_technology,
    etl_updated_date = now()
WHERE dim_platform.platform_name IS DISTINCT FROM excluded.platform_name
   OR dim_platform.manufacturer IS DISTINCT FROM excluded.manufacturer
   OR dim_platform.measurement_technology IS DISTINCT FROM excluded.measurement_technology`

// stmtUnknownIllness lists the staged samples' illness labels that
// dim_illness does not know, so a typo fails the load instead of becoming a
// NULL label.
const stmtUnknownIllness = `SELECT COALESCE(string_agg(DISTINCT t.illness_label, ', '), '')
FROM staging.samples t
LEFT JOIN dim_illness i ON i.illness_label = t.illness_label
WHERE t.load_key = $1 AND t.illness_label IS NOT NULL AND i.illness_key IS NULL`

// stmtUpsertSamples leaves the row of a sample listed in $2 (those the
// load has no metadata record of: warehouse.Sample.KeepAttributes) as it
// is, and inserts it when it is new. $2 is read as a table (IN a
// subquery, a hash join), not with list_contains per staged row, which
// grows with the square of the samples a load without metadata keeps. A
// sample staged under several studies (a SPECIES matrix's column that
// several experiments hold) is one row: the staged row of its greatest
// study accession, the last the pipeline lists, gives dim_sample its study
// and label.
const stmtUpsertSamples = `INSERT INTO dim_sample (sample_accession_code, sample_title, sample_organism, sample_platform,
    sample_treatment, sample_cell_line, sample_tissue, is_processed, processor_name, processor_version,
    illness_key, illness_method, illness_rule, illness_field, illness_matched,
    platform_key, study_key, exclude_from_analysis)
SELECT t.sample_accession_code, t.sample_title, t.sample_organism, t.platform_accession,
    t.sample_treatment, t.sample_cell_line, t.sample_tissue, t.is_processed, t.processor_name, t.processor_version,
    i.illness_key, t.illness_method, t.illness_rule, t.illness_field, t.illness_matched,
    p.platform_key, st.study_key, t.exclude_from_analysis
FROM (
    SELECT * FROM staging.samples
    WHERE load_key = $1
    QUALIFY row_number() OVER (PARTITION BY sample_accession_code ORDER BY study_accession_code DESC) = 1) t
LEFT JOIN dim_illness i ON i.illness_label = t.illness_label
LEFT JOIN dim_platform p ON p.platform_accession = t.platform_accession
LEFT JOIN dim_study st ON st.study_accession_code = t.study_accession_code
WHERE NOT (t.sample_accession_code IN (SELECT unnest($2::VARCHAR[]))
    AND EXISTS (SELECT 1 FROM dim_sample d WHERE d.sample_accession_code = t.sample_accession_code))
ON CONFLICT (sample_accession_code) DO UPDATE SET
    sample_title = excluded.sample_title,
    sample_organism = excluded.sample_organism,
    sample_platform = excluded.sample_platform,
    sample_treatment = excluded.sample_treatment,
    sample_cell_line = excluded.sample_cell_line,
    sample_tissue = excluded.sample_tissue,
    is_processed = excluded.is_processed,
    processor_name = excluded.processor_name,
    processor_version = excluded.processor_version,
    illness_key = excluded.illness_key,
    illness_method = excluded.illness_method,
    illness_rule = excluded.illness_rule,
    illness_field = excluded.illness_field,
    illness_matched = excluded.illness_matched,
    platform_key = excluded.platform_key,
    study_key = excluded.study_key,
    exclude_from_analysis = excluded.exclude_from_analysis,
    etl_updated_date = now()
WHERE dim_sample.sample_title IS DISTINCT FROM excluded.sample_title
   OR dim_sample.sample_organism IS DISTINCT FROM excluded.sample_organism
   OR dim_sample.sample_platform IS DISTINCT FROM excluded.sample_platform
   OR dim_sample.sample_treatment IS DISTINCT FROM excluded.sample_treatment
   OR dim_sample.sample_cell_line IS DISTINCT FROM excluded.sample_cell_line
   OR dim_sample.sample_tissue IS DISTINCT FROM excluded.sample_tissue
   OR dim_sample.is_processed IS DISTINCT FROM excluded.is_processed
   OR dim_sample.processor_name IS DISTINCT FROM excluded.processor_name
   OR dim_sample.processor_version IS DISTINCT FROM excluded.processor_version
   OR dim_sample.illness_key IS DISTINCT FROM excluded.illness_key
   OR dim_sample.illness_method IS DISTINCT FROM excluded.illness_method
   OR dim_sample.illness_rule IS DISTINCT FROM excluded.illness_rule
   OR dim_sample.illness_field IS DISTINCT FROM excluded.illness_field
   OR dim_sample.illness_matched IS DISTINCT FROM excluded.illness_matched
   OR dim_sample.platform_key IS DISTINCT FROM excluded.platform_key
   OR dim_sample.study_key IS DISTINCT FROM excluded.study_key
   OR dim_sample.exclude_from_analysis IS DISTINCT FROM excluded.exclude_from_analysis`

// stmtUpsertStudySamples records each staged sample's membership in its
// study, with the illness decision made there. It runs after
// stmtUpsertSamples, which gives new samples their key. A study's labels
// are read from here: dim_sample's study_key and illness columns say only
// which study loaded the sample last, and a study sharing samples with
// another must keep its own decisions when the other is loaded. The label
// of a sample listed in $2 (warehouse.Sample.KeepIllness: UNKNOWN for want
// of metadata) is kept where its membership exists, but a label an
// override set: no override names the sample now (KeepIllness says so), and
// a label the configuration no longer gives is not kept as one it does.
const stmtUpsertStudySamples = `INSERT INTO dim_study_sample (study_key, sample_key, illness_key, illness_method, illness_rule,
    illness_field, illness_matched, illness_evidence, exclude_from_analysis)
SELECT st.study_key, s.sample_key, i.illness_key, t.illness_method, t.illness_rule, t.illness_field, t.illness_matched,
    t.illness_evidence, t.exclude_from_analysis
FROM staging.samples t
JOIN dim_sample s ON s.sample_accession_code = t.sample_accession_code
JOIN dim_study st ON st.study_accession_code = t.study_accession_code
LEFT JOIN dim_illness i ON i.illness_label = t.illness_label
WHERE t.load_key = $1
  AND NOT (t.sample_accession_code IN (SELECT unnest($2::VARCHAR[])) AND EXISTS (
    SELECT 1 FROM dim_study_sample m WHERE m.study_key = st.study_key AND m.sample_key = s.sample_key
      AND m.illness_method IS DISTINCT FROM 'override'))
ON CONFLICT (study_key, sample_key) DO UPDATE SET
    illness_key = excluded.illness_key,
    illness_method = excluded.illness_method,
    illness_rule = excluded.illness_rule,
    illness_field = excluded.illness_field,
    illness_matched = excluded.illness_matched,
    illness_evidence = excluded.illness_evidence,
    exclude_from_analysis = excluded.exclude_from_analysis,
    etl_updated_date = now()
WHERE dim_study_sample.illness_key IS DISTINCT FROM excluded.illness_key
   OR dim_study_sample.illness_method IS DISTINCT FROM excluded.illness_method
   OR dim_study_sample.illness_rule IS DISTINCT FROM excluded.illness_rule
   OR dim_study_sample.illness_field IS DISTINCT FROM excluded.illness_field
   OR dim_study_sample.illness_matched IS DISTINCT FROM excluded.illness_matched
   OR dim_study_sample.illness_evidence IS DISTINCT FROM excluded.illness_evidence
   OR dim_study_sample.exclude_from_analysis IS DISTINCT FROM excluded.exclude_from_analysis`

// stmtExcludeKeptStudySamples writes the exclusion of the memberships
// whose label stmtUpsertStudySamples kept (samples listed in $2, which
// the load has no metadata of): the exclusion is the configuration's,
// which names the sample, not the metadata's.
const stmtExcludeKeptStudySamples = `UPDATE dim_study_sample
SET exclude_from_analysis = t.exclude_from_analysis, etl_updated_date = now()
FROM staging.samples t, dim_sample s, dim_study st
WHERE t.load_key = $1
  AND t.sample_accession_code IN (SELECT unnest($2::VARCHAR[]))
  AND s.sample_accession_code = t.sample_accession_code
  AND st.study_accession_code = t.study_accession_code
  AND dim_study_sample.study_key = st.study_key
  AND dim_study_sample.sample_key = s.sample_key
  AND dim_study_sample.exclude_from_analysis IS DISTINCT FROM t.exclude_from_analysis`

// stmtDropUnstagedStudySamples removes, for each study whose facts the load
// replaces ($2 lists the published batch ids), the memberships of the
// samples its new batch does not hold: the study's facts no longer have
// them, and the views would still list them under it. A duplicate keeps
// its rows, as it keeps its facts.
const stmtDropUnstagedStudySamples = `DELETE FROM dim_study_sample
WHERE study_key IN (
    SELECT st.study_key
    FROM staging.load_batches l
    JOIN dim_study st ON st.study_accession_code = l.study_accession_code
    WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id))
  AND NOT EXISTS (
    SELECT 1
    FROM staging.matrix_columns c
    JOIN dim_study st ON st.study_accession_code = c.study_accession_code
    JOIN dim_sample s ON s.sample_accession_code = c.sample_accession_code
    WHERE c.load_key = $1
      AND st.study_key = dim_study_sample.study_key
      AND s.sample_key = dim_study_sample.sample_key)`

// stmtUnlistedMembers finds a matrix column of the batches being published
// ($2) whose sample is not a member of the column's study in
// dim_study_sample (or has no dim_sample row at all): its facts would load
// with no label the views can read.
const stmtUnlistedMembers = `SELECT c.sample_accession_code, c.study_accession_code
FROM staging.matrix_columns c
JOIN staging.load_batches l ON l.load_key = c.load_key AND l.study_accession_code = c.study_accession_code
LEFT JOIN dim_study st ON st.study_accession_code = c.study_accession_code
LEFT JOIN dim_sample s ON s.sample_accession_code = c.sample_accession_code
LEFT JOIN dim_study_sample ss ON ss.study_key = st.study_key AND ss.sample_key = s.sample_key
WHERE c.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id) AND ss.sample_key IS NULL
ORDER BY c.column_no
LIMIT 1`

const stmtClearStagedSamples = `DELETE FROM staging.samples WHERE load_key = $1`

const stmtCurrentBatches = `SELECT b.study_accession_code, b.batch_id, COALESCE(b.load_signature, '')
FROM meta_batch b
JOIN staging.load_batches l ON l.study_accession_code = b.study_accession_code
WHERE l.load_key = $1 AND b.is_current`

// stmtStageBatch stages a study's batch with its key: the key the batch id
// already has in meta_batch_key, or a new one.
const stmtStageBatch = `INSERT INTO staging.load_batches (load_key, study_accession_code, batch_id, file_name, file_hash, load_signature, scale_by, batch_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE((SELECT batch_key FROM meta_batch_key WHERE batch_id = $3), nextval('seq_batch_key')))`

// stmtRecordBatchKeys gives the batch ids being published ($2) that have
// no key yet the key they were staged with.
const stmtRecordBatchKeys = `INSERT INTO meta_batch_key (batch_id, batch_key)
SELECT l.batch_id, l.batch_key
FROM staging.load_batches l
WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)
  AND NOT EXISTS (SELECT 1 FROM meta_batch_key k WHERE k.batch_id = l.batch_id)`

// stmtInsertGenes adds the load's genes that dim_gene lacks, keyed in the
// order of the matrix's lines: facts are inserted in that order too, so a
// row group's zone map on gene_key spans a narrow range and a query for one
// gene skips most of them. Duplicate gene rows never reach staging (the
// reader drops them); GROUP BY keeps the statement correct regardless. An
// Affymetrix control probe set gets its type (warehouse.ControlProbe).
const stmtInsertGenes = `INSERT INTO dim_gene (gene_id, gene_type)
SELECT r.gene_id, CASE WHEN upper(r.gene_id) LIKE 'AFFX-%' THEN 'control_probe' END
FROM staging.matrix_rows r
WHERE r.load_key = $1
  AND NOT EXISTS (SELECT 1 FROM dim_gene g WHERE g.gene_id = r.gene_id)
GROUP BY r.gene_id
ORDER BY MIN(r.line_no)`

// stmtDeleteFacts removes the facts of the studies the load replaces; $2
// lists the batch ids being published, so duplicates keep their facts.
const stmtDeleteFacts = `DELETE FROM fact_gene_expression
WHERE study_key IN (
    SELECT st.study_key
    FROM staging.load_batches l
    JOIN dim_study st ON st.study_accession_code = l.study_accession_code
    WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id))`

// The fact inserts resolve a staged cell's keys by position, not by joins:
// the load's columns and lines are turned into dense lists (index = matrix
// column, or line − first line), and each cell picks its keys out of them.
// Probing hash tables with every cell cost about a third more.

// stmtInsertStudyFacts publishes the staged cells of one study ($2) as batch
// $3: the common case of a matrix holding one study, where the study key
// and batch id are constants of the statement.
const stmtInsertStudyFacts = `INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_key)
WITH cols AS (
    SELECT c.column_no, s.sample_key
    FROM staging.matrix_columns c
    JOIN dim_sample s ON s.sample_accession_code = c.sample_accession_code
    WHERE c.load_key = $1 AND c.study_accession_code = $2),
lines AS (
    SELECT r.line_no, g.gene_key
    FROM staging.matrix_rows r
    JOIN dim_gene g ON g.gene_id = r.gene_id
    WHERE r.load_key = $1),
bounds AS (
    SELECT COALESCE((SELECT MAX(column_no) + 1 FROM staging.matrix_columns WHERE load_key = $1), 0) AS columns,
           COALESCE((SELECT MIN(line_no) FROM lines), 0) AS first_line,
           COALESCE((SELECT MAX(line_no) + 1 FROM lines), 0) AS end_line),
lookup AS (
    SELECT (SELECT study_key FROM dim_study WHERE study_accession_code = $2) AS study_key,
           (SELECT batch_key FROM staging.load_batches WHERE load_key = $1 AND batch_id = $3) AS batch_key,
           (SELECT list(cols.sample_key ORDER BY n.i) FROM bounds, range(bounds.columns) n(i)
                LEFT JOIN cols ON cols.column_no = n.i) AS samples,
           (SELECT list(lines.gene_key ORDER BY n.i) FROM bounds, range(bounds.first_line, bounds.end_line) n(i)
                LEFT JOIN lines ON lines.line_no = n.i) AS genes,
           bounds.first_line
    FROM bounds),
cells AS (
    SELECT lookup.study_key,
           lookup.samples[` + cellColumn + ` + 1] AS sample_key,
           lookup.genes[` + cellLine + ` - lookup.first_line + 1] AS gene_key,
           v.expression_value,
           lookup.batch_key
    FROM temp.main.load_values v, lookup)
SELECT study_key, sample_key, gene_key, expression_value, batch_key
FROM cells
WHERE sample_key IS NOT NULL`

// stmtInsertFacts publishes the staged cells of every study whose batch id
// is listed in $2 (the others are duplicates), in one pass over staging.
// The cells are written study by study: staged in matrix order, the cells
// of a SPECIES matrix interleave its studies in every row group, and each
// later per-study statement (features, replacement) would read the whole
// matrix instead of its study's row groups. Within a study they keep the
// matrix's order, so that a row group spans few genes (the sort is not
// stable: it orders by the staged cell too).
//
// The cells are looked up by position, so each pass gives a column to one
// study: a column several published studies hold (a SPECIES matrix's sample
// that several experiments list) goes to the first of them, by accession,
// in pass $3 = 1, to the second in pass 2, and so on. A matrix without such
// columns takes one pass.
const stmtInsertFacts = `INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_key)
WITH cols AS (
    SELECT c.column_no, {'study_key': st.study_key, 'sample_key': s.sample_key, 'batch_key': l.batch_key} AS k
    FROM staging.matrix_columns c
    JOIN staging.load_batches l ON l.load_key = c.load_key AND l.study_accession_code = c.study_accession_code
    JOIN dim_sample s ON s.sample_accession_code = c.sample_accession_code
    JOIN dim_study st ON st.study_accession_code = c.study_accession_code
    WHERE c.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)
    QUALIFY row_number() OVER (PARTITION BY c.column_no ORDER BY c.study_accession_code) = $3),
lines AS (
    SELECT r.line_no, g.gene_key
    FROM staging.matrix_rows r
    JOIN dim_gene g ON g.gene_id = r.gene_id
    WHERE r.load_key = $1),
bounds AS (
    SELECT COALESCE((SELECT MAX(column_no) + 1 FROM staging.matrix_columns WHERE load_key = $1), 0) AS columns,
           COALESCE((SELECT MIN(line_no) FROM lines), 0) AS first_line,
           COALESCE((SELECT MAX(line_no) + 1 FROM lines), 0) AS end_line),
lookup AS (
    SELECT (SELECT list(cols.k ORDER BY n.i) FROM bounds, range(bounds.columns) n(i)
                LEFT JOIN cols ON cols.column_no = n.i) AS cols,
           (SELECT list(lines.gene_key ORDER BY n.i) FROM bounds, range(bounds.first_line, bounds.end_line) n(i)
                LEFT JOIN lines ON lines.line_no = n.i) AS genes,
           bounds.first_line
    FROM bounds),
cells AS (
    SELECT lookup.cols[` + cellColumn + ` + 1] AS c,
           lookup.genes[` + cellLine + ` - lookup.first_line + 1] AS gene_key,
           v.expression_value,
           v.cell
    FROM temp.main.load_values v, lookup),
sorted AS (
    SELECT c.study_key, c.sample_key, gene_key, expression_value, c.batch_key
    FROM cells
    WHERE c IS NOT NULL
    ORDER BY c.study_key, cell)
SELECT study_key, sample_key, gene_key, expression_value, batch_key
FROM sorted`

const stmtRetireBatches = `UPDATE meta_batch SET is_current = false, replaced_at = now()
WHERE is_current AND study_accession_code IN (
    SELECT study_accession_code FROM staging.load_batches
    WHERE load_key = $1 AND list_contains($2::VARCHAR[], batch_id))`

// stmtDropReplacedFeatures removes, for each study whose facts the load
// replaces, the features that carry the batch id being published ($2 lists
// the published ids). They were computed from the facts of an earlier load
// of the same content — with other columns or another missing-value
// policy, or before the study held another batch in between — and the
// views, which pick a study's features by its current batch id, would show
// them as the new facts' features.
//
// The study keys are matched first, as a semi-join: DuckDB then reads only
// the row groups of fact_feature_values that may hold those studies, where
// the EXISTS alone was joined against every feature of the warehouse on
// every load.
const stmtDropReplacedFeatures = `DELETE FROM fact_feature_values
WHERE study_key IN (
    SELECT st.study_key
    FROM staging.load_batches l
    JOIN dim_study st ON st.study_accession_code = l.study_accession_code
    WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id))
  AND EXISTS (
    SELECT 1
    FROM staging.load_batches l
    JOIN dim_study st ON st.study_accession_code = l.study_accession_code
    WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)
      AND st.study_key = fact_feature_values.study_key AND l.batch_id = fact_feature_values.batch_id)`

// stmtStaleFeatureState marks the feature state of the features
// stmtDropReplacedFeatures removed stale: a NULL input fingerprint matches
// no input, so the next computation with IfStale recomputes them.
const stmtStaleFeatureState = `UPDATE meta_feature_state SET input_fingerprint = NULL
WHERE EXISTS (
    SELECT 1
    FROM staging.load_batches l
    JOIN dim_study st ON st.study_accession_code = l.study_accession_code
    WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)
      AND st.study_key = meta_feature_state.study_key AND l.batch_id = meta_feature_state.batch_id)`

// stmtRecordBatch records the published batches ($3, with their rows
// written in $4) as current, all in one statement pair: written one by one,
// a matrix of 1,000 studies held memory for each until the commit. A batch
// id is one row: loading content that was loaded before (again, or with
// another signature) makes that row current again and records the load in
// it (the UPDATE); a new batch is inserted (stmtInsertBatch).
const stmtRecordBatch = `UPDATE meta_batch SET
    file_name = l.file_name,
    run_id = $2,
    rows_written = w.rows_written,
    load_signature = l.load_signature,
    scale_by = l.scale_by,
    is_current = true,
    loaded_at = now(),
    replaced_at = NULL
FROM staging.load_batches l
JOIN (SELECT unnest($3::VARCHAR[]) AS batch_id, unnest($4::BIGINT[]) AS rows_written) w ON w.batch_id = l.batch_id
JOIN dim_study st ON st.study_accession_code = l.study_accession_code
WHERE l.load_key = $1 AND meta_batch.batch_id = l.batch_id`

const stmtInsertBatch = `INSERT INTO meta_batch (batch_id, study_key, study_accession_code, file_name, file_hash, run_id,
    rows_written, is_current, loaded_at, load_signature, scale_by)
SELECT l.batch_id, st.study_key, l.study_accession_code, l.file_name, l.file_hash, $2, w.rows_written, true, now(), l.load_signature, l.scale_by
FROM staging.load_batches l
JOIN (SELECT unnest($3::VARCHAR[]) AS batch_id, unnest($4::BIGINT[]) AS rows_written) w ON w.batch_id = l.batch_id
JOIN dim_study st ON st.study_accession_code = l.study_accession_code
WHERE l.load_key = $1
  AND NOT EXISTS (SELECT 1 FROM meta_batch m WHERE m.batch_id = l.batch_id)`

// stmtUndescribedStudy names a study of the batches $2 that dim_study does
// not hold, when the batch records wrote fewer rows than batches.
const stmtUndescribedStudy = `SELECT l.study_accession_code FROM staging.load_batches l
WHERE l.load_key = $1 AND list_contains($2::VARCHAR[], l.batch_id)
  AND NOT EXISTS (SELECT 1 FROM dim_study st WHERE st.study_accession_code = l.study_accession_code)
ORDER BY 1 LIMIT 1`

const stmtUpsertStudyQC = `UPDATE meta_study_qc SET
    batch_id = $2,
    ks_statistic = $3,
    ks_pvalue = $4,
    ks_warning = $5,
    quantile_normalized = $6,
    quant_sf_only = $7,
    ks_statistic_recomputed = $8,
    ks_pvalue_recomputed = $9,
    ks_worst_sample = $10,
    gene_count = $11,
    sample_count = $12,
    cell_count = $13,
    missing_cells = $14,
    duplicate_genes = $15,
    collected_at = now()
WHERE study_key = (SELECT study_key FROM dim_study WHERE study_accession_code = $1)`

const stmtInsertStudyQC = `INSERT INTO meta_study_qc (study_key, batch_id, ks_statistic, ks_pvalue, ks_warning,
    quantile_normalized, quant_sf_only, ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample,
    gene_count, sample_count, cell_count, missing_cells, duplicate_genes, collected_at)
SELECT st.study_key, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now()
FROM dim_study st WHERE st.study_accession_code = $1
  AND NOT EXISTS (SELECT 1 FROM meta_study_qc q WHERE q.study_key = st.study_key)`

// stmtUpsertBatchQC records the QC of one validation of a batch, loaded or
// rejected; it needs no dim_study row. A validation with the same outcome
// as an earlier one of the batch updates that row; the other outcome's row
// stays ($18 rows the KS check read and $19 sampled: both or neither).
const stmtUpsertBatchQC = `UPDATE meta_batch_qc SET
    run_id = $4,
    ks_statistic = $5,
    ks_pvalue = $6,
    ks_warning = $7,
    quantile_normalized = $8,
    quant_sf_only = $9,
    ks_statistic_recomputed = $10,
    ks_pvalue_recomputed = $11,
    ks_worst_sample = $12,
    gene_count = $13,
    sample_count = $14,
    cell_count = $15,
    missing_cells = $16,
    duplicate_genes = $17,
    ks_rows_used = $18,
    ks_sampled = $19,
    collected_at = now()
WHERE study_accession_code = $1 AND batch_id = $2 AND qc_status = $3`

const stmtInsertBatchQC = `INSERT INTO meta_batch_qc (study_accession_code, batch_id, qc_status, run_id, ks_statistic, ks_pvalue,
    ks_warning, quantile_normalized, quant_sf_only, ks_statistic_recomputed, ks_pvalue_recomputed, ks_worst_sample,
    gene_count, sample_count, cell_count, missing_cells, duplicate_genes, ks_rows_used, ks_sampled, collected_at)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, now()
WHERE NOT EXISTS (SELECT 1 FROM meta_batch_qc WHERE study_accession_code = $1 AND batch_id = $2 AND qc_status = $3)`

const stmtInsertFinding = `INSERT INTO meta_data_validation_log (run_id, batch_id, study_key, study_accession_code,
    validation_code, validation_name, severity, details, file_name, line_no, column_no)
VALUES ($1, $2, (SELECT study_key FROM dim_study WHERE study_accession_code = $3), $3, $4, $5, $6, $7, $8, $9, $10)`

// stmtClearStaging empties the load's staging rows, one table per statement.
var stmtClearStaging = []string{
	`DELETE FROM staging.samples WHERE load_key = $1`,
	`DELETE FROM staging.matrix_rows WHERE load_key = $1`,
	`DELETE FROM staging.matrix_columns WHERE load_key = $1`,
	`DELETE FROM staging.load_batches WHERE load_key = $1`,
}

const stmtLogStep = `INSERT INTO meta_etl_process_log (log_id, run_id, batch_id, study_accession_code, step, status, attempt,
    started_at, ended_at, rows_read, rows_written, error_code, error_message, context_json)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (log_id) DO UPDATE SET
    batch_id = excluded.batch_id,
    status = excluded.status,
    ended_at = excluded.ended_at,
    rows_read = excluded.rows_read,
    rows_written = excluded.rows_written,
    error_code = excluded.error_code,
    error_message = excluded.error_message,
    context_json = excluded.context_json`

// A load's cells are staged in a temporary table of its connection, in
// autocommit, while they stream; the load's transaction opens at Commit and
// publishes them from there. DuckDB scans committed rows in parallel, but
// rows inserted in the reading transaction itself on one thread: staged in
// the load's transaction, the fact insert took twice as long. A temporary
// table is neither logged nor kept: a crash leaves nothing of it, and a
// connection that is dropped takes it along. It holds one load, so it needs
// no load key; it is created by Begin and dropped when the batch ends, which
// frees its memory rather than leave it with the pooled connection.
//
// A cell's line and column are packed into one BIGINT, line × 2^24 + column
// (cellColumnBits; a column index is below maxColumns = 2^24): one column
// fewer to fill, append and scan. Staging 10M cells took about a fifth less
// CPU so than with line and column apart.
const stmtCreateStageValues = `CREATE OR REPLACE TEMP TABLE load_values (
    cell             BIGINT NOT NULL,
    expression_value DOUBLE
)`

const stmtDropStageValues = `DROP TABLE IF EXISTS temp.main.load_values`

// stmtStageValues stages one LongBatch through the genexp_stage_values table
// function; $1 is the token under which WriteRows registered it.
const stmtStageValues = `INSERT INTO temp.main.load_values (cell, expression_value)
SELECT cell, expression_value FROM genexp_stage_values($1)`

// stmtIllnessLabels lists the labels dim_illness knows, so that
// UpsertDimensions can refuse an unknown one at once; stmtUnknownIllness
// checks again inside the load's transaction.
const stmtIllnessLabels = `SELECT illness_label FROM dim_illness`

// stmtReadOnly tells whether the warehouse was opened read-only. Begin asks,
// because the first write of a load now comes at Commit, after the whole
// file has streamed.
const stmtReadOnly = `SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()`

const stmtStageFunctionExists = `SELECT COUNT(*) FROM duckdb_functions() WHERE function_name = 'genexp_stage_values'`
