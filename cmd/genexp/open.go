package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
	"github.com/genexp/genexp/warehouse/mssql"
	"go.yaml.in/yaml/v3"
)

// store is what the CLI needs of a backend: the sink, and a query that
// only reads for `query`.
type store interface {
	warehouse.WarehouseSink
	ReadQuery(ctx context.Context, query string, read func(*sql.Rows) error) error
}

// config loads the --config file, or the defaults; on failure it says why
// on stderr and reports false (the command then exits with exitUsage).
func (c *common) config(stderr io.Writer, opts ...genexp.ConfigOption) (genexp.Config, bool) {
	if c.configFile == "" {
		return genexp.DefaultConfig(), true
	}
	// Read once, for the configuration and for setsLogLevel: a second
	// read of a pipe (--config <(…)) would find it empty.
	data, err := genexp.ReadConfigFile(c.configFile)
	if err == nil {
		var cfg genexp.Config
		if cfg, err = genexp.ParseConfig(data, c.configFile, opts...); err == nil {
			c.cfgLogFile, c.cfgLogFormat = cfg.Logging.File, cfg.Logging.Format
			c.cfgLevelSet = setsLogLevel(data)
			return cfg, true
		}
	}
	c.printErr(stderr, err, "")
	return genexp.Config{}, false
}

// setsLogLevel reports whether the configuration text names logging.level
// itself: a level its writer chose applies everywhere, while the default
// gives way to WARN on a terminal.
func setsLogLevel(data []byte) bool {
	var doc struct {
		Logging struct {
			Level *string `yaml:"level"`
		} `yaml:"logging"`
	}
	// An empty level (as genexp config writes an unset one) sets nothing.
	return yaml.Unmarshal(data, &doc) == nil && doc.Logging.Level != nil && strings.TrimSpace(*doc.Logging.Level) != ""
}

// target returns the DSN to open: --dsn, else an explicit --db, else the
// configuration's connection string, else --db's default; for DuckDB with
// the configuration's processing limits applied (see duckdbTuning).
func (c *common) target(fs *flag.FlagSet, cfg genexp.Config) string {
	return duckdbTuning(c.chooseTarget(fs, cfg), cfg)
}

// duckdbTuning turns processing.memory_limit_mb and processing.max_workers
// into DuckDB's memory_limit and threads, unless the DSN sets them or names
// a SQL Server.
func duckdbTuning(dsn string, cfg genexp.Config) string {
	if genexp.IsSQLServerDSN(dsn) {
		return dsn
	}
	var add []string
	if mb := cfg.Processing.MemoryLimitMB; mb > 0 && !strings.Contains(dsn, "memory_limit=") {
		add = append(add, fmt.Sprintf("memory_limit=%dMB", mb))
	}
	if n := cfg.Processing.MaxWorkers; n > 0 && !strings.Contains(dsn, "threads=") {
		add = append(add, fmt.Sprintf("threads=%d", n))
	}
	if len(add) == 0 {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + strings.Join(add, "&")
}

func (c *common) chooseTarget(fs *flag.FlagSet, cfg genexp.Config) string {
	dbSet := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "db" {
			dbSet = true
		}
	})
	switch {
	case c.dsn != "":
		return c.dsn
	case dbSet:
		return c.db
	case cfg.Database.ConnectionString != "":
		c.targetFromConfig = true
		// database_name joins the connection string; the configuration
		// was validated, so the two agree.
		dsn, err := cfg.Database.DSN()
		if err != nil {
			dsn = cfg.Database.ConnectionString
		}
		if genexp.IsSQLServerDSN(dsn) {
			// The configuration expanded its ${NAME} references already:
			// a "${" left in it is text (a password's), not to be
			// expanded again by mssql.Open.
			dsn = mssql.EscapeEnv(dsn)
		}
		return dsn
	}
	return c.db
}

// openStore opens the warehouse a DSN names. Its errors hide the DSN's
// secrets: a driver may quote the DSN it could not open. log, if not nil,
// says when a DuckDB warehouse is busy and the open waits for it.
func openStore(dsn string, readOnly bool, log *slog.Logger) (store, error) {
	return openStoreUntil(context.Background(), dsn, readOnly, log)
}

