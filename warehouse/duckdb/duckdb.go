package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	// same Warehouse (or another Open of its file in this process) to
	// end. Default 0: fail at once with WarehouseBusy.
	BusyTimeout time.Duration
}

// Warehouse is a DuckDB warehouse. It implements warehouse.WarehouseSink.
type Warehouse struct {
	db       *sql.DB
	cfg      Config
	path     string
	readOnly bool
	// tempDir is DuckDB's temp_directory, where it spills what does not
	// fit in memory_limit: named when the disk there is full.
	tempDir string
	// memoryLimit is DuckDB's memory_limit as DuckDB shows it ("488.2
	// MiB"): named when a statement runs out of it.
	memoryLimit string

	// file is the load slot and live runs this Warehouse shares with
	// every other Warehouse Open made of its file in this process (one of
	// its own when New made it); closed releases it once, however many
	// times Close is called.
	file   *fileState
	closed sync.Once

	// schemaCurrent is set once the schema is known to be SchemaVersion
	// (see requireSchema).
	schemaCurrent atomic.Bool

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
func Open(dsn string, opts ...OpenOption) (*Warehouse, error) {
	var oo openOptions
	for i, o := range opts {
		if o == nil {
			return nil, qc.Errorf(qc.ConfigInvalid, "duckdb: option %d of Open is nil", i+1)
		}
		o(&oo)
	}
	file, params, busy, err := readDSN(dsn)
	if err != nil {
		return nil, err
	}
	cfg := Config{AutoMigrate: true, BusyTimeout: busy}
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
	if fi, err := os.Stat(file); file != "" && err == nil && fi.IsDir() {
		return nil, qc.Errorf(qc.ConnectionFailed, "duckdb: %s is a folder, not a warehouse file: give a file name (FOLDER/genexp.duckdb)", file)
	} else if file != "" && err == nil && fi.Mode()&(fs.ModeNamedPipe|fs.ModeSocket) != 0 {
		// DuckDB would block reading a pipe that nothing writes to, and
		// no signal would stop it.
		return nil, qc.Errorf(qc.ConnectionFailed, "duckdb: %s is a named pipe or a socket, not a warehouse file: give a file name (genexp.duckdb)", file)
	}
	if file != "" && !readOnly {
		// DuckDB opens its write-ahead log only at the first commit, so a
		// warehouse in a directory it cannot write to would fail a load
		// only after the whole matrix was read.
		if err := CheckWritable(file); err != nil {
			return nil, err
		}
	}
	if params.Get("autoinstall_known_extensions") == "" {
		// DuckDB would download an extension it needs from the network
		// (sqlite_scanner, to open an SQLite file given as the warehouse);
		// a loader installs nothing.
		params.Set("autoinstall_known_extensions", "false")
	}
	shared, name := newFileState(), file
	if file != "" {
		// One Open of the file at a time in this process: the second then
		// finds the schema the first created or migrated.
		shared, name = shareFile(file)
		shared.open.Lock()
		defer shared.open.Unlock()
	}
	// External access turned off by the DSN is turned off once the file
	// is open: DuckDB applies a DSN's options in no fixed order, and one
	// applied after it (temp_directory) would be refused now and then
	// (3 of 20 opens in a trial).
	noExternal := false
	if v, ok := params["enable_external_access"]; ok && len(v) == 1 {
		if on, err := strconv.ParseBool(v[0]); err == nil && !on {
			noExternal = true
			params.Del("enable_external_access")
		}
	}
	full := name // DuckDB's name of the file: the one this process has it open by
	if len(params) > 0 {
		full += "?" + params.Encode()
	}
	opened := false
	defer func() {
		if !opened {
			shared.release()
		}
	}()
	if file != "" && shared.alone() {
		// Reading the file's first bytes opens and closes it, which would
		// drop the lock of another handle this process has on it (POSIX
		// releases all of a process's locks on a file when any of its
		// descriptors closes); one that does has checked it already.
		if err := checkFormat(file); err != nil {
			return nil, err
		}
	}
	// A file this call creates and cannot make a warehouse of (a disk full
	// at creation leaves it empty) is removed, or every later open would
	// call it "not a valid DuckDB database file". A file that existed is
	// never removed.
	created := false
	if file != "" && !readOnly {
		_, err := os.Lstat(file)
		created = errors.Is(err, os.ErrNotExist)
	}
	db, err := openWait(oo.stop, full, cfg.BusyTimeout, oo.whenBusy)
	if err != nil {
		placeDamage(err, file)
		// Busy: another process created the file since the check.
		if created && !errors.Is(err, qc.WarehouseBusy) && !errors.Is(err, context.Canceled) {
			removeWarehouse(file)
		}
		return nil, err
	}
	if created {
		// Another process may have created and migrated the file between
		// the check and the open, and closed it since. A file whose tables
		// cannot even be counted is this call's: nothing was read from it.
		var tables int
		if err := db.QueryRow(stmtUserTables).Scan(&tables); err == nil && tables > 0 {
			created = false
		}
	}
	if noExternal {
		// Global to the database, so every connection of the pool, and
		// it cannot be turned on again.
		if _, err := db.Exec(`SET enable_external_access = false`); err != nil {
			db.Close()
			return nil, qc.Wrap(qc.ConnectionFailed, err, "duckdb: turning external access off")
		}
	}
	w, err := New(db, cfg)
	if err != nil {
		// DuckDB reads most of the file only when the schema is first
		// read or migrated.
		placeDamage(err, file)
		db.Close()
		if created {
			removeWarehouse(file)
		}
		return nil, err
	}
	w.path, w.readOnly, w.file = file, readOnly, shared
	shared.remember(file)
	opened = true
	return w, nil
}

// MaxThreads is the most threads a DSN may give DuckDB. DuckDB starts
// them all when it opens the file, and tens of thousands exhaust the
// process's threads (the runtime then aborts); no machine genexp runs on
// has a use for more.
const MaxThreads = 1024

// threadsParam refuses a threads parameter that is not a whole number from
// 1 to MaxThreads.
func threadsParam(params url.Values) error {
	for _, v := range params["threads"] {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > MaxThreads {
			return &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError,
				Msg: fmt.Sprintf("duckdb: threads=%s in the warehouse DSN: give a whole number from 1 to %d", v, MaxThreads)}
		}
	}
	return nil
}

