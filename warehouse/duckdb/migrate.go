package duckdb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse/internal/schemasum"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// migration is one schema version: schema/NNN_description.sql.
type migration struct {
	name        string // file name
	version     int
	description string
	sql         string
	// checksum is the SHA-256 of the file's text, in lowercase hex: what
	// meta_schema_version.checksum records of the version (see
	// verifyChecksums) and testdata/migrations.sha256 freezes.
	checksum string
}

// checksumVersion is the schema version that adds
// meta_schema_version.checksum (schema/011_migration_checksum.sql): the
// versions from it on are written with their checksum.
const checksumVersion = 11

// migrations returns the embedded schema versions in order.
func migrations() ([]migration, error) { return readMigrations(schemaFS, "schema") }

func readMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, desc, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("duckdb: schema file %s is not named NNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{name: name, version: v, description: desc, sql: string(b), checksum: schemasum.Of(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := range out {
		// Versions are 1, 2, 3…: a gap would mean a migration file was lost.
		if out[i].version != i+1 {
			return nil, fmt.Errorf("duckdb: schema version %d is missing or duplicated", i+1)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("duckdb: no schema files")
	}
	return out, nil
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return ms[len(ms)-1].version
}

// Version returns the warehouse's schema version (0 for an empty database,
// or one whose meta_schema_version is not genexp's: it lacks the version
// and description columns, and Migrate refuses it as a clash).
func (w *Warehouse) Version(ctx context.Context) (int, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	var exists bool
	err := w.db.QueryRowContext(ctx, stmtSchemaVersionExists).Scan(&exists)
	if err != nil || !exists {
		return 0, classify(err, "duckdb: reading the schema version")
	}
	var v int
	err = w.db.QueryRowContext(ctx, stmtSchemaVersionRead).Scan(&v)
	return v, classify(err, "duckdb: reading the schema version")
}

// Migrate brings the schema to SchemaVersion, one transaction per version,
// so an interrupted migration leaves the warehouse at the last version it
// completed. It refuses (code SchemaVersion) a warehouse whose schema is
// newer than this package's, and, before it applies any migration, one
// holding a table, view, sequence, macro or type of its own named as an
// object a migration it would apply creates (the message names them, as
// Health's SchemaMismatch does), leaving it as it was. A migration that fails for lack of space or
// permission is a ConnectionFailed error naming the file and the cause;
// any other failure to migrate is a SchemaVersion error.
func (w *Warehouse) Migrate(ctx context.Context) error {
	if err := w.usable(); err != nil {
		return err
	}
	ms, err := migrations()
	if err != nil {
		return qc.Wrap(qc.SchemaVersion, err, "duckdb: reading the embedded schema")
	}
	if err := w.migrate(ctx, ms); err != nil {
		return err
	}
	w.schemaCurrent.Store(true)
	return nil
}

// requireSchema refuses, with code SchemaVersion and the remedy, to write a
// warehouse whose schema is missing or older than SchemaVersion: New
// without Config.AutoMigrate leaves the schema as it found it, and a
// statement on a table that is not there would fail as a constraint
// violation naming the table. Once the schema is found current it is not
// read again: nothing but Migrate changes it.
func (w *Warehouse) requireSchema(ctx context.Context) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.schemaCurrent.Load() {
		return nil
	}
	have, err := w.Version(ctx)
	if err != nil {
		return classify(err, "duckdb: reading the schema version")
	}
	latest := SchemaVersion()
	switch {
	case have == 0:
		return qc.Errorf(qc.SchemaVersion, "duckdb: the warehouse has no genexp schema; create it with `genexp init`, "+
			"or Warehouse.Migrate, or open the warehouse with duckdb.Open (or New with Config.AutoMigrate)")
	case have < latest:
		return qc.Errorf(qc.SchemaVersion, "duckdb: the warehouse has schema version %d, older than this genexp's %d; "+
			"migrate it with `genexp init`, or Warehouse.Migrate, or open the warehouse with duckdb.Open (or New with Config.AutoMigrate)", have, latest)
	case have > latest:
		return errNewerSchema(have, latest)
	}
	ms, err := migrations()
	if err != nil {
		return qc.Wrap(qc.SchemaVersion, err, "duckdb: reading the embedded schema")
	}
	if err := verifyChecksums(ctx, w.db, have, ms); err != nil {
		return err
	}
	w.schemaCurrent.Store(true)
	return nil
}

