// Package genexp loads refine.bio gene-expression downloads into a
// star-schema warehouse (DuckDB embedded, or SQL Server 2022) for cohort
// comparison (sepsis, septic shock, no sepsis, controls) and gene-pair
// mining.
//
// A Pipeline assembles the parts, each replaceable through a small
// interface of the package that provides the default part:
//
//   - OpenDownload finds the matrices and metadata of a download (a zip, a
//     folder, a study folder, or a single matrix);
//   - expression.Reader streams each matrix (WithMatrixReader supplies
//     another expression.MatrixReader) and an expression.Melter melts it
//     to long rows (expression.ColumnMelter, or WithMelter's);
//   - metadata parses the samples and studies;
//   - an illness.IllnessClassifier labels each sample and says why;
//   - a platform.PlatformNormalizer normalizes platforms;
//   - a warehouse.WarehouseSink (warehouse/duckdb, warehouse/mssql) stores
//     everything, idempotently by content hash;
//   - after each commit, the analytics step has the warehouse compute the
//     study's features for downstream ML and gene-pair work (see
//     FeatureCohortSampleCount), which Pipeline.Features recomputes on
//     demand.
//
// The reference CLI, cmd/genexp, is a thin shell over this package.
package genexp