// openStoreUntil is openStore that stops waiting for a DuckDB warehouse
// another process holds when stop ends.
func openStoreUntil(stop context.Context, dsn string, readOnly bool, log *slog.Logger) (store, error) {
	if genexp.IsSQLServerDSN(dsn) {
		var opts []mssql.Option
		if readOnly {
			opts = append(opts, mssql.ReadOnly())
		}
		if log != nil {
			opts = append(opts, mssql.WithLogger(log))
		}
		w, err := mssql.Open(dsn, opts...)
		if err != nil {
			return nil, redactErr(err, dsn)
		}
		return w, nil
	}
	if err := checkTarget(dsn); err != nil {
		return nil, redactErr(err, dsn)
	}
	open := dsn
	if readOnly {
		// Opened read-only whatever access_mode the DSN names: its
		// options are checked as a load's are first, so that one DuckDB
		// refuses is the configuration's mistake here too.
		if err := duckdb.CheckOptions(dsn); err != nil {
			return nil, redactErr(err, dsn)
		}
		open = readOnlyDSN(dsn)
	}
	var opts []duckdb.OpenOption
	opts = append(opts, duckdb.StopWaiting(stop))
	if log != nil {
		opts = append(opts, duckdb.WhenBusy(func(wait time.Duration) {
			// A warning, so that a terminal, which shows warnings and
			// not notes by default, says why nothing seems to happen.
			log.Warn("warehouse busy: another process has it open; waiting for it to let go", "busy_timeout", wait.String())
		}))
	}
	w, err := duckdb.Open(open, opts...)
	if err != nil {
		return nil, redactErr(redactErr(err, open), dsn)
	}
	return w, nil
}

// readOnlyDSN opens a DuckDB DSN read-only, whatever access_mode it
// names (a command that only reads must not migrate or write the file,
// which access_mode=READ_WRITE would let it); a read_only=… it gives is
// dropped, since the command's READ_ONLY stands for it (read_only=false
// would otherwise contradict it).
func readOnlyDSN(dsn string) string { return editDSNParams(dsn, readOnlyParams) }

// readOnlyParams sets DuckDB DSN parameters (named in lower case) to open
// the warehouse read-only: access_mode=READ_ONLY, and no read_only.
func readOnlyParams(params url.Values) {
	params.Set("access_mode", "READ_ONLY")
	params.Del("read_only")
}

// editDSNParams returns a DuckDB DSN with its query parameters, named in
// lower case, as edit leaves them; dsn as it is when the query cannot be
// read (duckdb.Open then reports it).
func editDSNParams(dsn string, edit func(url.Values)) string {
	file, rawParams, _ := strings.Cut(dsn, "?")
	params, err := url.ParseQuery(rawParams)
	if err != nil {
		return dsn
	}
	// Named in lower case first, as DuckDB reads them: ACCESS_MODE left
	// beside the access_mode set here would be the same option twice.
	params = duckdb.LowerParams(params)
	edit(params)
	return file + "?" + params.Encode()
}

// checkTarget refuses, as the caller's configuration to mend, a DuckDB
// target no command can use: one that names no file, and a busy_timeout
// that is not a duration. The library opens an in-memory warehouse for
// tests and programs; for a command it would be gone when the command
// exits, a load reporting studies it kept nowhere (an unset variable in
// `--db "$WAREHOUSE"` did that).
func checkTarget(dsn string) error {
	if genexp.IsSQLServerDSN(dsn) {
		return nil
	}
	if err := foreignScheme(dsn); err != nil {
		return err
	}
	if file, _, _ := strings.Cut(dsn, "?"); inMemory(file) {
		return &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError,
			Msg: fmt.Sprintf("the warehouse %q names no file: a DuckDB warehouse in memory would be gone when genexp exits; give --db a file (default genexp.duckdb)", file)}
	}
	return checkBusyTimeout(dsn)
}

// urlScheme is the scheme of a URL-shaped DSN ("postgres://").
var urlScheme = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9+.-]*)://`)

