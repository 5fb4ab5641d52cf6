package mssql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/internal/schemasum"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Defaults applied by Open, and by New for zero fields.
const (
	// DefaultChunkRows is how many cells one bulk copy sends: 1,048,576,
	// the largest columnstore rowgroup, so each copy compresses into one
	// full rowgroup.
	DefaultChunkRows = 1 << 20
	// MinCompressedRows is the smallest bulk copy SQL Server compresses
	// directly into a columnstore rowgroup; smaller ones go to the delta
	// store and wait for the tuple mover.
	MinCompressedRows = 102400
	// DefaultBusyTimeout is how long a Commit waits for another loader's
	// Commit to finish before it fails with qc.WarehouseBusy.
	DefaultBusyTimeout = 15 * time.Minute
)

// Config configures a Warehouse.
type Config struct {
	// AutoMigrate creates or migrates the schema when the warehouse is
	// opened. Default true (through Open; New takes the Config as given).
	AutoMigrate bool
	// BusyTimeout is how long Commit waits while another loader publishes.
	// Commits are serialized (see README.md); staging is not. Open's default
	// is DefaultBusyTimeout; 0 fails at once.
	BusyTimeout time.Duration
	// ChunkRows is how many cells one bulk copy (one server batch) carries,
	// and so how many the loader holds in memory. Default DefaultChunkRows.
	// Values below MinCompressedRows work but load through the delta store.
	ChunkRows int
	// Retry says how transient errors are retried. Default DefaultRetry.
	Retry RetryPolicy
	// ReadCommittedSnapshot makes Migrate switch the database to
	// READ_COMMITTED_SNAPSHOT if it is off, so that readers see a study's
	// old facts or its new ones and never wait for a load. Default true
	// (through Open). If the switch cannot be made, Migrate fails and says
	// what to run. SQL Server makes the switch only while no other session
	// is in the database: Open migrates on its one connection, but the db
	// given to New must then hold no other open connection (nor may
	// another program be connected), or the switch made beforehand.
	ReadCommittedSnapshot bool
	// GeneIndex makes Migrate add a nonclustered index on the fact by
	// (gene_key, study_key), for workloads that read one gene across many
	// studies; it slows loads (see README.md). Default false.
	GeneIndex bool
	// Logger receives what the warehouse cannot report through an error:
	// a committed load whose staging rows could not be deleted (the next
	// load removes them). Default: nowhere.
	Logger *slog.Logger
}

// Option adjusts the Config that Open derives from its DSN.
type Option func(*Config)

// ReadOnly opens the warehouse without creating or migrating its schema,
// for status reports and queries.
func ReadOnly() Option { return func(c *Config) { c.AutoMigrate = false } }

// WithLogger sets Config.Logger.
func WithLogger(l *slog.Logger) Option { return func(c *Config) { c.Logger = l } }

// WithConfig lets the caller change any field of the Config Open derived.
func WithConfig(f func(*Config)) Option { return Option(f) }

// Warehouse is a SQL Server warehouse. It implements warehouse.WarehouseSink,
// warehouse.Statuser, warehouse.HealthChecker and warehouse.AttemptCounter.
type Warehouse struct {
	db  *sql.DB
	cfg Config
	// name is the DSN with its passwords redacted; the only form of the
	// DSN the Warehouse keeps.
	name string
	// sleep waits between retries; tests replace it.
	sleep func(context.Context, time.Duration) error
}

var (
	_ warehouse.WarehouseSink = (*Warehouse)(nil)
	_ warehouse.Statuser      = (*Warehouse)(nil)
)