// readOnlyParam turns the DSN's read_only, genexp's synonym, into DuckDB's
// access_mode, which DuckDB alone understands: read_only=true is
// access_mode=READ_ONLY and read_only=false leaves DuckDB's default. Given
// beside an access_mode, as a caller adding access_mode=READ_ONLY to a
// user's DSN does, read_only is dropped when the two agree and refused when
// they do not.
func readOnlyParam(params url.Values) error {
	vals, ok := params["read_only"]
	if !ok {
		return nil
	}
	params.Del("read_only")
	var ro bool
	for i, v := range vals {
		b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(v)))
		if err != nil {
			return &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError,
				Msg: fmt.Sprintf("duckdb: read_only=%s in the warehouse DSN: give read_only=true or read_only=false", v)}
		}
		if i > 0 && b != ro {
			return &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError,
				Msg: "duckdb: the warehouse DSN gives read_only both true and false: give it once"}
		}
		ro = b
	}
	mode := params.Get("access_mode")
	switch {
	case mode == "":
		if ro {
			params.Set("access_mode", "READ_ONLY")
		}
	case ro != strings.EqualFold(mode, "READ_ONLY"):
		return &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError,
			Msg: fmt.Sprintf("duckdb: the warehouse DSN gives read_only=%t and access_mode=%s, which contradict each other: give one of them", ro, mode)}
	}
	return nil
}

const stmtUserTables = `SELECT COUNT(*) FROM duckdb_tables() WHERE database_name = current_database()`

// removeWarehouse removes a warehouse file Open created, and its
// write-ahead log; what cannot be removed stays.
func removeWarehouse(file string) {
	os.Remove(file + ".wal")
	os.Remove(file)
}