// verifyChecksums compares the checksum meta_schema_version records of each
// applied version (have is the warehouse's version) with the checksum of
// that version's file in ms, and refuses, with code SchemaVersion, a
// warehouse that some version was applied to from another text of its file
// than ms has: the file was edited after it shipped, and the warehouse's
// schema may not be the one a fresh warehouse at the same version has.
//
// A NULL checksum is unknown and accepted: the versions a genexp older than
// schema version 11 applied were recorded without one, and their text
// cannot be found out now. Nothing fills them in.
func verifyChecksums(ctx context.Context, db *sql.DB, have int, ms []migration) error {
	if have < checksumVersion {
		return nil // no checksum column yet
	}
	rows, err := db.QueryContext(ctx, stmtSchemaChecksums)
	if err != nil {
		return classify(err, "duckdb: reading the schema's migration checksums")
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return classify(err, "duckdb: reading the schema's migration checksums")
		}
		if v < 1 || v > len(ms) {
			continue // a newer version: refused as such by the caller
		}
		if m := ms[v-1]; sum != m.checksum {
			return schemasum.Mismatch("duckdb", m.version, m.name, sum, m.checksum)
		}
	}
	if err := rows.Err(); err != nil {
		return classify(err, "duckdb: reading the schema's migration checksums")
	}
	return nil
}

func (w *Warehouse) migrate(ctx context.Context, ms []migration) error {
	have, err := w.Version(ctx)
	if err != nil {
		return migrationError(err, "duckdb: reading the schema version")
	}
	latest := ms[len(ms)-1].version
	if have > latest {
		return errNewerSchema(have, latest)
	}
	if err := verifyChecksums(ctx, w.db, have, ms); err != nil {
		return err
	}
	// Objects of other data in the way of a migration would fail it, or be
	// taken for genexp's (a sequence): refused before any is applied, so
	// that the warehouse is left as it was, not at a version between.
	clash, err := clashingNames(ctx, w.db, have, ms)
	if err != nil {
		return migrationError(err, "duckdb: listing the database's objects")
	}
	if len(clash) > 0 {
		return qc.Errorf(qc.SchemaVersion, "duckdb: %s", clashMessage(have, clash))
	}
	// unrecorded are the versions this run applied before the checksum
	// column existed: they were applied from ms, so the version that adds
	// the column records their checksums too. The versions applied before
	// this run stay NULL (unknown).
	var unrecorded []migration
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		if have == 0 && m.version == 1 {
			// meta_schema_version is created in the first version's
			// transaction: a database that version cannot be applied to
			// (one holding a table of the same name as genexp's) is left
			// as it was found.
			m.sql = stmtSchemaVersionTable + ";\n" + m.sql
		}
		if err := applyMigration(w, ctx, m, unrecorded); err != nil {
			return migrationError(err, fmt.Sprintf("duckdb: migrating to schema version %d (%s)", m.version, m.description))
		}
		if m.version < checksumVersion {
			unrecorded = append(unrecorded, m)
		} else {
			unrecorded = nil
		}
	}
	return nil
}

// applyMigration applies one migration; a test replaces it to fail as
// DuckDB does on a full disk, which no test machine can be made to have.
var applyMigration = (*Warehouse).apply

// migrationError codes a failure to migrate: a full disk, a file that
// cannot be written or an invalidated database as storageError says them,
// and any other I/O, fatal or out-of-memory error of DuckDB, as
// ConnectionFailed; anything else (a statement the schema refuses) as
// SchemaVersion.
func migrationError(err error, msg string) error {
	var qe *qc.Error
	if errors.As(err, &qe) {
		return err // classified already (Version's)
	}
	if se := storageError(err, msg); se != nil {
		return se
	}
	// Any other failure to read or write the file (a file size limit, an
	// I/O error, DuckDB out of memory) is not the schema's either.
	var de *duckdbdrv.Error
	if errors.As(err, &de) {
		switch de.Type {
		case duckdbdrv.ErrorTypeIO, duckdbdrv.ErrorTypeFatal, duckdbdrv.ErrorTypeOutOfMemory, duckdbdrv.ErrorTypeConnection:
			return qc.Wrap(qc.ConnectionFailed, err, msg)
		}
	}
	return qc.Wrap(qc.SchemaVersion, err, msg)
}

