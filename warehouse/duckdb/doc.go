// Package duckdb is genexp's embedded warehouse: the warehouse.WarehouseSink
// for a DuckDB database file, needing no server.
//
// Open a warehouse with Open(dsn) (a file path, optionally with parameters:
// see README.md) or wrap an existing *sql.DB with New. The schema is created
// or migrated on open (Config.AutoMigrate) and is versioned: a warehouse
// written by a newer genexp is refused, never silently altered.
//
// Loading follows the contract of package warehouse: a Batch runs in one
// DuckDB transaction on one connection. Cells are appended to staging with
// DuckDB's appender; Commit then adds unseen genes to dim_gene, replaces the
// study's facts with one set-based INSERT … SELECT from staging, and records
// the batch, all before the transaction commits. A crash at any point leaves
// the previous state: DuckDB discards an uncommitted transaction on restart.
//
// DuckDB lets one process write a database file at a time. A second process
// that opens the same file waits up to Config.BusyTimeout, then fails with a
// *qc.Error of code WarehouseBusy.
package duckdb