// CheckWritable reports, as a *qc.Error of code ConnectionFailed, why a
// DuckDB warehouse file could not be written: the file itself, its
// write-ahead log (FILE.wal) when it exists, and its directory, where DuckDB
// creates the log at the first commit. It asks the system rather than
// reading the permission bits, which say nothing of a read-only file
// system, and it creates and removes an empty file in the directory. A
// file that does not exist yet is fine when its directory can be written.
// It never opens the files themselves (see canWrite), so it is safe while
// this process has the warehouse open.
func CheckWritable(file string) error {
	for _, f := range []string{file, file + ".wal"} {
		err := canWrite(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return cannotWrite(f, err)
		}
	}
	dir := filepath.Dir(file)
	probe, err := os.CreateTemp(dir, ".genexp-write-check-*")
	if err != nil {
		return cannotWrite(dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// checkFormat refuses, with code ConnectionFailed, an existing file that
// is not a DuckDB database: DuckDB's files carry "DUCK" after their first 8
// bytes. DuckDB itself would open an SQLite file as an attached SQLite
// database (through an extension), and say of anything else only that it
// is "not a valid DuckDB database file". A file too short to hold the
// mark (an empty one) is left to DuckDB, as is one that cannot be read.
func checkFormat(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	var head [16]byte
	n, _ := io.ReadFull(f, head[:])
	if n < 12 || string(head[8:12]) == "DUCK" {
		return nil
	}
	what := "not a DuckDB database file"
	if n == 16 && string(head[:]) == "SQLite format 3\x00" {
		what = "an SQLite database, not a DuckDB one"
	}
	return &qc.Error{Code: qc.ConnectionFailed, Severity: qc.SeverityError,
		Msg: fmt.Sprintf("duckdb: %s is %s: give a DuckDB warehouse, or a new file name for one", file, what)}
}

func cannotWrite(path string, err error) *qc.Error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is the probe's, not the user's
	}
	return &qc.Error{Code: qc.ConnectionFailed, Severity: qc.SeverityError,
		Msg: fmt.Sprintf("cannot write %s (a load writes the warehouse file and, beside it, its write-ahead log)", path), Err: err}
}

// New wraps an open DuckDB *sql.DB (driver name "duckdb"). With
// cfg.AutoMigrate it creates or migrates the schema, as Open does. Without
// it, New leaves the schema as it finds it, so that a caller can read a
// warehouse as it is or call Migrate itself; a warehouse whose schema is
// missing or older than SchemaVersion is then refused, with code
// SchemaVersion and the way to migrate it, by the first method that
// writes it or reads its logs (Begin, LogStep, RecordFindings, …), while
// Version, Status and Health report it. Either way New refuses (code
// SchemaVersion) a warehouse whose schema is newer than this package's,
// whose tables it might misread.
//
// New changes settings of the whole DuckDB database, that is of every
// handle on the file in this process: it sets TimeZone to UTC (the
// warehouse's timestamps are UTC), and unless db is open read-only it
// turns off DuckDB's statistics_propagation optimizer, which can show a
// reader running beside a load a study with neither its old facts nor its
// new ones. Migrating to schemas 7 and 11 commits by a checkpoint, which
// DuckDB makes only when no other transaction is open, so it needs db to be
// the only handle on the file in the process, with one connection open.
//
// The Warehouse owns db from then on: Close closes it.
func New(db *sql.DB, cfg Config) (*Warehouse, error) {
	if db == nil {
		return nil, qc.Errorf(qc.ConfigInvalid, "duckdb: New needs an open *sql.DB, got nil")
	}
	w := &Warehouse{db: db, cfg: cfg, file: newFileState()}
	ctx := context.Background()
	// The warehouse's TIMESTAMP columns hold UTC wall times: genexp writes
	// its own times in UTC, and DuckDB's now() and current_timestamp
	// become wall times in DuckDB's time zone, the machine's by default.
	// Without the ICU extension DuckDB has no time zones and works in UTC
	// already, so a failure to set it changes nothing.
	_, _ = db.ExecContext(ctx, `SET GLOBAL TimeZone = 'UTC'`)
	if err := consistentReads(ctx, db); err != nil {
		return nil, qc.Wrap(qc.ConnectionFailed, err, "duckdb: configuring the optimizer")
	}
	// Only named in an error: a failure to read it leaves the default
	// sentence.
	_ = db.QueryRowContext(ctx, stmtTempDirectory).Scan(&w.tempDir)
	_ = db.QueryRowContext(ctx, stmtMemoryLimit).Scan(&w.memoryLimit)
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

const stmtTempDirectory = `SELECT current_setting('temp_directory')::VARCHAR`

const stmtMemoryLimit = `SELECT current_setting('memory_limit')::VARCHAR`

// consistentReads turns off DuckDB's statistics propagation for the whole
// database, so that a reader sees a replaced study's old batch or its new
// one, never neither.
//
// duckdb-go prepares every statement, in its own transaction when none is
// open, and then executes it in another. Statistics propagation plans from
// the tables' statistics at preparation: it derives, for instance, the
// range of batch keys a join can match from the fact table's statistics
// and filters the other side to it. When a load commits between the two
// steps, the execution sees the new batch through a plan made for the old
// one, and the study reads as empty (DuckDB 1.5.6; upstream issue 24182,
// fixed for prepared statements in 24696). Only this process can read
// while it writes (DuckDB locks the file), and the setting holds for every
// connection of the process's DuckDB instance. It costs the feature
// computation about a tenth of its time (see docs/warehouse.md, "One
// writer at a time").
func consistentReads(ctx context.Context, db *sql.DB) error {
	var disabled, access string
	if err := db.QueryRowContext(ctx, stmtDisabledOptimizers).Scan(&disabled, &access); err != nil {
		return err
	}
	// A database opened read-only has no writer beside it: not in this
	// process (DuckDB refuses a second configuration of the same file) nor
	// in another (DuckDB locks the file), so its statistics cannot change
	// under a statement, and queries keep the optimizer (genexp query runs
	// a fifth to a third faster with it on a 10M-cell warehouse).
	if strings.EqualFold(access, "read_only") {
		return nil
	}
	for _, o := range strings.Split(disabled, ",") {
		if strings.EqualFold(strings.TrimSpace(o), "statistics_propagation") {
			return nil
		}
	}
	if strings.TrimSpace(disabled) != "" {
		disabled += ","
	}
	_, err := db.ExecContext(ctx, fmt.Sprintf(stmtDisableOptimizers, quoteString(disabled+"statistics_propagation")))
	return err
}

// DB returns the underlying database, for queries (nil for a nil or zero
// Warehouse).
func (w *Warehouse) DB() *sql.DB {
	if w == nil {
		return nil
	}
	return w.db
}

// Path returns the database file ("" for in-memory).
func (w *Warehouse) Path() string {
	if w == nil {
		return ""
	}
	return w.path
}

// usable refuses, with code ConfigInvalid, a nil Warehouse or one not made
// by Open or New (a zero Warehouse{} has no database to write): every
// method that reaches the database asks it first, so misuse is an error
// that says what to do, not a nil-pointer panic.
func (w *Warehouse) usable() error {
	if w == nil || w.db == nil || w.file == nil {
		return qc.Errorf(qc.ConfigInvalid, "duckdb: the Warehouse was not made by duckdb.Open or duckdb.New")
	}
	return nil
}

// Close closes the *sql.DB the Warehouse was made with, Open's or the one
// given to New: a caller of New that still needs its db must not call
// Close, and ends its use of the Warehouse by closing db itself.
func (w *Warehouse) Close() error {
	if w == nil || w.db == nil {
		return nil // nothing was opened: a nil or zero Warehouse
	}
	w.closed.Do(w.file.release)
	return w.db.Close()
}

// OpenOption configures Open beyond what its DSN says.
type OpenOption func(*openOptions)

type openOptions struct {
	whenBusy func(wait time.Duration)
	stop     context.Context // ends the wait for a busy warehouse; nil: never
}

// StopWaiting has Open give up waiting for a warehouse another process
// holds (busy_timeout in the DSN) when ctx ends, returning ctx's error,
// wrapped and uncoded (errors.Is(err, context.Canceled)); nothing has been
// written then. A command that a signal may stop passes its context.
func StopWaiting(ctx context.Context) OpenOption {
	return func(o *openOptions) { o.stop = ctx }
}

// WhenBusy has Open call notify once, when it finds the warehouse held by
// another process and starts to wait for it (busy_timeout in the DSN),
// with how long it will wait at most; never when busy_timeout is 0 or the
// warehouse is free. A loader uses it to say why it seems to do nothing.
func WhenBusy(notify func(wait time.Duration)) OpenOption {
	return func(o *openOptions) { o.whenBusy = notify }
}

// openWait opens and pings the database, retrying while another process
// holds its lock, for up to wait or until stop (if not nil) ends; notify,
// if not nil, is called when the first retry is due.
func openWait(stop context.Context, dsn string, wait time.Duration, notify func(time.Duration)) (*sql.DB, error) {
	if stop == nil {
		stop = context.Background()
	}
	deadline := time.Now().Add(wait)
	backoff := 50 * time.Millisecond
	notified := false
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
			if isOptionError(err) {
				// The DSN's own mistake: the fix is in the configuration.
				return nil, qc.Wrap(qc.ConfigInvalid, err, "duckdb: the warehouse DSN sets an option DuckDB does not take")
			}
			if strings.Contains(err.Error(), "is not a valid DuckDB database file") {
				// checkFormat leaves files too short for DuckDB's mark
				// (an empty one) to DuckDB, which says only this.
				return nil, qc.Wrap(qc.ConnectionFailed, err, "duckdb: the warehouse file is not a DuckDB database (an empty file, or one something else wrote): give a DuckDB warehouse, or a new file name for one")
			}
			// Only damage is worded here: storageError's other causes
			// are about writing, and an open may only read.
			if de := damage(err, "duckdb: cannot open the warehouse"); de != nil {
				return nil, de
			}
			return nil, qc.Wrap(qc.ConnectionFailed, err, "duckdb: cannot open the warehouse")
		}
		if time.Now().After(deadline) {
			advice := "to wait for the other, give busy_timeout (FILE?busy_timeout=30s)"
			if wait > 0 {
				advice = fmt.Sprintf("the other process held it for the whole busy_timeout (%s); give a longer one, or retry when it ends", wait)
			}
			return nil, &qc.Error{Code: qc.WarehouseBusy, Severity: qc.SeverityError,
				Msg: "warehouse busy: DuckDB lets a process write the file only while no other process has it open, and read it only while none writes it; " +
					advice, Err: err}
		}
		if notify != nil && !notified {
			notified = true
			notify(wait)
		}
		select {
		case <-stop.Done():
			return nil, fmt.Errorf("duckdb: stopped waiting for the warehouse another process holds: %w", stop.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// readDSN splits a DuckDB DSN into its file and the parameters DuckDB is
// given, and checks them as Open and CheckDSN do: no secret, busy_timeout
// (taken out and returned), read_only (made access_mode), threads.
func readDSN(dsn string) (file string, params url.Values, busy time.Duration, err error) {
	file, params, err = splitDSN(dsn)
	if err != nil {
		return "", nil, 0, err
	}
	if err := noSecrets(params); err != nil {
		return "", nil, 0, err
	}
	if v := params.Get("busy_timeout"); v != "" {
		busy, err = time.ParseDuration(v)
		if err != nil {
			return "", nil, 0, qc.Wrap(qc.ConfigInvalid, err, "duckdb: busy_timeout")
		}
		params.Del("busy_timeout")
	}
	if err := readOnlyParam(params); err != nil {
		return "", nil, 0, err
	}
	if err := threadsParam(params); err != nil {
		return "", nil, 0, err
	}
	return file, params, busy, nil
}

// CheckDSN checks the DSN of a warehouse a load would create, as Open
// would, without opening, creating or touching its file: a secret,
// busy_timeout, read_only, threads, an option DuckDB does not take
// (ConfigInvalid, found by opening an in-memory database with the DSN's
// options), and a DSN that opens it read-only, which could not create it
// (ConnectionFailed). A dry run checks so the warehouse a load would
// create.
func CheckDSN(dsn string) error {
	_, params, _, err := readDSN(dsn)
	if err != nil {
		return err
	}
	if strings.EqualFold(params.Get("access_mode"), "READ_ONLY") {
		return qc.Errorf(qc.ConnectionFailed, "duckdb: no warehouse file yet, and the DSN opens it read-only: a load could not create it")
	}
	return checkOptions(params)
}

// OpensReadOnly reports whether a DSN opens its file read-only
// (access_mode=READ_ONLY, or genexp's read_only=true), as Open reads it;
// false for a DSN Open would refuse.
func OpensReadOnly(dsn string) bool {
	_, params, _, err := readDSN(dsn)
	return err == nil && strings.EqualFold(params.Get("access_mode"), "READ_ONLY")
}

// CheckOptions checks a DSN's options as CheckDSN does, without its
// refusal of a DSN that opens the file read-only: the check of commands
// that only read the warehouse, which open it read-only whatever
// access_mode the DSN names, so that an option DuckDB would refuse
// (access_mode=bogus, threads=0) is the configuration's mistake there as
// it is for a load, not passed over or reported as a missing file.
func CheckOptions(dsn string) error {
	_, params, _, err := readDSN(dsn)
	if err != nil {
		return err
	}
	if strings.EqualFold(params.Get("access_mode"), "READ_ONLY") {
		params.Del("access_mode") // an in-memory database cannot be opened so
	}
	// Only a restriction, which Open applies once the file is open, and
	// which DuckDB, applying options in no fixed order, may apply before
	// another it would then refuse (temp_directory).
	params.Del("enable_external_access")
	return checkOptions(params)
}

// checkOptions opens an in-memory database with params, to find an
// option DuckDB does not take.
func checkOptions(params url.Values) error {
	params.Set("autoinstall_known_extensions", "false")
	db, err := sql.Open("duckdb", "?"+params.Encode())
	if err == nil {
		err = db.Ping()
		db.Close()
	}
	switch {
	case err == nil:
		return nil
	case isOptionError(err):
		return qc.Wrap(qc.ConfigInvalid, err, "duckdb: the warehouse DSN sets an option DuckDB does not take")
	default:
		return qc.Wrap(qc.ConfigInvalid, err, "duckdb: the warehouse DSN's options")
	}
}

// isOptionError reports whether DuckDB refused a DSN parameter: one it does
// not know, or a value it cannot take.
func isOptionError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "could not set invalid or local option") || strings.Contains(s, "options were not recognized") ||
		// an extension's option (s3_region: httpfs), which a warehouse
		// that loads no extension cannot take
		strings.Contains(s, "extension needs to be loaded")
}

func isLockError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "Could not set lock on file") || strings.Contains(s, "Conflicting lock is held")
}