// committedByCheckpoint lists the migrations DuckDB must not write to its
// write-ahead log: a process killed after such a migration committed, before
// the next checkpoint, would leave a warehouse that never opens again.
// DuckDB 1.5.6 cannot replay the DROP of a table that has a foreign key to a
// table whose key default calls nextval (version 7), nor an ADD COLUMN to a
// table with a column whose default calls a function, as
// meta_schema_version.applied_at's current_timestamp (version 11: replaying
// it binds the defaults before the log has a default database), nor
// versions 12's and 16's ADD COLUMN to dim_study_sample, for the same
// reason.
var committedByCheckpoint = map[int]bool{7: true, 11: true, 12: true, 16: true}

// checkpointAfterMigration is cleared by a test that checks that such a
// migration reached the database file by its commit's own checkpoint.
var checkpointAfterMigration = true

func (w *Warehouse) apply(ctx context.Context, m migration, unrecorded []migration) (err error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if !committedByCheckpoint[m.version] {
		return applyOn(ctx, conn, m, unrecorded)
	}
	// A commit whose log entry would take the write-ahead log past
	// checkpoint_threshold checkpoints, and one whose entry would exceed
	// auto_checkpoint_skip_wal_threshold does so without writing the log:
	// the transaction reaches the file by the checkpoint, which DuckDB makes
	// atomic, or not at all. Both at zero make the migration's commit such
	// a commit. DuckDB writes the log after all when another transaction is
	// open, and a checkpoint must then wait for it, so the migration runs
	// only on the one connection to the database in this process (another
	// process cannot hold the file).
	var conns int
	if err := conn.QueryRowContext(ctx, stmtConnectionCount).Scan(&conns); err != nil {
		return err
	}
	if conns > 1 {
		return fmt.Errorf("this migration is committed by a checkpoint, which DuckDB makes only when no other transaction is open, "+
			"and %d connections to the warehouse are open in this process: migrate it with genexp init, or duckdb.Open with no other handle on the file", conns)
	}
	var threshold, skipWAL string
	if err := conn.QueryRowContext(ctx, stmtCheckpointSettings).Scan(&threshold, &skipWAL); err != nil {
		return err
	}
	// The settings are the whole database's: they are restored whatever
	// happens, and set and restored whole, without the caller's context
	// stopping them half way.
	defer func() {
		restore := fmt.Sprintf(stmtCheckpointSettingsRestore, quoteString(threshold), quoteString(skipWAL))
		// After a failed migration the database may be invalidated (a
		// checkpoint that failed); the migration's error is the one to tell.
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), restore); rerr != nil && err == nil {
			err = rerr
		}
	}()
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), stmtCheckpointEveryCommit); err != nil {
		return err
	}
	if err := applyOn(ctx, conn, m, unrecorded); err != nil {
		return err
	}
	if !checkpointAfterMigration {
		return nil
	}
	// Nothing to write when the commit checkpointed; it fails rather than
	// waits when it cannot run.
	_, err = conn.ExecContext(ctx, `CHECKPOINT`)
	return err
}

// applyOn runs migration m and records its version, in one transaction.
// From checksumVersion on it records the version's checksum, and the
// checksums of the unrecorded versions, which the same run applied before
// the checksum column existed.
func applyOn(ctx context.Context, conn *sql.Conn, m migration, unrecorded []migration) (err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		// A failed commit has ended the transaction already.
		if rerr := tx.Rollback(); err != nil && rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			err = errors.Join(err, rerr)
		}
	}()
	if _, err = tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if m.version < checksumVersion {
		if _, err = tx.ExecContext(ctx, stmtSchemaVersionWrite, m.version, m.description); err != nil {
			return err
		}
		return tx.Commit()
	}
	if _, err = tx.ExecContext(ctx, stmtSchemaVersionRecord, m.version, m.description, m.checksum); err != nil {
		return err
	}
	for _, u := range unrecorded {
		if _, err = tx.ExecContext(ctx, stmtSchemaChecksumWrite, u.checksum, u.version); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func errNewerSchema(have, latest int) error {
	return qc.Errorf(qc.SchemaVersion, "duckdb: the warehouse has schema version %d, newer than this genexp's %d; use a newer genexp", have, latest)
}

// createdObject matches an object a migration creates: its kind and its
// name (schema.name, or a name of main).
var createdObject = regexp.MustCompile(`(?i)\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+|TEMPORARY\s+)?(TABLE|VIEW|SEQUENCE|MACRO|FUNCTION|TYPE)\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)`)

// catalogKind is the part of DuckDB's catalog an object of a kind a
// migration creates is named in: a table and a view cannot share a name,
// while a sequence, a macro or a type may have the name of a table.
func catalogKind(kind string) string {
	switch k := strings.ToLower(kind); k {
	case "table", "view":
		return "relation"
	case "macro", "function":
		return "function"
	default:
		return k
	}
}

// createdObjects returns the objects the migrations ms create, each as
// catalogKind:schema.name in lowercase (DuckDB's names are
// case-insensitive).
func createdObjects(ms []migration) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for _, c := range createdObject.FindAllStringSubmatch(m.sql, -1) {
			name := strings.ToLower(c[2])
			if !strings.Contains(name, ".") {
				name = "main." + name
			}
			out[catalogKind(c[1])+":"+name] = true
		}
	}
	return out
}

