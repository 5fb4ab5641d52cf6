// Package warehousetest is the contract suite every warehouse.WarehouseSink
// backend must pass, in the manner of testing/fstest: a backend's own test
// calls Run with a function that opens a fresh, empty warehouse, and the
// suite checks the behaviour the pipeline relies on — new, duplicate and
// replaced batches, atomic replacement, rollback on abort or error, SCD1
// dimension updates, the analytics views, and the run and quality logs.
//
// The suite drives the sink directly (not through the pipeline), so a
// failure points at the backend. Its assertions use only SQL that DuckDB and
// SQL Server both accept, with no bind parameters.
package warehousetest