// Open connects to the SQL Server database named by dsn: a sqlserver:// URL
// or an ADO connection string, where ${NAME} is replaced by the environment
// variable NAME. genexp's own DSN parameters (busy_timeout, chunk_rows,
// retry_attempts, read_committed_snapshot, gene_index, read_only) are
// removed before the rest goes to go-mssqldb; see README.md. The schema is
// created or migrated unless ReadOnly is given.
func Open(dsn string, opts ...Option) (*Warehouse, error) {
	p, err := parseDSN(dsn, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	for i, o := range opts {
		if o == nil {
			return nil, qc.Errorf(qc.ConfigInvalid, "mssql: option %d of Open is nil", i+1)
		}
		o(&p.cfg)
	}
	connector, err := mssqldrv.NewConnector(p.driverDSN)
	if err != nil {
		return nil, &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError,
			Msg: "mssql: invalid DSN " + qc.RedactDSN(dsn), Err: err}
	}
	db := sql.OpenDB(connector)
	w := newWarehouse(db, p.cfg)
	w.name = qc.RedactDSN(dsn)
	ctx := context.Background()
	err = w.retry(ctx, opConnect, func(ctx context.Context) error { return db.PingContext(ctx) })
	if err != nil {
		db.Close()
		return nil, w.wrap(err, "mssql: cannot connect to "+w.name)
	}
	if p.cfg.AutoMigrate {
		if err := w.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return w, nil
}

// New wraps an open go-mssqldb *sql.DB. Zero ChunkRows and Retry take
// their defaults; the other fields are used as given. It migrates the
// schema when cfg.AutoMigrate is set.
func New(db *sql.DB, cfg Config) (*Warehouse, error) {
	if db == nil {
		return nil, qc.Errorf(qc.ConfigInvalid, "mssql: New needs an open *sql.DB, got nil")
	}
	w := newWarehouse(db, cfg)
	if cfg.AutoMigrate {
		if err := w.Migrate(context.Background()); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func newWarehouse(db *sql.DB, cfg Config) *Warehouse {
	if cfg.ChunkRows <= 0 {
		cfg.ChunkRows = DefaultChunkRows
	}
	if cfg.Retry == (RetryPolicy{}) {
		cfg.Retry = DefaultRetry
	}
	w := &Warehouse{db: db, cfg: cfg, name: "sqlserver", sleep: sleepCtx}
	if cfg.ChunkRows < MinCompressedRows {
		w.logger().Warn("mssql: chunk_rows is below the rows SQL Server compresses directly into a columnstore rowgroup: every bulk copy goes to the delta store, and loads are slower",
			"chunk_rows", cfg.ChunkRows, "min_compressed_rows", MinCompressedRows)
	}
	return w
}

// DB returns the underlying database, for queries (nil for a nil or zero
// Warehouse).
func (w *Warehouse) DB() *sql.DB {
	if w == nil {
		return nil
	}
	return w.db
}

// Config returns the configuration in effect.
func (w *Warehouse) Config() Config {
	if w == nil {
		return Config{}
	}
	return w.cfg
}

// String names the warehouse by its DSN with passwords redacted.
func (w *Warehouse) String() string {
	if w == nil {
		return ""
	}
	return w.name
}

// Close closes the database; a nil or zero Warehouse has none to close.
func (w *Warehouse) Close() error {
	if w == nil || w.db == nil {
		return nil
	}
	return w.db.Close()
}

// usable refuses, with code ConfigInvalid, a nil Warehouse or one not made
// by Open or New (a zero Warehouse{} has no database): every method that
// reaches the database asks it first, so misuse is an error that says
// what to do, not a nil-pointer panic.
func (w *Warehouse) usable() error {
	if w == nil || w.db == nil || w.sleep == nil {
		return qc.Errorf(qc.ConfigInvalid, "mssql: the Warehouse was not made by mssql.Open or mssql.New")
	}
	return nil
}

// migration is one schema version.
type migration struct {
	name        string // file name
	version     int
	description string
	batches     []string
	// checksum is the SHA-256 of the file's text, in lowercase hex: what
	// meta_schema_version.checksum records of the version (see
	// verifyChecksums) and testdata/migrations.sha256 freezes.
	checksum string
}

// checksumVersion is the schema version that adds
// meta_schema_version.checksum (schema/010_migration_checksum.sql): the
// versions from it on are written with their checksum.
const checksumVersion = 10

var goLine = regexp.MustCompile(`(?im)^[ \t]*GO[ \t]*\r?$`)

// splitBatches splits a script at lines holding only GO, as sqlcmd does,
// dropping batches that hold nothing but whitespace and comments.
func splitBatches(script string) []string {
	var out []string
	for _, b := range goLine.Split(script, -1) {
		if strings.TrimSpace(stripLineComments(b)) != "" {
			out = append(out, strings.TrimSpace(b))
		}
	}
	return out
}

func stripLineComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(schemaFS, "schema")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, desc, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("mssql: schema file %s is not named NNN_description.sql", name)
		}
		b, err := schemaFS.ReadFile(path.Join("schema", name))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{name: name, version: v, description: desc, batches: splitBatches(string(b)),
			checksum: schemasum.Of(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Version returns the warehouse's schema version (0 for an empty database).
func (w *Warehouse) Version(ctx context.Context) (int, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	var v int
	err := w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		var exists int
		if err := w.db.QueryRowContext(ctx, stmtSchemaVersionExists).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			v = 0
			return nil
		}
		return w.db.QueryRowContext(ctx, stmtSchemaVersionRead).Scan(&v)
	})
	return v, err
}

// Migrate brings the schema to SchemaVersion, one transaction per version,
// under an application lock so that two processes opening a new warehouse
// at once do not both build it. It refuses (code SchemaVersion) a warehouse
// whose schema is newer. With Config.ReadCommittedSnapshot it then makes
// sure the database reads committed data from row versions.
func (w *Warehouse) Migrate(ctx context.Context) error {
	if err := w.usable(); err != nil {
		return err
	}
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return qc.Wrap(qc.SchemaVersion, err, "mssql: reading embedded schema")
	}
	latest := ms[len(ms)-1].version
	have, err := w.Version(ctx)
	if err != nil {
		return w.wrapCode(qc.SchemaVersion, err, "mssql: reading the schema version")
	}
	if have > latest {
		return newerSchema(have, latest)
	}
	if err := w.verifyChecksums(ctx, have, ms); err != nil {
		return err
	}
	// unrecorded are the versions this Migrate applied before the checksum
	// column existed: they were applied from ms, so the version that adds
	// the column records their checksums too. The versions applied before
	// (by an older genexp, or another process) stay NULL: unknown.
	var unrecorded []migration
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		var applied bool
		err := w.retry(ctx, opAtomic, func(ctx context.Context) error {
			var err error
			applied, err = w.apply(ctx, m, latest, unrecorded)
			return err
		})
		if err != nil {
			msg := fmt.Sprintf("mssql: migrating to schema version %d (%s)", m.version, m.description)
			var qe *qc.Error
			if errors.As(err, &qe) {
				// Its code says what to do: a busy lock (4005) or a lost
				// connection (4001) is not a schema that does not match.
				return fmt.Errorf("%s: %w", msg, err)
			}
			if code, _ := explain(err); code == qc.WarehouseBusy || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return w.wrap(err, msg)
			}
			return &qc.Error{Code: qc.SchemaVersion, Severity: qc.SeverityError, Msg: msg, Err: err}
		}
		switch {
		case m.version >= checksumVersion:
			unrecorded = nil
		case applied:
			unrecorded = append(unrecorded, m)
		}
	}
	if w.cfg.ReadCommittedSnapshot {
		if err := w.ensureReadCommittedSnapshot(ctx); err != nil {
			return err
		}
	}
	if w.cfg.GeneIndex {
		err := w.retry(ctx, opIdempotent, func(ctx context.Context) error {
			return w.inSession(ctx, func(conn *sql.Conn) error {
				_, err := conn.ExecContext(ctx, stmtGeneIndex)
				return err
			})
		})
		if err != nil {
			return w.wrapCode(qc.SchemaVersion, err, "mssql: creating the gene index")
		}
	}
	return nil
}

