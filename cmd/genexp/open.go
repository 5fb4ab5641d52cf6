package main

import (
	"database/sql"
	"flag"
	"strings"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// store is what the CLI needs of a backend: the sink, and SQL access for
// `query`.
type store interface {
	warehouse.WarehouseSink
	DB() *sql.DB
}

// config loads the --config file, or the defaults.
func (c *common) loadConfig() (genexp.Config, error) {
	if c.config == "" {
		return genexp.DefaultConfig(), nil
	}
	return genexp.LoadConfig(c.config)
}

// target returns the DSN to open: --dsn, else an explicit --db, else the
// configuration's connection string, else --db's default.
func (c *common) target(fs *flag.FlagSet, cfg genexp.Config) string {
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
		return cfg.Database.ConnectionString
	}
	return c.db
}

func isSQLServer(dsn string) bool {
	l := strings.ToLower(strings.TrimSpace(dsn))
	return strings.HasPrefix(l, "sqlserver://") || strings.HasPrefix(l, "mssql://") ||
		strings.Contains(l, "server=") || strings.Contains(l, "data source=")
}

// openStore opens the warehouse a DSN names.
func openStore(dsn string, readOnly bool) (store, error) {
	if isSQLServer(dsn) {
		return nil, qc.Errorf(qc.ConnectionFailed, "SQL Server warehouses are not supported by this build yet; use a DuckDB file")
	}
	if readOnly && !strings.Contains(dsn, "access_mode=") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "access_mode=READ_ONLY"
	}
	return duckdb.Open(dsn)
}
