// Package genexp loads refine.bio gene-expression downloads into a
// star-schema warehouse (DuckDB embedded, or SQL Server 2022) for cohort
// comparison (sepsis, septic shock, no sepsis, controls) and gene-pair
// mining.
//
// A Pipeline assembles the parts, each replaceable through an interface
// defined where it is consumed:
//
//   - OpenDownload finds the matrices and metadata of a download (a zip, a
//     folder, a study folder, or a single matrix);
//   - expression.Reader streams each matrix and expression.Melter melts it
//     to long rows;
//   - metadata parses the samples and studies;
//   - an illness.IllnessClassifier labels each sample and says why;
//   - a platform.PlatformNormalizer normalizes platforms;
//   - a warehouse.WarehouseSink (warehouse/duckdb, warehouse/mssql) stores
//     everything, idempotently by content hash.
//
// The reference CLI, cmd/genexp, is a thin shell over this package.
package genexp