// noSecrets refuses a DSN parameter whose value is a secret (a password, a
// cloud token or key: qc.SecretKey). A warehouse is a local file that
// reads nothing remote, so no secret is any use to it; and DuckDB keeps
// every parameter it is given as a setting, which any query can read back
// (current_setting('password'), duckdb_settings()), so a secret given here
// would be shown by genexp query although every log redacts it.
func noSecrets(params url.Values) error {
	var keys []string
	for k := range params {
		if qc.SecretKey(k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	return qc.Errorf(qc.ConfigInvalid, "duckdb: the DSN sets %s, a secret: a DuckDB warehouse is a local file and takes none "+
		"(DuckDB would keep it as a setting any query can read); remove it", strings.Join(keys, ", "))
}

// splitDSN splits a DSN into its file and its parameters, each named in
// lower case: DuckDB reads option names without case, so ACCESS_MODE is
// access_mode, and a check of one spelling must see them all (the values
// of two spellings of one name are kept together, as a name given twice).
func splitDSN(dsn string) (string, url.Values, error) {
	file, query, _ := strings.Cut(dsn, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return "", nil, qc.Wrap(qc.ConfigInvalid, err, "duckdb: malformed DSN parameters")
	}
	params = LowerParams(params)
	if file == ":memory:" {
		file = ""
	}
	return file, params, nil
}

// LowerParams returns params with every name in lower case, the values of
// names that differ only in case joined in the order of the sorted names,
// as DuckDB reads an option's name without case. A program that edits a
// DSN's options before Open (forcing access_mode, say) edits them so, or a
// spelling it did not look for stays beside its own.
func LowerParams(params url.Values) url.Values {
	out := make(url.Values, len(params))
	for _, k := range slices.Sorted(maps.Keys(params)) {
		lk := strings.ToLower(k)
		out[lk] = append(out[lk], params[k]...)
	}
	return out
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
	var de *duckdbdrv.Error
	if errors.As(err, &de) && de.Type == duckdbdrv.ErrorTypeInterrupt {
		// A statement interrupted for a done context: on some paths the
		// driver returns DuckDB's error without the context's.
		return fmt.Errorf("%s: %w: %w", msg, context.Canceled, err)
	}
	if e := storageError(err, msg); e != nil {
		return e
	}
	if outOfMemory(err) {
		// DuckDB's advice (SET memory_limit, threads) is SQL a genexp
		// user has no prompt for; memoryError says it in DSN terms.
		return qc.Wrap(qc.ConnectionFailed, &memoryError{cause: err}, msg)
	}
	code := qc.ConstraintViolation
	if errors.As(err, &de) {
		switch de.Type {
		case duckdbdrv.ErrorTypeConstraint:
			if strings.Contains(strings.ToLower(de.Msg), "foreign key") {
				code = qc.ForeignKeyViolation
			}
		case duckdbdrv.ErrorTypeTransaction:
			// A write-write conflict with another transaction (a storage
			// failure at commit is also of this type: storageError took it).
			code = qc.WarehouseBusy
		case duckdbdrv.ErrorTypeConnection, duckdbdrv.ErrorTypeIO, duckdbdrv.ErrorTypeFatal, duckdbdrv.ErrorTypeInternal:
			// An internal error is a failed assertion of DuckDB's own,
			// which leaves the database unusable, not a constraint the
			// data broke.
			code = qc.ConnectionFailed
		}
	}
	return qc.Wrap(code, err, msg)
}

// closedError reports whether err says the Warehouse, or the connection a
// call held, was closed: no warehouse to write, not a constraint the data
// broke. database/sql's "database is closed" has no exported value.
func closedError(err error) bool {
	return errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), "sql: database is closed")
}