// verifyChecksums compares the checksum meta_schema_version records of each
// applied version (have is the warehouse's version) with the checksum of
// that version's file in ms, and refuses, with code SchemaVersion, a
// warehouse that some version was applied to from another text of its file
// than ms has: the file was edited after it shipped, and the warehouse's
// schema may not be the one a new warehouse at the same version has.
//
// A NULL checksum is unknown and accepted: the versions a genexp older than
// schema version 10 applied were recorded without one, and their text
// cannot be found out now. Nothing fills them in.
func (w *Warehouse) verifyChecksums(ctx context.Context, have int, ms []migration) error {
	sums, err := w.readChecksums(ctx, have)
	if err != nil {
		return err
	}
	return checksumMismatch(sums, ms)
}

// recordedChecksum is a version's checksum as meta_schema_version holds it.
type recordedChecksum struct {
	version int
	sum     string
}

// readChecksums reads the checksums meta_schema_version records (none
// before checksumVersion: the column is not there yet).
func (w *Warehouse) readChecksums(ctx context.Context, have int) ([]recordedChecksum, error) {
	if have < checksumVersion {
		return nil, nil // no checksum column yet
	}
	type recorded = recordedChecksum
	var sums []recorded
	err := w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		sums = sums[:0]
		rows, err := w.db.QueryContext(ctx, stmtSchemaChecksums)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r recorded
			if err := rows.Scan(&r.version, &r.sum); err != nil {
				return err
			}
			sums = append(sums, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, w.wrapCode(qc.SchemaVersion, err, "mssql: reading the schema's migration checksums")
	}
	return sums, nil
}

