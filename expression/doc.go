// Package expression streams refine.bio expression matrices (genes × samples,
// tab-separated) with memory bounded by one batch of rows (and the gene ids
// read so far, kept to find a repeated one), and melts them from wide to
// long form.
//
// A Reader is an iterator in the style of bufio.Scanner: construct it over an
// io.Reader, call Next until it returns false, read each WideBatch, then check
// Err. The Reader hashes every byte it reads (SHA-256), so when the stream is
// exhausted Sum returns the content hash without a second read.
//
// Values are parsed exactly: every stored float64 equals strconv.ParseFloat
// of its cell, bit for bit. The parser scans and converts each cell in one
// pass (Clinger's fast path, then the Eisel–Lemire algorithm, then strconv
// for the rare cell neither decides), which is what lets one core read tens
// of millions of cells a second. Only plain decimals are numbers: hex
// floats, underscores and spaces are not. Missing cells (empty, NA, NaN,
// N/A, null, …) become NaN and are counted; an infinite or non-numeric
// cell, a value beyond ±MaxMagnitude, a ragged row, an empty gene id, a gene id that IDProblem refuses
// (blanks around it, a control character, too long) or invalid UTF-8
// stops the stream with a *qc.Error naming the file, line and column. CRLF line ends, a UTF-8
// byte order mark, a trailing tab, blank lines, an empty first header cell
// (older downloads) and CSV-quoted header names are accepted; a repeated
// gene row is dropped (the first is kept) and reported as a
// qc.DuplicateGenes finding.
//
// The Reader reads text. A .tsv.gz matrix is decompressed by whoever opens
// it (genexp.Matrix.Open does); gzip or zip bytes handed to a Reader are
// reported as qc.InvalidFormat rather than parsed as garbage. Compressed
// data carry their checksum at their end, and damaged data usually
// decompress into rows that do not parse before it: when a row of a
// *gzip.Reader or of a Verifier (genexp's zip entries and .gz files) fails
// to parse, the Reader reads the rest of the source, and if its check fails
// the error is a qc.InvalidFormat one saying the file is corrupt, at the
// line and column where parsing stopped.
//
// A Melter turns each WideBatch into a LongBatch: one row per (gene, sample)
// cell, stored column-wise and keeping the source line, so every warehouse
// row can be traced back to its file.
//
// Subpackage synth generates refine.bio-shaped downloads of any size for
// tests and benchmarks; subpackage arrowbatch hands LongBatches to Apache
// Arrow without copying them.
package expression