// ioCauses are the operating system's words for a file that cannot be
// written, as DuckDB quotes them, and how genexp says them.
var ioCauses = []struct{ text, say string }{
	{"Permission denied", "permission denied"},
	{"No space left on device", "no space left on device"},
	{"Read-only file system", "read-only file system"},
	{"Disk quota exceeded", "disk quota exceeded"},
}

// quotedFile finds the file a DuckDB I/O message names.
var quotedFile = regexp.MustCompile(`(?i)file "([^"]+)"`)

// spillFull is DuckDB's message when its spill files would outgrow
// max_temp_directory_size, which by default is the free space of the disk
// holding temp_directory: an out-of-memory error whose advice (threads,
// memory_limit) does not help when the disk is full.
const spillFull = "failed to offload data block"

// storageError returns err as a ConnectionFailed *qc.Error saying which
// file could not be written and why, when DuckDB failed for lack of
// permission or space (whatever the error's type: a write-ahead log that
// cannot be created surfaces as a transaction error at commit), when its
// spill files found no room (see spillError), when the file is damaged
// (see damagedError), when the database was invalidated, or when the
// Warehouse was closed; nil otherwise.
func storageError(err error, msg string) *qc.Error {
	text := err.Error()
	if strings.Contains(text, spillFull) {
		return &qc.Error{Code: qc.ConnectionFailed, Severity: qc.SeverityError, Msg: msg, Err: &spillError{cause: err}}
	}
	if de := damage(err, msg); de != nil {
		return de
	}
	var cause error = err
	if strings.Contains(text, "database has been invalidated") {
		cause = fmt.Errorf("%w: %w", warehouse.ErrInvalidated, err)
	}
	for _, c := range ioCauses {
		if !strings.Contains(text, c.text) {
			continue
		}
		file := "the warehouse file"
		if m := quotedFile.FindStringSubmatch(text); m != nil {
			file = m[1]
		}
		return &qc.Error{Code: qc.ConnectionFailed, Severity: qc.SeverityError,
			Msg: fmt.Sprintf("%s: cannot write %s: %s", msg, file, c.say), Err: cause}
	}
	if cause != err || closedError(err) {
		return qc.Wrap(qc.ConnectionFailed, cause, msg)
	}
	return nil
}

