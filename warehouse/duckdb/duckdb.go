package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// DefaultMemoryLimit is DuckDB's memory_limit for a warehouse file opened
// for writing when the DSN does not set one.
const DefaultMemoryLimit = "512MB"

// Config configures a Warehouse.
type Config struct {
	// AutoMigrate creates or migrates the schema when the warehouse is
	// opened. Default true (through Open; New takes the Config as given).
	AutoMigrate bool
	// BusyTimeout is how long Open waits for another process to release the
	// database file, and how long Begin waits for another load into the
	// same Warehouse to end. Default 0: fail at once with WarehouseBusy.
	BusyTimeout time.Duration
}

// Warehouse is a DuckDB warehouse. It implements warehouse.WarehouseSink.
type Warehouse struct {
	db   *sql.DB
	cfg  Config
	path string

	// loads holds one token while a Batch is open: DuckDB lets
	// concurrent transactions commit when they touch no common row, so two
	// loads of one study could both publish; they are serialized instead.
	loads chan struct{}

	stageMu         sync.Mutex
	stageRegistered bool
}

var _ warehouse.WarehouseSink = (*Warehouse)(nil)

// Open opens (creating if needed) the DuckDB warehouse named by dsn: a file
// path, or "" / ":memory:" for an in-memory warehouse, optionally followed by
// "?" and parameters. genexp's own parameter is busy_timeout (a Go duration,
// such as 30s); every other parameter is passed to DuckDB (threads,
// memory_limit, access_mode, …). A file opened for writing gets
// memory_limit=DefaultMemoryLimit unless the DSN sets one. See README.md.
// Open creates or migrates the schema, unless the DSN opens the warehouse
// read-only.
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
	readOnly := strings.EqualFold(params.Get("access_mode"), "READ_ONLY")
	if readOnly {
		cfg.AutoMigrate = false
	}
	if file != "" && !readOnly && params.Get("memory_limit") == "" && params.Get("max_memory") == "" {
		// DuckDB's own default (80% of RAM) lets the buffer pool grow with
		// the load; a bound keeps a load's memory flat however big the
		// input, at a small cost in speed. Queries that need more set it.
		params.Set("memory_limit", DefaultMemoryLimit)
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
// cfg.AutoMigrate is set; either way it refuses (code SchemaVersion) a
// warehouse whose schema is newer than this package's, whose tables it
// might misread.
func New(db *sql.DB, cfg Config) (*Warehouse, error) {
	w := &Warehouse{db: db, cfg: cfg, loads: make(chan struct{}, 1)}
	ctx := context.Background()
	if cfg.AutoMigrate {
		if err := w.Migrate(ctx); err != nil {
			return nil, err
		}
		return w, nil
	}
	have, err := w.Version(ctx)
	if err != nil {
		return nil, qc.Wrap(qc.SchemaVersion, err, "duckdb: reading the schema version")
	}
	if latest := SchemaVersion(); have > latest {
		return nil, errNewerSchema(have, latest)
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
				Msg: "warehouse busy: another process has the DuckDB file open (DuckDB allows one writing process); retry when it ends, or wait for it with busy_timeout (FILE?busy_timeout=30s)", Err: err}
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

// classify maps a DuckDB error to a genexp code. A cancelled or expired
// context is not a warehouse failure: it is returned wrapped but uncoded, so
// errors.Is(err, context.Canceled) tells the caller it stopped the load.
func classify(err error, msg string) error {
	if err == nil {
		return nil
	}
	var e *qc.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", msg, err)
	}
	code := qc.ConstraintViolation
	var de *duckdbdrv.Error
	if errors.As(err, &de) {
		switch de.Type {
		case duckdbdrv.ErrorTypeConstraint:
			if strings.Contains(strings.ToLower(de.Msg), "foreign key") {
				code = qc.ForeignKeyViolation
			}
		case duckdbdrv.ErrorTypeTransaction:
			// A write-write conflict with another transaction.
			code = qc.WarehouseBusy
		case duckdbdrv.ErrorTypeConnection, duckdbdrv.ErrorTypeIO, duckdbdrv.ErrorTypeFatal, duckdbdrv.ErrorTypeOutOfMemory:
			code = qc.ConnectionFailed
		}
	}
	return qc.Wrap(code, err, msg)
}
