// Package warehouse defines the contract between genexp's pipeline and the
// databases it loads: the WarehouseSink interface, the request and result
// structs its methods take and return, and the row types of the star schema
// (studies, samples, platforms, illness labels, gene expression facts).
//
// Backends live in subpackages (warehouse/duckdb, warehouse/mssql) and are
// deliberately "dumb": the pipeline decides what to load, a backend decides
// only how to write it. Every backend passes the shared contract suite in
// warehouse/warehousetest.
//
// A load is one matrix file. The pipeline begins a Batch, upserts the
// dimensions the file's samples need, streams the file's cells as long rows
// into staging, and commits. Commit is where the content identity is known
// (the file's SHA-256 is only complete at the end of the stream), so Commit
// decides, per study, whether the batch is new, replaces the study's facts,
// or is a duplicate to skip; and it does so atomically: readers see the
// study's previous facts until the commit, and its new facts after it.
//
// Beyond WarehouseSink the pipeline uses optional interfaces, found by type
// assertion on the sink: FeatureMaterializer (the analytics step and
// Pipeline.Features), Statuser, StepsLogger, AttemptCounter, StepAborter,
// RunEnder, QCRecorder and HealthChecker. A decorator that embeds a WarehouseSink
// value hides them, since only WarehouseSink's methods are promoted: it
// must forward each one it wants kept (or embed the backend's concrete
// type, such as *duckdb.Warehouse). Without FeatureMaterializer the
// analytics step is logged SKIPPED and the run warns.
package warehouse
