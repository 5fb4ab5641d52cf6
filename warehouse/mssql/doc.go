// Package mssql is genexp's SQL Server 2022 warehouse: the
// warehouse.WarehouseSink for a SQL Server (or Azure SQL) database, built on
// github.com/microsoft/go-mssqldb.
//
// Open a warehouse with Open(dsn) (a sqlserver:// URL or an ADO connection
// string, with ${NAME} environment references; see README.md) or wrap an
// existing *sql.DB with New. The schema is created or migrated on open and
// is versioned: a warehouse written by a newer genexp is refused. Anything
// the package prints or returns names the DSN through Redact, which hides
// its passwords.
//
// A load streams the matrix's cells into staging tables with TDS bulk copy
// (mssql.CopyIn), in batches sized for the columnstore, outside any
// transaction and under a load key of its own, so loads run side by side.
// Commit then, in one transaction, merges the dimensions, replaces the
// facts of each changed study with one INSERT … SELECT and records the
// batch; the load's staging rows are deleted after it. Readers (under
// READ_COMMITTED_SNAPSHOT) see a study's old facts until that transaction
// commits and its new facts after. A load that dies leaves only staging
// rows, which nothing publishes and the next load removes.
//
// Transient failures (deadlocks, lock timeouts, Azure SQL throttling, a
// database failing over) are retried with backoff; failures in the data
// never are.
package mssql