// checksumMismatch is the SchemaVersion error for the first recorded
// checksum that differs from its version's file in ms, nil when none does.
func checksumMismatch(sums []recordedChecksum, ms []migration) error {
	for _, r := range sums {
		for _, m := range ms {
			if m.version == r.version && m.checksum != r.sum {
				return schemasum.Mismatch("mssql", m.version, m.name, r.sum, m.checksum)
			}
		}
	}
	return nil
}

// inSession runs fn on a connection of its own with the session options
// (stmtSessionOptions), as every statement that writes runs: a pooled
// connection starts each use with the server's defaults (go-mssqldb resets
// the session when the pool hands it out again), and CREATE INDEX or a
// write on a table with a computed column is checked against the ANSI
// options. Each call is a fresh connection, so a retry of fn after a lost
// connection does not reuse the dead one.
func (w *Warehouse) inSession(ctx context.Context, fn func(*sql.Conn) error) error {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, stmtSessionOptions); err != nil {
		return err
	}
	return fn(conn)
}

func newerSchema(have, latest int) error {
	return qc.Errorf(qc.SchemaVersion, "mssql: the warehouse has schema version %d, newer than this genexp's %d; use a newer genexp", have, latest)
}

// apply runs one migration in a transaction, after taking the migration
// lock and checking that no other process applied it meanwhile (applied
// then false). From checksumVersion on it records the version's checksum,
// and the checksums of the unrecorded versions, which the same Migrate
// applied before the checksum column existed.
func (w *Warehouse) apply(ctx context.Context, m migration, latest int, unrecorded []migration) (applied bool, err error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, stmtSessionOptions); err != nil {
		return false, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			// The server may already have rolled back (XACT_ABORT); the
			// migration's own error is the one to report.
			_ = tx.Rollback()
		}
	}()
	if err = getAppLock(ctx, tx, stmtMigrateLock, lockTimeoutMillis(w.cfg.BusyTimeout), "migrating the schema"); err != nil {
		return false, err
	}
	if _, err = tx.ExecContext(ctx, stmtSchemaVersionTable); err != nil {
		return false, err
	}
	var have int
	if err = tx.QueryRowContext(ctx, stmtSchemaVersionRead).Scan(&have); err != nil {
		return false, err
	}
	if have > latest {
		return false, newerSchema(have, latest)
	}
	if have >= m.version {
		return false, tx.Commit()
	}
	for i, b := range m.batches {
		if _, err = tx.ExecContext(ctx, b); err != nil {
			return false, fmt.Errorf("batch %d of %d: %w", i+1, len(m.batches), err)
		}
	}
	if m.version < checksumVersion {
		_, err = tx.ExecContext(ctx, stmtSchemaVersionWrite, int32(m.version), m.description)
	} else {
		// The column this writes was added by a batch of this
		// transaction: SQL Server compiles the statement when it runs.
		_, err = tx.ExecContext(ctx, stmtSchemaVersionRecord, int32(m.version), m.description, m.checksum)
		for _, u := range unrecorded {
			if err != nil {
				break
			}
			_, err = tx.ExecContext(ctx, stmtSchemaChecksumWrite, u.checksum, int32(u.version))
		}
	}
	if err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// ensureReadCommittedSnapshot switches READ_COMMITTED_SNAPSHOT on if it is
// off. The switch needs the database to itself; NO_WAIT makes it fail at
// once rather than wait behind other sessions, and the error says what a
// DBA can run instead.
func (w *Warehouse) ensureReadCommittedSnapshot(ctx context.Context) error {
	var on bool
	err := w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		return w.db.QueryRowContext(ctx, stmtRCSIRead).Scan(&on)
	})
	if err != nil {
		return w.wrapCode(qc.SchemaVersion, err, "mssql: reading READ_COMMITTED_SNAPSHOT")
	}
	if on {
		return nil
	}
	if _, err := w.db.ExecContext(ctx, stmtRCSIEnable); err != nil {
		return &qc.Error{Code: qc.SchemaVersion, Severity: qc.SeverityError,
			Msg: "mssql: READ_COMMITTED_SNAPSHOT is OFF and could not be switched on; without it readers wait for a load's commit " +
				"and may read a study half replaced. Run `ALTER DATABASE CURRENT SET READ_COMMITTED_SNAPSHOT ON` while no one else " +
				"is connected, or open with read_committed_snapshot=off to accept that",
			Err: err}
	}
	return nil
}

// logger is Config.Logger, or one that discards.
func (w *Warehouse) logger() *slog.Logger {
	if w.cfg.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.cfg.Logger
}
