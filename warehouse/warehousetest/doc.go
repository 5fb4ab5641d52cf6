// Package warehousetest is the contract suite every warehouse.WarehouseSink
// backend must pass, in the manner of testing/fstest: a backend's own test
// calls Run with a function that opens a fresh, empty warehouse, and the
// suite checks the behaviour the pipeline relies on:
//
//   - new, duplicate and replaced batches, with rows written that match the
//     facts and meta_batch, and a duplicate that writes nothing, not even a
//     batch row;
//   - all or nothing: an aborted batch, a commit the backend must refuse (a
//     study without columns, a row in an undeclared column, gene lines
//     that do not increase) and loads
//     cancelled at 40 points spread over a load's duration leave the
//     previous state, and the next load completes;
//   - readers polling while a study is replaced see the old batch or the
//     new one, never a mix or an empty study;
//   - SCD1 updates of studies, platforms and samples, keys kept; studies
//     and samples given without a metadata record (KeepRecorded,
//     KeepAttributes, KeepIllness) keep the rows the warehouse holds, an
//     override's label excepted, and are inserted when new;
//   - unusual shapes: unloaded columns, gaps in line numbers, several
//     studies in one matrix, an empty batch, missing values kept as NULL;
//   - a duplicate study beside a replaced one in one file keeps its facts,
//     and a replaced study loses a sample another study of the same load
//     now holds; log2 values of positive values only;
//   - the analytics views, and the run and quality logs;
//   - the optional interfaces, each case skipped for a sink that lacks its
//     interface: the QC of a rejected batch (QCRecorder), attempts
//     (AttemptCounter), the status of studies and steps (Statuser), steps
//     logged many at once (StepsLogger), failures and recent runs
//     (HealthChecker) and abandoned steps marked failed (StepAborter).
//
// RunFeatures is the same for sinks that implement
// warehouse.FeatureMaterializer: every feature against an independent
// computation in Go, replacement, skipping current features, atomicity
// under cancellation, the catalog and the feature views.
//
// RunUnmade needs no database: a nil or zero sink of the backend's type
// refuses every method with qc.ConfigInvalid instead of panicking.
//
// The suite drives the sink directly (not through the pipeline), so a
// failure points at the backend. Its assertions use only SQL that DuckDB and
// SQL Server both accept, with no bind parameters, on genexp's schema
// (fact_gene_expression, the dimensions, the meta_ tables and the
// analytics views) through Target.DB: it is the contract of a warehouse
// backend. A sink that keeps its data elsewhere (a CSV writer, a queue)
// cannot run it; the pipeline still drives such a sink, and the method
// docs of warehouse.Batch say what it must do. A backend's test looks
// like this (see warehouse/duckdb/contract_test.go):
//
//	func TestContract(t *testing.T) {
//		warehousetest.Run(t, func(t *testing.T) warehousetest.Target {
//			w := openFreshWarehouse(t) // registers its own cleanup
//			return warehousetest.Target{Sink: w, DB: w.DB()}
//		})
//	}
package warehousetest