// foreignScheme refuses, as a ConfigInvalid error, a DSN that is neither a
// SQL Server's nor a DuckDB file: a URL of another scheme would otherwise
// be taken for a DuckDB path, and its user and password written into a
// file name.
func foreignScheme(dsn string) error {
	m := urlScheme.FindStringSubmatch(dsn)
	if m == nil {
		return nil
	}
	return &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError,
		Msg: fmt.Sprintf("the warehouse DSN is a %s:// URL: genexp loads into a DuckDB file (a path) or a SQL Server (sqlserver://…)", m[1])}
}

// inMemory reports whether a DuckDB DSN's file part names no file: DuckDB
// then opens a warehouse in memory.
func inMemory(file string) bool { return strings.TrimSpace(file) == "" || file == ":memory:" }

// checkBusyTimeout reports, as a ConfigInvalid error (a usage error, exit
// 2: the fix is in the command line or the configuration), a DuckDB DSN's
// busy_timeout that is not a duration; the warehouse would call it a
// failure to open.
func checkBusyTimeout(dsn string) error {
	_, rawParams, _ := strings.Cut(dsn, "?")
	params, err := url.ParseQuery(rawParams)
	params = duckdb.LowerParams(params)
	if err != nil || !params.Has("busy_timeout") {
		return nil // duckdb.Open says what is wrong with the parameters
	}
	v := params.Get("busy_timeout")
	if d, err := time.ParseDuration(v); err != nil || d < 0 {
		return &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError,
			Msg: fmt.Sprintf("the warehouse DSN's busy_timeout=%q is not a duration such as 30s or 1m", v)}
	}
	return nil
}

// noWarehouseFile reports, as a ConnectionFailed error, that target names
// a DuckDB file that does not exist, or a folder (whose permissions health
// would otherwise judge as the file's); nil when it exists or names no file
// (a SQL Server, :memory:). Commands that only read a warehouse check it
// first: opened read-only, DuckDB would say only that it cannot open the
// file in read-only mode, and opened for writing it would create it.
func noWarehouseFile(target string) error {
	if genexp.IsSQLServerDSN(target) {
		return nil
	}
	if err := foreignScheme(target); err != nil {
		return err
	}
	file, _, _ := strings.Cut(target, "?")
	if inMemory(file) {
		return nil // checkTarget refuses it
	}
	fi, err := os.Stat(file)
	if err != nil {
		// The DSN's own mistakes first, as a load says them (opening an
		// existing file checks them, openStoreUntil).
		if err := checkDuckDBDSN(target); err != nil {
			return err
		}
		// the file part of a DSN that is not what its writer meant may
		// hold a secret
		where := file
		if abs, aerr := filepath.Abs(file); aerr == nil {
			where = abs
		}
		return redactErr(qc.Wrap(qc.ConnectionFailed, err, "no warehouse file at "+where+
			" (name the warehouse with --db or --dsn; genexp load or genexp init creates one)"), target)
	}
	if fi.IsDir() {
		return redactErr(qc.Errorf(qc.ConnectionFailed, "%s is a folder, not a warehouse file", file), target)
	}
	return nil
}

// duckDBFileMissing reports whether target names a DuckDB file that is
// not there, which opening it for writing creates: false for a SQL Server
// DSN, and for a file that cannot be looked at (no permission), which the
// open reports.
func duckDBFileMissing(target string) bool {
	if genexp.IsSQLServerDSN(target) {
		return false
	}
	file, _, _ := strings.Cut(target, "?")
	_, err := os.Stat(file)
	return errors.Is(err, iofs.ErrNotExist)
}

// checkDuckDBDSN checks a DuckDB DSN as the commands that open it do,
// without opening its file: a URL of another scheme, no file named, an
// option genexp or DuckDB refuses.
func checkDuckDBDSN(target string) error {
	if err := foreignScheme(target); err != nil {
		return redactErr(err, target)
	}
	if err := checkTarget(target); err != nil {
		return redactErr(err, target)
	}
	if err := duckdb.CheckOptions(target); err != nil {
		return redactErr(err, target)
	}
	return nil
}

// schemaVersionFor is the schema version the backend for dsn writes.
func schemaVersionFor(dsn string) int {
	if genexp.IsSQLServerDSN(dsn) {
		return mssql.SchemaVersion()
	}
	return duckdb.SchemaVersion()
}