// stmtObjects lists the objects of the database that a migration could
// find in its way: its tables, views, sequences, macros and types, each
// with its catalogKind.
const stmtObjects = `SELECT 'relation', schema_name, table_name FROM duckdb_tables()
WHERE database_name = current_database() AND NOT temporary
UNION ALL
SELECT 'relation', schema_name, view_name FROM duckdb_views()
WHERE database_name = current_database() AND NOT internal AND NOT temporary
UNION ALL
SELECT 'sequence', schema_name, sequence_name FROM duckdb_sequences()
WHERE database_name = current_database() AND NOT temporary
UNION ALL
SELECT DISTINCT 'function', schema_name, function_name FROM duckdb_functions()
WHERE database_name = current_database() AND NOT internal AND function_type IN ('macro', 'table_macro')
UNION ALL
SELECT 'type', schema_name, type_name FROM duckdb_types()
WHERE database_name = current_database() AND NOT internal
ORDER BY 2, 3`

// maxClashNames is how many clashing objects a message names.
const maxClashNames = 5

// clashingNames returns the objects of a database at schema version have
// (0: no genexp schema) that have the name of an object the migrations
// after have in ms create, and that the migrations up to have did not
// create: tables and views (a CREATE would fail on them), sequences,
// macros and types (a CREATE ... IF NOT EXISTS would take a sequence of
// other data for genexp's, and a load would then fail). Each is named
// schema.name, or name in main. Migrate refuses a warehouse holding any,
// before it applies a migration, and Health reports them.
func clashingNames(ctx context.Context, db *sql.DB, have int, ms []migration) ([]string, error) {
	if have < 0 || have >= len(ms) {
		return nil, nil // nothing to apply (or a newer schema, refused as such)
	}
	pending, applied := createdObjects(ms[have:]), createdObjects(ms[:have])
	if have == 0 {
		// created in Go with the first version (see migrate); a table of
		// that name without genexp's columns reads as no schema
		pending["relation:main.meta_schema_version"] = true
	}
	rows, err := db.QueryContext(ctx, stmtObjects)
	if err != nil {
		return nil, classify(err, "duckdb: listing the database's objects")
	}
	defer rows.Close()
	var clash []string
	for rows.Next() {
		var kind, schema, name string
		if err := rows.Scan(&kind, &schema, &name); err != nil {
			return nil, classify(err, "duckdb: listing the database's objects")
		}
		key := kind + ":" + strings.ToLower(schema+"."+name)
		if !pending[key] || applied[key] {
			continue
		}
		if schema != "main" {
			name = schema + "." + name
		}
		clash = append(clash, name)
	}
	return clash, classify(rows.Err(), "duckdb: listing the database's objects")
}

// clashMessage says why Migrate refuses a warehouse at schema version have
// holding the objects clash (clashingNames), naming at most maxClashNames
// of them, and what to do: Migrate's error and Health's SchemaMismatch.
func clashMessage(have int, clash []string) string {
	names := strings.Join(clash, ", ")
	if len(clash) > maxClashNames {
		names = fmt.Sprintf("%s and %d more", strings.Join(clash[:maxClashNames], ", "), len(clash)-maxClashNames)
	}
	remedy := "give genexp a file of its own"
	if have > 0 {
		remedy = fmt.Sprintf("rename or drop them (the migrations after schema version %d create them), or give genexp a file of its own", have)
	}
	return fmt.Sprintf("the file holds %s, named as genexp's schema names its own, and genexp init and load refuse it (they leave it as it is): %s",
		names, remedy)
}
