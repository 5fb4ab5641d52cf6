package duckdb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Config configures a Warehouse.
type Config struct {
	// AutoMigrate creates or migrates the schema when the warehouse is
	// opened. Default true (through Open; New takes the Config as given).
	AutoMigrate bool
	// BusyTimeout is how long Open waits for another process to release the
	// database file. Default 0: fail at once.
	BusyTimeout time.Duration
}

// Warehouse is a DuckDB warehouse. It implements warehouse.WarehouseSink.
type Warehouse struct {
	db   *sql.DB
	cfg  Config
	path string
}

var _ warehouse.WarehouseSink = (*Warehouse)(nil)

// Open opens (creating if needed) the DuckDB warehouse named by dsn: a file
// path, or "" / ":memory:" for an in-memory warehouse, optionally followed by
// "?" and parameters. genexp's own parameter is busy_timeout (a Go duration,
// such as 30s); every other parameter is passed to DuckDB (threads,
// memory_limit, access_mode, …). See README.md.
func Open(dsn string) (*Warehouse, error) {
	file, params, err := splitDSN(dsn)
	if err != nil {
		return nil, err
	}
	cfg := Config{AutoMigrate: true}
	if v := params.Get("busy_timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, qc.Wrap(qc.ConnectionFailed, err, "duckdb: busy_timeout")
		}
		cfg.BusyTimeout = d
		params.Del("busy_timeout")
	}
	if params.Get("access_mode") == "" && strings.EqualFold(params.Get("read_only"), "true") {
		params.Del("read_only")
		params.Set("access_mode", "READ_ONLY")
		cfg.AutoMigrate = false
	}
	if strings.EqualFold(params.Get("access_mode"), "READ_ONLY") {
		cfg.AutoMigrate = false
	}
	full := file
	if len(params) > 0 {
		full += "?" + params.Encode()
	}
	db, err := openWait(full, cfg.BusyTimeout)
	if err != nil {
		return nil, err
	}
	w, err := New(db, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	w.path = file
	return w, nil
}

// New wraps an open DuckDB *sql.DB. It migrates the schema when
// cfg.AutoMigrate is set.
func New(db *sql.DB, cfg Config) (*Warehouse, error) {
	w := &Warehouse{db: db, cfg: cfg}
	if cfg.AutoMigrate {
		if err := w.Migrate(context.Background()); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// DB returns the underlying database, for queries.
func (w *Warehouse) DB() *sql.DB { return w.db }

// Path returns the database file ("" for in-memory).
func (w *Warehouse) Path() string { return w.path }

// Close closes the database.
func (w *Warehouse) Close() error { return w.db.Close() }

// openWait opens and pings the database, retrying while another process
// holds its lock, for up to wait.
func openWait(dsn string, wait time.Duration) (*sql.DB, error) {
	deadline := time.Now().Add(wait)
	backoff := 50 * time.Millisecond
	for {
		db, err := sql.Open("duckdb", dsn)
		if err == nil {
			err = db.Ping()
			if err != nil {
				db.Close()
			}
		}
		if err == nil {
			return db, nil
		}
		if !isLockError(err) {
			return nil, qc.Wrap(qc.ConnectionFailed, err, "duckdb: cannot open the warehouse")
		}
		if time.Now().After(deadline) {
			return nil, &qc.Error{Code: qc.WarehouseBusy, Severity: qc.SeverityError,
				Msg: "warehouse busy: another process is writing this DuckDB file (DuckDB allows one writer); retry when it finishes, or wait with busy_timeout", Err: err}
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, time.Second)
	}
}

func isLockError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "Could not set lock on file") || strings.Contains(s, "Conflicting lock is held")
}

func splitDSN(dsn string) (string, url.Values, error) {
	file, query, _ := strings.Cut(dsn, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return "", nil, qc.Wrap(qc.ConnectionFailed, err, "duckdb: malformed DSN parameters")
	}
	if file == ":memory:" {
		file = ""
	}
	return file, params, nil
}

// migration is one schema version.
type migration struct {
	version     int
	description string
	sql         string
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
			return nil, fmt.Errorf("duckdb: schema file %s is not named NNN_description.sql", name)
		}
		b, err := schemaFS.ReadFile(path.Join("schema", name))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, description: desc, sql: string(b)})
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
	var exists bool
	err := w.db.QueryRowContext(ctx, `SELECT COUNT(*) > 0 FROM information_schema.tables WHERE table_name = 'meta_schema_version' AND table_schema = 'main'`).Scan(&exists)
	if err != nil || !exists {
		return 0, err
	}
	var v int
	err = w.db.QueryRowContext(ctx, stmtSchemaVersionRead).Scan(&v)
	return v, err
}

// Migrate brings the schema to SchemaVersion, one transaction per version.
// It refuses (code SchemaVersion) a warehouse whose schema is newer.
func (w *Warehouse) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return qc.Wrap(qc.SchemaVersion, err, "duckdb: reading embedded schema")
	}
	if _, err := w.db.ExecContext(ctx, stmtSchemaVersionTable); err != nil {
		return qc.Wrap(qc.SchemaVersion, err, "duckdb: creating meta_schema_version")
	}
	have, err := w.Version(ctx)
	if err != nil {
		return qc.Wrap(qc.SchemaVersion, err, "duckdb: reading the schema version")
	}
	latest := ms[len(ms)-1].version
	if have > latest {
		return qc.Errorf(qc.SchemaVersion, "duckdb: the warehouse has schema version %d, newer than this genexp's %d; use a newer genexp", have, latest)
	}
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		if err := w.apply(ctx, m); err != nil {
			return &qc.Error{Code: qc.SchemaVersion, Severity: qc.SeverityError,
				Msg: fmt.Sprintf("duckdb: migrating to schema version %d (%s)", m.version, m.description), Err: err}
		}
	}
	return nil
}

func (w *Warehouse) apply(ctx context.Context, m migration) (err error) {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	if _, err = tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, stmtSchemaVersionWrite, m.version, m.description); err != nil {
		return err
	}
	return tx.Commit()
}

// classify maps a DuckDB error to a genexp code.
func classify(err error, msg string) error {
	if err == nil {
		return nil
	}
	var e *qc.Error
	if errors.As(err, &e) {
		return err
	}
	code := qc.ConstraintViolation
	var de *duckdbdrv.Error
	if errors.As(err, &de) {
		switch de.Type {
		case duckdbdrv.ErrorTypeConstraint:
			code = qc.ConstraintViolation
			if strings.Contains(strings.ToLower(de.Msg), "foreign key") {
				code = qc.ForeignKeyViolation
			}
		case duckdbdrv.ErrorTypeConnection, duckdbdrv.ErrorTypeIO:
			code = qc.ConnectionFailed
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		code = qc.ConnectionFailed
	}
	return qc.Wrap(code, err, msg)
}
