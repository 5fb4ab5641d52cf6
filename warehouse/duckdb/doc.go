// Package duckdb is genexp's embedded warehouse: the warehouse.WarehouseSink
// for a DuckDB database file, needing no server.
//
// Open a warehouse with Open(dsn) (a file path, optionally with parameters:
// see README.md) or wrap an existing *sql.DB with New. The schema is created
// or migrated on open (Config.AutoMigrate) and is versioned: a warehouse
// written by a newer genexp is refused, never silently altered.
//
// Loading follows the contract of package warehouse: a Batch writes the
// warehouse in one DuckDB transaction on one connection. While rows stream,
// its cells go to a temporary table of the connection through a table
// function that DuckDB reads vector by vector, on a goroutine of the batch,
// while the caller reads the next rows; the dimensions and genes wait in
// memory. Commit then opens the transaction: it stages the columns, genes
// and samples through DuckDB's appender, upserts the dimensions, adds
// unseen genes to dim_gene, replaces the study's facts with one set-based
// INSERT … SELECT from the staged cells, records the batch and QC, empties
// staging and commits. A crash at any point leaves the previous state:
// DuckDB discards an uncommitted transaction on restart, and a temporary
// table is never written to the database file.
//
// DuckDB lets one process write a database file at a time, and only while
// no other process has it open (a load, or a read-only genexp query): a
// process that opens a file another holds that way waits up to
// Config.BusyTimeout, then fails with a *qc.Error of code WarehouseBusy. Within a process, loads into one
// file are serialized the same way, through one Warehouse or several that
// Open made of it (which share one DuckDB database); readers run beside
// them and see each study's previous batch or its new one, never a mix.
package duckdb