// spillError says that DuckDB's spill files found no room in dir, its
// temp_directory ("" when the warehouse is not known where the error is
// met: the sentence then says where DuckDB puts them by default), and
// what to do; DuckDB's own message follows without its advice on memory.
type spillError struct {
	dir   string
	cause error
}

func (e *spillError) Error() string {
	where := "the warehouse's temp directory (FILE.tmp beside the warehouse file FILE, or the DSN's temp_directory)"
	if e.dir != "" {
		where = e.dir
	}
	duck, _, _ := strings.Cut(e.cause.Error(), "\n")
	return fmt.Sprintf("no space left for DuckDB's spill files in %s: free disk space there, "+
		"or put them on a disk with room with ?temp_directory=DIR in the warehouse DSN (DuckDB: %s)", where, strings.TrimSpace(duck))
}

func (e *spillError) Unwrap() error { return e.cause }

// DuckDB's words for a block of the database file, or an entry of its
// write-ahead log, whose checksum does not match what was read.
const (
	corruptFile = "Corrupt database file"
	corruptWAL  = "Corrupt WAL file"
)

// shortFile is DuckDB's words for a block past the end of the file: a
// warehouse cut short (a copy interrupted, a file truncated).
const shortFile = "Could not read enough bytes from file"

// damagedError says that the warehouse file (or its write-ahead log, with
// wal) is damaged, why that happens and what to do; DuckDB's own message
// follows. It is warehouse.ErrDamaged. DuckDB writes a checkpoint's new
// data to free blocks, but rewrites in place the metadata blocks whose
// free slots it reuses, each with one write of the whole block; a process
// killed during that write (the kernel stops copying a write into the page
// cache at a page boundary when the process gets a fatal signal) leaves a
// block part old, part new, whose checksum matches neither.
type damagedError struct {
	file  string // the warehouse file; "" until placed
	wal   bool
	short bool // the file ends before a block it holds: cut short
	cause error
}

func (e *damagedError) Error() string {
	file := e.file
	if file == "" {
		file = "the warehouse file"
	}
	what := file
	if e.wal {
		what = "the write-ahead log of " + file
	}
	duck, _, _ := strings.Cut(e.cause.Error(), "\n")
	if e.short {
		return fmt.Sprintf("%s is damaged: it ends before a block it holds, so it was cut short (a copy interrupted, a file truncated). "+
			"Restore %s from a backup, or move it aside and load the downloads again into a new warehouse: loads are idempotent (DuckDB: %s)",
			what, file, strings.TrimSpace(duck))
	}
	return fmt.Sprintf("%s is damaged: a checksum does not match. DuckDB rewrites some blocks in place when it checkpoints, "+
		"and a process killed during that write (kill -9, the out-of-memory killer, a power cut) can leave one torn. "+
		"Restore %s from a backup, or move it aside and load the downloads again into a new warehouse: loads are idempotent (DuckDB: %s)",
		what, file, strings.TrimSpace(duck))
}

func (e *damagedError) Unwrap() []error { return []error{warehouse.ErrDamaged, e.cause} }

// damage returns err as a ConnectionFailed *qc.Error holding a
// damagedError when DuckDB found the file or its log damaged; nil
// otherwise.
func damage(err error, msg string) *qc.Error {
	var known *damagedError
	if errors.As(err, &known) {
		// Found already: said once.
		return &qc.Error{Code: qc.ConnectionFailed, Severity: qc.SeverityError, Msg: msg, Err: err}
	}
	text := err.Error()
	short := strings.Contains(text, shortFile)
	if !strings.Contains(text, corruptFile) && !strings.Contains(text, corruptWAL) && !short {
		return nil
	}
	return &qc.Error{Code: qc.ConnectionFailed, Severity: qc.SeverityError, Msg: msg,
		Err: &damagedError{wal: strings.Contains(text, corruptWAL), short: short, cause: err}}
}

// placeDamage names file in a damagedError in err's chain.
func placeDamage(err error, file string) {
	var de *damagedError
	if errors.As(err, &de) && de.file == "" {
		de.file = file
	}
}

// placeResources names the warehouse's temp_directory in a spillError in
// err's chain, its file and memory_limit in a memoryError, and its file in
// a damagedError, and returns err.
func (w *Warehouse) placeResources(err error) error {
	placeDamage(err, w.path)
	var se *spillError
	if errors.As(err, &se) && se.dir == "" {
		se.dir = w.tempDir
	}
	var me *memoryError
	if errors.As(err, &me) && me.file == "" {
		me.file, me.limit = w.path, w.memoryLimit
	}
	return err
}
